import { Inject, Injectable } from '@nestjs/common';
import { AccessTokenVerifier } from '@payer-access/http';
import { isBackendScopeSet, parseScopes, type Scope } from '@payer-access/scopes';
import { fhirBaseUrl, type FhirConfig } from '../fhir.config';
import { FHIR_CONFIG } from '../fhir.tokens';
import { ClientStatusCache } from '../events/client-status.cache';
import { FhirEventsMetrics } from '../events/fhir-events.metrics';
import { GrantDenylist } from '../events/grant-denylist';
import type { AccessTokenClaims, FhirPrincipal } from './fhir-principal';
import { JwksProvider } from './jwks.provider';
import { VerifiedTokenCache } from './verified-token.cache';

/** Why a token was refused; becomes the `error_description` of `WWW-Authenticate`. */
export class TokenRefusal {
  constructor(readonly message: string) {}
}

/**
 * Access tokens at the FHIR API: the platform's RFC 9068 verifier (signature by a key of the
 * authorization service's JWKS, issuer, this FHIR base as audience, expiry, `typ`), then the
 * FHIR service's own checks: the client is `approved` now, the grant has not been revoked, and the
 * token names a patient.
 */
@Injectable()
export class AccessTokenStrategy {
  private readonly verifier: AccessTokenVerifier;
  /** Scopes parsed once per verified token: the cache hands back the same claims object each time. */
  private readonly parsedScopes = new WeakMap<AccessTokenClaims, readonly Scope[]>();

  constructor(
    @Inject(FHIR_CONFIG) config: FhirConfig,
    jwks: JwksProvider,
    private readonly statusCache: ClientStatusCache,
    private readonly denylist: GrantDenylist,
    private readonly verified: VerifiedTokenCache,
    private readonly metrics: FhirEventsMetrics,
  ) {
    this.verifier = new AccessTokenVerifier({
      issuer: config.AUTHORIZATION_PUBLIC_URL.replace(/\/+$/, ''),
      audience: fhirBaseUrl(config),
      keys: (header, token) => jwks.getKeySet()(header, token),
    });
  }

  /**
   * The token's verified claims; an RSA verification per request being the largest cost of a read,
   * a token verified before is answered from the cache until it expires. Throws `AccessTokenRejected`.
   */
  async verify(token: string): Promise<AccessTokenClaims> {
    const cached = this.verified.get(token);
    if (cached) return cached;
    const claims = (await this.verifier.verify(token)) as unknown as AccessTokenClaims;
    this.verified.set(token, claims);
    return claims;
  }

  private scopesOf(claims: AccessTokenClaims): readonly Scope[] {
    let scopes = this.parsedScopes.get(claims);
    if (scopes === undefined) {
      scopes = parseScopes(claims.scope).scopes;
      this.parsedScopes.set(claims, scopes);
    }
    return scopes;
  }

  /** The platform's checks on verified claims, run on every request (cached signature or not). */
  authorize(claims: AccessTokenClaims): FhirPrincipal {
    if (typeof claims.client_id !== 'string' || typeof claims.scope !== 'string' || typeof claims.sub !== 'string') {
      throw new TokenRefusal('the token lacks client_id, scope or sub');
    }
    const payer = claims.patient === undefined && this.statusCache.kindOf(claims.client_id) === 'payer';
    if (!payer && (typeof claims.patient !== 'string' || claims.patient === '')) {
      throw new TokenRefusal('the token names no patient');
    }
    const scopes = this.scopesOf(claims);
    if (payer && !isBackendScopeSet(scopes)) throw new TokenRefusal("a payer's token carries system scopes only");
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
    const common = { clientId: claims.client_id, subject: claims.sub, scope: claims.scope, scopes, grantId: claims.grant_id, expiresAt: new Date(claims.exp * 1000) };
    if (payer) return { ...common, kind: 'payer', withholdDemographics: false, withholdSensitive: false };
    return {
      kind: 'member',
      clientId: claims.client_id,
      subject: claims.sub,
      patientId: claims.patient as string,
      scope: claims.scope,
      scopes,
      grantId: claims.grant_id,
      fhirUser: claims.fhirUser,
      representative: claims.representative,
      withholdDemographics: claims.withhold_demographics === true,
      withholdSensitive: claims.withhold_sensitive === true,
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
