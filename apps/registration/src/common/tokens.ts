/** Injection tokens shared across the registration modules. */
export const REGISTRATION_CONFIG = Symbol('REGISTRATION_CONFIG');
export const CLOCK = Symbol('CLOCK');

/** The time source; tests substitute a fixed one to move the review clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
