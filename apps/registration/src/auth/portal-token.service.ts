import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHmac, randomBytes } from 'node:crypto';
import { REGISTRATION_CONFIG } from '../common/tokens';
import type { RegistrationConfig } from '../registration.config';
import type { PortalPrincipal } from './portal-principal';

export const PORTAL_TOKEN_ISSUER_SUFFIX = '/portal';
export const PORTAL_TOKEN_AUDIENCE = 'payer-access-registration-portal';

/**
 * Issues the portal's own short-lived access tokens (HS256). They are only ever verified by this
 * service, so a symmetric key suffices; the OAuth tokens members grant come from the authorization server.
 */
@Injectable()
export class PortalTokenService {
  private readonly logger = new Logger(PortalTokenService.name);
  readonly secret: Uint8Array;
  readonly issuer: string;
  readonly lifetimeSeconds: number;

  constructor(@Inject(REGISTRATION_CONFIG) config: RegistrationConfig) {
    if (config.PORTAL_JWT_SECRET) {
      this.secret = new TextEncoder().encode(config.PORTAL_JWT_SECRET);
    } else if (config.PROFILE === 'sandbox') {
      this.secret = randomBytes(32);
      this.logger.warn('PORTAL_JWT_SECRET is unset: using a key generated for this process (portal logins end with a restart)');
    } else {
      throw new Error('PORTAL_JWT_SECRET is required in the production profile');
    }
    this.issuer = `${config.REGISTRATION_PUBLIC_URL}${PORTAL_TOKEN_ISSUER_SUFFIX}`;
    this.lifetimeSeconds = config.PORTAL_TOKEN_TTL_SECONDS;
  }

  /**
   * A compact JWS (RFC 7515) over HS256, written out here because it is a few lines and the JOSE
   * library is ESM-only; verification goes through passport-jwt, which checks alg, iss, aud and exp.
   */
  issue(principal: PortalPrincipal): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'HS256', typ: 'JWT' };
    const payload = {
      iss: this.issuer,
      aud: PORTAL_TOKEN_AUDIENCE,
      sub: principal.accountId,
      email: principal.email,
      role: principal.role,
      iat: now,
      exp: now + this.lifetimeSeconds,
      jti: randomBytes(12).toString('base64url'),
    };
    const signingInput = `${encode(header)}.${encode(payload)}`;
    const signature = createHmac('sha256', this.secret).update(signingInput).digest('base64url');
    return Promise.resolve(`${signingInput}.${signature}`);
  }
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
