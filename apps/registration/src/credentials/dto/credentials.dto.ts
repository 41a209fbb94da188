import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class CredentialsDto {
  @ApiProperty({ example: 'JVjR77J3j4BaRVqoDtLx' })
  clientId!: string;

  @ApiProperty({ enum: ['confidential', 'public'], example: 'confidential' })
  clientType!: string;

  @ApiPropertyOptional({
    example: 'Q2hhbmdlIG1lOiB0aGlzIGlzIGFuIGV4YW1wbGUgc2VjcmV0IQ',
    description: 'Present only in the first answer after approval and in the answer to a rotation: it is stored only as a hash.',
  })
  clientSecret?: string;

  @ApiPropertyOptional({ example: '2026-11-23T14:00:00.000Z', nullable: true, description: 'When the current secret was issued; null for public clients.' })
  secretIssuedAt!: string | null;

  @ApiProperty({ type: [String], example: ['client_secret_basic', 'client_secret_post'], description: 'How the client authenticates at the token endpoint.' })
  tokenEndpointAuthMethods!: string[];

  @ApiProperty({ example: 'http://localhost:3002', description: 'The OpenID Connect issuer; its discovery document lists every endpoint.' })
  issuer!: string;

  @ApiProperty({ example: 'Store the client secret now: it will not be shown again. Rotate it if it is lost.' })
  note!: string;
}
