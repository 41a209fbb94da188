import { IsInt, Max, Min } from 'class-validator';
import { ConfigValidationError, ConfigVariable, PlatformConfig, configVariables, loadConfig } from './index';

class ServiceConfig extends PlatformConfig {
  @ConfigVariable({ description: 'HTTP port.' })
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 3001;

  @ConfigVariable({ description: 'Signing secret.', sensitive: true })
  @IsInt()
  SECRET_NUMBER: number = 1;
}

describe(loadConfig.name, () => {
  it('uses the defaults when nothing is set', () => {
    const config = loadConfig(ServiceConfig, {});
    expect(config).toMatchObject({ PROFILE: 'sandbox', PORT: 3001, LOG_LEVEL: 'info', MIGRATE_ON_START: 'true' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config).toBeInstanceOf(ServiceConfig);
  });

  it('converts and keeps valid values', () => {
    const config = loadConfig(ServiceConfig, {
      PORT: '8080',
      PROFILE: 'production',
      DATABASE_URL: 'postgres://user:pw@db:5432/app',
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
    });
    expect(config.PORT).toBe(8080);
    expect(config.PROFILE).toBe('production');
    expect(config.KAFKA_BROKERS).toBe('kafka-1:9092, kafka-2:9092');
  });

  it('treats blank values as unset', () => {
    expect(loadConfig(ServiceConfig, { PORT: '  ', DATABASE_URL: '' }).PORT).toBe(3001);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be an integer number (got "eighty")'],
    [{ PORT: '70000' }, 'PORT must not be greater than 65535 (got "70000")'],
    [{ PROFILE: 'staging' }, 'PROFILE must be one of the following values: sandbox, production (got "staging")'],
    [{ KAFKA_BROKERS: 'kafka' }, 'KAFKA_BROKERS must be a comma-separated list of host:port (got "kafka")'],
  ])('names the variable and the value it rejects: %p', (env, message) => {
    expect(() => loadConfig(ServiceConfig, env)).toThrow(new ConfigValidationError([message]));
  });

  it('never prints a sensitive value back', () => {
    const run = () => loadConfig(ServiceConfig, { DATABASE_URL: 'mysql://root:hunter2@db/app', SECRET_NUMBER: 'hunter2' });
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
