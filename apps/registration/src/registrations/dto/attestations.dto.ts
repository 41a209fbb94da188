import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';

/** The technical attestations both kinds answer (seeds 000 and 001). */
export class TechnicalAttestationsDto {
  @ApiProperty({ example: true, description: 'Supports OpenID Connect Core 1.0 and OAuth 2.0.' })
  @IsBoolean()
  supportsOpenIdConnectAndOAuth2!: boolean;

  @ApiProperty({ example: true, description: 'Can conform to the HL7 technical standards (FHIR R4, SMART App Launch).' })
  @IsBoolean()
  conformsToHl7Standards!: boolean;

  @ApiProperty({ example: true, description: 'Stores access and refresh tokens securely.' })
  @IsBoolean()
  storesTokensSecurely!: boolean;

  @ApiProperty({ example: true, description: 'Adheres to the CARIN Alliance Code of Conduct.' })
  @IsBoolean()
  adheresToCarinCodeOfConduct!: boolean;
}

/** An application vendor's answers (seed 001): privacy policy provisions, data sales, and the technical attestations. */
export class ApplicationAttestationsDto extends TechnicalAttestationsDto {
  @ApiProperty({ example: true, description: "The privacy policy covers how members' data is shared." })
  @IsBoolean()
  privacyPolicyCoversDataSharing!: boolean;

  @ApiProperty({ example: true, description: 'The privacy policy requires express consent before member data is accessed, exchanged or used.' })
  @IsBoolean()
  privacyPolicyRequiresExpressConsent!: boolean;

  @ApiProperty({ example: true, description: "The privacy policy explains how members discontinue the app's access to their data." })
  @IsBoolean()
  privacyPolicyExplainsDiscontinuation!: boolean;

  @ApiProperty({ example: false, description: "The app or the company sells members' data." })
  @IsBoolean()
  sellsMemberData!: boolean;
}
