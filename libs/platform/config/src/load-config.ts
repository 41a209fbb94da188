import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { configVariables } from './config-variable.decorator';

/** Raised when the environment does not satisfy a configuration class; its message is one line per problem. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigValidationError';
  }
}

/**
 * Reads the variables a configuration class documents from `env`, converts and validates them.
 * Defaults are the class's property initialisers; an empty string counts as unset.
 * Properties need an explicit type annotation (`PORT: number = 3001`) for the conversion to apply.
 */
export function loadConfig<T extends object>(schema: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const variables = configVariables(schema);
  const raw: Record<string, string> = {};
  for (const { name } of variables) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') raw[name] = value.trim();
  }
  const config = plainToInstance(schema, raw, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(config, { skipMissingProperties: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    const sensitive = new Set(variables.filter((variable) => variable.sensitive).map((variable) => variable.name));
    throw new ConfigValidationError(errors.map((error) => describe(error, raw, sensitive)).sort());
  }
  return config;
}

function describe(error: ValidationError, raw: Record<string, string>, sensitive: Set<string>): string {
  const name = error.property;
  // Decorators register bottom-up, so the last constraint is the one written first: the type
  // check by convention. Once that fails, the range checks below it only add noise.
  const messages = Object.values(error.constraints ?? {});
  const message = (messages.at(-1) ?? 'is invalid').replace(new RegExp(`^${name} `), '');
  if (!(name in raw)) return `${name} is required (${message})`;
  const shown = sensitive.has(name) ? '' : ` (got "${raw[name]}")`;
  return `${name} ${message}${shown}`;
}

/**
 * Loads configuration for a process entry point: on failure prints the one-line reason
 * and exits, so a misconfigured service never starts half-way.
 */
export function loadConfigOrExit<T extends object>(schema: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
