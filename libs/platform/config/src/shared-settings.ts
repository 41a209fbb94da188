import { IsString, Matches } from 'class-validator';
import { ConfigVariable } from './config-variable.decorator';
import { RequiredInProduction } from './required-in-production.decorator';

/**
 * Settings that two services (not all of them, so not PlatformConfig) read with one meaning and
 * one value. Each service declares the property; its documentation and validation come from here,
 * so the services can never accept different values for the same key.
 */
function decorate(...decorators: PropertyDecorator[]): PropertyDecorator {
  // Applied bottom-up, as TypeScript applies decorators written above a property.
  return (target, propertyKey) => decorators.reduceRight<void>((_, decorator) => decorator(target, propertyKey), undefined);
}

/** `REGISTRATION_EVENT_PUBLIC_KEYS`, read by authorization and fhir, which consume registration's client events. */
export function RegistrationEventPublicKeys(): PropertyDecorator {
  return decorate(
    ConfigVariable({
      description:
        'Public JWK Set (JSON) of the registration service\'s event signing keys: only events of registration.client.changed.v1 signed by one of them are applied. List the new key and the old one while rotating. Required in production; the sandbox derives them when unset.',
      example: '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"..."}]}',
    }),
    RequiredInProduction({ events: true }),
    IsString(),
  );
}

/** `CLIENT_SECRET_SEALING_KEY`, the key registration and authorization alone share. */
export function ClientSecretSealingKey(): PropertyDecorator {
  return decorate(
    ConfigVariable({
      description:
        'Key (32 random bytes, base64url) that registration and authorization alone share: client secret hashes travel encrypted with it (JWE), so nothing on the event topic lets anyone test a guessed secret. Required in production; the sandbox derives a fixed, public key when unset.',
      sensitive: true,
      example: 'base64url-of-32-random-bytes-generated-with-openssl-rand',
    }),
    RequiredInProduction(),
    IsString(),
    Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'must be 32 bytes in base64url (43 characters)' }),
  );
}
