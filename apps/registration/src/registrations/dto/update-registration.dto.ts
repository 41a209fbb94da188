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
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsOmittable, IsRedirectUri, IsWebUrl, PHONE_MESSAGE, PHONE_PATTERN } from './validators';

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
 * Fields that only applications have (companyName, termsUrl, clientType) or only payers have
 * (documentEmail) are refused on the other kind.
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

  @ApiPropertyOptional({ example: 'payer-documents@carolina-mutual.example', description: 'Payers only.' })
  @IsOmittable()
  @IsEmail()
  documentEmail?: string;

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
