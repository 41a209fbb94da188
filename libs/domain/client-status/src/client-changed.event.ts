import type { ClientAction } from './client-action';
import type { PublicJwks } from './client-keys';
import type { ClientStatus } from './client-status';
import type { DataAccessType } from './data-access-type';

/**
 * Compacted topic, keyed by client_id, that carries every change to a registered client
 * (docs/product.md#cross-service-revocation). Compaction keeps only the latest event per client,
 * so each event is a complete snapshot: a consumer reading from the start rebuilds the current
 * state of every client without any earlier event.
 */
export const CLIENT_CHANGED_TOPIC = 'registration.client.changed.v1';

export const CLIENT_CHANGED_EVENT_TYPE = 'registration.client.changed';

/**
 * The highest `clientVersion` there is: the largest PostgreSQL `integer`, the type every service
 * stores it in. A client changes a few times in its life, so the bound is never reached honestly;
 * a larger value is refused when parsed rather than failing, again and again, to be stored.
 */
export const MAX_CLIENT_VERSION = 2 ** 31 - 1;

export const RegistrationKind = {
  Application: 'application',
  Payer: 'payer',
} as const;

export type RegistrationKind = (typeof RegistrationKind)[keyof typeof RegistrationKind];

/** OAuth 2.0 client types (RFC 6749 §2.1): public clients, such as native apps, hold no secret. */
export const ClientType = {
  Confidential: 'confidential',
  Public: 'public',
} as const;

export type ClientType = (typeof ClientType)[keyof typeof ClientType];

export const ActorRole = {
  /** Plan staff, acting through the admin routes. */
  Admin: 'admin',
  /** The developer or payer account that owns the registration. */
  Owner: 'owner',
  /** The platform itself, e.g. a client seeded from configuration. */
  System: 'system',
} as const;

export type ActorRole = (typeof ActorRole)[keyof typeof ActorRole];

export interface ClientChangeActor {
  readonly role: ActorRole;
  readonly id: string;
}

/** Who changed the client and why, for audit; consumers must not need it to rebuild state. */
export interface ClientChange {
  /** The staff action behind a status change; absent for other edits such as a secret rotation. */
  readonly action?: ClientAction;
  readonly reason?: string;
  readonly actor?: ClientChangeActor;
}

/** What the authorization server needs to know about a client to authenticate and serve it. */
export interface ClientSnapshot {
  readonly name: string;
  readonly clientType: ClientType;
  /** Compared exactly with the redirect_uri of an authorization request. */
  readonly redirectUris: readonly string[];
  /**
   * The hash of the current client secret (keyed SHA-256, or argon2id for secrets issued before
   * keyed hashes), encrypted (compact JWE) with a key only the
   * registration and authorization services hold: readers of the topic cannot test a guessed secret
   * against it. Null for public clients and before a secret is issued.
   */
  readonly sealedSecretHash: string | null;
  /** The most a member can grant this client, as scope strings. */
  readonly allowedScopes: readonly string[];
  /** May use the client_credentials grant (payers and admin automation); confidential only. */
  readonly system: boolean;
  readonly logoUri?: string;
  readonly policyUri?: string;
  readonly tosUri?: string;
  readonly companyName?: string;
  readonly contactEmail?: string;
  /** Backend clients (payers): public keys of their client assertions (private_key_jwt). At most one of jwks and jwksUri. */
  readonly jwks?: PublicJwks;
  /** Backend clients (payers): where their public keys are published instead. */
  readonly jwksUri?: string;
  /** How long a member's authorization lasts; absent from older producers, which means the default (13 months). */
  readonly dataAccessType?: DataAccessType;
}

export interface ClientChangedEventV1 {
  readonly type: typeof CLIENT_CHANGED_EVENT_TYPE;
  readonly version: 1;
  /** UUID; lets consumers and the outbox relay recognise a redelivered event. */
  readonly eventId: string;
  /** ISO 8601 instant at which the change was committed. */
  readonly occurredAt: string;
  readonly clientId: string;
  readonly registrationId: string;
  readonly kind: RegistrationKind;
  readonly status: ClientStatus;
  /** Status before this change; null for the event that creates the client. */
  readonly previousStatus: ClientStatus | null;
  /**
   * Starts at 1 and grows by one with every change to the client. Consumers apply an event only
   * when it is newer than what they hold, which makes redelivery and replay harmless.
   */
  readonly clientVersion: number;
  /**
   * ISO 8601 instant of the client's last suspension or termination; absent if it never had one.
   * Every service refuses credentials (codes, refresh and access tokens) issued before it, so a
   * reinstated client starts afresh whatever survived elsewhere.
   */
  readonly notBefore?: string;
  readonly change: ClientChange;
  readonly client: ClientSnapshot;
}

/** Whether a consumer holding `knownVersion` of the client (undefined: none yet) should apply the event. */
export function supersedes(event: ClientChangedEventV1, knownVersion: number | undefined): boolean {
  return knownVersion === undefined || event.clientVersion > knownVersion;
}
