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
      'Lifetime of an access token in seconds. The authorization service issues tokens this long; every service keeps revocations on the bus at least this long.',
    example: '3600',
  })
  @IsInt()
  @Min(60)
  @Max(86400)
  ACCESS_TOKEN_TTL_SECONDS: number = 3600;

  @ConfigVariable({
    description:
      'Reverse proxies in front of the services whose X-Forwarded-For is trusted (Express "trust proxy" hop count). 0: the socket address is the client, which behind a proxy would make every client share one login-failure counter.',
    example: '1',
  })
  @IsInt()
  @Min(0)
  @Max(10)
  TRUST_PROXY_HOPS: number = 0;
}
