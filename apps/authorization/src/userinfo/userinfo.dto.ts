import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class UserinfoDto {
  @ApiProperty({ example: '0b6f1b52-4a53-4d5c-9a4e-4f7d9b0f6c11', description: 'The member account id (same as the access token `sub`).' })
  sub!: string;

  @ApiProperty({ example: 'BCNCUser04' })
  preferred_username!: string;

  @ApiPropertyOptional({ example: 'Jane Doe', description: 'Absent when the member withheld demographic data or the `profile` scope was not granted.' })
  name?: string;

  @ApiPropertyOptional({ example: 'Jane' })
  given_name?: string;

  @ApiPropertyOptional({ example: 'Doe' })
  family_name?: string;

  @ApiProperty({ example: '-20140000008325', description: "The member's FHIR Patient id." })
  patient!: string;

  @ApiPropertyOptional({ example: 'Patient/-20140000008325', description: 'The FHIR resource of the user: the Patient, or a RelatedPerson for a Personal Representative.' })
  fhirUser?: string;
}

export class OAuthErrorDto {
  @ApiProperty({ example: 'invalid_token' })
  error!: string;

  @ApiPropertyOptional({ example: 'the access token is invalid, expired or revoked' })
  error_description?: string;
}
