import { IsInt, IsString, Max, Min, MinLength } from 'class-validator';
import { ConfigValidationError, ConfigVariable, PlatformConfig, RequiredInProduction, configVariables, isRequiredForEventsOnly, isRequiredInProduction, kafkaClientSecurity, loadConfig } from './index';

class ServiceConfig extends PlatformConfig {
  @ConfigVariable({ description: 'HTTP port.' })
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 3001;

  @ConfigVariable({ description: 'Signing secret.', sensitive: true })
  @IsInt()
  SECRET_NUMBER: number = 1;

  @ConfigVariable({ description: 'A key the sandbox generates when unset.', sensitive: true })
  @RequiredInProduction()
  @IsString()
  @MinLength(16)
  API_KEY?: string;
}

class EventServiceConfig extends ServiceConfig {
  @ConfigVariable({ description: 'The key that signs this service\'s events.', sensitive: true })
  @RequiredInProduction({ events: true })
  @IsString()
  EVENT_SIGNING_KEY?: string;
}

describe(loadConfig.name, () => {
  it('uses the defaults when nothing but the sandbox is asked for', () => {
    const config = loadConfig(ServiceConfig, { PROFILE: 'sandbox' });
    expect(config).toMatchObject({ PROFILE: 'sandbox', PORT: 3001, LOG_LEVEL: 'info', MIGRATE_ON_START: 'true' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config).toBeInstanceOf(ServiceConfig);
  });

  it('is production unless the sandbox is asked for, and production names every setting it lacks', () => {
    expect(() => loadConfig(ServiceConfig, {})).toThrow(
      new ConfigValidationError([
        'API_KEY is required in the production profile',
        'DATABASE_URL is required in the production profile',
      ]),
    );
    expect(loadConfig(ServiceConfig, { DATABASE_URL: 'postgres://db/app', API_KEY: 'k'.repeat(16) }).PROFILE).toBe('production');
    expect(isRequiredInProduction(ServiceConfig, 'API_KEY')).toBe(true);
    expect(isRequiredInProduction(ServiceConfig, 'DATABASE_URL')).toBe(true);
    expect(isRequiredInProduction(ServiceConfig, 'PORT')).toBe(false);
  });

  it('takes an unknown profile for production, secrets included', () => {
    expect(() => loadConfig(ServiceConfig, { PROFILE: 'staging', DATABASE_URL: 'postgres://db/app' })).toThrow(
      new ConfigValidationError(['API_KEY is required in the production profile', 'PROFILE must be one of the following values: sandbox, production (got "staging")']),
    );
  });

  it('still validates a sandbox value that is given', () => {
    expect(() => loadConfig(ServiceConfig, { PROFILE: 'sandbox', API_KEY: 'short' })).toThrow(
      new ConfigValidationError(['API_KEY must be longer than or equal to 16 characters']),
    );
  });

  it('names an event key production lacks like any other secret, unless the process carries no events', () => {
    const production = { DATABASE_URL: 'postgres://db/app', API_KEY: 'k'.repeat(16) };
    expect(() => loadConfig(EventServiceConfig, production)).toThrow(new ConfigValidationError(['EVENT_SIGNING_KEY is required in the production profile']));
    expect(() => loadConfig(EventServiceConfig, { DATABASE_URL: 'postgres://db/app' }, { events: true })).toThrow(
      new ConfigValidationError(['API_KEY is required in the production profile', 'EVENT_SIGNING_KEY is required in the production profile']),
    );
    // A process without events (a loader, the migrate job) needs no event key, but still every other secret.
    expect(loadConfig(EventServiceConfig, production, { events: false }).EVENT_SIGNING_KEY).toBeUndefined();
    expect(() => loadConfig(EventServiceConfig, { DATABASE_URL: 'postgres://db/app' }, { events: false })).toThrow(
      new ConfigValidationError(['API_KEY is required in the production profile']),
    );
    expect(loadConfig(EventServiceConfig, { PROFILE: 'sandbox' }).EVENT_SIGNING_KEY).toBeUndefined();
    expect([isRequiredInProduction(EventServiceConfig, 'EVENT_SIGNING_KEY'), isRequiredForEventsOnly(EventServiceConfig, 'EVENT_SIGNING_KEY')]).toEqual([true, true]);
    expect([isRequiredInProduction(EventServiceConfig, 'API_KEY'), isRequiredForEventsOnly(EventServiceConfig, 'API_KEY')]).toEqual([true, false]);
  });

  it('prints one line per problem', () => {
    expect(new ConfigValidationError(['A is required', 'B is required']).message).toBe('Invalid configuration: A is required\nInvalid configuration: B is required');
  });

  it('converts and keeps valid values', () => {
    const config = loadConfig(ServiceConfig, {
      PORT: '8080',
      PROFILE: 'production',
      DATABASE_URL: 'postgres://user:pw@db:5432/app',
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_USERNAME: 'registration',
      KAFKA_PASSWORD: 'pw',
      API_KEY: 'a-key-of-16-chars',
    });
    expect(config.PORT).toBe(8080);
    expect(config.PROFILE).toBe('production');
    expect(config.KAFKA_BROKERS).toBe('kafka-1:9092, kafka-2:9092');
  });

  it('treats blank values as unset', () => {
    expect(loadConfig(ServiceConfig, { PROFILE: 'sandbox', PORT: '  ', DATABASE_URL: '' }).PORT).toBe(3001);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be an integer number (got "eighty")'],
    [{ PORT: '70000' }, 'PORT must not be greater than 65535 (got "70000")'],
    [{ KAFKA_BROKERS: 'kafka' }, 'KAFKA_BROKERS must be a comma-separated list of host:port (got "kafka")'],
  ])('names the variable and the value it rejects: %p', (env, message) => {
    expect(() => loadConfig(ServiceConfig, { PROFILE: 'sandbox', ...env })).toThrow(new ConfigValidationError([message]));
  });

  describe('Kafka authentication', () => {
    const production = { PROFILE: 'production', DATABASE_URL: 'postgres://user:pw@db:5432/app', API_KEY: 'a-key-of-16-chars' };

    it('passes the SASL settings on in the events library\'s shape', () => {
      const config = loadConfig(ServiceConfig, { PROFILE: 'sandbox', KAFKA_BROKERS: 'k:9092', KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_USERNAME: 'fhir', KAFKA_PASSWORD: 's3cret', KAFKA_SSL: 'true' });
      expect(kafkaClientSecurity(config)).toEqual({ ssl: true, sasl: { mechanism: 'scram-sha-256', username: 'fhir', password: 's3cret' } });
      expect(kafkaClientSecurity(loadConfig(ServiceConfig, { PROFILE: 'sandbox' }))).toEqual({ ssl: false });
    });

    it('refuses an unauthenticated Kafka client in production', () => {
      expect(() => loadConfig(ServiceConfig, { ...production, KAFKA_BROKERS: 'k:9092' })).toThrow(
        new ConfigValidationError(['KAFKA_SASL_MECHANISM is required (must be one of the following values: scram-sha-512, scram-sha-256)']),
      );
      // Without brokers there is no Kafka client to authenticate.
      expect(loadConfig(ServiceConfig, production).KAFKA_SASL_MECHANISM).toBeUndefined();
    });

    it.each([
      [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_USERNAME: 'u', KAFKA_PASSWORD: 'p' }, ['KAFKA_SASL_MECHANISM must be one of the following values: scram-sha-512, scram-sha-256 (got "plain")']],
      [{ KAFKA_SASL_MECHANISM: 'scram-sha-512' }, ['KAFKA_PASSWORD is required (must be a string)', 'KAFKA_USERNAME is required (must be a string)']],
      [{ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_USERNAME: 'a b', KAFKA_PASSWORD: 'p' }, ['KAFKA_USERNAME must be printable ASCII without spaces (got "a b")']],
      [{ KAFKA_SSL: 'yes' }, ['KAFKA_SSL must be one of the following values: true, false (got "yes")']],
    ])('rejects incomplete or unknown SASL settings: %p', (env, problems) => {
      expect(() => loadConfig(ServiceConfig, { PROFILE: 'sandbox', ...env })).toThrow(new ConfigValidationError(problems));
    });

    it('never prints the Kafka password back', () => {
      expect(() => loadConfig(ServiceConfig, { PROFILE: 'sandbox', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_USERNAME: 'u', KAFKA_PASSWORD: 'x'.repeat(2000) })).toThrow(
        new ConfigValidationError(['KAFKA_PASSWORD must be shorter than or equal to 1024 characters']),
      );
    });
  });

  it('never prints a sensitive value back', () => {
    const run = () => loadConfig(ServiceConfig, { PROFILE: 'sandbox', DATABASE_URL: 'mysql://root:hunter2@db/app', SECRET_NUMBER: 'hunter2' });
    expect(run).toThrow(ConfigValidationError);
    try {
      run();
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
      expect((error as ConfigValidationError).problems).toEqual([
        'DATABASE_URL must be a postgres:// or postgresql:// URL',
        'SECRET_NUMBER must be an integer number',
      ]);
    }
  });

  it('lists every documented variable, inherited ones included', () => {
    expect(configVariables(ServiceConfig).map((variable) => variable.name)).toEqual(
      expect.arrayContaining(['PROFILE', 'DATABASE_URL', 'KAFKA_BROKERS', 'LOG_LEVEL', 'MIGRATE_ON_START', 'PORT', 'SECRET_NUMBER']),
    );
  });
});
