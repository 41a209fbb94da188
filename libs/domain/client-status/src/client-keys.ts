/**
 * The public keys a backend client (a payer) signs its token-endpoint assertions with (SMART App
 * Launch 2 Backend Services, RFC 7523). Registration checks them when the owner submits them and
 * the authorization server checks them again when they arrive on the bus, with this one rule.
 * https://hl7.org/fhir/smart-app-launch/STU2/backend-services.html
 */

/** A public JSON Web Key as stored and published: only the members listed here survive reading. */
export interface PublicJwk {
  readonly kty: 'RSA' | 'EC';
  readonly kid?: string;
  readonly use?: 'sig';
  readonly alg?: string;
  readonly key_ops?: readonly string[];
  readonly n?: string;
  readonly e?: string;
  readonly crv?: 'P-256' | 'P-384';
  readonly x?: string;
  readonly y?: string;
}

export interface PublicJwks {
  readonly keys: readonly PublicJwk[];
}

/** Algorithms a client assertion may be signed with: the two SMART Backend Services requires servers to support. */
export const CLIENT_ASSERTION_ALGS: readonly string[] = ['RS384', 'ES384'];

/** At most this many keys: enough for a rotation with both algorithms, small enough to review. */
export const MAX_CLIENT_KEYS = 10;
/** Serialized size bound of a whole JWKS, far above ten 4096-bit RSA keys. */
export const MAX_JWKS_BYTES = 32 * 1024;

/** Private or symmetric key material: a public key set never carries any of it (RFC 7517, RFC 7518 §6). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const PUBLIC_MEMBERS = new Set(['kty', 'kid', 'use', 'alg', 'key_ops', 'n', 'e', 'crv', 'x', 'y', 'x5c', 'x5t', 'x5t#S256', 'x5u']);
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Printable ASCII: a kid or alg is shown to staff and written to logs. */
const PRINTABLE = /^[\x20-\x7e]+$/;
const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 8192;
const EC_COORDINATE_BYTES: Readonly<Record<string, number>> = { 'P-256': 32, 'P-384': 48 };
const KEY_ALGS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'],
  'EC:P-256': ['ES256'],
  'EC:P-384': ['ES384'],
};

export type PublicJwksResult = { readonly ok: true; readonly jwks: PublicJwks } | { readonly ok: false; readonly problems: readonly string[] };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a JWKS and returns a copy holding only its public members: RSA keys of 2048 to 8192
 * bits and EC keys on P-256 or P-384, for signatures, with no private member anywhere. Every
 * problem is reported, each prefixed with its path under `path`.
 */
export function readPublicJwks(value: unknown, path = 'jwks'): PublicJwksResult {
  const problems: string[] = [];
  if (!isRecord(value)) return { ok: false, problems: [`${path} must be an object with a keys array`] };
  let size: number;
  try {
    size = Buffer.byteLength(JSON.stringify(value), 'utf8');
  } catch {
    return { ok: false, problems: [`${path} must be plain JSON`] };
  }
  if (size > MAX_JWKS_BYTES) return { ok: false, problems: [`${path} must be at most ${MAX_JWKS_BYTES} bytes`] };
  for (const key of Object.keys(value)) if (key !== 'keys') problems.push(`${path}.${key} is not a JWKS member`);
  const keys = value['keys'];
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_CLIENT_KEYS) {
    return { ok: false, problems: [...problems, `${path}.keys must be an array of 1 to ${MAX_CLIENT_KEYS} keys`] };
  }
  const read: PublicJwk[] = [];
  const kids = new Set<string>();
  keys.forEach((key: unknown, index) => {
    const jwk = readPublicJwk(key, `${path}.keys.${index}`, problems);
    if (!jwk) return;
    if (jwk.kid !== undefined) {
      if (kids.has(jwk.kid)) problems.push(`${path}.keys.${index}.kid repeats another key's kid`);
      kids.add(jwk.kid);
    }
    read.push(jwk);
  });
  return problems.length === 0 ? { ok: true, jwks: { keys: read } } : { ok: false, problems };
}

function readPublicJwk(value: unknown, path: string, problems: string[]): PublicJwk | undefined {
  if (!isRecord(value)) {
    problems.push(`${path} must be an object`);
    return undefined;
  }
  const before = problems.length;
  const privateMembers = PRIVATE_MEMBERS.filter((member) => member in value);
  if (privateMembers.length > 0) {
    // Naming the members, never echoing their values: this is secret material sent by mistake.
    problems.push(`${path} contains private key material (${privateMembers.join(', ')}); register the public key only`);
    return undefined;
  }
  for (const member of Object.keys(value)) if (!PUBLIC_MEMBERS.has(member)) problems.push(`${path}.${member} is not a public JWK member`);
  if ('x5c' in value || 'x5u' in value || 'x5t' in value || 'x5t#S256' in value) problems.push(`${path} must not use X.509 members; give the key itself`);

  const kid = optionalText(value, 'kid', path, problems, 200);
  const alg = optionalText(value, 'alg', path, problems, 10);
  const use = value['use'];
  if (use !== undefined && use !== 'sig') problems.push(`${path}.use must be "sig"`);
  const keyOps = value['key_ops'];
  if (keyOps !== undefined && (!Array.isArray(keyOps) || keyOps.length !== 1 || keyOps[0] !== 'verify')) {
    problems.push(`${path}.key_ops must be ["verify"]`);
  }

  let jwk: PublicJwk | undefined;
  if (value['kty'] === 'RSA') {
    const n = base64url(value, 'n', path, problems);
    const e = base64url(value, 'e', path, problems);
    if (n !== undefined) {
      const bits = modulusBits(n);
      if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) problems.push(`${path}.n must be an RSA modulus of ${MIN_RSA_BITS} to ${MAX_RSA_BITS} bits (it has ${bits})`);
    }
    if (e !== undefined && e !== 'AQAB') problems.push(`${path}.e must be AQAB (65537)`);
    if (n !== undefined && e !== undefined) jwk = { kty: 'RSA', n, e };
  } else if (value['kty'] === 'EC') {
    const crv = value['crv'];
    if (crv !== 'P-256' && crv !== 'P-384') {
      problems.push(`${path}.crv must be P-256 or P-384`);
    } else {
      const x = base64url(value, 'x', path, problems);
      const y = base64url(value, 'y', path, problems);
      const size = EC_COORDINATE_BYTES[crv];
      if (x !== undefined && decodedLength(x) !== size) problems.push(`${path}.x must be ${size} bytes for ${crv}`);
      if (y !== undefined && decodedLength(y) !== size) problems.push(`${path}.y must be ${size} bytes for ${crv}`);
      if (x !== undefined && y !== undefined) jwk = { kty: 'EC', crv, x, y };
    }
  } else {
    problems.push(`${path}.kty must be RSA or EC (public signature keys)`);
  }
  if (jwk && alg !== undefined) {
    const family = jwk.kty === 'RSA' ? 'RSA' : `EC:${jwk.crv}`;
    if (!KEY_ALGS[family]?.includes(alg)) problems.push(`${path}.alg ${alg} does not fit a ${jwk.kty === 'RSA' ? 'RSA' : jwk.crv} key`);
  }
  if (!jwk || problems.length > before) return undefined;
  return {
    ...jwk,
    ...(kid !== undefined && { kid }),
    ...(use !== undefined && { use: 'sig' as const }),
    ...(alg !== undefined && { alg }),
    ...(keyOps !== undefined && { key_ops: ['verify'] }),
  };
}

function optionalText(record: Record<string, unknown>, key: string, path: string, problems: string[], max: number): string | undefined {
  const value = record[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > max || !PRINTABLE.test(value)) {
    problems.push(`${path}.${key} must be a string of 1 to ${max} printable characters`);
    return undefined;
  }
  return value;
}

function base64url(record: Record<string, unknown>, key: string, path: string, problems: string[]): string | undefined {
  const value = record[key];
  // 8192 bits is 1366 base64url characters.
  if (typeof value !== 'string' || value.length === 0 || value.length > 1400 || !BASE64URL.test(value)) {
    problems.push(`${path}.${key} must be base64url`);
    return undefined;
  }
  return value;
}

function decodedLength(text: string): number {
  return Buffer.from(text, 'base64url').length;
}

function modulusBits(n: string): number {
  const bytes = Buffer.from(n, 'base64url');
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start += 1;
  if (start === bytes.length) return 0;
  return (bytes.length - start - 1) * 8 + (32 - Math.clz32(bytes[start] as number));
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1']);

/**
 * Why `value` cannot be a client's JWKS URL, or undefined when it can: https, without
 * credentials or fragment; plain http only on this machine, and only where `allowLoopbackHttp`
 * (the sandbox), since keys fetched in the clear could be swapped on the way.
 */
export function jwksUriProblem(value: unknown, allowLoopbackHttp: boolean): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) return 'must be a URL of at most 2048 characters';
  const url = URL.parse(value);
  if (!url || url.hostname === '') return 'must be an absolute URL';
  if (url.username || url.password) return 'must not carry credentials';
  if (value.includes('#')) return 'must not have a fragment';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) {
    return allowLoopbackHttp ? undefined : 'must be https (http on localhost is for the sandbox only)';
  }
  return 'must be https';
}
