import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { buildSmartConfiguration, type SmartConfiguration } from '@payer-access/scopes';
import { authorizationServerSettings, type FhirConfig } from '../fhir.config';
import { FHIR_CONFIG } from '../fhir.tokens';

const EXAMPLE = buildSmartConfiguration({
  issuer: 'http://localhost:3002',
  authorizePath: '/fhirmember/sps/oauth/oauth20/authorize',
  tokenPath: '/fhirmember/sps/oauth/oauth20/token',
});

const SMART_CONFIGURATION_SCHEMA = {
  type: 'object',
  required: Object.keys(EXAMPLE),
  properties: Object.fromEntries(
    Object.entries(EXAMPLE).map(([name, value]) => [name, Array.isArray(value) ? { type: 'array', items: { type: 'string' } } : { type: 'string', format: 'uri' }]),
  ),
  example: EXAMPLE,
};

/**
 * `[base]/.well-known/smart-configuration`: SMART App Launch 2 has apps discover the
 * authorization server at the FHIR base, before they hold a token. The document is the
 * authorization service's own, built from the same configuration, not fetched from it.
 */
@ApiTags('fhir')
@Controller('.well-known/smart-configuration')
export class SmartConfigurationController {
  private readonly document: SmartConfiguration;

  constructor(@Inject(FHIR_CONFIG) config: FhirConfig) {
    this.document = buildSmartConfiguration(authorizationServerSettings(config));
  }

  @Get()
  @Header('cache-control', 'public, max-age=300')
  @ApiOperation({ summary: 'SMART configuration', description: "The authorization server's endpoints and SMART capabilities (no token needed); the same document as at the issuer." })
  @ApiOkResponse({ description: 'SMART App Launch 2 configuration', schema: SMART_CONFIGURATION_SCHEMA })
  configuration(): SmartConfiguration {
    return this.document;
  }
}
