import { randomBytes, randomInt } from 'node:crypto';

const CLIENT_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A client_id shaped like the plan's (seed 002: 20 alphanumerics, e.g. JVjR77J3j4BaRVqoDtLx). Public, but unguessable. */
export function mintClientId(): string {
  let id = '';
  for (let i = 0; i < 20; i += 1) id += CLIENT_ID_ALPHABET[randomInt(CLIENT_ID_ALPHABET.length)];
  return id;
}

/** 256 bits from the CSPRNG, base64url: a secret worth hashing, not a password (RFC 6749 §10.10). */
export function mintClientSecret(): string {
  return randomBytes(32).toString('base64url');
}
