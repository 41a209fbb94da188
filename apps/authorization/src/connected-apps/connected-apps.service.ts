import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataAccessType } from '@payer-access/client-status';
import type { AuthorizationConfig } from '../authorization.config';
import { ClientProjectionService } from '../clients/client-projection.service';
import { AUTHORIZATION_CONFIG } from '../common/tokens';
import { MemberGrantsService, representativeClaim } from '../grants/member-grants.service';

export interface ConnectedApp {
  grantId: string;
  clientName: string;
  companyName?: string;
  scope: string;
  authorizedAt: Date;
  actingAs: string;
  withholdDemographics: boolean;
  withholdSensitive: boolean;
  dataAccessType: DataAccessType;
  /** When access ends; null: not yet known (one-time before its token) or no end (research). */
  accessExpiresAt: Date | null;
}

const SESSION_TTL_MS = 30 * 60 * 1000;

/**
 * The member's connected apps. The page has its own short session (a signed cookie naming the
 * account), separate from the authorization flow's, so that it works outside any app's request.
 */
@Injectable()
export class ConnectedAppsService {
  private readonly secret: Buffer;

  constructor(
    @Inject(AUTHORIZATION_CONFIG) config: AuthorizationConfig,
    private readonly grants: MemberGrantsService,
    private readonly clients: ClientProjectionService,
  ) {
    this.secret = config.COOKIE_KEYS ? Buffer.from(config.COOKIE_KEYS.split(',')[0].trim()) : randomBytes(32);
  }

  async list(accountId: string): Promise<ConnectedApp[]> {
    const grants = await this.grants.listActive(accountId);
    return grants.map((grant) => {
      const client = this.clients.find(grant.clientId)?.client;
      const representative = representativeClaim(grant);
      return {
        grantId: grant.grantId,
        clientName: client?.name ?? grant.clientId,
        companyName: client?.companyName,
        scope: grant.scope,
        authorizedAt: grant.createdAt,
        actingAs: representative ? `${representative.name} (${representative.relationship})` : 'Self',
        withholdDemographics: grant.withholdDemographics,
        withholdSensitive: grant.withholdSensitive,
        dataAccessType: grant.dataAccessType,
        accessExpiresAt: grant.accessExpiresAt,
      };
    });
  }

  revoke(accountId: string, grantId: string): Promise<boolean> {
    return this.grants.revoke(grantId, 'member_revoked', { accountId });
  }

  issueSession(accountId: string): string {
    const value = `${accountId}.${Date.now() + SESSION_TTL_MS}`;
    return `${value}.${this.sign(value)}`;
  }

  /** The account id of a valid, unexpired session cookie. */
  readSession(cookie: string | undefined): string | undefined {
    const parts = cookie?.split('.') ?? [];
    if (parts.length !== 3) return undefined;
    const [accountId, expires, signature] = parts;
    if (!this.matches(`${accountId}.${expires}`, signature) || Number(expires) < Date.now()) return undefined;
    return accountId;
  }

  /** A form token bound to the session (CSRF protection for the revoke buttons). */
  csrfToken(cookie: string): string {
    return this.sign(`csrf:${cookie}`);
  }

  checkCsrf(cookie: string, token: unknown): boolean {
    return typeof token === 'string' && this.matches(`csrf:${cookie}`, token);
  }

  private sign(value: string): string {
    return createHmac('sha256', this.secret).update(value).digest('base64url');
  }

  private matches(value: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(value));
    const actual = Buffer.from(signature);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}
