import { Controller, Get, Inject, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { sendFhir } from '../common/fhir-media';
import { FhirException } from '../common/fhir.exception';
import { BUNDLE_SCHEMA, OPERATION_OUTCOME_SCHEMA } from '../fhir-api/dto/fhir-schemas';
import { type FhirConfig, fhirBaseUrl } from '../fhir.config';
import { FHIR_CONFIG } from '../fhir.tokens';
import { AccessAuditService } from './access-audit.service';
import { auditEventBundle, parseAuditEventSearch, toAuditEvent } from './audit-event.search';
import { AuditReaderGuard } from './audit-reader.guard';

/** `[base]/AuditEvent` search over the access audit, for plan staff. https://hl7.org/fhir/R4/auditevent.html */
@ApiTags('audit')
@ApiBearerAuth()
@UseGuards(AuditReaderGuard)
@Controller('AuditEvent')
export class AuditEventController {
  private readonly baseUrl: string;

  constructor(
    @Inject(FHIR_CONFIG) config: FhirConfig,
    private readonly audit: AccessAuditService,
  ) {
    this.baseUrl = fhirBaseUrl(config);
  }

  @Get()
  @ApiOperation({
    summary: 'Search the access audit',
    description:
      'Every read, search and refusal of the Patient Access API as AuditEvent resources, newest first: the client (agent, requestor), the member, the patient, what was asked, the outcome and, for refusals, the reason. Needs the audit reader credential, not a member token. Searches of the audit are audited too.',
  })
  @ApiQuery({ name: 'patient', required: false, example: '-20140000000024', description: 'Patient id or Patient/id' })
  @ApiQuery({ name: 'agent', required: false, example: 'JVjR77J3j4BaRVqoDtLx', description: 'The client_id of the app that asked' })
  @ApiQuery({ name: 'date', required: false, example: 'ge2026-12-01', description: 'When: eq, gt, ge, lt, le; repeat for an interval' })
  @ApiQuery({ name: '_count', required: false, example: 50 })
  @ApiQuery({ name: 'startIndex', required: false, example: 0 })
  @ApiOkResponse({ description: 'A searchset Bundle of AuditEvent resources with total and paging links', schema: BUNDLE_SCHEMA })
  @ApiBadRequestResponse({ description: 'Unknown parameter or invalid value', schema: OPERATION_OUTCOME_SCHEMA })
  @ApiUnauthorizedResponse({ description: 'No audit reader credential, or a wrong one', schema: OPERATION_OUTCOME_SCHEMA })
  async search(@Req() request: Request, @Res() response: Response): Promise<void> {
    const queryText = request.originalUrl.includes('?') ? request.originalUrl.slice(request.originalUrl.indexOf('?') + 1) : '';
    let search: URLSearchParams;
    try {
      search = new URLSearchParams(queryText);
    } catch {
      search = new URLSearchParams();
    }
    const parsed = parseAuditEventSearch(search);
    if (!parsed.ok) throw new FhirException(parsed.outcome);
    const { rows, total } = await this.audit.search(parsed.criteria);
    await this.audit.recordRefusal({ clientId: 'audit-reader', interaction: 'audit-search', resourceType: 'AuditEvent', query: queryText, status: 200, resultCount: rows.length, patientId: parsed.criteria.patient });
    const bundle = auditEventBundle(this.baseUrl, rows.map((row) => toAuditEvent(row, this.baseUrl)), total, parsed.criteria, search);
    sendFhir(response, 200, bundle);
  }
}
