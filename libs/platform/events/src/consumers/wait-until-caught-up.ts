import type { CatchUpOptions, Subscription } from '../event-bus';

/**
 * Resolves when every subscription has handled what its topic held when it started
 * (`Subscription.isCaughtUp`), e.g. before a service reports ready.
 */
export async function waitUntilCaughtUp(subscriptions: Subscription | readonly Subscription[], options: CatchUpOptions = {}): Promise<void> {
  const list = Array.isArray(subscriptions) ? subscriptions : [subscriptions as Subscription];
  await Promise.all(list.map((subscription) => subscription.waitUntilCaughtUp(options)));
}

/** A readiness check (`ReadinessRegistry.register(name, check)`) that is up once the subscriptions caught up. */
export function caughtUpCheck(...subscriptions: Subscription[]): () => Promise<boolean> {
  return async () => subscriptions.every((subscription) => subscription.isCaughtUp());
}
