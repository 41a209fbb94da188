import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { TechnicalAttestationsDto } from './attestations.dto';
import { IsRedirectUri, IsWebUrl, PHONE_MESSAGE, PHONE_PATTERN } from './validators';

/** A payer's registration for the payer APIs (seed 000). Payers are confidential clients. */
export class CreatePayerDto {
  @ApiProperty({ example: 'Carolina Mutual Health Plan', description: 'The payer organization.' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ example: 'https://carolina-mutual.example' })
  @IsWebUrl()
  companyUrl!: string;

  @ApiProperty({ example: 'https://carolina-mutual.example/privacy' })
  @IsWebUrl()
  privacyPolicyUrl!: string;

  @ApiProperty({ type: [String], example: ['https://carolina-mutual.example/oauth/callback'], description: 'Exact redirect URLs (https, or loopback http for testing).' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsRedirectUri()
  redirectUris!: string[];

  @ApiProperty({ example: 'payer-documents@carolina-mutual.example', description: 'The payer document email address: the approval email goes there (seed 000).' })
  @IsEmail()
  @MaxLength(254)
  documentEmail!: string;

  @ApiProperty({ example: 'interop@carolina-mutual.example' })
  @IsEmail()
  @MaxLength(254)
  contactEmail!: string;

  @ApiProperty({ example: '+1 704-555-0142' })
  @IsString()
  @Matches(PHONE_PATTERN, { message: PHONE_MESSAGE })
  contactPhone!: string;

  @ApiPropertyOptional({ example: 'https://carolina-mutual.example/logo.png' })
  @IsOptional()
  @IsWebUrl()
  logoUrl?: string;

  @ApiProperty({ type: TechnicalAttestationsDto })
  @ValidateNested()
  @Type(() => TechnicalAttestationsDto)
  attestations!: TechnicalAttestationsDto;
}
