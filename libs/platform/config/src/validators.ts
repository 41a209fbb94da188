import { registerDecorator, type ValidationOptions } from 'class-validator';

/** A comma-separated list of `host:port` pairs, as Kafka clients take them. */
export function IsBrokerList(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyKey) =>
    registerDecorator({
      name: 'isBrokerList',
      target: target.constructor,
      propertyName: String(propertyKey),
      options: { message: 'must be a comma-separated list of host:port', ...options },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          value.split(',').every((broker) => /^[A-Za-z0-9.-]+:\d{1,5}$/.test(broker.trim())),
      },
    });
}

/** A PostgreSQL connection URL. */
export function IsPostgresUrl(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyKey) =>
    registerDecorator({
      name: 'isPostgresUrl',
      target: target.constructor,
      propertyName: String(propertyKey),
      options: { message: 'must be a postgres:// or postgresql:// URL', ...options },
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          try {
            const url = new URL(value);
            return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
          } catch {
            return false;
          }
        },
      },
    });
}

/** Splits a comma-separated broker list. */
export function brokerList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
}
