import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { DATA_ACCESS_TYPES, type DataAccessType, type PublicJwks } from '@payer-access/client-status';
import { IsOmittable, IsPublicJwks, IsRedirectUri, IsWebUrl, PHONE_MESSAGE, PHONE_PATTERN } from './validators';

/** Any subset of the answers; each attestation may be answered again on its own. */
export class UpdateAttestationsDto {
  @ApiPropertyOptional({ example: true }) @IsOmittable() @IsBoolean() supportsOpenIdConnectAndOAuth2?: boolean;
  @ApiPropertyOptional({ example: true }) @IsOmittable() @IsBoolean() conformsToHl7Standards?: boolean;
  @ApiPropertyOptional({ example: true }) @IsOmittable() @IsBoolean() storesTokensSecurely?: boolean;
  @ApiPropertyOptional({ example: true }) @IsOmittable() @IsBoolean() adheresToCarinCodeOfConduct?: boolean;
  @ApiPropertyOptional({ example: true, description: 'Applications only.' }) @IsOmittable() @IsBoolean() privacyPolicyCoversDataSharing?: boolean;
  @ApiPropertyOptional({ example: true, description: 'Applications only.' }) @IsOmittable() @IsBoolean() privacyPolicyRequiresExpressConsent?: boolean;
  @ApiPropertyOptional({ example: true, description: 'Applications only.' }) @IsOmittable() @IsBoolean() privacyPolicyExplainsDiscontinuation?: boolean;
  @ApiPropertyOptional({ example: false, description: 'Applications only.' }) @IsOmittable() @IsBoolean() sellsMemberData?: boolean;
}

/**
 * The owner's changes to a registration (answers to an information request, a new redirect URI).
 * Fields that only applications have (companyName, termsUrl, clientType, dataAccessType) or only payers have
 * (documentEmail, jwks, jwksUri) are refused on the other kind. Giving jwks replaces a jwksUri
 * and the other way round.
 */
export class UpdateRegistrationDto {
  @ApiPropertyOptional({ example: 'Acme Health Record' })
  @IsOmittable()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: 'Acme Health Apps, Inc.', description: 'Applications only.' })
  @IsOmittable()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  companyName?: string;

  @ApiPropertyOptional({ example: 'https://acme-health.example' })
  @IsOmittable()
  @IsWebUrl()
  companyUrl?: string;

  @ApiPropertyOptional({ example: 'https://acme-health.example/privacy' })
  @IsOmittable()
  @IsWebUrl()
  privacyPolicyUrl?: string;

  @ApiPropertyOptional({ example: 'https://acme-health.example/terms', description: 'Applications only.' })
  @IsOmittable()
  @IsWebUrl()
  termsUrl?: string;

  @ApiPropertyOptional({ example: 'https://acme-health.example/logo.png' })
  @IsOmittable()
  @IsWebUrl()
  logoUrl?: string;

  @ApiPropertyOptional({ type: [String], example: ['https://acme-health.example/oauth/callback', 'http://127.0.0.1:8765/callback'] })
  @IsOmittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsRedirectUri('public')
  redirectUris?: string[];

  @ApiPropertyOptional({ enum: ['confidential', 'public'], description: 'Applications only, and only while pending.' })
  @IsOmittable()
  @IsIn(['confidential', 'public'])
  clientType?: 'confidential' | 'public';

  @ApiPropertyOptional({
    enum: DATA_ACCESS_TYPES,
    example: 'research',
    description: "Applications only. How long members' authorizations last; once approved, a change waits for staff and applies to authorizations made after it.",
  })
  @IsOmittable()
  @IsIn(DATA_ACCESS_TYPES)
  dataAccessType?: DataAccessType;

  @ApiPropertyOptional({ example: 'payer-documents@carolina-mutual.example', description: 'Payers only.' })
  @IsOmittable()
  @IsEmail()
  documentEmail?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: false,
    properties: { keys: { type: 'array', minItems: 1, maxItems: 10, items: { type: 'object', additionalProperties: true } } },
    required: ['keys'],
    example: {
      keys: [
        {
          kty: 'EC',
          crv: 'P-384',
          kid: 'sandbox-demo-payer-2026',
          alg: 'ES384',
          use: 'sig',
          x: 'p8S1buYET5aEj-L5PSB-S0rPku1dirxQh6xLqvu4s0eUlT03hHDGT787vueL0dNl',
          y: '4867itw8jKP_GUdHHvxm8YbdzekyFkKhV0FQyzkaOwGIP7Tc-omtOyMT3J1Z0CLj',
        },
      ],
    },
    description:
      'Payers only: new public keys of your token-endpoint assertions (private_key_jwt, SMART Backend Services): RSA of at least 2048 bits or EC P-384/P-256, signature keys, no private members. ' +
      'Sign assertions with RS384 or ES384. Give jwks or jwksUri, not both. Once approved, a change waits for staff review.',
  })
  @IsOptional()
  @IsPublicJwks()
  jwks?: PublicJwks;

  @ApiPropertyOptional({
    example: 'https://carolina-mutual.example/.well-known/jwks.json',
    description: 'Payers only: where you publish those public keys instead (https; http on localhost or 127.0.0.1 in the sandbox only).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  jwksUri?: string;

  @ApiPropertyOptional({ example: 'api-access@acme-health.example' })
  @IsOmittable()
  @IsEmail()
  contactEmail?: string;

  @ApiPropertyOptional({ example: '+1 919-555-0100' })
  @IsOmittable()
  @IsString()
  @Matches(PHONE_PATTERN, { message: PHONE_MESSAGE })
  contactPhone?: string;

  @ApiPropertyOptional({ type: UpdateAttestationsDto })
  @IsOmittable()
  @ValidateNested()
  @Type(() => UpdateAttestationsDto)
  attestations?: UpdateAttestationsDto;
}
