import 'reflect-metadata';

export interface ConfigVariableMetadata {
  /** The environment variable name; the property is named after it. */
  name: string;
  description: string;
  /** Never printed back, not even in validation messages. */
  sensitive?: boolean;
  /** What `.env.example` shows. */
  example?: string;
}

const VARIABLES = Symbol('payer-access:config-variables');

/** Documents one environment variable of a configuration class. */
export function ConfigVariable(metadata: Omit<ConfigVariableMetadata, 'name'>): PropertyDecorator {
  return (target, propertyKey) => {
    const list: ConfigVariableMetadata[] = Reflect.getMetadata(VARIABLES, target) ?? [];
    Reflect.defineMetadata(VARIABLES, [...list, { ...metadata, name: String(propertyKey) }], target);
  };
}

/** Every documented variable of a configuration class, including inherited ones. */
export function configVariables(schema: new () => object): ConfigVariableMetadata[] {
  const seen = new Map<string, ConfigVariableMetadata>();
  for (let proto = schema.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const own: ConfigVariableMetadata[] = Reflect.getOwnMetadata(VARIABLES, proto) ?? [];
    for (const variable of own) if (!seen.has(variable.name)) seen.set(variable.name, variable);
  }
  return [...seen.values()];
}
