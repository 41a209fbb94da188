import { Controller, Get, Header, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { OidcProviderHost } from '../oidc/oidc-provider.host';
import { SmartConfigurationDto } from './smart-configuration.dto';

export const SMART_CAPABILITIES = [
  'launch-standalone',
  'client-public',
  'client-confidential-symmetric',
  'context-standalone-patient',
  'permission-offline',
  'permission-patient',
  'permission-v1',
  'permission-v2',
  'sso-openid-connect',
];

/** `/.well-known/smart-configuration`, public and CORS-enabled like the OpenID discovery document. */
@ApiTags('Discovery')
@Controller('.well-known/smart-configuration')
export class SmartConfigurationController {
  constructor(private readonly host: OidcProviderHost) {}

  @Get()
  @Header('access-control-allow-origin', '*')
  @Header('cache-control', 'public, max-age=300')
  @ApiOperation({ summary: 'SMART App Launch 2 configuration: endpoints and capabilities.' })
  @ApiOkResponse({ type: SmartConfigurationDto })
  configuration(@Req() req: Request): SmartConfigurationDto {
    const base = this.publicBase(req);
    const { routes } = this.host;
    return {
      issuer: this.host.config.AUTHORIZATION_PUBLIC_URL,
      jwks_uri: `${base}${routes.jwks}`,
      authorization_endpoint: `${base}${routes.authorization}`,
      token_endpoint: `${base}${routes.token}`,
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      revocation_endpoint: `${base}${routes.revocation}`,
      introspection_endpoint: `${base}${routes.introspection}`,
      userinfo_endpoint: `${base}${routes.userinfo}`,
      scopes_supported: ['openid', 'fhirUser', 'profile', 'launch/patient', 'offline_access', 'online_access', 'patient/*.read', 'patient/*.rs', 'patient/Patient.read', 'patient/Patient.rs', 'patient/Coverage.read', 'patient/Coverage.rs', 'patient/ExplanationOfBenefit.read', 'patient/ExplanationOfBenefit.rs'],
      response_types_supported: ['code'],
      // RFC 7636 plain is never advertised: SMART App Launch 2 conformance fails a server that lists it.
      code_challenge_methods_supported: ['S256'],
      capabilities: SMART_CAPABILITIES,
    };
  }

  /** Endpoints as the provider's discovery document builds them: from the request's host. */
  private publicBase(req: Request): string {
    const proto = (req.headers['x-forwarded-proto'] as string | undefined)?.split(',')[0].trim() ?? req.protocol;
    const host = (req.headers['x-forwarded-host'] as string | undefined)?.split(',')[0].trim() ?? req.headers.host;
    return host ? `${proto}://${host}` : this.host.config.AUTHORIZATION_PUBLIC_URL.replace(/\/+$/, '');
  }
}
