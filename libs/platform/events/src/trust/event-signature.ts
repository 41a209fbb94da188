import { createHash, createPrivateKey } from 'node:crypto';
import { calculateJwkThumbprint, compactVerify, CompactSign, importJWK, type JWK } from 'jose';

/** The header carrying an event's signature: a JWS with a detached payload (RFC 7515 Appendix F). */
export const EVENT_SIGNATURE_HEADER = 'event-signature';
/** The JWS `typ` of event signatures, so that no other JWS of the platform can pass for one. */
export const EVENT_SIGNATURE_TYPE = 'payer-access-event+jws';
/** Asymmetric only: a consumer holds public keys and can verify, never sign. */
type Algorithm = 'EdDSA' | 'ES256';
type SigningKey = Awaited<ReturnType<typeof importJWK>>;

/** A configuration value that is not a usable key; the message names the variable and what is wrong. */
export class EventKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventKeyError';
  }
}

/**
 * JSON with object keys sorted at every level: the bytes that are signed. A value survives every
 * adapter (a Kafka message, an in-process copy, a PostgreSQL jsonb column that reorders keys)
 * with its canonical form intact, so a signature made at publish time checks out at delivery.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What a signature covers: the topic and key too, so an event cannot be moved to another client or topic. */
export function signedContent(topic: string, key: string, value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson({ topic, key, value: JSON.parse(JSON.stringify(value ?? null)) as unknown }));
}

function algorithmOf(jwk: JWK, variable: string): Algorithm {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  throw new EventKeyError(`${variable} must be an Ed25519 (OKP) or P-256 (EC) JWK`);
}

function parseJson(text: string, variable: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new EventKeyError(`${variable} must be JSON (a JWK)`);
  }
}

/** Signs the events a producer publishes with its private key. */
export class EventSigner {
  private constructor(
    private readonly key: SigningKey,
    private readonly alg: Algorithm,
    readonly kid: string,
    /** The matching public key, for the consumers' configuration. */
    readonly publicJwk: JWK,
  ) {}

  /** @param variable the configuration variable the key came from, named in errors. */
  static async fromJwk(jwk: JWK | string, variable = 'the event signing key'): Promise<EventSigner> {
    const parsed = (typeof jwk === 'string' ? parseJson(jwk, variable) : jwk) as JWK;
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.d !== 'string') {
      throw new EventKeyError(`${variable} must be a private JWK (with "d")`);
    }
    const alg = algorithmOf(parsed, variable);
    const { d: _private, ...publicPart } = parsed;
    const publicJwk: JWK = { kty: publicPart.kty, crv: publicPart.crv, x: publicPart.x, ...(publicPart.y ? { y: publicPart.y } : {}) };
    const kid = parsed.kid ?? (await calculateJwkThumbprint(publicJwk));
    let key: SigningKey;
    try {
      key = await importJWK({ ...parsed, alg }, alg);
    } catch (error) {
      throw new EventKeyError(`${variable} is not a usable key: ${error instanceof Error ? error.message : String(error)}`);
    }
    return new EventSigner(key, alg, kid, { ...publicJwk, kid, alg });
  }

  /** The value of the `event-signature` header for this event. */
  async sign(topic: string, key: string, value: unknown): Promise<string> {
    const jws = await new CompactSign(signedContent(topic, key, value)).setProtectedHeader({ alg: this.alg, kid: this.kid, typ: EVENT_SIGNATURE_TYPE }).sign(this.key);
    const [header, , signature] = jws.split('.');
    return `${header}..${signature}`;
  }
}

export type SignatureCheck = { ok: true; kid: string } | { ok: false; reason: string };

/** The public keys one producer signs with; several during a rotation (the new one first, the old ones until every event signed with them is gone). */
export class EventKeyRing {
  private constructor(private readonly keys: ReadonlyMap<string, { key: SigningKey; alg: Algorithm }>) {}

  get kids(): string[] {
    return [...this.keys.keys()];
  }

  /**
   * @param jwks a JWK Set (`{"keys":[…]}`), an array of JWKs or one JWK, as JSON or parsed.
   * @param variable the configuration variable, named in errors.
   */
  static async fromJwks(jwks: unknown, variable = 'the trusted event keys'): Promise<EventKeyRing> {
    const parsed = typeof jwks === 'string' ? parseJson(jwks, variable) : jwks;
    const list: unknown[] = Array.isArray(parsed)
      ? parsed
      : parsed !== null && typeof parsed === 'object' && Array.isArray((parsed as { keys?: unknown }).keys)
        ? (parsed as { keys: unknown[] }).keys
        : [parsed];
    if (list.length === 0) throw new EventKeyError(`${variable} must hold at least one public key`);
    const keys = new Map<string, { key: SigningKey; alg: Algorithm }>();
    for (const item of list) {
      if (typeof item !== 'object' || item === null) throw new EventKeyError(`${variable} must hold JWKs`);
      const jwk = item as JWK;
      if (jwk.d !== undefined) throw new EventKeyError(`${variable} must hold public keys only (a JWK there has "d")`);
      const alg = algorithmOf(jwk, variable);
      const publicJwk: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y ? { y: jwk.y } : {}) };
      const kid = jwk.kid ?? (await calculateJwkThumbprint(publicJwk));
      try {
        keys.set(kid, { key: await importJWK({ ...publicJwk, alg }, alg), alg });
      } catch (error) {
        throw new EventKeyError(`${variable} holds a key that is not usable: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return new EventKeyRing(keys);
  }

  /** Checks the `event-signature` header of an event against these keys. */
  async verify(topic: string, key: string, value: unknown, signature: string | undefined): Promise<SignatureCheck> {
    if (!signature) return { ok: false, reason: 'unsigned' };
    const parts = signature.split('.');
    if (parts.length !== 3 || parts[1] !== '' || signature.length > 4_096) return { ok: false, reason: 'malformed signature' };
    let kid: unknown;
    try {
      kid = (JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as { kid?: unknown }).kid;
    } catch {
      return { ok: false, reason: 'malformed signature' };
    }
    const trusted = typeof kid === 'string' ? this.keys.get(kid) : undefined;
    if (!trusted) return { ok: false, reason: 'signed by an untrusted key' };
    const payload = Buffer.from(signedContent(topic, key, value)).toString('base64url');
    try {
      const { protectedHeader } = await compactVerify(`${parts[0]}.${payload}.${parts[2]}`, trusted.key, { algorithms: [trusted.alg] });
      if (protectedHeader.typ !== EVENT_SIGNATURE_TYPE) return { ok: false, reason: 'not an event signature' };
      return { ok: true, kid: kid as string };
    } catch {
      return { ok: false, reason: 'signature does not match' };
    }
  }
}

/**
 * The sandbox's signing key of a producer, derived from its name: the same in every process, so the
 * services of a sandbox agree without configuration. Anyone can derive it, which is why the
 * production profile requires keys of its own.
 */
export function sandboxEventSigningJwk(producer: string): JWK {
  const seed = createHash('sha256').update(`payer-access sandbox event signing key: ${producer}`).digest();
  // PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410).
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const jwk = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' }) as JWK;
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d };
}
