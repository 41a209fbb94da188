import 'reflect-metadata';
import { ValidateIf } from 'class-validator';

const REQUIRED_IN_PRODUCTION = Symbol('payer-access:required-in-production');

/**
 * A setting the sandbox may leave unset (it falls back to a generated or published value) but the
 * production profile must be given: unset in production, validation fails and names it, so a
 * service never comes up with a published credential or a key that changes on every restart.
 * Replaces `@IsOptional()`; the validators below it apply whenever a value is given.
 */
export function RequiredInProduction(): PropertyDecorator {
  return (target, propertyKey) => {
    const names: string[] = Reflect.getMetadata(REQUIRED_IN_PRODUCTION, target) ?? [];
    Reflect.defineMetadata(REQUIRED_IN_PRODUCTION, [...names, String(propertyKey)], target);
    ValidateIf((config: { PROFILE?: string }, value: unknown) => value !== undefined || config.PROFILE !== 'sandbox')(target, propertyKey);
  };
}

/** True when `name` is declared `@RequiredInProduction()` on the configuration class or a parent. */
export function isRequiredInProduction(schema: new () => object, name: string): boolean {
  for (let proto = schema.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const names: string[] = Reflect.getOwnMetadata(REQUIRED_IN_PRODUCTION, proto) ?? [];
    if (names.includes(name)) return true;
  }
  return false;
}
