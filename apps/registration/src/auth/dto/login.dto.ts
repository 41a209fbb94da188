import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'dev@acme-health.example' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsEmail()
  email!: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  password!: string;
}

export class TokenResponseDto {
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0ZjFjIn0.c2lnbmF0dXJl' })
  access_token!: string;

  @ApiProperty({ example: 'Bearer' })
  token_type!: 'Bearer';

  @ApiProperty({ example: 900, description: 'Seconds until the token expires.' })
  expires_in!: number;
}

/**
 * The answer to a right password: the access token, or, for an account with a second factor (and
 * for staff, who must have one), the step that comes next.
 */
export class LoginResponseDto {
  @ApiPropertyOptional({ description: 'Present when the login is complete.', example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0ZjFjIn0.c2lnbmF0dXJl' })
  access_token?: string;

  @ApiPropertyOptional({ example: 'Bearer' })
  token_type?: 'Bearer';

  @ApiPropertyOptional({ example: 900, description: 'Seconds until the access token (or the second_factor_token) expires.' })
  expires_in?: number;

  @ApiPropertyOptional({
    enum: ['required', 'enrolment_required'],
    example: 'required',
    description:
      'required: send a code to POST /v1/auth/second-factor. enrolment_required (staff without a second factor): POST /v1/auth/second-factor/enrolment, then .../enrolment/confirm.',
  })
  second_factor?: 'required' | 'enrolment_required';

  @ApiPropertyOptional({ description: 'Proves the password step for 5 minutes; not an access token.', example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJwdXJwb3NlIjoidmVyaWZ5In0.c2lnbmF0dXJl' })
  second_factor_token?: string;
}
