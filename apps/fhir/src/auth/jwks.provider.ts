import { Inject, Injectable, Logger } from '@nestjs/common';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { FHIR_CONFIG } from '../fhir.tokens';
import type { FhirConfig } from '../fhir.config';

/** The authorization server endpoints the CapabilityStatement advertises. */
export interface AuthorizationEndpoints {
  readonly authorization: string;
  readonly token: string;
  readonly revocation: string;
  readonly introspection: string;
  readonly jwks: string;
}

/** Seed 002's paths, used until the authorization server's discovery document answers. */
const DEFAULT_PATHS = {
  authorization: '/fhirmember/sps/oauth/oauth20/authorize',
  token: '/fhirmember/sps/oauth/oauth20/token',
  revocation: '/fhirmember/sps/oauth/oauth20/revoke',
  introspection: '/fhirmember/sps/oauth/oauth20/introspect',
};

/**
 * The authorization service's endpoints and signing keys. The keys come from the configured JWKS
 * path on the issuer's own origin, never from a URL another document names: whoever could change
 * the discovery document (or answer in its place) must not choose the keys tokens are checked
 * with. `jose` caches the keys and fetches them again when a token names a `kid` it does not know,
 * so key rotation needs no restart. The other endpoints, which the CapabilityStatement only
 * advertises, come from the discovery document.
 */
@Injectable()
export class JwksProvider {
  private readonly logger = new Logger(JwksProvider.name);
  private keySet?: JWTVerifyGetKey;
  private discovered?: Promise<AuthorizationEndpoints>;

  constructor(@Inject(FHIR_CONFIG) private readonly config: FhirConfig) {}

  getKeySet(): JWTVerifyGetKey {
    this.keySet ??= createRemoteJWKSet(new URL(this.jwksUrl()), { cooldownDuration: 5_000, cacheMaxAge: 10 * 60_000 });
    return this.keySet;
  }

  /** `AUTHORIZATION_JWKS_PATH` on the issuer: the only place signing keys are taken from. */
  jwksUrl(): string {
    return `${this.config.AUTHORIZATION_PUBLIC_URL.replace(/\/+$/, '')}${this.config.AUTHORIZATION_JWKS_PATH}`;
  }

  /** Discovered once; on failure the seed's defaults are used and discovery is tried again next time. */
  endpoints(): Promise<AuthorizationEndpoints> {
    this.discovered ??= this.discover();
    return this.discovered;
  }

  private async discover(): Promise<AuthorizationEndpoints> {
    const issuer = this.config.AUTHORIZATION_PUBLIC_URL.replace(/\/+$/, '');
    const defaults: AuthorizationEndpoints = {
      authorization: issuer + DEFAULT_PATHS.authorization,
      token: issuer + DEFAULT_PATHS.token,
      revocation: issuer + DEFAULT_PATHS.revocation,
      introspection: issuer + DEFAULT_PATHS.introspection,
      jwks: this.jwksUrl(),
    };
    try {
      const response = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const document = (await response.json()) as Record<string, unknown>;
      const pick = (name: string, fallback: string) => (typeof document[name] === 'string' ? (document[name] as string) : fallback);
      return {
        authorization: pick('authorization_endpoint', defaults.authorization),
        token: pick('token_endpoint', defaults.token),
        revocation: pick('revocation_endpoint', defaults.revocation),
        introspection: pick('introspection_endpoint', defaults.introspection),
        jwks: defaults.jwks,
      };
    } catch (error) {
      this.logger.warn(`authorization server discovery failed (${error instanceof Error ? error.message : String(error)}); using defaults`);
      this.discovered = undefined;
      return defaults;
    }
  }
}
