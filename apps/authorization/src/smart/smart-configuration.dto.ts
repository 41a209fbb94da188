import { ApiProperty } from '@nestjs/swagger';
import { SCOPES_SUPPORTED, SMART_CAPABILITIES, type SmartConfiguration } from '@payer-access/scopes';

/** SMART App Launch 2 discovery (https://hl7.org/fhir/smart-app-launch/STU2/conformance.html#metadata). */
export class SmartConfigurationDto implements SmartConfiguration {
  @ApiProperty({ example: 'http://localhost:3002' })
  issuer!: string;

  @ApiProperty({ example: 'http://localhost:3002/jwks' })
  jwks_uri!: string;

  @ApiProperty({ example: 'http://localhost:3002/fhirmember/sps/oauth/oauth20/authorize' })
  authorization_endpoint!: string;

  @ApiProperty({ example: 'http://localhost:3002/fhirmember/sps/oauth/oauth20/token' })
  token_endpoint!: string;

  @ApiProperty({ example: ['authorization_code', 'refresh_token', 'client_credentials'] })
  grant_types_supported!: string[];

  @ApiProperty({ example: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] })
  token_endpoint_auth_methods_supported!: string[];

  @ApiProperty({ example: ['RS384', 'ES384'], description: 'Algorithms of private_key_jwt client assertions (SMART Backend Services).' })
  token_endpoint_auth_signing_alg_values_supported!: string[];

  @ApiProperty({ example: 'http://localhost:3002/fhirmember/sps/oauth/oauth20/revoke' })
  revocation_endpoint!: string;

  @ApiProperty({ example: 'http://localhost:3002/fhirmember/sps/oauth/oauth20/introspect' })
  introspection_endpoint!: string;

  @ApiProperty({ example: 'http://localhost:3002/connect/userinfo' })
  userinfo_endpoint!: string;

  @ApiProperty({ example: [...SCOPES_SUPPORTED], description: 'Everything some client kind may be granted (the scope policy of @payer-access/scopes).' })
  scopes_supported!: string[];

  @ApiProperty({ example: ['code'] })
  response_types_supported!: string[];

  @ApiProperty({ example: ['S256'], description: 'Only S256 is advertised; `plain` is accepted in the sandbox but never listed.' })
  code_challenge_methods_supported!: string[];

  @ApiProperty({ example: [...SMART_CAPABILITIES] })
  capabilities!: string[];
}
