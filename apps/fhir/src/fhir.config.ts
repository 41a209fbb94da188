import { ConfigVariable, PlatformConfig } from '@payer-access/config';
import { IsInt, IsUrl, Max, Min } from 'class-validator';

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
}
