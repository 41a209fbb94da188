import { Inject, Injectable } from '@nestjs/common';
import { AccessTokenVerifier as Rfc9068Verifier, type VerifiedAccessTokenClaims } from '@payer-access/http';
import { createLocalJWKSet } from 'jose';
import { type AuthorizationConfig, fhirBaseUrl } from '../authorization.config';
import { ClientProjectionService } from '../clients/client-projection.service';
import { AUTHORIZATION_CONFIG } from '../common/tokens';
import { MemberGrantsService } from '../grants/member-grants.service';
import { publicJwk, type SigningKeySet } from '../keys/signing-keys.service';
import { OidcProviderHost } from '../oidc/oidc-provider.host';

export interface VerifiedAccessToken extends VerifiedAccessTokenClaims {
  patient?: string;
  grant_id?: string;
}

/**
 * Verifies our own RFC 9068 access tokens with the platform's verifier, as a resource server
 * would (signature against the published keys, issuer, audience, expiry, `typ`); then that its
 * grant is live and its client still approved, which a resource server learns from events and we
 * know first-hand.
 */
@Injectable()
export class AccessTokenVerifier {
  /** The platform verifier for the key set the provider publishes now; rebuilt when a rotation swaps it. */
  private verifier?: { keySet: SigningKeySet; rfc9068: Rfc9068Verifier };

  constructor(
    @Inject(AUTHORIZATION_CONFIG) private readonly config: AuthorizationConfig,
    private readonly host: OidcProviderHost,
    private readonly grants: MemberGrantsService,
    private readonly clients: ClientProjectionService,
  ) {}

  async verify(token: string): Promise<VerifiedAccessToken | undefined> {
    const verifier = this.currentVerifier();
    let payload: VerifiedAccessToken;
    try {
      payload = await verifier.verify(token);
    } catch {
      return undefined;
    }
    if (this.clients.find(payload.client_id)?.status !== 'approved') return undefined;
    // Issued before the client's last suspension: void, even once the client is reinstated.
    if (this.clients.issuedBeforeNotBefore(payload.client_id, payload.iat)) return undefined;
    if (typeof payload.grant_id === 'string') {
      const grant = await this.grants.find(payload.grant_id);
      if (!grant || grant.revokedAt) return undefined;
    }
    return payload;
  }

  /** Built once per key set, so that each request does not import the public keys again. */
  private currentVerifier(): Rfc9068Verifier {
    const keySet = this.host.signingKeys;
    if (this.verifier?.keySet !== keySet) {
      const keys = createLocalJWKSet({ keys: keySet.keys.map(publicJwk) });
      this.verifier = { keySet, rfc9068: new Rfc9068Verifier({ issuer: this.config.AUTHORIZATION_PUBLIC_URL, audience: fhirBaseUrl(this.config), keys }) };
    }
    return this.verifier.rfc9068;
  }
}
