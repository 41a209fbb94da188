import { randomBytes } from 'node:crypto';
import { SecretSealer } from '@payer-access/events';
import * as argon2 from 'argon2';
import { ClientSecretVerifier } from './client-secret.verifier';

describe(ClientSecretVerifier.name, () => {
  let secretHash: string;

  beforeAll(async () => {
    secretHash = await argon2.hash('right-secret', { type: argon2.argon2id });
  });

  const sealer = SecretSealer.fromConfig(randomBytes(32).toString('base64url'), 'production');
  const sut = () => new ClientSecretVerifier(sealer, { CLIENT_SECRET_MAX_FAILURES: 3, CLIENT_SECRET_FAILURE_WINDOW_SECONDS: 60 });

  it('checks a keyed SHA-256 hash without argon2, with no limit that a flood of wrong secrets could exhaust', async () => {
    const verifier = sut();
    const secret = randomBytes(32).toString('base64url');
    const stored = sealer.hashSecret(secret);
    for (let index = 0; index < 50; index++) expect(await verifier.verify(stored, `wrong-${index}`, 'client-k')).toBe(false);
    expect(await verifier.verify(stored, secret, 'client-k')).toBe(true);
    expect(await verifier.verify(stored, '', 'client-k')).toBe(false);
    // Made under another sealing key: it does not match.
    expect(await verifier.verify(SecretSealer.fromConfig(randomBytes(32).toString('base64url'), 'production').hashSecret(secret), secret, 'client-k')).toBe(false);
    expect(verifier.hashChecks).toBe(0);
  });

  it('verifies an older argon2id hash once, then compares later requests against the upgraded keyed hash', async () => {
    const verifier = sut();
    expect(await verifier.verify(secretHash, 'right-secret', 'client-a')).toBe(true);
    expect(verifier.hashChecks).toBe(1);
    for (let index = 0; index < 20; index++) expect(await verifier.verify(secretHash, 'right-secret', 'client-a')).toBe(true);
    expect(verifier.hashChecks).toBe(1);
    // The upgrade holds the right secret only: a wrong one is still checked (once) and refused.
    expect(await verifier.verify(secretHash, 'wrong', 'client-a')).toBe(false);
    expect(verifier.hashChecks).toBe(2);
  });

  it('hashes a wrong secret sent many times at once, and again later, a single time', async () => {
    const verifier = sut();
    expect(await Promise.all(Array.from({ length: 20 }, () => verifier.verify(secretHash, 'wrong', 'client-a')))).toEqual(Array(20).fill(false));
    expect(await verifier.verify(secretHash, 'wrong', 'client-a')).toBe(false);
    expect(verifier.hashChecks).toBe(1);
  });

  it('stops hashing for a client once it has been sent its limit of distinct wrong secrets, even all at once', async () => {
    const verifier = sut();
    const results = await Promise.all(Array.from({ length: 10 }, (_, index) => verifier.verify(secretHash, `wrong-${index}`, 'client-a')));
    expect(results).toEqual(Array(10).fill(false));
    expect(verifier.hashChecks).toBe(3);
    // Another client is not affected.
    expect(await verifier.verify(secretHash, 'right-secret', 'client-b')).toBe(true);
  });

  it('lets a secret verified before the flood pass during it, and starts over when the secret changes', async () => {
    const verifier = sut();
    expect(await verifier.verify(secretHash, 'right-secret', 'client-a')).toBe(true);
    for (let index = 0; index < 5; index++) await verifier.verify(secretHash, `wrong-${index}`, 'client-a');
    const checks = verifier.hashChecks;
    expect(await verifier.verify(secretHash, 'right-secret', 'client-a')).toBe(true);
    expect(verifier.hashChecks).toBe(checks);
    const rotated = await argon2.hash('rotated-secret', { type: argon2.argon2id });
    expect(await verifier.verify(rotated, 'rotated-secret', 'client-a')).toBe(true);
    expect(await verifier.verify(rotated, 'right-secret', 'client-a')).toBe(false);
  });
});
