import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

export class VerifyEmailDto {
  @ApiProperty({ description: 'The token of the link mailed at sign-up.', example: 'Zq3V9mX2c8bN1rT5yW7uK0pL4sD6fG8hJ2kA9eQ1wE3' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'token must be the 43-character token of the mailed link' })
  token!: string;
}

export class VerifiedEmailDto {
  @ApiProperty({ example: 'dev@acme-health.example' })
  email!: string;

  @ApiProperty({ example: true })
  emailVerified!: true;
}

export class VerificationMailDto {
  @ApiProperty({ example: 'dev@acme-health.example' })
  sentTo!: string;
}
