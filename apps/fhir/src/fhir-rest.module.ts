import { Module } from '@nestjs/common';
import { AuditEventController } from './audit/audit-event.controller';
import { AuditReaderGuard } from './audit/audit-reader.guard';
import { FhirApiController } from './fhir-api/fhir-api.controller';
import { MetadataController } from './metadata/metadata.controller';
import { SmartConfigurationController } from './metadata/smart-configuration.controller';
import { FhirUserInfoController } from './userinfo/userinfo.controller';
import { EverythingService } from './payer/everything.service';
import { MemberMatchService } from './payer/member-match/member-match.service';
import { PayerOperationsController } from './payer/payer-operations.controller';

/**
 * The routes under the FHIR base (mounted at FHIR_BASE_PATH by AppModule). Order matters:
 * `metadata`, `.well-known/smart-configuration`, `UserInfo` and `AuditEvent` must win over `:resourceType`.
 */
@Module({
  controllers: [MetadataController, SmartConfigurationController, FhirUserInfoController, AuditEventController, PayerOperationsController, FhirApiController],
  providers: [AuditReaderGuard, MemberMatchService, EverythingService],
})
export class FhirRestModule {}
