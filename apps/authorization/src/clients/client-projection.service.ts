import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  CLIENT_CHANGED_TOPIC,
  ClientType,
  checkSuccession,
  parseClientChangedEvent,
  type ClientChangedEventV1,
} from '@payer-access/client-status';
import type { AdapterPayload } from 'oidc-provider';
import { DataSource } from 'typeorm';
import { EVENT_BUS, EventRejectedError, instanceGroupId, SecretSealer, type EventBus, type Subscription } from '@payer-access/events';
import { MemberGrantsService } from '../grants/member-grants.service';
import { OAuthClientEntity } from './oauth-client.entity';

const CONSUMER_GROUP = 'authorization.client-projection';

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
  /** The unsealed secret hash of each confidential client: the event carries it encrypted. */
  private readonly secretHashes = new Map<string, string>();
  private subscription?: Subscription;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly grants: MemberGrantsService,
    private readonly sealer: SecretSealer,
  ) {}

  /** Loads the stored projection, then follows the topic from its beginning. */
  async start(): Promise<void> {
    for (const row of await this.dataSource.getRepository(OAuthClientEntity).find()) {
      this.clients.set(row.clientId, row.event);
      const hash = row.event.client.sealedSecretHash ? await this.sealer.unseal(row.clientId, row.event.client.sealedSecretHash) : undefined;
      if (hash) this.secretHashes.set(row.clientId, hash);
    }
    // Every instance keeps the whole projection, so each reads the whole topic in a group of its own.
    this.subscription = await this.bus.subscribe({
      topic: CLIENT_CHANGED_TOPIC,
      groupId: instanceGroupId(CONSUMER_GROUP),
      fromBeginning: true,
      handler: async (event) => {
        await this.apply(event.value);
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
   * Applies one (signature-checked) event; returns whether it changed the projection. An event
   * that is invalid, breaks the transition rules (checkSuccession) or carries a secret hash not
   * sealed for this client throws `EventRejectedError`: it is dead-lettered, never applied.
   */
  async apply(value: unknown): Promise<boolean> {
    const parsed = parseClientChangedEvent(value);
    if (!parsed.ok) {
      throw new EventRejectedError('invalid_event', parsed.rejection.issues.map((issue) => `${issue.path} ${issue.message}`).join('; '));
    }
    const event = parsed.event;
    const known = this.clients.get(event.clientId);
    const succession = checkSuccession(known, event);
    if (!succession.ok) {
      if (succession.code === 'stale') return false;
      throw new EventRejectedError('transition_not_allowed', `client ${event.clientId}: ${succession.message}`);
    }
    const sealed = event.client.sealedSecretHash;
    const secretHash = sealed ? await this.sealer.unseal(event.clientId, sealed) : undefined;
    if (sealed && !secretHash) throw new EventRejectedError('unreadable_secret', `client ${event.clientId}: the secret hash is not sealed for this client with CLIENT_SECRET_SEALING_KEY`);
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO oauth_client (client_id, client_version, status, event, updated_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (client_id) DO UPDATE SET client_version = EXCLUDED.client_version, status = EXCLUDED.status,
         event = EXCLUDED.event, updated_at = now()
       WHERE oauth_client.client_version < EXCLUDED.client_version
       RETURNING client_id`,
      [event.clientId, event.clientVersion, event.status, event],
    );
    this.clients.set(event.clientId, event);
    if (secretHash) this.secretHashes.set(event.clientId, secretHash);
    else this.secretHashes.delete(event.clientId);
    if (rows.length === 0) return false;
    if (event.status === 'suspended' || event.status === 'terminated') {
      const revoked = await this.grants.revokeAllForClient(event.clientId, event.status === 'suspended' ? 'client_suspended' : 'client_terminated');
      this.logger.log(`client ${event.clientId} ${event.status}: revoked ${revoked} grant(s)`);
    }
    return true;
  }

  /** The instant (ms) of the client's last suspension or termination: credentials issued before it are void. */
  notBefore(clientId: string): number | undefined {
    const notBefore = this.clients.get(clientId)?.notBefore;
    return notBefore ? Date.parse(notBefore) : undefined;
  }

  find(clientId: string): ClientChangedEventV1 | undefined {
    return this.clients.get(clientId);
  }

  /**
   * oidc-provider client metadata (RFC 7591 names) for an approved client; undefined for any
   * other status, which the provider treats as an unknown client (error page, no redirect).
   */
  metadata(clientId: string): AdapterPayload | undefined {
    const event = this.clients.get(clientId);
    if (!event || event.status !== 'approved') return undefined;
    const { client } = event;
    const confidential = client.clientType === ClientType.Confidential;
    const secretHash = this.secretHashes.get(clientId);
    if (confidential && !secretHash) return undefined;
    const native = client.redirectUris.some((uri) => isCustomScheme(uri) || /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)[:/]/.test(uri));
    return {
      client_id: event.clientId,
      client_name: client.name,
      // The argon2id hash, never a plaintext: compareClientSecret verifies against it.
      ...(confidential ? { client_secret: secretHash } : {}),
      token_endpoint_auth_method: confidential ? 'client_secret_basic' : 'none',
      redirect_uris: [...client.redirectUris],
      response_types: ['code'],
      grant_types: ['authorization_code', 'refresh_token', ...(client.system && confidential ? ['client_credentials'] : [])],
      application_type: native && !confidential ? 'native' : 'web',
      ...(client.logoUri ? { logo_uri: client.logoUri } : {}),
      ...(client.policyUri ? { policy_uri: client.policyUri } : {}),
      ...(client.tosUri ? { tos_uri: client.tosUri } : {}),
      'urn:payer-access:company': client.companyName ?? null,
      'urn:payer-access:allowed_scopes': client.allowedScopes.join(' '),
    };
  }
}
