import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { ConfigVariable } from './config-variable.decorator';
import { IsBrokerList, IsPostgresUrl } from './validators';

export const PROFILES = ['sandbox', 'production'] as const;
export type Profile = (typeof PROFILES)[number];

/** Settings every service shares; each service's configuration extends it. */
export class PlatformConfig {
  @ConfigVariable({
    description: 'sandbox: synthetic data, seeded demo client, relaxed PKCE (plain allowed), mail to the log. production: none of these.',
    example: 'production',
  })
  @IsIn(PROFILES)
  PROFILE: Profile = 'sandbox';

  @ConfigVariable({
    description: 'PostgreSQL connection URL. Each service keeps its tables in its own schema. Unset with `npm start`: an embedded PostgreSQL is started.',
    sensitive: true,
    example: 'postgres://payer_access:change-me@postgres:5432/payer_access',
  })
  @IsOptional()
  @IsPostgresUrl()
  DATABASE_URL?: string;

  @ConfigVariable({
    description: 'Kafka bootstrap brokers, comma-separated host:port. Unset: an in-process event bus (one-process sandbox only).',
    example: 'kafka:9092',
  })
  @IsOptional()
  @IsBrokerList()
  KAFKA_BROKERS?: string;

  @ConfigVariable({ description: 'Log level: fatal, error, warn, info, debug or trace.', example: 'info' })
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
  LOG_LEVEL: string = 'info';

  @ConfigVariable({ description: 'Apply pending database migrations when a service starts (a one-shot migration job is the production alternative).', example: 'false' })
  @IsIn(['true', 'false'])
  @IsString()
  MIGRATE_ON_START: 'true' | 'false' = 'true';

  @ConfigVariable({
    description:
      'Reverse proxies in front of the services whose X-Forwarded-For is trusted (Express "trust proxy" hop count). 0: the socket address is the client, which behind a proxy would make every client share one login-failure counter.',
    example: '1',
  })
  @IsInt()
  @Min(0)
  @Max(10)
  TRUST_PROXY_HOPS: number = 0;

  @ConfigVariable({
    description:
      'Strict-Transport-Security max-age in seconds on every response. Unset: one year in the production profile (served over HTTPS), none in the sandbox profile (plain HTTP on localhost). 0: never sent.',
    example: '31536000',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(63072000)
  HSTS_MAX_AGE_SECONDS?: number;
}

/** The HSTS max-age a configuration asks for; 0 sends no header. */
export function hstsMaxAge(config: Pick<PlatformConfig, 'PROFILE' | 'HSTS_MAX_AGE_SECONDS'>): number {
  return config.HSTS_MAX_AGE_SECONDS ?? (config.PROFILE === 'production' ? 31_536_000 : 0);
}

/** What a `<SERVICE>_METRICS_PORT` variable accepts: a port number or `off`. */
export const METRICS_PORT_PATTERN = /^(off|[0-9]{1,5})$/;
