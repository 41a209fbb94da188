// Signs a SMART Backend Services client assertion (RFC 7523) for the sandbox demo payer.
// Usage: node tools/sandbox/demo-payer/sign-assertion.mjs [token endpoint URL]
// The private key beside this script is published on purpose: it is accepted by the sandbox
// profile's demo payer only, never by a production deployment.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { importJWK, SignJWT } from 'jose';

const CLIENT_ID = 'SbxDemoPayer00000001';
const tokenEndpoint = process.argv[2] ?? 'http://localhost:3002/fhirmember/sps/oauth/oauth20/token';
const jwk = JSON.parse(readFileSync(new URL('./private-key.jwk.json', import.meta.url), 'utf8'));
const key = await importJWK(jwk, 'ES384');

// Five minutes is the longest an assertion may live; a fresh jti each time, since each is single-use.
const assertion = await new SignJWT({})
  .setProtectedHeader({ alg: 'ES384', kid: jwk.kid, typ: 'JWT' })
  .setIssuer(CLIENT_ID)
  .setSubject(CLIENT_ID)
  .setAudience(tokenEndpoint)
  .setJti(randomUUID())
  .setExpirationTime('4m')
  .sign(key);
process.stdout.write(`${assertion}\n`);
