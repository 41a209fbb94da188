import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import type { CryptoKey } from 'jose';

export interface TestTokenClaims {
  sub?: string;
  client_id?: string;
  scope?: string;
  patient?: string;
  grant_id?: string;
  fhirUser?: string;
  representative?: { relationship: string; name: string };
  withhold_demographics?: boolean;
  withhold_sensitive?: boolean;
  aud?: string;
  iss?: string;
  expiresIn?: number;
  typ?: string;
  /** `iat` in seconds since the epoch; default now. */
  issuedAt?: number;
}

/**
 * A stand-in authorization server for tests: a real key pair, a real JWKS and discovery document
 * over HTTP, and real signed RFC 9068 access tokens, so the FHIR service checks real signatures.
 */
export class TestTokenIssuer {
  private server?: Server;
  private privateKey?: CryptoKey;
  private jwk?: JWK;
  private decoyKey?: CryptoKey;
  private decoyJwk?: JWK;
  jwksRequests = 0;
  issuer = '';

  constructor(
    private readonly audience: string,
    private readonly kid = 'test-key-1',
  ) {}

  async start(): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    this.privateKey = privateKey;
    this.jwk = { ...(await exportJWK(publicKey)), kid: this.kid, alg: 'RS256', use: 'sig' };
    // The discovery document names another JWKS, with a key of its own: whoever controls that
    // document must not decide which keys the FHIR service accepts.
    const decoy = await generateKeyPair('RS256', { extractable: true });
    this.decoyKey = decoy.privateKey;
    this.decoyJwk = { ...(await exportJWK(decoy.publicKey)), kid: 'decoy-key', alg: 'RS256', use: 'sig' };
    this.server = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      if (request.url === '/.well-known/openid-configuration') {
        response.end(JSON.stringify({ issuer: this.issuer, jwks_uri: `${this.issuer}/keys/jwks.json`, authorization_endpoint: `${this.issuer}/authorize`, token_endpoint: `${this.issuer}/token` }));
      } else if (request.url === '/jwks') {
        this.jwksRequests += 1;
        response.end(JSON.stringify({ keys: [this.jwk] }));
      } else if (request.url === '/keys/jwks.json') {
        response.end(JSON.stringify({ keys: [this.decoyJwk] }));
      } else {
        response.statusCode = 404;
        response.end('{}');
      }
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** A token signed with the key of the JWKS the discovery document names (not the issuer's). */
  decoyToken(claims: TestTokenClaims = {}): Promise<string> {
    return this.token(claims, this.decoyKey, 'decoy-key');
  }

  async token(claims: TestTokenClaims = {}, signingKey?: CryptoKey, kid = this.kid): Promise<string> {
    const { aud, iss, expiresIn, typ, issuedAt, ...rest } = claims;
    return new SignJWT({ client_id: 'JVjR77J3j4BaRVqoDtLx', scope: 'openid profile patient/*.read', grant_id: 'grant-1', ...rest })
      .setProtectedHeader({ alg: 'RS256', typ: typ ?? 'at+jwt', kid })
      .setIssuer(iss ?? this.issuer)
      .setAudience(aud ?? this.audience)
      .setSubject(rest.sub ?? 'member-1')
      .setIssuedAt(issuedAt)
      .setJti(`jti-${Math.random().toString(36).slice(2)}`)
      .setExpirationTime(Math.floor(Date.now() / 1000) + (expiresIn ?? 300))
      .sign(signingKey ?? (this.privateKey as CryptoKey));
  }
}
