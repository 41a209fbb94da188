import { ConfigVariable, PlatformConfig } from '@payer-access/config';
import { IsInt, IsUrl, Max, Min } from 'class-validator';

export class RegistrationConfig extends PlatformConfig {
  @ConfigVariable({ description: 'HTTP port of the registration service.', example: '3001' })
  @IsInt()
  @Min(0)
  @Max(65535)
  REGISTRATION_PORT: number = 3001;

  @ConfigVariable({ description: 'Interface the registration service listens on.', example: '0.0.0.0' })
  @IsUrl({ require_tld: false, require_protocol: false, allow_underscores: true }, { message: 'must be a host name or IP address' })
  REGISTRATION_HOST: string = '0.0.0.0';

  @ConfigVariable({ description: 'Public base URL of the registration service, as clients reach it.', example: 'https://registration.plan.example' })
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  REGISTRATION_PUBLIC_URL: string = 'http://localhost:3001';
}
