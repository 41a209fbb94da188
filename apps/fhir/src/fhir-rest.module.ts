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
import { BulkController } from './payer/bulk/bulk.controller';
import { BULK_FILE_STORE, LocalDiskFileStore } from './payer/bulk/bulk-file.store';
import { BulkJobWorker } from './payer/bulk/bulk-job.worker';
import { BulkService } from './payer/bulk/bulk.service';
import type { FhirConfig } from './fhir.config';
import { FHIR_CONFIG } from './fhir.tokens';

/**
 * The routes under the FHIR base (mounted at FHIR_BASE_PATH by AppModule). Order matters:
 * `metadata`, `.well-known/smart-configuration`, `UserInfo`, `AuditEvent`, `Group` and the bulk
 * status and file routes must win over `:resourceType`.
 */
@Module({
  controllers: [MetadataController, SmartConfigurationController, FhirUserInfoController, AuditEventController, PayerOperationsController, BulkController, FhirApiController],
  providers: [
    AuditReaderGuard,
    MemberMatchService,
    EverythingService,
    { provide: BULK_FILE_STORE, useFactory: (config: FhirConfig) => new LocalDiskFileStore(config.FHIR_BULK_DIR), inject: [FHIR_CONFIG] },
    BulkJobWorker,
    BulkService,
  ],
})
export class FhirRestModule {}
