import 'reflect-metadata';
import { ValidateIf } from 'class-validator';

const REQUIRED_IN_PRODUCTION = Symbol('payer-access:required-in-production');

export interface RequiredInProductionOptions {
  /**
   * Only a process that publishes or consumes events needs it (an event signing or public key):
   * one loaded with `{ events: false }` (the NDJSON loader, the migrate job) may leave it unset.
   */
  events?: boolean;
}

interface Requirement {
  name: string;
  events: boolean;
}

/**
 * A setting the sandbox may leave unset (it falls back to a generated or published value) but the
 * production profile must be given: unset in production, validation fails and names it, so a
 * service never comes up with a published credential or a key that changes on every restart.
 * Replaces `@IsOptional()`; the validators below it apply whenever a value is given.
 */
export function RequiredInProduction(options: RequiredInProductionOptions = {}): PropertyDecorator {
  return (target, propertyKey) => {
    const requirements: Requirement[] = Reflect.getMetadata(REQUIRED_IN_PRODUCTION, target) ?? [];
    Reflect.defineMetadata(REQUIRED_IN_PRODUCTION, [...requirements, { name: String(propertyKey), events: options.events ?? false }], target);
    ValidateIf((config: { PROFILE?: string }, value: unknown) => value !== undefined || config.PROFILE !== 'sandbox')(target, propertyKey);
  };
}

function requirementOf(schema: new () => object, name: string): Requirement | undefined {
  for (let proto = schema.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const requirements: Requirement[] = Reflect.getOwnMetadata(REQUIRED_IN_PRODUCTION, proto) ?? [];
    const found = requirements.find((requirement) => requirement.name === name);
    if (found) return found;
  }
  return undefined;
}

/** True when `name` is declared `@RequiredInProduction()` on the configuration class or a parent. */
export function isRequiredInProduction(schema: new () => object, name: string): boolean {
  return requirementOf(schema, name) !== undefined;
}

/** True when `name` is required in production only of a process that publishes or consumes events. */
export function isRequiredForEventsOnly(schema: new () => object, name: string): boolean {
  return requirementOf(schema, name)?.events === true;
}
