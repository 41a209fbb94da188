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
import { IsRedirectUri, IsWebUrl, PHONE_MESSAGE, PHONE_PATTERN } from './validators';

/** Any subset of the answers; each attestation may be answered again on its own. */
export class UpdateAttestationsDto {
  @ApiPropertyOptional({ example: true }) @IsOptional() @IsBoolean() supportsOpenIdConnectAndOAuth2?: boolean;
  @ApiPropertyOptional({ example: true }) @IsOptional() @IsBoolean() conformsToHl7Standards?: boolean;
  @ApiPropertyOptional({ example: true }) @IsOptional() @IsBoolean() storesTokensSecurely?: boolean;
  @ApiPropertyOptional({ example: true }) @IsOptional() @IsBoolean() adheresToCarinCodeOfConduct?: boolean;
  @ApiPropertyOptional({ example: true, description: 'Applications only.' }) @IsOptional() @IsBoolean() privacyPolicyCoversDataSharing?: boolean;
  @ApiPropertyOptional({ example: true, description: 'Applications only.' }) @IsOptional() @IsBoolean() privacyPolicyRequiresExpressConsent?: boolean;
  @ApiPropertyOptional({ example: true, description: 'Applications only.' }) @IsOptional() @IsBoolean() privacyPolicyExplainsDiscontinuation?: boolean;
  @ApiPropertyOptional({ example: false, description: 'Applications only.' }) @IsOptional() @IsBoolean() sellsMemberData?: boolean;
}

/**
 * The owner's changes to a registration (answers to an information request, a new redirect URI).
 * Fields that only applications have (companyName, termsUrl, clientType) or only payers have
 * (documentEmail) are refused on the other kind.
 */
export class UpdateRegistrationDto {
  @ApiPropertyOptional({ example: 'Acme Health Record' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: 'Acme Health Apps, Inc.', description: 'Applications only.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  companyName?: string;

  @ApiPropertyOptional({ example: 'https://acme-health.example' })
  @IsOptional()
  @IsWebUrl()
  companyUrl?: string;

  @ApiPropertyOptional({ example: 'https://acme-health.example/privacy' })
  @IsOptional()
  @IsWebUrl()
  privacyPolicyUrl?: string;

  @ApiPropertyOptional({ example: 'https://acme-health.example/terms', description: 'Applications only.' })
  @IsOptional()
  @IsWebUrl()
  termsUrl?: string;

  @ApiPropertyOptional({ example: 'https://acme-health.example/logo.png' })
  @IsOptional()
  @IsWebUrl()
  logoUrl?: string;

  @ApiPropertyOptional({ type: [String], example: ['https://acme-health.example/oauth/callback', 'http://127.0.0.1:8765/callback'] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsRedirectUri('public')
  redirectUris?: string[];

  @ApiPropertyOptional({ enum: ['confidential', 'public'], description: 'Applications only, and only while pending.' })
  @IsOptional()
  @IsIn(['confidential', 'public'])
  clientType?: 'confidential' | 'public';

  @ApiPropertyOptional({ example: 'payer-documents@carolina-mutual.example', description: 'Payers only.' })
  @IsOptional()
  @IsEmail()
  documentEmail?: string;

  @ApiPropertyOptional({ example: 'api-access@acme-health.example' })
  @IsOptional()
  @IsEmail()
  contactEmail?: string;

  @ApiPropertyOptional({ example: '+1 919-555-0100' })
  @IsOptional()
  @IsString()
  @Matches(PHONE_PATTERN, { message: PHONE_MESSAGE })
  contactPhone?: string;

  @ApiPropertyOptional({ type: UpdateAttestationsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => UpdateAttestationsDto)
  attestations?: UpdateAttestationsDto;
}
