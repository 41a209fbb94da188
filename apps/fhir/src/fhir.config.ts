import { ConfigVariable, PlatformConfig } from '@payer-access/config';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';

export class FhirConfig extends PlatformConfig {
  @ConfigVariable({ description: 'HTTP port of the fhir service.', example: '3003' })
  @IsInt()
  @Min(0)
  @Max(65535)
  FHIR_PORT: number = 3003;

  @ConfigVariable({ description: 'Interface the fhir service listens on.', example: '0.0.0.0' })
  @IsUrl({ require_tld: false, require_protocol: false, allow_underscores: true }, { message: 'must be a host name or IP address' })
  FHIR_HOST: string = '0.0.0.0';

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
    description: 'Public base URL of the authorization service: the issuer of the access tokens this service accepts (its discovery document names the JWKS).',
    example: 'https://authorization.plan.example',
  })
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  AUTHORIZATION_PUBLIC_URL: string = 'http://localhost:3002';

  @ConfigVariable({ description: 'Largest page a search returns; larger `_count` values are lowered to it.', example: '100' })
  @IsInt()
  @Min(1)
  @Max(1000)
  FHIR_MAX_PAGE_SIZE: number = 100;

  @ConfigVariable({
    description: 'Load the synthetic sandbox data set when the resource store is empty at start (sandbox profile only).',
    example: 'false',
  })
  @IsIn(['true', 'false'])
  @IsString()
  FHIR_LOAD_SANDBOX_DATA: 'true' | 'false' = 'true';

  @ConfigVariable({
    description:
      'Public JWK Set (JSON) of the registration service\'s event signing keys: only events of registration.client.changed.v1 signed by one of them are applied. List the new key and the old one while rotating. Required in production; the sandbox derives them when unset.',
    example: '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"..."}]}',
  })
  @IsOptional()
  @IsString()
  REGISTRATION_EVENT_PUBLIC_KEYS?: string;

  @ConfigVariable({
    description:
      'Public JWK Set (JSON) of the authorization service\'s event signing keys: only events of authorization.grant.revoked.v1 signed by one of them are applied. List the new key and the old one while rotating. Required in production; the sandbox derives them when unset.',
    example: '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"..."}]}',
  })
  @IsOptional()
  @IsString()
  AUTHORIZATION_EVENT_PUBLIC_KEYS?: string;
}

/** The FHIR base URL as clients and tokens name it: `${FHIR_PUBLIC_URL}${FHIR_BASE_PATH}`. */
export function fhirBaseUrl(config: Pick<FhirConfig, 'FHIR_PUBLIC_URL' | 'FHIR_BASE_PATH'>): string {
  return `${config.FHIR_PUBLIC_URL.replace(/\/+$/, '')}${config.FHIR_BASE_PATH}`;
}
