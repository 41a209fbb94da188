import { AuthorizationConfig } from '@payer-access/authorization-service';
import { FhirConfig } from '@payer-access/fhir-service';
import { PortalConfig } from '@payer-access/portal';
import { RegistrationConfig } from '@payer-access/registration-service';
import { ConfigVariable } from '@payer-access/config';
import { IsInt, IsString, IsUrl, Max, Min } from 'class-validator';

/** Everything the one-process sandbox reads: the three services' settings plus its own. */
export class SandboxConfig {
  @ConfigVariable({ description: 'Where the embedded PostgreSQL keeps its files when DATABASE_URL is unset.', example: '.data/postgres' })
  @IsString()
  EMBEDDED_POSTGRES_DIR: string = '.data/postgres';

  @ConfigVariable({ description: 'Port of the embedded PostgreSQL when DATABASE_URL is unset.', example: '54329' })
  @IsInt()
  @Min(1)
  @Max(65535)
  EMBEDDED_POSTGRES_PORT: number = 54329;

  @ConfigVariable({
    description: 'Port of the sample SMART app (apps/sample-smart-app) in the sandbox profile; 0 does not serve it.',
    example: '3005',
  })
  @IsInt()
  @Min(0)
  @Max(65535)
  SAMPLE_APP_PORT: number = 3005;

  @ConfigVariable({ description: 'Interface the sample SMART app listens on.', example: '0.0.0.0' })
  @IsUrl({ require_tld: false, require_protocol: false, allow_underscores: true }, { message: 'must be a host name or IP address' })
  SAMPLE_APP_HOST: string = '0.0.0.0';

  @ConfigVariable({
    description: 'Public origin of the sample SMART app, as browsers reach it: its redirect URI is <origin>/app.html.',
    example: 'http://localhost:3005',
  })
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  SAMPLE_APP_PUBLIC_URL: string = 'http://localhost:3005';
}

export const SERVICE_CONFIGS = { registration: RegistrationConfig, authorization: AuthorizationConfig, fhir: FhirConfig } as const;

/**
 * The services default to the production profile; `npm start` is the one place that asks for the
 * sandbox, unless PROFILE says otherwise.
 */
export function sandboxEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, PROFILE: env.PROFILE?.trim() || 'sandbox' };
}

/** The web portal is no NestJS service but reads its settings the same way. */
export const PORTAL_CONFIG = PortalConfig;
