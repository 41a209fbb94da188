import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { TokenResponseDto } from './login.dto';

const SECOND_FACTOR_TOKEN_EXAMPLE = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJwdXJwb3NlIjoidmVyaWZ5In0.c2lnbmF0dXJl';
const CODE_PATTERN = /^\d{6}$/;
const CODE_MESSAGE = 'code must be the 6 digits your authenticator app shows';

export class SecondFactorTokenDto {
  @ApiProperty({ description: 'The second_factor_token of the login answer (valid 5 minutes).', example: SECOND_FACTOR_TOKEN_EXAMPLE })
  @IsString()
  @MaxLength(2000)
  second_factor_token!: string;
}

export class SecondFactorLoginDto extends SecondFactorTokenDto {
  @ApiPropertyOptional({ description: 'The 6-digit code of the authenticator app (RFC 6238). Give this or recovery_code.', example: '492039' })
  @IsOptional()
  @Matches(CODE_PATTERN, { message: CODE_MESSAGE })
  code?: string;

  @ApiPropertyOptional({ description: 'One of the recovery codes shown at enrolment; each works once.', example: 'k3m9-x2pq-7hvd-r8wn' })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9A-Za-z\s-]{16,24}$/, { message: 'recovery_code must be one of your recovery codes, such as k3m9-x2pq-7hvd-r8wn' })
  recovery_code?: string;
}

export class ConfirmEnrolmentDto extends SecondFactorTokenDto {
  @ApiProperty({ description: 'The first code the authenticator app shows for the new secret.', example: '492039' })
  @Matches(CODE_PATTERN, { message: CODE_MESSAGE })
  code!: string;
}

export class ConfirmOwnEnrolmentDto {
  @ApiProperty({ description: 'The first code the authenticator app shows for the new secret.', example: '492039' })
  @Matches(CODE_PATTERN, { message: CODE_MESSAGE })
  code!: string;
}

export class EnrolmentDto {
  @ApiProperty({ description: 'The TOTP secret, base32: type it into the authenticator app, or scan otpauthUri.', example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' })
  secret!: string;

  @ApiProperty({ description: 'Key URI for a QR code (SHA-1, 6 digits, 30 seconds).', example: 'otpauth://totp/payer-access%20portal:reviewer%40plan.example?issuer=payer-access%20portal&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30' })
  otpauthUri!: string;
}

export class RecoveryCodesDto {
  @ApiProperty({
    type: [String],
    description: 'Ten single-use recovery codes, shown this once: each replaces a code of the app for one login.',
    example: ['k3m9-x2pq-7hvd-r8wn', '4fgt-0c1a-zz8e-q2m5'],
  })
  recoveryCodes!: string[];
}

export class EnrolledTokenResponseDto extends TokenResponseDto {
  @ApiProperty({ type: [String], description: 'Ten single-use recovery codes, shown this once.', example: ['k3m9-x2pq-7hvd-r8wn', '4fgt-0c1a-zz8e-q2m5'] })
  recovery_codes!: string[];
}
