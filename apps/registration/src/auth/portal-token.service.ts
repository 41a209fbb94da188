import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { REGISTRATION_CONFIG } from '../common/tokens';
import type { RegistrationConfig } from '../registration.config';
import type { PortalPrincipal } from './portal-principal';

export const PORTAL_TOKEN_ISSUER_SUFFIX = '/portal';
export const PORTAL_TOKEN_AUDIENCE = 'payer-access-registration-portal';
/** The `typ` header of a portal token, which the verifier requires. */
export const PORTAL_TOKEN_TYPE = 'JWT';
/** Another audience: a second-factor token is never accepted as a portal access token. */
const SECOND_FACTOR_AUDIENCE = 'payer-access-registration-second-factor';
export const SECOND_FACTOR_TOKEN_SECONDS = 300;

/** What a second-factor token allows: proving the second factor, or enrolling one (staff without). */
export type SecondFactorPurpose = 'verify' | 'enrol';

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

  /** A compact JWS over HS256, checked by the platform's JWT verifier (`JwtStrategy`): alg, typ, iss, aud and exp. */
  issue(principal: PortalPrincipal): Promise<string> {
    return new SignJWT({ email: principal.email, role: principal.role })
      .setProtectedHeader({ alg: 'HS256', typ: PORTAL_TOKEN_TYPE })
      .setIssuer(this.issuer)
      .setAudience(PORTAL_TOKEN_AUDIENCE)
      .setSubject(principal.accountId)
      .setIssuedAt()
      .setExpirationTime(`${this.lifetimeSeconds}s`)
      .setJti(randomBytes(12).toString('base64url'))
      .sign(this.secret);
  }

  /** Proof of the password step, good for SECOND_FACTOR_TOKEN_SECONDS and for `purpose` only. */
  issueSecondFactorToken(accountId: string, purpose: SecondFactorPurpose): Promise<string> {
    return new SignJWT({ purpose })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(SECOND_FACTOR_AUDIENCE)
      .setSubject(accountId)
      .setIssuedAt()
      .setExpirationTime(`${SECOND_FACTOR_TOKEN_SECONDS}s`)
      .sign(this.secret);
  }

  /** The account id a second-factor token names, when it is valid, unexpired and for `purpose`. */
  async verifySecondFactorToken(token: string, purpose: SecondFactorPurpose): Promise<string | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.secret, { algorithms: ['HS256'], issuer: this.issuer, audience: SECOND_FACTOR_AUDIENCE });
      return payload.purpose === purpose && typeof payload.sub === 'string' ? payload.sub : undefined;
    } catch {
      return undefined;
    }
  }
}
