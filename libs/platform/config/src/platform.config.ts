import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min, ValidateIf } from 'class-validator';
import { ConfigVariable } from './config-variable.decorator';
import { RequiredInProduction } from './required-in-production.decorator';
import { IsBrokerList, IsPostgresUrl } from './validators';

export const PROFILES = ['sandbox', 'production'] as const;
export type Profile = (typeof PROFILES)[number];

export const KAFKA_SASL_MECHANISMS = ['scram-sha-512', 'scram-sha-256'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** Settings every service shares; each service's configuration extends it. */
export class PlatformConfig {
  @ConfigVariable({
    description:
      'production (the default): every secret must be set, and a service refuses to start without them. sandbox (what `npm start` asks for): synthetic data, the seeded demo client and members with published credentials, relaxed PKCE (plain allowed), mail to the log.',
    example: 'production',
  })
  @IsIn(PROFILES)
  PROFILE: Profile = 'production';

  @ConfigVariable({
    description: 'PostgreSQL connection URL. Each service keeps its tables in its own schema. Required in production; unset with `npm start`: an embedded PostgreSQL is started.',
    sensitive: true,
    example: 'postgres://payer_access:change-me@postgres:5432/payer_access',
  })
  @RequiredInProduction()
  @IsPostgresUrl()
  DATABASE_URL?: string;

  @ConfigVariable({
    description: 'Kafka bootstrap brokers, comma-separated host:port. Unset: a durable event log in DATABASE_URL (schema event_log), for one process only.',
    example: 'kafka:9092',
  })
  @IsOptional()
  @IsBrokerList()
  KAFKA_BROKERS?: string;

  @ConfigVariable({
    description:
      'SASL mechanism this service authenticates to Kafka with: scram-sha-512 or scram-sha-256. Unset: no authentication, which the production profile refuses when KAFKA_BROKERS is set (the broker\'s ACLs decide which service may write which topic).',
    example: 'scram-sha-512',
  })
  @ValidateIf((config: PlatformConfig) => config.KAFKA_SASL_MECHANISM !== undefined || (config.PROFILE === 'production' && !!config.KAFKA_BROKERS))
  @IsIn(KAFKA_SASL_MECHANISMS)
  KAFKA_SASL_MECHANISM?: KafkaSaslMechanism;

  @ConfigVariable({ description: 'Kafka SASL user name of this service (its ACL principal). Required with KAFKA_SASL_MECHANISM.', example: 'registration' })
  @ValidateIf((config: PlatformConfig) => config.KAFKA_SASL_MECHANISM !== undefined)
  @IsString()
  @Length(1, 255)
  @Matches(/^[\x21-\x7e]+$/, { message: 'must be printable ASCII without spaces' })
  KAFKA_USERNAME?: string;

  @ConfigVariable({ description: 'Kafka SASL password of this service. Required with KAFKA_SASL_MECHANISM.', sensitive: true, example: 'change-me' })
  @ValidateIf((config: PlatformConfig) => config.KAFKA_SASL_MECHANISM !== undefined)
  @IsString()
  @Length(1, 1024)
  KAFKA_PASSWORD?: string;

  @ConfigVariable({ description: 'Connect to Kafka over TLS (true with a SASL_SSL listener).', example: 'false' })
  @IsString()
  @IsIn(['true', 'false'])
  KAFKA_SSL: 'true' | 'false' = 'false';

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
      "Bounded staleness: how old the fhir and authorization services' view of client statuses may be (from registration's last heartbeat they applied) before they refuse tokens with 503 and report not ready. A suspension takes effect everywhere at most this long after it committed, whatever fails in between; the price is that a broker or registration outage longer than this stops data access. Keep it well above CLIENT_STATUS_HEARTBEAT_INTERVAL_SECONDS. 0 turns the check off (a service tested alone, without registration); never in production.",
    example: '60',
  })
  @IsInt()
  @Min(0)
  @Max(86_400)
  CLIENT_STATUS_MAX_STALENESS_SECONDS: number = 60;

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

/** How a service authenticates to Kafka, in the shape the events library takes. */
export interface KafkaClientSecurity {
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
  ssl: boolean;
}

export function kafkaClientSecurity(config: PlatformConfig): KafkaClientSecurity {
  const ssl = config.KAFKA_SSL === 'true';
  if (!config.KAFKA_SASL_MECHANISM) return { ssl };
  return { ssl, sasl: { mechanism: config.KAFKA_SASL_MECHANISM, username: config.KAFKA_USERNAME ?? '', password: config.KAFKA_PASSWORD ?? '' } };
}

/** The HSTS max-age a configuration asks for; 0 sends no header. */
export function hstsMaxAge(config: Pick<PlatformConfig, 'PROFILE' | 'HSTS_MAX_AGE_SECONDS'>): number {
  return config.HSTS_MAX_AGE_SECONDS ?? (config.PROFILE === 'production' ? 31_536_000 : 0);
}

/** What a `<SERVICE>_METRICS_PORT` variable accepts: a port number or `off`. */
export const METRICS_PORT_PATTERN = /^(off|[0-9]{1,5})$/;
