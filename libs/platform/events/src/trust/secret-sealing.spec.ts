import { randomBytes } from 'node:crypto';
import { SecretSealer } from './secret-sealing';

const HASH = '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo';

describe(SecretSealer.name, () => {
  const key = randomBytes(32).toString('base64url');

  it('opens what it sealed, for the same client only', async () => {
    const sealer = SecretSealer.fromConfig(key, 'production');
    const sealed = await sealer.seal('client-a', HASH);
    expect(sealed).not.toContain('argon2');
    expect(Buffer.from(sealed.split('.')[0], 'base64url').toString()).not.toContain('argon2');
    expect(await sealer.unseal('client-a', sealed)).toBe(HASH);
    expect(await sealer.unseal('client-b', sealed)).toBeUndefined();
  });

  it('does not open with another key, nor tampered or malformed values', async () => {
    const sealed = await SecretSealer.fromConfig(key, 'production').seal('client-a', HASH);
    const other = SecretSealer.fromConfig(randomBytes(32).toString('base64url'), 'production');
    expect(await other.unseal('client-a', sealed)).toBeUndefined();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('x'.repeat(16)).toString('base64url');
    const sealer = SecretSealer.fromConfig(key, 'production');
    expect(await sealer.unseal('client-a', parts.join('.'))).toBeUndefined();
    for (const garbage of ['', HASH, 'a.b.c.d.e', '\u0000']) expect(await sealer.unseal('client-a', garbage)).toBeUndefined();
  });

  it('seals differently each time, so equal secrets do not show on the topic', async () => {
    const sealer = SecretSealer.fromConfig(key, 'production');
    expect(await sealer.seal('client-a', HASH)).not.toEqual(await sealer.seal('client-a', HASH));
  });

  it('requires a key in production and explains a bad one; the sandbox derives one', async () => {
    expect(() => SecretSealer.fromConfig(undefined, 'production')).toThrow('CLIENT_SECRET_SEALING_KEY is required in the production profile');
    expect(() => SecretSealer.fromConfig('short', 'production')).toThrow('CLIENT_SECRET_SEALING_KEY must be 32 bytes in base64url');
    const sandbox = SecretSealer.fromConfig(undefined, 'sandbox');
    expect(await SecretSealer.fromConfig(undefined, 'sandbox').unseal('c', await sandbox.seal('c', HASH))).toBe(HASH);
  });

  describe('client secret hashes', () => {
    const sealer = SecretSealer.fromConfig(key, 'production');
    const secret = randomBytes(32).toString('base64url');

    it('hashes a secret to a keyed form that matches it and nothing else', () => {
      const stored = sealer.hashSecret(secret);
      expect(stored).toMatch(/^\$hmac-sha256\$[\w-]{43}$/);
      expect(stored).not.toContain(secret);
      expect(SecretSealer.isKeyedHash(stored)).toBe(true);
      expect(sealer.hashSecret(secret)).toBe(stored);
      expect(sealer.matchesSecret(stored, secret)).toBe(true);
      expect(sealer.matchesSecret(stored, `${secret}x`)).toBe(false);
      expect(sealer.matchesSecret(stored, '')).toBe(false);
      expect(sealer.matchesSecret(stored, '\u0000')).toBe(false);
    });

    it('depends on the key: another key neither makes nor matches the same hash', () => {
      const other = SecretSealer.fromConfig(randomBytes(32).toString('base64url'), 'production');
      expect(other.hashSecret(secret)).not.toBe(sealer.hashSecret(secret));
      expect(other.matchesSecret(sealer.hashSecret(secret), secret)).toBe(false);
    });

    it('matches nothing against a stored value of another form or a mangled one', () => {
      const stored = sealer.hashSecret(secret);
      for (const other of [HASH, '', stored.slice(0, -1), `${stored}A`, stored.replace('hmac', 'HMAC'), `${stored.slice(0, -1)}\u0000`]) {
        expect(SecretSealer.isKeyedHash(other)).toBe(false);
        expect(sealer.matchesSecret(other, secret)).toBe(false);
      }
    });
  });
});
