import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DATA_ACCESS_TYPES, type DataAccessType, type PublicJwks } from '@payer-access/client-status';
import { ApplicationAttestationsDto } from './attestations.dto';

/** Identity changes of an approved (or suspended) registration that wait for staff. */
export class PendingChangeDto {
  @ApiProperty({ format: 'uuid', example: '7d7c2f0e-3b1a-4f5e-9c44-2a9e0c1b5d21', description: 'Changes whenever the owner modifies the change; staff approve or reject this id.' })
  id!: string;

  @ApiProperty({ example: '2026-11-24T09:30:00.000Z' })
  requestedAt!: string;

  @ApiProperty({
    description: 'The requested values of the fields that change; the registration shows the values in force until staff approve.',
    example: { redirectUris: ['https://acme-health.example/oauth/callback', 'https://acme-health.example/oauth/callback2'], name: 'Acme Health Record 2' },
    additionalProperties: true,
  })
  values!: Record<string, unknown>;
}

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

  @ApiProperty({
    enum: DATA_ACCESS_TYPES,
    example: 'thirteen_month',
    description: "How long a member's authorization lasts (Blue Button 2.0): one_time, thirteen_month or research. Payers have the default.",
  })
  dataAccessType!: DataAccessType;

  @ApiProperty({ example: 'api-access@acme-health.example' })
  contactEmail!: string;

  @ApiProperty({ example: '+1 919-555-0100' })
  contactPhone!: string;

  @ApiPropertyOptional({ example: null, nullable: true, description: 'Payers only.' })
  documentEmail!: string | null;

  @ApiProperty({ type: ApplicationAttestationsDto, description: 'Payers answer only the technical attestations and CARIN adherence.' })
  attestations!: Record<string, boolean | undefined>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    example: null,
    description: 'Payers only: the public keys in force for private_key_jwt at the token endpoint (public members only), or null.',
  })
  jwks!: PublicJwks | null;

  @ApiPropertyOptional({ example: null, nullable: true, description: 'Payers only: the URL of the public keys in force, or null.' })
  jwksUri!: string | null;

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

  @ApiPropertyOptional({
    type: PendingChangeDto,
    nullable: true,
    description:
      'Approved or suspended registrations: changes of name, company, URLs, redirect URIs, client type, keys (jwks, jwksUri) or data-access type wait here for staff; the fields above stay in force (and are what the authorization server uses) until approval.',
  })
  pendingChange!: PendingChangeDto | null;
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
