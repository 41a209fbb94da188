import { AuthorizationConfig } from '@payer-access/authorization-service';
import { FhirConfig } from '@payer-access/fhir-service';
import { PortalConfig } from '@payer-access/portal';
import { RegistrationConfig } from '@payer-access/registration-service';
import { ConfigVariable } from '@payer-access/config';
import { IsInt, IsString, Max, Min } from 'class-validator';

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
