import { ConfigVariable, ListenHost, ListenPort } from '@payer-access/config';
import { IsUrl } from 'class-validator';

/** The web portal's settings: where it listens and which registration service it speaks to. */
export class PortalConfig {
  @ListenPort('the registration portal (web UI)', 3004)
  PORTAL_PORT: number = 3004;

  @ListenHost('the registration portal')
  PORTAL_HOST: string = '0.0.0.0';

  @ConfigVariable({
    description:
      'Public URL of the registration portal (web UI). An https URL makes its session cookie Secure; the registration service links its emails to it.',
    example: 'https://portal.plan.example',
  })
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  PORTAL_PUBLIC_URL: string = 'http://localhost:3004';

  @ConfigVariable({ description: 'Base URL the portal calls the registration API at (server to server).', example: 'http://registration:3001' })
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  REGISTRATION_API_URL: string = 'http://localhost:3001';
}
