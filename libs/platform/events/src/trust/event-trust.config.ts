import { GRANT_REVOKED_TOPIC, REPRESENTATIVE_RECORDED_TOPIC } from '@payer-access/client-status';
import type { EventBus } from '../event-bus';
import { TrustedEventBus, type EventTrustOptions } from './trusted-event-bus';
import { EventKeyError, EventKeyRing, EventSigner, sandboxEventSigningJwk } from './event-signature';

/** The producers of the platform's topics, whose sandbox keys are derived from these names. */
export type EventProducer = 'registration' | 'authorization';

export interface EventKeySetting {
  /** The configuration variable, named in errors. */
  variable: string;
  /** Its value; unset takes the sandbox key of `producer`, in the sandbox profile only. */
  value: string | undefined;
  producer: EventProducer;
}

export interface EventTrustSettings {
  profile: 'sandbox' | 'production';
  /** The service's own private key (a JWK), when it publishes. */
  signingKey?: EventKeySetting;
  /** Per topic it consumes, the producer's public keys (a JWK Set). */
  trustedKeys: Readonly<Record<string, EventKeySetting>>;
}

/**
 * Builds the signer and key rings of a service from its configuration. The sandbox profile falls
 * back to keys derived from the producers' names, which anyone can derive: fine for a sandbox, so
 * production refuses to start without keys of its own (one line naming the variable).
 */
export async function resolveEventTrust(settings: EventTrustSettings): Promise<Pick<EventTrustOptions, 'signer' | 'trustedKeys'>> {
  assertEventKeysConfigured(settings);
  let signer: EventSigner | undefined;
  if (settings.signingKey) {
    const setting = settings.signingKey;
    signer = await EventSigner.fromJwk(setting.value || sandboxEventSigningJwk(setting.producer), setting.variable);
  }
  const trustedKeys: Record<string, EventKeyRing> = {};
  for (const [topic, setting] of Object.entries(settings.trustedKeys)) {
    if (setting.value) trustedKeys[topic] = await EventKeyRing.fromJwks(setting.value, setting.variable);
    else trustedKeys[topic] = await EventKeyRing.fromJwks([(await EventSigner.fromJwk(sandboxEventSigningJwk(setting.producer))).publicJwk], setting.variable);
  }
  return { signer, trustedKeys };
}

/**
 * Throws (one line naming the variable) when production lacks a key: called while the service's
 * modules are assembled, so that it refuses to start before connecting to anything.
 */
export function assertEventKeysConfigured(settings: EventTrustSettings): void {
  if (settings.profile !== 'production') return;
  const missing = (setting: EventKeySetting, what: string) => new EventKeyError(`${setting.variable} is required in the production profile: ${what}`);
  if (settings.signingKey && !settings.signingKey.value) throw missing(settings.signingKey, `the private JWK (Ed25519 or P-256) that signs this service's events`);
  for (const [topic, setting] of Object.entries(settings.trustedKeys)) {
    if (!setting.value) throw missing(setting, `the public JWK Set of the ${setting.producer} service, which signs ${topic}`);
  }
}

/** The sandbox signer of a producer: what tests and the sandbox use to publish as registration or authorization. */
export function sandboxEventSigner(producer: EventProducer): Promise<EventSigner> {
  return EventSigner.fromJwk(sandboxEventSigningJwk(producer));
}

/**
 * A bus that publishes each platform topic signed by its producer's sandbox key, as registration
 * and authorization would in the sandbox; it subscribes unverified. For tests, the bench and
 * tools that stand in for a producer.
 */
export async function sandboxProducers(inner: EventBus): Promise<EventBus> {
  const registration = new TrustedEventBus(inner, { signer: await sandboxEventSigner('registration'), trustedKeys: {} });
  const authorization = new TrustedEventBus(inner, { signer: await sandboxEventSigner('authorization'), trustedKeys: {} });
  const authorizationTopics = new Set([GRANT_REVOKED_TOPIC, REPRESENTATIVE_RECORDED_TOPIC]);
  return {
    ensureTopics: (specs) => registration.ensureTopics(specs),
    publish: (topic, events) => (authorizationTopics.has(topic) ? authorization : registration).publish(topic, events),
    subscribe: (options) => inner.subscribe(options),
    start: () => inner.start(),
    stop: () => inner.stop(),
  };
}
