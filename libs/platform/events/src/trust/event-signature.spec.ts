import { generateKeyPairSync } from 'node:crypto';
import type { JWK } from 'jose';
import { canonicalJson, EventKeyError, EventKeyRing, EventSigner, sandboxEventSigningJwk } from './event-signature';

const TOPIC = 'registration.client.changed.v1';

function newJwk(type: 'ed25519' | 'ec' = 'ed25519'): JWK {
  const { privateKey } = type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ format: 'jwk' }) as JWK;
}

async function pair(type: 'ed25519' | 'ec' = 'ed25519'): Promise<{ signer: EventSigner; ring: EventKeyRing }> {
  const signer = await EventSigner.fromJwk(JSON.stringify(newJwk(type)), 'REGISTRATION_EVENT_SIGNING_KEY');
  return { signer, ring: await EventKeyRing.fromJwks(JSON.stringify({ keys: [signer.publicJwk] })) };
}

const value = { clientId: 'abc', status: 'approved', clientVersion: 3, client: { redirectUris: ['https://a.example/cb'], name: 'A' } };

describe('event signatures', () => {
  it.each(['ed25519', 'ec'] as const)('verifies what the matching %s key signed', async (type) => {
    const { signer, ring } = await pair(type);
    const signature = await signer.sign(TOPIC, 'abc', value);
    expect(signature).toMatch(/^[\w-]+\.\.[\w-]+$/);
    expect(await ring.verify(TOPIC, 'abc', value, signature)).toEqual({ ok: true, kid: signer.kid });
  });

  it('survives storage that reorders object keys (PostgreSQL jsonb)', async () => {
    const { signer, ring } = await pair();
    const signature = await signer.sign(TOPIC, 'abc', value);
    const reordered = { client: { name: 'A', redirectUris: ['https://a.example/cb'] }, clientVersion: 3, status: 'approved', clientId: 'abc' };
    expect(await ring.verify(TOPIC, 'abc', reordered, signature)).toMatchObject({ ok: true });
  });

  it.each([
    ['a changed status', TOPIC, 'abc', { ...value, status: 'terminated' }],
    ['an added redirect URI', TOPIC, 'abc', { ...value, client: { ...value.client, redirectUris: ['https://a.example/cb', 'https://evil.example/'] } }],
    ['a higher version', TOPIC, 'abc', { ...value, clientVersion: 2 ** 31 - 1 }],
    ['another client (key)', TOPIC, 'other', value],
    ['another topic', 'authorization.grant.revoked.v1', 'abc', value],
  ])('refuses the signature for %s', async (_, topic, key, changed) => {
    const { signer, ring } = await pair();
    const signature = await signer.sign(TOPIC, 'abc', value);
    expect(await ring.verify(topic, key, changed, signature)).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('refuses an unsigned event, a signature by another key and malformed signatures', async () => {
    const { ring } = await pair();
    const { signer: intruder } = await pair();
    expect(await ring.verify(TOPIC, 'abc', value, undefined)).toEqual({ ok: false, reason: 'unsigned' });
    expect(await ring.verify(TOPIC, 'abc', value, await intruder.sign(TOPIC, 'abc', value))).toEqual({ ok: false, reason: 'signed by an untrusted key' });
    for (const garbage of ['x', 'a.b.c', '..', `${'a'.repeat(5000)}..b`, '\u0000..\u0000', 'e30..AAAA']) {
      expect(await ring.verify(TOPIC, 'abc', value, garbage)).toMatchObject({ ok: false });
    }
  });

  it('refuses a signature that claims a trusted kid but was made by another key', async () => {
    const { signer, ring } = await pair();
    const forger = await EventSigner.fromJwk({ ...newJwk(), kid: signer.kid });
    expect(await ring.verify(TOPIC, 'abc', value, await forger.sign(TOPIC, 'abc', value))).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('accepts any key of the ring, so that keys can be rotated', async () => {
    const older = await pair();
    const newer = await pair();
    const ring = await EventKeyRing.fromJwks([newer.signer.publicJwk, older.signer.publicJwk]);
    expect(ring.kids).toEqual([newer.signer.kid, older.signer.kid]);
    expect(await ring.verify(TOPIC, 'abc', value, await older.signer.sign(TOPIC, 'abc', value))).toMatchObject({ ok: true });
    expect(await ring.verify(TOPIC, 'abc', value, await newer.signer.sign(TOPIC, 'abc', value))).toMatchObject({ ok: true });
  });

  it.each([
    ['not JSON', 'nope', 'must be JSON'],
    ['a public key', JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: 'AAAA' }), 'must be a private JWK'],
    ['a symmetric key', JSON.stringify({ kty: 'oct', k: 'c2VjcmV0', d: 'x' }), 'must be an Ed25519 (OKP) or P-256 (EC) JWK'],
    ['a broken key', JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: '!!', d: '!!' }), 'is not a usable key'],
  ])('explains a signing key that is %s', async (_, text, message) => {
    await expect(EventSigner.fromJwk(text, 'REGISTRATION_EVENT_SIGNING_KEY')).rejects.toThrow(`REGISTRATION_EVENT_SIGNING_KEY ${message}`);
    await expect(EventSigner.fromJwk(text, 'REGISTRATION_EVENT_SIGNING_KEY')).rejects.toBeInstanceOf(EventKeyError);
  });

  it('refuses a private key among the trusted public keys, and an empty set', async () => {
    await expect(EventKeyRing.fromJwks(JSON.stringify({ keys: [newJwk()] }), 'REGISTRATION_EVENT_PUBLIC_KEYS')).rejects.toThrow('REGISTRATION_EVENT_PUBLIC_KEYS must hold public keys only');
    await expect(EventKeyRing.fromJwks('{"keys":[]}', 'REGISTRATION_EVENT_PUBLIC_KEYS')).rejects.toThrow('at least one public key');
  });

  it('derives the same sandbox key for a producer every time, and different keys per producer', async () => {
    expect(sandboxEventSigningJwk('registration')).toEqual(sandboxEventSigningJwk('registration'));
    const registration = await EventSigner.fromJwk(sandboxEventSigningJwk('registration'));
    const authorization = await EventSigner.fromJwk(sandboxEventSigningJwk('authorization'));
    expect(registration.kid).not.toEqual(authorization.kid);
    const ring = await EventKeyRing.fromJwks([registration.publicJwk]);
    expect(await ring.verify(TOPIC, 'k', value, await authorization.sign(TOPIC, 'k', value))).toMatchObject({ ok: false });
  });

  it('writes canonical JSON with sorted keys at every level', () => {
    expect(canonicalJson({ b: [{ d: 1, c: null }], a: 'é\u0000', u: undefined })).toBe('{"a":"é\\u0000","b":[{"c":null,"d":1}]}');
  });
});
