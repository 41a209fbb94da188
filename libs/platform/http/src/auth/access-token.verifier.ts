import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

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

/** Why a token was refused, worded for the `error_description` of a `WWW-Authenticate` challenge. */
export class AccessTokenRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'AccessTokenRejected';
  }
}

const DEFAULT_ALGORITHMS = ['RS256', 'PS256', 'ES256'];

/**
 * The platform's one verifier of JWT access tokens (RFC 9068 §4): `typ` `at+jwt`, a signature by
 * one of the issuer's keys with an asymmetric algorithm, the exact issuer, this audience, not
 * expired, and the required claims. What each resource server checks beyond that (client status,
 * revoked grants, patient context) stays with it.
 * https://www.rfc-editor.org/rfc/rfc9068#section-4
 */
export class AccessTokenVerifier {
  private readonly algorithms: string[];

  constructor(private readonly options: AccessTokenVerifierOptions) {
    this.algorithms = options.algorithms ?? DEFAULT_ALGORITHMS;
  }

  /** The verified claims; throws `AccessTokenRejected` with the reason otherwise. */
  async verify(token: string): Promise<VerifiedAccessTokenClaims> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.options.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        typ: 'at+jwt',
        algorithms: this.algorithms,
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti'],
      }));
    } catch (error) {
      throw new AccessTokenRejected(reasonOf(error));
    }
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
