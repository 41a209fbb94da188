import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  CLIENT_CHANGED_TOPIC,
  CLIENT_STATUS_HEARTBEAT_KEY,
  ClientStatusFreshness,
  ClientType,
  DEFAULT_DATA_ACCESS_TYPE,
  RegistrationKind,
  checkSuccession,
  issuedBeforeNotBefore,
  laterNotBefore,
  type ClientNotBefore,
  type DataAccessType,
  parseClientChangedEvent,
  parseClientStatusHeartbeat,
  type ClientChangedEventV1, issuesText } from '@payer-access/client-status';
import type { AdapterPayload } from 'oidc-provider';
import { DataSource } from 'typeorm';
import { EVENT_BUS, EventRejectedError, instanceGroupId, SecretSealer, type EventBus, type Subscription } from '@payer-access/events';
import type { AuthorizationConfig } from '../authorization.config';
import { AUTHORIZATION_CONFIG } from '../common/tokens';
import { MemberGrantsService } from '../grants/member-grants.service';
import { OAuthClientEntity } from './oauth-client.entity';

const CONSUMER_GROUP = 'authorization.client-projection';

/**
 * Whether the client may hold refresh tokens. A one-time app (Blue Button data-access type) may
 * not: without the `refresh_token` grant type the provider drops `offline_access` from its
 * authorization requests (so it is neither shown, granted nor asked for again), issues it no
 * refresh token and answers a refresh request `unauthorized_client`, also for a refresh token
 * issued before the app became one-time.
 */
function refreshes(event: ClientChangedEventV1): boolean {
  return (event.client.dataAccessType ?? DEFAULT_DATA_ACCESS_TYPE) !== 'one_time';
}

/** Redirect URIs that are neither https nor http (custom schemes of native apps, RFC 8252 §7.1). */
export function isCustomScheme(uri: string): boolean {
  return !/^https?:/i.test(uri);
}

/**
 * The registered clients, projected from `registration.client.changed.v1`. The topic is read
 * from the beginning at start and the highest `clientVersion` of each client wins, so replays
 * and redeliveries change nothing. The projection is kept in memory for the provider's hot
 * path and in the `oauth_client` table for diagnostics and restarts.
 */
@Injectable()
export class ClientProjectionService implements OnApplicationShutdown {
  private readonly logger = new Logger(ClientProjectionService.name);
  private readonly clients = new Map<string, ClientChangedEventV1>();
  /** The client versions committed to `oauth_client` with their revocations. */
  private readonly stored = new Map<string, number>();
  /** Each client's not-before (ms): the one cut-off every credential check reads (`issuedBeforeNotBefore`). */
  private readonly notBeforeByClient = new Map<string, number>();
  /** The unsealed secret hash of each confidential client: the event carries it encrypted. */
  private readonly secretHashes = new Map<string, string>();
  /**
   * The provider metadata last built for each client, with the event and secret hash it was built
   * from: valid while both are still the client's, so every change to either (an event applied, a
   * secret rotated) rebuilds it at the next lookup, with nothing to invalidate by hand.
   */
  private readonly metadataByClient = new Map<string, { event: ClientChangedEventV1; secretHash: string | undefined; metadata: AdapterPayload | undefined }>();
  private subscription?: Subscription;
  /** How current the projection is: as of registration's last heartbeat applied after everything before it. */
  readonly freshness: ClientStatusFreshness;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly grants: MemberGrantsService,
    @Inject(AUTHORIZATION_CONFIG) private readonly config: AuthorizationConfig,
    private readonly sealer: SecretSealer,
  ) {
    this.freshness = new ClientStatusFreshness(config.CLIENT_STATUS_MAX_STALENESS_SECONDS * 1000);
  }

  /** Loads the stored projection, then follows the topic from its beginning. */
  async start(): Promise<void> {
    for (const row of await this.dataSource.getRepository(OAuthClientEntity).find()) {
      this.clients.set(row.clientId, row.event);
      this.stored.set(row.clientId, row.clientVersion);
      if (row.notBefore) this.raiseNotBefore(row.clientId, row.notBefore.getTime());
      const hash = row.event.client.sealedSecretHash ? await this.sealer.unseal(row.clientId, row.event.client.sealedSecretHash) : undefined;
      if (hash) this.secretHashes.set(row.clientId, hash);
    }
    // Every instance keeps the whole projection, so each reads the whole topic in a group of its own.
    this.subscription = await this.bus.subscribe({
      topic: CLIENT_CHANGED_TOPIC,
      groupId: instanceGroupId(CONSUMER_GROUP),
      fromBeginning: true,
      handler: async (event) => {
        if (event.key === CLIENT_STATUS_HEARTBEAT_KEY) this.applyHeartbeat(event.value);
        else await this.apply(event.value);
      },
    });
  }

  /** True once every client event that existed at start has been applied (readiness). */
  isCaughtUp(): boolean {
    return this.subscription?.isCaughtUp() ?? false;
  }

  async onApplicationShutdown(): Promise<void> {
    // A shared bus (the sandbox) outlives this service: stop this subscription only.
    await this.subscription?.close();
  }

  /**
   * Applies registration's (signature-checked) heartbeat: read in partition order, it comes after
   * every change committed before its watermark, each applied (and committed) by now. A malformed
   * one is refused.
   */
  applyHeartbeat(value: unknown): boolean {
    const parsed = parseClientStatusHeartbeat(value);
    if (!parsed.ok) throw new EventRejectedError('invalid_event', issuesText(parsed.rejection.issues));
    return this.freshness.record(parsed.heartbeat);
  }

  /**
   * Applies one (signature-checked) event; returns whether it changed the projection. An event
   * that is invalid, breaks the transition rules (checkSuccession) or carries a secret hash not
   * sealed for this client throws `EventRejectedError`: it is dead-lettered, never applied.
   */
  async apply(value: unknown): Promise<boolean> {
    const parsed = parseClientChangedEvent(value);
    if (!parsed.ok) {
      throw new EventRejectedError('invalid_event', issuesText(parsed.rejection.issues));
    }
    const event = parsed.event;
    if ((this.stored.get(event.clientId) ?? 0) >= event.clientVersion) return false;
    // The provider refuses a suspended client from now on, even while the recording below fails
    // and is retried (the bus redelivers the event until the handler succeeds).
    const known = this.clients.get(event.clientId);
    // Held but not committed (the check above): the same event again after its recording failed.
    const redelivered = known !== undefined && known.eventId === event.eventId;
    if (!redelivered) {
      const succession = checkSuccession(known, event);
      if (!succession.ok) {
        if (succession.code === 'stale') return false;
        throw new EventRejectedError('transition_not_allowed', `client ${event.clientId}: ${succession.message}`);
      }
    }
    const sealed = event.client.sealedSecretHash;
    const secretHash = sealed ? await this.sealer.unseal(event.clientId, sealed) : undefined;
    if (sealed && !secretHash) throw new EventRejectedError('unreadable_secret', `client ${event.clientId}: the secret hash is not sealed for this client with CLIENT_SECRET_SEALING_KEY`);
    // Registration's not-before holds at once: a cut-off only ever voids more, so raising it before
    // the commit below is safe, and a reinstatement never shows its client approved without it.
    this.raiseNotBefore(event.clientId, event.notBefore === undefined ? undefined : Date.parse(event.notBefore));
    if (!known || known.clientVersion < event.clientVersion) {
      this.clients.set(event.clientId, event);
      if (secretHash) this.secretHashes.set(event.clientId, secretHash);
      else this.secretHashes.delete(event.clientId);
    }
    const revoking = event.status === 'suspended' || event.status === 'terminated';
    const reason = event.status === 'suspended' ? 'client_suspended' : 'client_terminated';
    // The status, the not-before and the revocations commit together: a revocation that fails
    // undoes them all, and the redelivered event finds them still to do. The not-before is the
    // later of registration's and, for a revoking status, the instant it is applied here: tokens
    // this service issued before it learned of the suspension are void too.
    const committed = await this.dataSource.transaction(async (manager) => {
      const rows: { not_before: Date | null }[] = await manager.query(
        `INSERT INTO oauth_client (client_id, client_version, status, event, updated_at, not_before)
         VALUES ($1, $2, $3, $4, now(), GREATEST($5::timestamptz, CASE WHEN $6 THEN now() END))
         ON CONFLICT (client_id) DO UPDATE SET client_version = EXCLUDED.client_version, status = EXCLUDED.status,
           event = EXCLUDED.event, updated_at = now(),
           not_before = GREATEST(EXCLUDED.not_before, oauth_client.not_before)
         WHERE oauth_client.client_version < EXCLUDED.client_version
         RETURNING not_before`,
        [event.clientId, event.clientVersion, event.status, event, event.notBefore ?? null, revoking],
      );
      if (rows.length === 0) return undefined;
      const revoked = revoking ? await this.grants.revokeAllForClient(manager, event.clientId, reason) : [];
      return { revoked, notBefore: rows[0].not_before };
    });
    this.stored.set(event.clientId, Math.max(this.stored.get(event.clientId) ?? 0, event.clientVersion));
    if (!committed) return false;
    this.raiseNotBefore(event.clientId, committed.notBefore?.getTime());
    if (revoking) {
      this.grants.afterCommit(committed.revoked, reason);
      this.logger.log(`client ${event.clientId} ${event.status}: revoked ${committed.revoked.length} grant(s)`);
    }
    return true;
  }

  /**
   * The client's not-before (ms): its last suspension or termination, as registration committed it
   * or as this service applied it, whichever is later. Durable in `oauth_client.not_before`.
   */
  notBefore(clientId: string): ClientNotBefore {
    return this.notBeforeByClient.get(clientId);
  }

  /**
   * Whether a credential of the client issued at `issuedAtSeconds` (its `iat`) is void: issued
   * before the client's not-before. Access tokens, refresh tokens and codes all go through here.
   */
  issuedBeforeNotBefore(clientId: string, issuedAtSeconds: unknown): boolean {
    return issuedBeforeNotBefore(this.notBefore(clientId), issuedAtSeconds);
  }

  private raiseNotBefore(clientId: string, notBefore: ClientNotBefore): void {
    const later = laterNotBefore(this.notBeforeByClient.get(clientId), notBefore);
    if (later !== undefined) this.notBeforeByClient.set(clientId, later);
  }

  /**
   * How the client proves itself at the token endpoint. A payer with registered keys signs
   * assertions (private_key_jwt, SMART Backend Services); a payer's shared secret is accepted
   * in the sandbox only, so in production a payer without keys cannot authenticate at all.
   */
  private authentication(event: ClientChangedEventV1): AdapterPayload | undefined {
    const { client } = event;
    if (client.clientType !== ClientType.Confidential) return { token_endpoint_auth_method: 'none' };
    if (event.kind === RegistrationKind.Payer) {
      if (client.jwks) return { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: client.jwks.keys.map((key) => ({ ...key })) } };
      if (client.jwksUri) return { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: client.jwksUri };
      if (this.config.PROFILE !== 'sandbox') return undefined;
    }
    const secretHash = this.secretHashes.get(event.clientId);
    if (!secretHash) return undefined;
    // The hash, never a plaintext: compareClientSecret verifies against it (ClientSecretVerifier).
    return { token_endpoint_auth_method: 'client_secret_basic', client_secret: secretHash };
  }

  find(clientId: string): ClientChangedEventV1 | undefined {
    return this.clients.get(clientId);
  }

  /** How long the client's grants last (Blue Button data-access type); events without one mean the default. */
  dataAccessType(clientId: string | undefined): DataAccessType {
    return (clientId ? this.clients.get(clientId)?.client.dataAccessType : undefined) ?? DEFAULT_DATA_ACCESS_TYPE;
  }

  /**
   * oidc-provider client metadata (RFC 7591 names) for an approved client; undefined for any
   * other status, which the provider treats as an unknown client (error page, no redirect).
   */
  metadata(clientId: string): AdapterPayload | undefined {
    const event = this.clients.get(clientId);
    if (!event) return undefined;
    // The provider looks the client up at every token request; the metadata changes only with the
    // event or the secret hash. Only known clients get an entry, so the map holds at most one per client.
    const secretHash = this.secretHashes.get(clientId);
    const built = this.metadataByClient.get(clientId);
    if (built && built.event === event && built.secretHash === secretHash) return built.metadata;
    const metadata = this.buildMetadata(event);
    this.metadataByClient.set(clientId, { event, secretHash, metadata });
    return metadata;
  }

  private buildMetadata(event: ClientChangedEventV1): AdapterPayload | undefined {
    if (event.status !== 'approved') return undefined;
    const { client } = event;
    const confidential = client.clientType === ClientType.Confidential;
    const authentication = this.authentication(event);
    if (!authentication) return undefined;
    const native = client.redirectUris.some((uri) => isCustomScheme(uri) || /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)[:/]/.test(uri));
    return {
      client_id: event.clientId,
      client_name: client.name,
      ...authentication,
      redirect_uris: [...client.redirectUris],
      response_types: ['code'],
      grant_types: ['authorization_code', ...(refreshes(event) ? ['refresh_token'] : []), ...(client.system && confidential ? ['client_credentials'] : [])],
      application_type: native && !confidential ? 'native' : 'web',
      ...(client.logoUri ? { logo_uri: client.logoUri } : {}),
      ...(client.policyUri ? { policy_uri: client.policyUri } : {}),
      ...(client.tosUri ? { tos_uri: client.tosUri } : {}),
      'urn:payer-access:company': client.companyName ?? null,
      'urn:payer-access:allowed_scopes': client.allowedScopes.join(' '),
    };
  }
}
