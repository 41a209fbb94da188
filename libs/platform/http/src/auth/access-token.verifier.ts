import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

/** A JWT verification key: a key set to pick from (asymmetric), or a shared secret (HMAC, a token only its issuer verifies). */
export type JwtVerificationKeys = JWTVerifyGetKey | Uint8Array;

/** The claims RFC 9068 §2.2 requires of a JWT access token, plus the OAuth `scope` when present. */
export interface VerifiedAccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  scope?: string;
}

export interface AccessTokenVerifierOptions {
  /** The authorization server's issuer identifier, compared exactly. */
  issuer: string;
  /** This resource server's identifier; the token's `aud` must contain it. */
  audience: string;
  /**
   * The issuer's public keys: a JWKS fetched from a URL configured on the issuer's origin
   * (`createRemoteJWKSet`), never one named by a document the token's bearer could influence.
   */
  keys: JWTVerifyGetKey;
  /** Accepted signature algorithms. Default RS256, PS256, ES256: never `none` or a symmetric one. */
  algorithms?: string[];
}

export interface JwtVerifierOptions {
  issuer: string;
  audience: string;
  keys: JwtVerificationKeys;
  /** The only signature algorithms accepted: never `none`. */
  algorithms: string[];
  /** The `typ` header the token must carry (`at+jwt` for RFC 9068 access tokens). */
  typ: string;
  requiredClaims: string[];
}

/** Why a token was refused, worded for the `error_description` of a `WWW-Authenticate` challenge. */
export class AccessTokenRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'AccessTokenRejected';
  }
}

const DEFAULT_ALGORITHMS = ['RS256', 'PS256', 'ES256'];

/**
 * The platform's one JWT check (RFC 7519 §7.2 with RFC 8725's advice): the signature by the given
 * keys with an allowed algorithm only, the `typ`, the exact issuer, the audience, expiry and the
 * required claims; a refusal is an `AccessTokenRejected` with the reason. Every bearer token of the
 * platform goes through it: RFC 9068 access tokens (`AccessTokenVerifier`) and registration's
 * portal tokens.
 */
export class JwtVerifier {
  constructor(private readonly options: JwtVerifierOptions) {
    if (options.algorithms.length === 0 || options.algorithms.some((alg) => alg.toLowerCase() === 'none')) throw new Error('JwtVerifier needs signature algorithms, never none');
  }

  /** The verified claims; throws `AccessTokenRejected` with the reason otherwise. */
  async verify(token: string): Promise<JWTPayload> {
    const { keys, issuer, audience, typ, algorithms, requiredClaims } = this.options;
    const options = { issuer, audience, typ, algorithms, requiredClaims };
    try {
      const { payload } = keys instanceof Uint8Array ? await jwtVerify(token, keys, options) : await jwtVerify(token, keys, options);
      return payload;
    } catch (error) {
      throw new AccessTokenRejected(reasonOf(error));
    }
  }
}

/**
 * The platform's one verifier of JWT access tokens (RFC 9068 §4): `typ` `at+jwt`, a signature by
 * one of the issuer's keys with an asymmetric algorithm, the exact issuer, this audience, not
 * expired, and the required claims. What each resource server checks beyond that (client status,
 * revoked grants, patient context) stays with it.
 * https://www.rfc-editor.org/rfc/rfc9068#section-4
 */
export class AccessTokenVerifier {
  private readonly jwt: JwtVerifier;

  constructor(options: AccessTokenVerifierOptions) {
    this.jwt = new JwtVerifier({
      issuer: options.issuer,
      audience: options.audience,
      keys: options.keys,
      typ: 'at+jwt',
      algorithms: options.algorithms ?? DEFAULT_ALGORITHMS,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti'],
    });
  }

  /** The verified claims; throws `AccessTokenRejected` with the reason otherwise. */
  async verify(token: string): Promise<VerifiedAccessTokenClaims> {
    const payload = await this.jwt.verify(token);
    if (typeof payload.client_id !== 'string' || payload.client_id === '') throw new AccessTokenRejected('the token lacks client_id');
    if (payload.scope !== undefined && typeof payload.scope !== 'string') throw new AccessTokenRejected('the token scope is not a string');
    return payload as VerifiedAccessTokenClaims;
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'the token is not for this server (aud)';
    if (error.claim === 'iss') return 'the token was not issued by the authorization server (iss)';
    if (error.claim === 'typ') return 'not an access token (typ must be at+jwt)';
    if (error.claim === 'nbf') return 'the token is not valid yet';
    return `the token lacks or has an invalid ${error.claim}`;
  }
  if (error instanceof errors.JWKSNoMatchingKey) return 'unknown signing key';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token signature algorithm is not accepted';
  if (error instanceof errors.JWKSTimeout || (error instanceof Error && error.name === 'JWKSInvalid')) return 'the signing keys could not be fetched';
  return 'the token signature or format is invalid';
}
