import { ApiProperty } from '@nestjs/swagger';
import type { AccountEntity } from '../account.entity';

export class AccountDto {
  @ApiProperty({ format: 'uuid', example: '4f1c7a2e-9a4b-4c55-8a3e-2f0d3b6f9c10' })
  id!: string;

  @ApiProperty({ example: 'dev@acme-health.example' })
  email!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  name!: string;

  @ApiProperty({ example: 'Acme Health Apps, Inc.' })
  organization!: string;

  @ApiProperty({ example: '+1 919-555-0100' })
  phone!: string;

  @ApiProperty({ enum: ['developer', 'payer', 'staff'], example: 'developer' })
  kind!: string;

  @ApiProperty({ example: '2026-11-23T14:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: true, description: 'Whether the owner confirmed the address through the mailed link; registrations need it.' })
  emailVerified!: boolean;

  @ApiProperty({ example: true, description: 'Whether logins ask for a TOTP code (always, for staff, once enrolled).' })
  secondFactor!: boolean;

  @ApiProperty({ example: 10, description: 'Unused recovery codes left (0 without a second factor).' })
  recoveryCodesLeft!: number;

  static of(account: AccountEntity, recoveryCodesLeft = 0): AccountDto {
    return {
      id: account.id,
      email: account.email,
      name: account.name,
      organization: account.organization,
      phone: account.phone,
      kind: account.kind,
      createdAt: account.createdAt.toISOString(),
      emailVerified: account.emailVerifiedAt !== null,
      secondFactor: account.totpEnabledAt !== null,
      recoveryCodesLeft,
    };
  }
}
