import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApplicationAttestationsDto } from './attestations.dto';

/** A registration as its owner sees it. */
export class RegistrationDto {
  @ApiProperty({ format: 'uuid', example: '0b5f3c52-7f7e-4a0e-9a53-1d2f1a0e6c11' })
  id!: string;

  @ApiProperty({ enum: ['application', 'payer'], example: 'application' })
  kind!: string;

  @ApiProperty({ enum: ['pending', 'approved', 'suspended', 'terminated'], example: 'pending' })
  status!: string;

  @ApiProperty({ example: 'Acme Health Record' })
  name!: string;

  @ApiProperty({ example: 'Acme Health Apps, Inc.' })
  companyName!: string;

  @ApiProperty({ example: 'https://acme-health.example' })
  companyUrl!: string;

  @ApiProperty({ example: 'https://acme-health.example/privacy' })
  privacyPolicyUrl!: string;

  @ApiPropertyOptional({ example: 'https://acme-health.example/terms', nullable: true })
  termsUrl!: string | null;

  @ApiPropertyOptional({ example: 'https://acme-health.example/logo.png', nullable: true })
  logoUrl!: string | null;

  @ApiProperty({ type: [String], example: ['https://acme-health.example/oauth/callback'] })
  redirectUris!: string[];

  @ApiProperty({ enum: ['confidential', 'public'], example: 'confidential' })
  clientType!: string;

  @ApiProperty({ example: 'api-access@acme-health.example' })
  contactEmail!: string;

  @ApiProperty({ example: '+1 919-555-0100' })
  contactPhone!: string;

  @ApiPropertyOptional({ example: null, nullable: true, description: 'Payers only.' })
  documentEmail!: string | null;

  @ApiProperty({ type: ApplicationAttestationsDto, description: 'Payers answer only the technical attestations and CARIN adherence.' })
  attestations!: Record<string, boolean | undefined>;

  @ApiPropertyOptional({ example: 'JVjR77J3j4BaRVqoDtLx', nullable: true, description: 'Minted at approval.' })
  clientId!: string | null;

  @ApiProperty({ example: '2026-11-23T14:00:00.000Z' })
  submittedAt!: string;

  @ApiProperty({ example: '2026-11-23T14:00:00.000Z' })
  updatedAt!: string;

  @ApiPropertyOptional({ example: null, nullable: true, description: 'When staff last asked for more information.' })
  informationRequestedAt!: string | null;

  @ApiPropertyOptional({ example: null, nullable: true, description: 'When the owner last asked for a review of a suspension or termination.' })
  reviewRequestedAt!: string | null;
}

export class CreatedRegistrationDto {
  @ApiProperty({ format: 'uuid', example: '0b5f3c52-7f7e-4a0e-9a53-1d2f1a0e6c11' })
  id!: string;

  @ApiProperty({ enum: ['pending'], example: 'pending' })
  status!: 'pending';

  @ApiProperty({ enum: ['application', 'payer'], example: 'application' })
  kind!: string;

  @ApiProperty({ example: '2026-11-23T14:00:00.000Z' })
  submittedAt!: string;
}
