import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ReadinessRegistry } from '@payer-access/http';
import type { default as ProviderType } from 'oidc-provider';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { AUTHORIZATION_CONFIG } from '../common/tokens';
import type { AuthorizationConfig } from '../authorization.config';
import { ClientProjectionService } from '../clients/client-projection.service';
import { ClientSecretVerifier } from '../clients/client-secret.verifier';
import { MemberGrantsService } from '../grants/member-grants.service';
import { ACCESS_TOKEN_SIGNING_ALG, SigningKeysService, type SigningKeySet } from '../keys/signing-keys.service';
import { MemberAccountsService } from '../members/member-accounts.service';
import { AuthorizationMetrics } from '../metrics/authorization.metrics';
import { createOidcProvider } from './oidc-provider.factory';
import { oidcRoutes, type OidcRoutes } from './oidc-routes';
import { installProviderHooks, installTokenMetrics } from './provider-hooks';
import { deleteExpiredPayloads } from './postgres.adapter';

const MAX_TIMER_MS = 2 ** 31 - 1;
/** How often revocations whose recording failed (tombstoned Grants) are retried. */
const PENDING_REVOCATIONS_SWEEP_MS = 30_000;
const PENDING_REVOCATIONS_RETRY_MS = 1000;

/**
 * Owns the oidc-provider instance. The provider's keystore is fixed when it is built, so a key
 * rotation builds a new provider and swaps it in: requests in flight finish on the old one,
 * the next ones use the new one, and both publish both keys, so nothing notices. ID tokens are
 * signed RS256, access tokens ES256, each with the current key of its algorithm.
 */
@Injectable()
export class OidcProviderHost implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(OidcProviderHost.name);
  private current?: ProviderType;
  private currentHandler?: (req: IncomingMessage, res: ServerResponse) => void;
  private keySet?: SigningKeySet;
  private timers: NodeJS.Timeout[] = [];
  private rotationTimer?: NodeJS.Timeout;
  readonly routes: OidcRoutes;
  private readonly cookieKeys: string[];

  constructor(
    @Inject(AUTHORIZATION_CONFIG) readonly config: AuthorizationConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keys: SigningKeysService,
    private readonly clients: ClientProjectionService,
    private readonly secrets: ClientSecretVerifier,
    private readonly accounts: MemberAccountsService,
    private readonly grants: MemberGrantsService,
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: AuthorizationMetrics,
    private readonly clock: Clock,
  ) {
    this.routes = oidcRoutes(config);
    if (config.COOKIE_KEYS) {
      this.cookieKeys = config.COOKIE_KEYS.split(',').map((key) => key.trim());
    } else if (config.PROFILE === 'sandbox') {
      this.cookieKeys = [randomBytes(32).toString('base64url')];
    } else {
      throw new Error('COOKIE_KEYS is required in the production profile');
    }
  }

  async onModuleInit(): Promise<void> {
    if (this.config.PROFILE === 'sandbox') await this.accounts.seedSandboxMembers();
    await this.clients.start();
    this.readiness.register('clients', async () => this.clients.isCaughtUp());
    // Bounded staleness: tokens are refused while the projection is older than the bound, so say so.
    this.readiness.register('client-status-freshness', async () => !this.clients.freshness.isStale());
    this.metrics.clientStatusViewAge(() => this.clients.freshness.ageMs());
    await this.rebuild();
    const sweep = setInterval(() => void deleteExpiredPayloads(this.dataSource).catch(() => undefined), 10 * 60 * 1000);
    sweep.unref();
    this.timers.push(sweep);
    // Revocations a previous run could not record are recorded now, then retried periodically.
    await this.recordPendingRevocations();
    const pending = setInterval(() => void this.recordPendingRevocations(), PENDING_REVOCATIONS_SWEEP_MS);
    pending.unref();
    this.timers.push(pending);
  }

  private async recordPendingRevocations(): Promise<void> {
    try {
      const recorded = await this.grants.recordPendingRevocations();
      if (recorded > 0) this.logger.log(`recorded ${recorded} pending grant revocation(s)`);
    } catch (error: unknown) {
      this.logger.error(`recording pending grant revocations failed, will retry: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private retryPendingRevocationsSoon(): void {
    const timer = setTimeout(() => void this.recordPendingRevocations(), PENDING_REVOCATIONS_RETRY_MS);
    timer.unref();
    this.timers.push(timer);
  }

  onApplicationShutdown(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    clearTimeout(this.rotationTimer);
  }

  get provider(): ProviderType {
    if (!this.current) throw new Error('the OpenID provider is not started yet');
    return this.current;
  }

  /** The provider's request handler (composed once per provider). */
  get handler(): (req: IncomingMessage, res: ServerResponse) => void {
    if (!this.currentHandler) this.currentHandler = this.provider.callback();
    return this.currentHandler;
  }

  get isStarted(): boolean {
    return this.current !== undefined;
  }

  /** The published signing keys (private parts included: callers must publish only public ones). */
  get signingKeys(): SigningKeySet {
    if (!this.keySet) throw new Error('the OpenID provider is not started yet');
    return this.keySet;
  }

  /** Reloads the keys (rotating when due) and swaps in a provider built with them. */
  async rebuild(now = new Date()): Promise<void> {
    const policy = {
      rotationMs: this.config.SIGNING_KEY_ROTATION_DAYS * 24 * 3600 * 1000,
      retentionMs: Math.max(this.config.ACCESS_TOKEN_TTL_SECONDS, 3600) * 1000 + 3600 * 1000,
    };
    const keySet = await this.keys.current(policy, now);
    const provider = await createOidcProvider({
      config: this.config,
      routes: this.routes,
      dataSource: this.dataSource,
      keys: keySet.keys,
      accessTokenKid: keySet.signingKids[ACCESS_TOKEN_SIGNING_ALG],
      cookieKeys: this.cookieKeys,
      clients: this.clients,
      secrets: this.secrets,
      accounts: this.accounts,
      grants: this.grants,
      clock: this.clock,
    });
    installProviderHooks(provider, this.grants, () => this.retryPendingRevocationsSoon());
    installTokenMetrics(provider, this.metrics);
    this.current = provider;
    this.currentHandler = provider.callback();
    this.keySet = keySet;
    const signing = Object.entries(keySet.signingKids).map(([alg, kid]) => `${alg} key ${kid}`);
    this.logger.log(`signing with ${signing.join(', ')}; next rotation at ${keySet.nextRotationAt.toISOString()}`);
    this.scheduleRotation(keySet.nextRotationAt);
  }

  private scheduleRotation(at: Date): void {
    const delay = Math.min(Math.max(at.getTime() - Date.now(), 1000), MAX_TIMER_MS);
    clearTimeout(this.rotationTimer);
    this.rotationTimer = setTimeout(() => {
      void this.rebuild().catch((error: unknown) => this.logger.error(`key rotation failed: ${error instanceof Error ? error.message : String(error)}`));
    }, delay);
    this.rotationTimer.unref();
  }
}
