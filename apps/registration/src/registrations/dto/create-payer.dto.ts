import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { TechnicalAttestationsDto } from './attestations.dto';
import type { PublicJwks } from '@payer-access/client-status';
import { IsPublicJwks, IsRedirectUri, IsWebUrl, PHONE_MESSAGE, PHONE_PATTERN } from './validators';

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
      'Payers: the public keys of your token-endpoint assertions (private_key_jwt, SMART Backend Services): RSA of at least 2048 bits or EC P-384/P-256, signature keys, no private members. ' +
      'Sign assertions with RS384 or ES384. Give jwks or jwksUri, not both. Once approved, a change waits for staff review.',
  })
  @IsOptional()
  @IsPublicJwks()
  jwks?: PublicJwks;

  @ApiPropertyOptional({
    example: 'https://carolina-mutual.example/.well-known/jwks.json',
    description: 'Payers: where you publish those public keys instead (https; http on localhost or 127.0.0.1 in the sandbox only).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  jwksUri?: string;

  @ApiProperty({ type: TechnicalAttestationsDto })
  @ValidateNested()
  @Type(() => TechnicalAttestationsDto)
  attestations!: TechnicalAttestationsDto;
}
