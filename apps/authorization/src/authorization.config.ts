import { ConfigVariable, PlatformConfig } from '@payer-access/config';
import { IsInt, IsUrl, Max, Min } from 'class-validator';

export class AuthorizationConfig extends PlatformConfig {
  @ConfigVariable({ description: 'HTTP port of the authorization service.', example: '3002' })
  @IsInt()
  @Min(0)
  @Max(65535)
  AUTHORIZATION_PORT: number = 3002;

  @ConfigVariable({ description: 'Interface the authorization service listens on.', example: '0.0.0.0' })
  @IsUrl({ require_tld: false, require_protocol: false, allow_underscores: true }, { message: 'must be a host name or IP address' })
  AUTHORIZATION_HOST: string = '0.0.0.0';

  @ConfigVariable({ description: 'Public base URL of the authorization service, as clients reach it.', example: 'https://authorization.plan.example' })
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  AUTHORIZATION_PUBLIC_URL: string = 'http://localhost:3002';
}
