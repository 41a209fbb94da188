import { Module } from '@nestjs/common';
import { AuditEventController } from './audit/audit-event.controller';
import { AuditReaderGuard } from './audit/audit-reader.guard';
import { FhirApiController } from './fhir-api/fhir-api.controller';
import { MetadataController } from './metadata/metadata.controller';
import { FhirUserInfoController } from './userinfo/userinfo.controller';

/**
 * The routes under the FHIR base (mounted at FHIR_BASE_PATH by AppModule). Order matters:
 * `metadata`, `UserInfo` and `AuditEvent` must win over `:resourceType`.
 */
@Module({ controllers: [MetadataController, FhirUserInfoController, AuditEventController, FhirApiController], providers: [AuditReaderGuard] })
export class FhirRestModule {}
