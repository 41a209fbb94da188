import { Inject, Injectable } from '@nestjs/common';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { type AuthorizationConfig, fhirBaseUrl } from '../authorization.config';
import { ClientProjectionService } from '../clients/client-projection.service';
import { AUTHORIZATION_CONFIG } from '../common/tokens';
import { MemberGrantsService } from '../grants/member-grants.service';
import { OidcProviderHost } from '../oidc/oidc-provider.host';

export interface VerifiedAccessToken extends JWTPayload {
  sub: string;
  client_id: string;
  scope?: string;
  patient?: string;
  grant_id?: string;
}

/**
 * Verifies our own RFC 9068 access tokens as a resource server would: signature against the
 * published keys, issuer, audience, expiry, `typ`; then that its grant is live and its client
 * still approved, which a resource server learns from events and we know first-hand.
 */
@Injectable()
export class AccessTokenVerifier {
  constructor(
    @Inject(AUTHORIZATION_CONFIG) private readonly config: AuthorizationConfig,
    private readonly host: OidcProviderHost,
    private readonly grants: MemberGrantsService,
    private readonly clients: ClientProjectionService,
  ) {}

  async verify(token: string): Promise<VerifiedAccessToken | undefined> {
    const keys = this.host.signingKeys.keys.map(({ kty, n, e, kid, alg, use }) => ({ kty, n, e, kid, alg, use }));
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, createLocalJWKSet({ keys }), {
        issuer: this.config.AUTHORIZATION_PUBLIC_URL,
        audience: fhirBaseUrl(this.config),
        typ: 'at+jwt',
      }));
    } catch {
      return undefined;
    }
    if (typeof payload.sub !== 'string' || typeof payload.client_id !== 'string') return undefined;
    if (this.clients.find(payload.client_id)?.status !== 'approved') return undefined;
    // Issued before the client's last suspension: void, even once the client is reinstated.
    const notBefore = this.clients.notBefore(payload.client_id);
    if (notBefore !== undefined && (typeof payload.iat !== 'number' || payload.iat * 1000 < notBefore)) return undefined;
    if (typeof payload.grant_id === 'string') {
      const grant = await this.grants.find(payload.grant_id);
      if (!grant || grant.revokedAt) return undefined;
    }
    return payload as VerifiedAccessToken;
  }
}
