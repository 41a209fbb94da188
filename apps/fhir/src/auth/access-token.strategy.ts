import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { parseScopes } from '@payer-access/scopes';
import { decodeProtectedHeader } from 'jose';
import { KeyObject } from 'node:crypto';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { fhirBaseUrl, type FhirConfig } from '../fhir.config';
import { FHIR_CONFIG } from '../fhir.tokens';
import { ClientStatusCache } from '../events/client-status.cache';
import { FhirEventsMetrics } from '../events/fhir-events.metrics';
import { GrantDenylist } from '../events/grant-denylist';
import type { AccessTokenClaims, FhirPrincipal } from './fhir-principal';
import { JwksProvider } from './jwks.provider';
import { VerifiedTokenCache } from './verified-token.cache';

export const ACCESS_TOKEN_STRATEGY = 'fhir-access-token';

/** Why a token was refused; becomes the `error_description` of `WWW-Authenticate`. */
export class TokenRefusal {
  constructor(readonly message: string) {}
}

/**
 * Verifies access tokens offline: an RFC 9068 JWT (`typ: at+jwt`) signed by a key of the
 * authorization service's JWKS, issued by it, for this FHIR base (`aud`), unexpired; then the
 * platform's own checks: the client is `approved` now, and the grant has not been revoked.
 * https://www.rfc-editor.org/rfc/rfc9068#section-4
 */
@Injectable()
export class AccessTokenStrategy extends PassportStrategy(Strategy, ACCESS_TOKEN_STRATEGY) {
  constructor(
    @Inject(FHIR_CONFIG) config: FhirConfig,
    jwks: JwksProvider,
    private readonly statusCache: ClientStatusCache,
    private readonly denylist: GrantDenylist,
    private readonly verified: VerifiedTokenCache,
    private readonly metrics: FhirEventsMetrics,
  ) {
    super({
      passReqToCallback: true,
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      issuer: config.AUTHORIZATION_PUBLIC_URL.replace(/\/+$/, ''),
      audience: fhirBaseUrl(config),
      algorithms: ['RS256', 'PS256', 'ES256'],
      secretOrKeyProvider: (_request: unknown, rawToken: string, done: (error: unknown, key?: string | Buffer) => void) => {
        void resolveKey(jwks, rawToken).then(
          (key) => done(null, key),
          (error: unknown) => done(new TokenRefusal(error instanceof Error ? error.message : 'unknown signing key')),
        );
      },
    });
  }

  /** Runs after the signature, issuer, audience and expiry checks succeeded. */
  validate(request: { headers: Record<string, string | string[] | undefined> }, claims: AccessTokenClaims): FhirPrincipal {
    const principal = this.authorize(claims);
    const token = bearerToken(request);
    if (token) this.verified.set(token, claims);
    return principal;
  }

  /** The platform's checks on verified claims, run on every request (cached signature or not). */
  authorize(claims: AccessTokenClaims): FhirPrincipal {
    if (typeof claims.client_id !== 'string' || typeof claims.scope !== 'string' || typeof claims.sub !== 'string') {
      throw new TokenRefusal('the token lacks client_id, scope or sub');
    }
    if (typeof claims.patient !== 'string' || claims.patient === '') {
      throw new TokenRefusal('the token names no patient');
    }
    if (!this.statusCache.isApproved(claims.client_id)) {
      this.metrics.tokenRejected('client_not_approved');
      throw new TokenRefusal('the client is not approved');
    }
    if (this.statusCache.issuedBeforeNotBefore(claims.client_id, claims.iat)) {
      this.metrics.tokenRejected('issued_before_suspension');
      throw new TokenRefusal('the token was issued before the client was last suspended');
    }
    if (this.denylist.isDenied(claims.grant_id)) {
      this.metrics.tokenRejected('grant_revoked');
      throw new TokenRefusal('the grant has been revoked');
    }
    return {
      clientId: claims.client_id,
      subject: claims.sub,
      patientId: claims.patient,
      scope: claims.scope,
      scopes: parseScopes(claims.scope).scopes,
      grantId: claims.grant_id,
      fhirUser: claims.fhirUser,
      representative: claims.representative,
      withholdDemographics: claims.withhold_demographics === true,
      expiresAt: new Date(claims.exp * 1000),
    };
  }
}

/** The raw bearer token of a request, if any. */
export function bearerToken(request: { headers: Record<string, string | string[] | undefined> }): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/**
 * A node KeyObject per JWKS key, made once: jsonwebtoken (under passport-jwt) verifies with a
 * KeyObject directly, where a PEM string would be parsed again for every token.
 */
const keyObjects = new WeakMap<object, KeyObject>();

async function resolveKey(jwks: JwksProvider, rawToken: string): Promise<string> {
  const header = decodeProtectedHeader(rawToken);
  if (typeof header.typ !== 'string' || !['at+jwt', 'application/at+jwt'].includes(header.typ.toLowerCase())) {
    throw new Error('not an access token (typ must be at+jwt)');
  }
  const getKey = await jwks.getKeySet();
  if (typeof header.alg !== 'string') throw new Error('the token header has no alg');
  const key = (await getKey({ ...header, alg: header.alg }, { payload: '', signature: '' } as never)) as object;
  let keyObject = keyObjects.get(key);
  if (keyObject === undefined) {
    keyObject = key instanceof KeyObject ? key : KeyObject.from(key as Parameters<typeof KeyObject.from>[0]);
    keyObjects.set(key, keyObject);
  }
  // passport-jwt's types predate KeyObject support in jsonwebtoken 9, which it uses.
  return keyObject as unknown as string;
}
