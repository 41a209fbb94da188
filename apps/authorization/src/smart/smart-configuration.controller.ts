import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { buildSmartConfiguration } from '@payer-access/scopes';
import { OidcProviderHost } from '../oidc/oidc-provider.host';
import { authorizationServerSettings } from '../oidc/oidc-routes';
import { SmartConfigurationDto } from './smart-configuration.dto';

/**
 * `/.well-known/smart-configuration`, public and CORS-enabled like the OpenID discovery document.
 * Built from configuration by the same function as the FHIR service's copy at its base, so that
 * both publish identical JSON whatever Host a request names.
 */
@ApiTags('Discovery')
@Controller('.well-known/smart-configuration')
export class SmartConfigurationController {
  private readonly document: SmartConfigurationDto;

  constructor(host: OidcProviderHost) {
    this.document = buildSmartConfiguration(authorizationServerSettings(host.config));
  }

  @Get()
  @Header('access-control-allow-origin', '*')
  @Header('cache-control', 'public, max-age=300')
  @ApiOperation({ summary: 'SMART App Launch 2 configuration: endpoints and capabilities.' })
  @ApiOkResponse({ type: SmartConfigurationDto })
  configuration(): SmartConfigurationDto {
    return this.document;
  }
}
