import { createHash, randomInt } from 'node:crypto';

/** Crockford's base32 without I, L, O, U: nothing to misread when typing a code from paper. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
export const RECOVERY_CODE_COUNT = 10;

/**
 * Ten one-time recovery codes, 16 characters (80 random bits) each, shown once as `xxxx-xxxx-xxxx-xxxx`.
 * 80 bits make a plain SHA-256 enough to store them: unlike a password, nobody can enumerate them.
 */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const groups = Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''));
    return groups.join('-');
  });
}

/** What is stored for a code: case, spaces and dashes as typed do not matter. */
export function recoveryCodeHash(code: string): string {
  return createHash('sha256').update(code.toLowerCase().replace(/[\s-]/g, '')).digest('base64url');
}
