import { Secret, TOTP } from 'otpauth';

const PERIOD_MS = 30_000;
/** The last RFC 6238 time step this process used for each secret. */
const lastStep = new Map<string, number>();

/**
 * A TOTP code (SHA-1, 6 digits, 30 s: what authenticator apps use) the service has not seen yet
 * for `secret`. Services accept a code once per time step, with one step of drift either way, so a
 * second login within a step uses the next step's code, and a third waits for that step to begin.
 */
export async function freshTotpCode(secret: string): Promise<string> {
  let current = Math.floor(Date.now() / PERIOD_MS);
  const step = Math.max(current, (lastStep.get(secret) ?? 0) + 1);
  if (step > current + 1) {
    await new Promise((resolve) => setTimeout(resolve, (step - 1) * PERIOD_MS - Date.now() + 50));
    current = Math.floor(Date.now() / PERIOD_MS);
  }
  lastStep.set(secret, step);
  return TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: PERIOD_MS / 1000, timestamp: step * PERIOD_MS + 1_000 });
}
