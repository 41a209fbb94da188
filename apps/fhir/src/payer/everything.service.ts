import { Inject, Injectable } from '@nestjs/common';
import type { Bundle, BundleLink } from '@medplum/fhirtypes';
import { badRequest, forbidden, isFhirId, notFound } from '@payer-access/fhir-models';
import { readableResourceTypes, ScopeContext } from '@payer-access/scopes';
import { randomUUID } from 'node:crypto';
import { AccessAuditService } from '../audit/access-audit.service';
import type { FhirPrincipal } from '../auth/fhir-principal';
import { FhirException } from '../common/fhir.exception';
import { serializeBundle } from '../common/raw-bundle';
import { FhirApiService } from '../fhir-api/fhir-api.service';
import { fhirBaseUrl, type FhirConfig } from '../fhir.config';
import { FHIR_CONFIG } from '../fhir.tokens';

const DEFAULT_COUNT = 50;

/**
 * `GET Patient/{id}/$everything`: the patient's compartment as the caller's reader sees it (a
 * member's own record; a payer's linked member within the consent and the look-back), in pages in
 * insertion order. It hands out every type at once, so the token must be allowed to read them all.
 * https://hl7.org/fhir/R4/patient-operation-everything.html
 */
@Injectable()
export class EverythingService {
  private readonly baseUrl: string;

  constructor(
    @Inject(FHIR_CONFIG) private readonly config: FhirConfig,
    private readonly api: FhirApiService,
    private readonly audit: AccessAuditService,
  ) {
    this.baseUrl = fhirBaseUrl(config);
  }

  async patientEverything(principal: FhirPrincipal, id: string, query: Record<string, unknown>): Promise<string> {
    const queryText = new URLSearchParams(Object.entries(query).filter(([, value]) => typeof value === 'string') as [string, string][]).toString();
    try {
      if (!isFhirId(id)) throw new FhirException(badRequest(`'${id.slice(0, 64)}' is not a valid resource id`));
      const served = this.api.servedTypes();
      const context = principal.kind === 'payer' ? ScopeContext.System : ScopeContext.Patient;
      if (readableResourceTypes(principal.scopes, served, context).length !== served.length) {
        throw new FhirException(forbidden("$everything needs read access to every resource type (e.g. system/*.rs or patient/*.rs)"));
      }
      const count = this.integer(query._count, '_count', DEFAULT_COUNT, 1, this.config.FHIR_MAX_PAGE_SIZE);
      const startIndex = this.integer(query.startIndex, 'startIndex', 0, 0, 1_000_000);
      const reader = this.api.readerFor(principal);
      if (!(await reader.readRaw('Patient', id))) throw new FhirException(notFound('Patient', id));
      const page = await reader.everything(id, { count, startIndex });
      const url = (index: number) => `${this.baseUrl}/Patient/${encodeURIComponent(id)}/$everything?_count=${count}&startIndex=${index}`;
      const link: BundleLink[] = [{ relation: 'self', url: url(startIndex) }, { relation: 'first', url: url(0) }];
      if (startIndex + count < page.total) link.push({ relation: 'next', url: url(startIndex + count) });
      if (startIndex > 0) link.push({ relation: 'previous', url: url(Math.max(0, startIndex - count)) });
      const bundle: Bundle = {
        resourceType: 'Bundle',
        id: randomUUID(),
        meta: { lastUpdated: new Date().toISOString() },
        type: 'searchset',
        total: page.total,
        link,
        entry: page.entries.map((raw) => ({ fullUrl: `${this.baseUrl}/${raw.resourceType}/${raw.id}`, search: { mode: 'match' } })),
      };
      await this.audit.recordOrRefuse(principal, { interaction: 'everything', resourceType: 'Patient', resourceId: id, query: queryText, status: 200, resultCount: page.entries.length });
      return serializeBundle(bundle, page.entries.map((raw) => this.api.present(raw)));
    } catch (error) {
      if (error instanceof FhirException && error.outcome.status !== 503) {
        await this.audit.record(principal, { interaction: 'everything', resourceType: 'Patient', resourceId: id.slice(0, 64), query: queryText, status: error.outcome.status, reason: error.message }).catch(() => undefined);
      }
      throw error;
    }
  }

  private integer(value: unknown, name: string, fallback: number, min: number, max: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !/^\d{1,7}$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new FhirException(badRequest(`${name} must be an integer from ${min} to ${max}`, name));
    }
    return Number(value);
  }
}
