import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PHONE_PATTERN, PHONE_MESSAGE } from '../../registrations/dto/validators';

export class CreateAccountDto {
  @ApiProperty({ example: 'dev@acme-health.example' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'correct horse battery staple', minLength: 12, maxLength: 128, description: 'At least 12 characters (NIST SP 800-63B).' })
  @IsString()
  @MinLength(12)
  @MaxLength(128)
  password!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ example: 'Acme Health Apps, Inc.' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  organization!: string;

  @ApiProperty({ example: '+1 919-555-0100' })
  @IsString()
  @Matches(PHONE_PATTERN, { message: PHONE_MESSAGE })
  phone!: string;

  @ApiProperty({ enum: ['developer', 'payer'], example: 'developer', description: 'Developers register applications; payers register payer access.' })
  @IsIn(['developer', 'payer'])
  kind!: 'developer' | 'payer';
}
