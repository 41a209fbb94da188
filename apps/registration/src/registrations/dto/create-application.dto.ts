import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DATA_ACCESS_TYPES, DEFAULT_DATA_ACCESS_TYPE, type DataAccessType } from '@payer-access/client-status';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { ApplicationAttestationsDto } from './attestations.dto';
import { IsOmittable, IsRedirectUri, IsWebUrl, PHONE_MESSAGE, PHONE_PATTERN } from './validators';

/** A third-party application's registration (docs/product.md#seed-001, #registration-service). */
export class CreateApplicationDto {
  @ApiProperty({ example: 'Acme Health Record', description: 'Shown to members on the consent page.' })
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name!: string;

  @ApiProperty({ example: 'Acme Health Apps, Inc.' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  companyName!: string;

  @ApiProperty({ example: 'https://acme-health.example' })
  @IsWebUrl()
  companyUrl!: string;

  @ApiProperty({ example: 'https://acme-health.example/privacy' })
  @IsWebUrl()
  privacyPolicyUrl!: string;

  @ApiProperty({ example: 'https://acme-health.example/terms' })
  @IsWebUrl()
  termsUrl!: string;

  @ApiProperty({
    type: [String],
    example: ['https://acme-health.example/oauth/callback'],
    description:
      'Exact redirect URIs: https, loopback http://127.0.0.1:port/..., or for public (native) clients a private-use scheme such as com.example.app:/callback. No fragments.',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsRedirectUri()
  redirectUris!: string[];

  @ApiProperty({
    enum: ['confidential', 'public'],
    example: 'confidential',
    description: 'confidential: a server that keeps a client secret; public: a native or browser app (PKCE, no secret).',
  })
  @IsIn(['confidential', 'public'])
  clientType!: 'confidential' | 'public';

  @ApiPropertyOptional({
    enum: DATA_ACCESS_TYPES,
    default: DEFAULT_DATA_ACCESS_TYPE,
    example: 'thirteen_month',
    description:
      "How long a member's authorization lasts (Blue Button 2.0): one_time (no refresh token; access ends with the first access token), thirteen_month (refresh stops 13 months after the member authorized; the default) or research (no end date, until the member revokes it).",
  })
  @IsOmittable()
  @IsIn(DATA_ACCESS_TYPES)
  dataAccessType?: DataAccessType;

  @ApiPropertyOptional({ example: 'https://acme-health.example/logo.png' })
  @IsOptional()
  @IsWebUrl()
  logoUrl?: string;

  @ApiProperty({ example: 'api-access@acme-health.example', description: 'Where approval, information requests and status changes are sent.' })
  @IsEmail()
  @MaxLength(254)
  contactEmail!: string;

  @ApiProperty({ example: '+1 919-555-0100' })
  @IsString()
  @Matches(PHONE_PATTERN, { message: PHONE_MESSAGE })
  contactPhone!: string;

  @ApiProperty({ type: ApplicationAttestationsDto })
  @ValidateNested()
  @Type(() => ApplicationAttestationsDto)
  attestations!: ApplicationAttestationsDto;
}
