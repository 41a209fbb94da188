import { ClientSecretSealingKey, ConfigVariable, ListenHost, ListenPort, MetricsPort, PlatformConfig, RegistrationEventPublicKeys, RequiredInProduction } from '@payer-access/config';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';

const PATH = /^\/[A-Za-z0-9/_.~-]*$/;

export class AuthorizationConfig extends PlatformConfig {
  @ListenPort('the authorization service', 3002)
  AUTHORIZATION_PORT: number = 3002;

  @ListenHost('the authorization service')
  AUTHORIZATION_HOST: string = '0.0.0.0';

  @ConfigVariable({
    description:
      'Worker processes (node:cluster) sharing the port: one event loop per core. 1 runs in one process. ' +
      'Size it to the cores the service may use (see docs/architecture.md, Scaling); each worker is an instance with its own database connection pool.',
    example: '2',
  })
  @IsInt()
  @Min(1)
  @Max(64)
  AUTHORIZATION_WORKERS: number = 1;

  @MetricsPort('the authorization service', 'AUTHORIZATION_PORT', 4002)
  AUTHORIZATION_METRICS_PORT?: string;

  @ConfigVariable({ description: 'Public base URL of the authorization service, as clients reach it; the OpenID issuer.', example: 'https://authorization.plan.example' })
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  AUTHORIZATION_PUBLIC_URL: string = 'http://localhost:3002';

  @ConfigVariable({ description: 'Public base URL of the FHIR service; with FHIR_BASE_PATH it is the audience of access tokens.', example: 'https://fhir.plan.example' })
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  FHIR_PUBLIC_URL: string = 'http://localhost:3003';

  @ConfigVariable({ description: 'Path of the FHIR Patient Access base under FHIR_PUBLIC_URL.', example: '/fhir/sb/R4/patientaccess' })
  @IsString()
  @Matches(PATH)
  FHIR_BASE_PATH: string = '/fhir/sb/R4/patientaccess';

  @ConfigVariable({ description: 'Public base URL of the registration service (linked from member pages).', example: 'https://registration.plan.example' })
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  REGISTRATION_PUBLIC_URL: string = 'http://localhost:3001';

  @ConfigVariable({ description: 'Path of the authorization endpoint (seed 002).', example: '/fhirmember/sps/oauth/oauth20/authorize' })
  @IsString()
  @Matches(PATH)
  AUTHORIZE_PATH: string = '/fhirmember/sps/oauth/oauth20/authorize';

  @ConfigVariable({ description: 'Path of the token endpoint (seed 002).', example: '/fhirmember/sps/oauth/oauth20/token' })
  @IsString()
  @Matches(PATH)
  TOKEN_PATH: string = '/fhirmember/sps/oauth/oauth20/token';

  @ConfigVariable({ description: 'Accept PKCE `plain` (never advertised). Unset: true in the sandbox profile, false in production.', example: 'false' })
  @IsOptional()
  @IsIn(['true', 'false'])
  PKCE_ALLOW_PLAIN?: 'true' | 'false';

  @ConfigVariable({ description: 'Issue a refresh token without offline_access (seed 002 does). Unset: true in the sandbox profile, false in production.', example: 'false' })
  @IsOptional()
  @IsIn(['true', 'false'])
  REFRESH_TOKEN_WITHOUT_OFFLINE_ACCESS?: 'true' | 'false';

  @ConfigVariable({ description: 'Lifetime of an authorization code in seconds (seed 002: one hour).', example: '3600' })
  @IsInt()
  @Min(10)
  @Max(86400)
  AUTHORIZATION_CODE_TTL_SECONDS: number = 3600;

  @ConfigVariable({ description: 'Lifetime of a refresh token in seconds.', example: '7776000' })
  @IsInt()
  @Min(300)
  REFRESH_TOKEN_TTL_SECONDS: number = 90 * 24 * 3600;

  @ConfigVariable({ description: 'Days a signing key signs before the next one takes over; the old one stays published for one token lifetime more.', example: '30' })
  @IsInt()
  @Min(1)
  SIGNING_KEY_ROTATION_DAYS: number = 30;

  @ConfigVariable({
    description: 'Comma-separated secrets that sign the member session cookies, newest first. Required in production; unset in the sandbox: generated at start (sessions then end with a restart).',
    sensitive: true,
    example: 'a-long-random-string,an-older-one',
  })
  @RequiredInProduction()
  @IsString()
  @MinLength(32)
  COOKIE_KEYS?: string;

  @ConfigVariable({
    description:
      'Key-encryption key of the token signing keys stored in the database: 32 random bytes, base64url (`openssl rand 32 | basenc --base64url | tr -d =`). Comma-separated to rotate: the first seals, every one listed opens. Required in production; the sandbox uses a fixed development key.',
    sensitive: true,
    example: 'replace-with-32-random-bytes-base64url',
  })
  @RequiredInProduction()
  @Matches(/^\s*[A-Za-z0-9_-]{43}\s*(,\s*[A-Za-z0-9_-]{43}\s*)*$/, { message: 'must be one or more comma-separated keys of 32 bytes in base64url (43 characters)' })
  SIGNING_KEY_ENCRYPTION_KEY?: string;

  @ConfigVariable({
    description:
      'Private JWK (Ed25519 or P-256, JSON) with which this service signs the events it publishes; fhir verifies them with its public part. Required in production; the sandbox derives a fixed, public key when unset.',
    sensitive: true,
    example: '{"kty":"OKP","crv":"Ed25519","x":"...","d":"..."}',
  })
  @RequiredInProduction({ events: true })
  @IsString()
  AUTHORIZATION_EVENT_SIGNING_KEY?: string;

  @RegistrationEventPublicKeys()
  REGISTRATION_EVENT_PUBLIC_KEYS?: string;

  @ClientSecretSealingKey()
  CLIENT_SECRET_SEALING_KEY?: string;

  @ConfigVariable({ description: 'Failed logins per user name within LOGIN_FAILURE_WINDOW_SECONDS before further attempts are refused for that window.', example: '5' })
  @IsInt()
  @Min(1)
  LOGIN_MAX_FAILURES: number = 5;

  @ConfigVariable({
    description: 'Failed member logins per client address (any user names) within LOGIN_FAILURE_WINDOW_SECONDS before further attempts from it are refused for that window.',
    example: '20',
  })
  @IsInt()
  @Min(1)
  LOGIN_MAX_FAILURES_PER_ADDRESS: number = 20;

  @ConfigVariable({ description: 'Window, in seconds, over which failed logins are counted.', example: '900' })
  @IsInt()
  @Min(1)
  LOGIN_FAILURE_WINDOW_SECONDS: number = 900;

  @ConfigVariable({
    description: 'Distinct wrong secrets a client may be sent within CLIENT_SECRET_FAILURE_WINDOW_SECONDS before further unknown secrets for it are refused without being hashed (a secret verified recently still passes).',
    example: '20',
  })
  @IsInt()
  @Min(1)
  CLIENT_SECRET_MAX_FAILURES: number = 20;

  @ConfigVariable({ description: 'Window, in seconds, over which wrong client secrets are counted per client.', example: '60' })
  @IsInt()
  @Min(1)
  CLIENT_SECRET_FAILURE_WINDOW_SECONDS: number = 60;

  @ConfigVariable({
    description: 'Requests per client_id to each of the token, introspection and revocation endpoints within TOKEN_RATE_LIMIT_WINDOW_SECONDS, per instance; more get 429 with Retry-After.',
    example: '1200',
  })
  @IsInt()
  @Min(1)
  TOKEN_RATE_LIMIT_PER_CLIENT: number = 1200;

  @ConfigVariable({
    description: 'Requests per client address to each of the token, introspection and revocation endpoints within TOKEN_RATE_LIMIT_WINDOW_SECONDS, per instance; more get 429 with Retry-After.',
    example: '600',
  })
  @IsInt()
  @Min(1)
  TOKEN_RATE_LIMIT_PER_ADDRESS: number = 600;

  @ConfigVariable({ description: 'Window, in seconds, of the token, introspection and revocation rate limits.', example: '60' })
  @IsInt()
  @Min(1)
  TOKEN_RATE_LIMIT_WINDOW_SECONDS: number = 60;

  @ConfigVariable({
    description:
      'The FHIR service\'s audit reader credential (its SHA-256 is the FHIR service\'s AUDIT_READER_TOKEN_SHA256): the connected-apps page asks the FHIR AuditEvent search which apps read the member\'s data. Unset: the page shows no access history.',
    sensitive: true,
    example: 'a-long-random-string',
  })
  @IsOptional()
  @IsString()
  @MinLength(32)
  FHIR_AUDIT_READER_TOKEN?: string;

  @ConfigVariable({ description: 'Base URL at which this service reaches the FHIR service, when not FHIR_PUBLIC_URL (e.g. inside a compose network).', example: 'http://fhir:3003' })
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  FHIR_INTERNAL_URL?: string;
}

/** Settings derived from the profile when not set explicitly. */
export function pkceAllowsPlain(config: AuthorizationConfig): boolean {
  return config.PKCE_ALLOW_PLAIN ? config.PKCE_ALLOW_PLAIN === 'true' : config.PROFILE === 'sandbox';
}

export function refreshWithoutOfflineAccess(config: AuthorizationConfig): boolean {
  return config.REFRESH_TOKEN_WITHOUT_OFFLINE_ACCESS
    ? config.REFRESH_TOKEN_WITHOUT_OFFLINE_ACCESS === 'true'
    : config.PROFILE === 'sandbox';
}

/** The FHIR base URL: the audience (RFC 8707 resource) of every member access token. */
export function fhirBaseUrl(config: AuthorizationConfig): string {
  return `${config.FHIR_PUBLIC_URL.replace(/\/+$/, '')}${config.FHIR_BASE_PATH}`;
}
