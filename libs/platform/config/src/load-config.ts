import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { configVariables } from './config-variable.decorator';
import { isRequiredForEventsOnly, isRequiredInProduction } from './required-in-production.decorator';

/** Raised when the environment does not satisfy a configuration class; its message is one line per problem. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.map((problem) => `Invalid configuration: ${problem}`).join('\n'));
    this.name = 'ConfigValidationError';
  }
}

/**
 * Reads the variables a configuration class documents from `env`, converts and validates them.
 * Defaults are the class's property initialisers; an empty string counts as unset.
 * Properties need an explicit type annotation (`PORT: number = 3001`) for the conversion to apply.
 */
export function loadConfig<T extends object>(schema: new () => T, env: NodeJS.ProcessEnv = process.env, requirements: StandaloneRequirements = {}): T {
  const variables = configVariables(schema);
  const raw: Record<string, string> = {};
  for (const { name } of variables) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') raw[name] = value.trim();
  }
  const config = plainToInstance(schema, raw, { enableImplicitConversion: true, exposeDefaultValues: true });
  // A process without events may leave unset what only events need (`@RequiredInProduction({ events: true })`).
  const errors = validateSync(config, { skipMissingProperties: false, forbidUnknownValues: false }).filter(
    (error) => requirements.events !== false || error.property in raw || !isRequiredForEventsOnly(schema, error.property),
  );
  if (errors.length > 0) {
    const sensitive = new Set(variables.filter((variable) => variable.sensitive).map((variable) => variable.name));
    throw new ConfigValidationError(errors.map((error) => describe(schema, error, raw, sensitive)).sort());
  }
  return config;
}

function describe(schema: new () => object, error: ValidationError, raw: Record<string, string>, sensitive: Set<string>): string {
  const name = error.property;
  // Decorators register bottom-up, so the last constraint is the one written first: the type
  // check by convention. Once that fails, the range checks below it only add noise.
  const messages = Object.values(error.constraints ?? {});
  const message = (messages.at(-1) ?? 'is invalid').replace(new RegExp(`^${name} `), '');
  if (!(name in raw)) return isRequiredInProduction(schema, name) ? `${name} is required in the production profile` : `${name} is required (${message})`;
  const shown = sensitive.has(name) ? '' : ` (got "${raw[name]}")`;
  return `${name} ${message}${shown}`;
}

/**
 * Loads configuration for a process entry point: on failure prints one line per problem and
 * exits, so a misconfigured service never starts half-way.
 */
export function loadConfigOrExit<T extends object>(schema: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigValidationError) exitWithProblems(error.problems);
    throw error;
  }
}

export interface StandaloneRequirements {
  /**
   * Whether the process publishes or consumes events, so that production needs KAFKA_BROKERS and
   * the settings declared `@RequiredInProduction({ events: true })` (default: true).
   */
  events?: boolean;
}

/**
 * The problems of a service started as a process of its own, on top of its configuration class's:
 * it always needs an explicit database (only `npm start` provides an embedded one), and in
 * production its events must reach the other services' processes, which only Kafka does.
 */
export function standaloneProblems(env: NodeJS.ProcessEnv, requirements: StandaloneRequirements = {}): string[] {
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  const production = (env.PROFILE ?? '').trim() !== 'sandbox';
  const problems: string[] = [];
  if (!set('DATABASE_URL')) problems.push('DATABASE_URL is required (only `npm start` provides an embedded PostgreSQL)');
  if (production && (requirements.events ?? true) && !set('KAFKA_BROKERS')) {
    problems.push('KAFKA_BROKERS is required in the production profile (client events must reach the other services)');
  }
  return problems;
}

/**
 * `loadConfigOrExit` for a service's own process: every problem, those of the configuration
 * class and those of running alone, is printed on a line of its own before the process exits.
 */
export function loadStandaloneConfigOrExit<T extends object & { DATABASE_URL?: string }>(
  schema: new () => T,
  requirements: StandaloneRequirements = {},
  env: NodeJS.ProcessEnv = process.env,
): T & { DATABASE_URL: string } {
  const problems = standaloneProblems(env, requirements);
  let config: T | undefined;
  try {
    config = loadConfig(schema, env, requirements);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    // The class's own line about DATABASE_URL says the same as ours; keep one.
    problems.push(...error.problems.filter((problem) => !(problem.startsWith('DATABASE_URL is required') && problems.some((own) => own.startsWith('DATABASE_URL')))));
  }
  if (problems.length > 0 || !config) exitWithProblems(problems.sort());
  return config as T & { DATABASE_URL: string };
}

function exitWithProblems(problems: string[]): never {
  process.stderr.write(`${new ConfigValidationError(problems).message}\n`);
  process.exit(78); // EX_CONFIG
}
