import { IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';
import { ConfigVariable } from './config-variable.decorator';
import { METRICS_PORT_PATTERN } from './platform.config';
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

/** `<SERVICE>_PORT`: the HTTP port a process listens on (`subject`: "the fhir service"). */
export function ListenPort(subject: string, example: number): PropertyDecorator {
  return decorate(ConfigVariable({ description: `HTTP port of ${subject}.`, example: String(example) }), IsInt(), Min(0), Max(65535));
}

/** `<SERVICE>_HOST`: the interface a process listens on. */
export function ListenHost(subject: string): PropertyDecorator {
  return decorate(
    ConfigVariable({ description: `Interface ${subject} listens on.`, example: '0.0.0.0' }),
    IsUrl({ require_tld: false, require_protocol: false, allow_underscores: true }, { message: 'must be a host name or IP address' }),
  );
}

/** `<SERVICE>_METRICS_PORT`: where a service's Prometheus metrics listen, off its public port (`portVariable`). */
export function MetricsPort(subject: string, portVariable: string, example: number): PropertyDecorator {
  return decorate(
    ConfigVariable({
      description: `Port of ${subject}'s Prometheus metrics (GET /metrics), kept off the public port. Unset: ${portVariable} + 1000. off: no metrics listener.`,
      example: String(example),
    }),
    IsOptional(),
    Matches(METRICS_PORT_PATTERN, { message: 'must be a port number or off' }),
  );
}
