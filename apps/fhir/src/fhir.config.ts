import { ConfigVariable, ListenHost, ListenPort, MetricsPort, PlatformConfig, RegistrationEventPublicKeys, RequiredInProduction } from '@payer-access/config';
import type { AuthorizationServerSettings } from '@payer-access/scopes';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';

const PATH = /^\/[A-Za-z0-9/_.~-]*$/;

export class FhirConfig extends PlatformConfig {
  @ListenPort('the fhir service', 3003)
  FHIR_PORT: number = 3003;

  @ListenHost('the fhir service')
  FHIR_HOST: string = '0.0.0.0';

  @MetricsPort('the fhir service', 'FHIR_PORT', 4003)
  FHIR_METRICS_PORT?: string;

  @ConfigVariable({
    description:
      'Worker processes (node:cluster) sharing the port: one event loop per core. 1 runs in one process. ' +
      'Size it to the cores the service may use (see docs/architecture.md, Scaling); each worker is an instance with its own database connection pool and FHIR_BULK_WORKERS export workers.',
    example: '2',
  })
  @IsInt()
  @Min(1)
  @Max(64)
  FHIR_WORKERS: number = 1;

  @ConfigVariable({ description: 'Public base URL of the fhir service, as clients reach it.', example: 'https://fhir.plan.example' })
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  FHIR_PUBLIC_URL: string = 'http://localhost:3003';

  @ConfigVariable({
    description: 'Path of the FHIR base on this host (seed 002). Access tokens must name `${FHIR_PUBLIC_URL}${FHIR_BASE_PATH}` as their audience.',
    example: '/fhir/sb/R4/patientaccess',
  })
  @IsString()
  @Matches(/^(\/[A-Za-z0-9._~-]+)+$/, { message: 'must be an absolute path such as /fhir/R4' })
  FHIR_BASE_PATH: string = '/fhir/sb/R4/patientaccess';

  @ConfigVariable({
    description: 'Public base URL of the authorization service: the issuer of the access tokens this service accepts.',
    example: 'https://authorization.plan.example',
  })
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  AUTHORIZATION_PUBLIC_URL: string = 'http://localhost:3002';

  @ConfigVariable({ description: 'Path of the authorization endpoint (seed 002).', example: '/fhirmember/sps/oauth/oauth20/authorize' })
  @IsString()
  @Matches(PATH)
  AUTHORIZE_PATH: string = '/fhirmember/sps/oauth/oauth20/authorize';

  @ConfigVariable({ description: 'Path of the token endpoint (seed 002).', example: '/fhirmember/sps/oauth/oauth20/token' })
  @IsString()
  @Matches(PATH)
  TOKEN_PATH: string = '/fhirmember/sps/oauth/oauth20/token';

  @ConfigVariable({
    description: 'Path of the JWKS on the authorization service (appended to AUTHORIZATION_PUBLIC_URL): the only place the keys that sign access tokens are taken from.',
    example: '/jwks',
  })
  @IsString()
  @Matches(/^(\/[A-Za-z0-9._~-]+)+$/, { message: 'must be an absolute path such as /jwks' })
  AUTHORIZATION_JWKS_PATH: string = '/jwks';

  @ConfigVariable({ description: 'Largest page a search returns; larger `_count` values are lowered to it.', example: '100' })
  @IsInt()
  @Min(1)
  @Max(1000)
  FHIR_MAX_PAGE_SIZE: number = 100;

  @ConfigVariable({
    description:
      "The plan's list of sensitive codes the loader labels records by (so members can withhold them at consent): a JSON array of categories, or the path of a JSON file holding one. Each category is {\"label\": an ActCode sensitivity label such as ETH, PSY, HIV, SEX, \"alsoLabels\": [\"42CFRPart2\"], \"codes\": {code system URL: [prefixes or ranges such as F10-F19]}}. Unset: the default list (substance use, HIV, mental health, reproductive health).",
    example: '/etc/payer-access/sensitive-codes.json',
  })
  @IsOptional()
  @IsString()
  FHIR_SENSITIVE_CODES?: string;

  @ConfigVariable({
    description: 'Load the synthetic sandbox data set when the resource store is empty at start (sandbox profile only).',
    example: 'false',
  })
  @IsIn(['true', 'false'])
  @IsString()
  FHIR_LOAD_SANDBOX_DATA: 'true' | 'false' = 'true';

  @ConfigVariable({
    description:
      'Directory the bulk export (Group/$export, $davinci-data-export) writes its NDJSON files to, through the local-disk file store; created when missing. Every instance serving the files must see the same directory.',
    example: '/var/lib/payer-access/bulk',
  })
  @IsString()
  @Matches(/^[^\0]+$/, { message: 'must be a directory path' })
  FHIR_BULK_DIR: string = '.data/bulk';

  @ConfigVariable({ description: 'How long the files of a completed bulk export can be downloaded; a sweep deletes them after.', example: '86400' })
  @IsInt()
  @Min(1)
  @Max(30 * 24 * 3600)
  FHIR_BULK_FILE_TTL_SECONDS: number = 86400;

  @ConfigVariable({ description: 'Bulk jobs (member match, export) this instance runs at once; 0: this instance runs none and only serves the API.', example: '1' })
  @IsInt()
  @Min(0)
  @Max(16)
  FHIR_BULK_WORKERS: number = 1;

  @ConfigVariable({
    description: 'Seconds a worker holds a bulk job between heartbeats: a job whose instance died is taken over by another once its lease has run out.',
    example: '30',
  })
  @IsInt()
  @Min(2)
  @Max(3600)
  FHIR_BULK_LEASE_SECONDS: number = 30;

  @ConfigVariable({
    description:
      'Hex SHA-256 of the bearer credential that lets plan staff (and the authorization service, for the connected-apps page) search the access audit at [base]/AuditEvent. Unset: that search is closed. Generate with `openssl rand -base64 32`, keep the secret, set its sha256sum here.',
    sensitive: true,
    example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  })
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, { message: 'must be 64 lower-case hex digits (the SHA-256 of the credential)' })
  AUDIT_READER_TOKEN_SHA256?: string;

  @RegistrationEventPublicKeys()
  REGISTRATION_EVENT_PUBLIC_KEYS?: string;

  @ConfigVariable({
    description:
      'Public JWK Set (JSON) of the authorization service\'s event signing keys: only events of authorization.grant.revoked.v1 and authorization.representative.recorded.v1 signed by one of them are applied. List the new key and the old one while rotating. Required in production; the sandbox derives them when unset.',
    example: '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"..."}]}',
  })
  @RequiredInProduction({ events: true })
  @IsString()
  AUTHORIZATION_EVENT_PUBLIC_KEYS?: string;
}

/** The FHIR base URL as clients and tokens name it: `${FHIR_PUBLIC_URL}${FHIR_BASE_PATH}`. */
export function fhirBaseUrl(config: Pick<FhirConfig, 'FHIR_PUBLIC_URL' | 'FHIR_BASE_PATH'>): string {
  return `${config.FHIR_PUBLIC_URL.replace(/\/+$/, '')}${config.FHIR_BASE_PATH}`;
}

/**
 * The authorization server as this service publishes it (SMART configuration, CapabilityStatement):
 * from configuration, the same settings the authorization service builds its own documents from.
 */
export function authorizationServerSettings(config: Pick<FhirConfig, 'AUTHORIZATION_PUBLIC_URL' | 'AUTHORIZE_PATH' | 'TOKEN_PATH'>): AuthorizationServerSettings {
  return { issuer: config.AUTHORIZATION_PUBLIC_URL, authorizePath: config.AUTHORIZE_PATH, tokenPath: config.TOKEN_PATH };
}
