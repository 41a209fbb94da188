import { Secret, TOTP } from 'otpauth';

/** RFC 6238 with the parameters every authenticator app understands: SHA-1, 6 digits, 30-second steps. */
const PARAMETERS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;

/** A new 160-bit secret (RFC 4226 §4 recommends 160 bits), base32 as authenticator apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The `otpauth://` URI an authenticator app scans (Key Uri Format). */
export function otpauthUri(secret: string, issuer: string, label: string): string {
  return new TOTP({ ...PARAMETERS, issuer, label, secret: Secret.fromBase32(secret) }).toString();
}

/**
 * The RFC 6238 time step `code` was computed for, allowing one step of clock drift either way
 * (RFC 6238 §5.2), or undefined when it matches none. Callers refuse a step already used.
 */
export function matchingStep(secret: string, code: string, now: Date): number | undefined {
  const delta = TOTP.validate({ ...PARAMETERS, token: code, secret: Secret.fromBase32(secret), timestamp: now.getTime(), window: 1 });
  if (delta === null) return undefined;
  return Math.floor(now.getTime() / 1000 / PARAMETERS.period) + delta;
}

/** The code an authenticator shows at `now` (the sandbox's documentation and tests compute it). */
export function currentCode(secret: string, now = new Date()): string {
  return TOTP.generate({ ...PARAMETERS, secret: Secret.fromBase32(secret), timestamp: now.getTime() });
}
