import { Inject, Injectable } from '@nestjs/common';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import {
  badRequest,
  forbidden,
  isFhirId,
  notFound,
  notSupported,
  parseSearchRequest,
  searchErrorOutcome,
  searchsetBundle,
  type SearchParameterRegistry,
  type SearchQuery,
} from '@payer-access/fhir-models';
import { canAccess, decideAccess, ScopeContext, type Interaction } from '@payer-access/scopes';
import { AccessAuditService } from '../audit/access-audit.service';
import { type FhirPrincipal, withheldBy } from '../auth/fhir-principal';
import { FhirException } from '../common/fhir.exception';
import { fhirBaseUrl, type FhirConfig } from '../fhir.config';
import { FHIR_CONFIG, SEARCH_REGISTRY } from '../fhir.tokens';
import { ResourceRepository, type RawResource, type ResourceReader } from '../store/resource.repository';
import { serializeBundle } from '../common/raw-bundle';
import type { ScopeFilter } from '../store/scope-filter';
import { UnsupportedSearchError } from '../store/search-sql.builder';
import { WithheldSearchError } from '../store/withheld';
import { isMandatory } from './mandatory-elements';

export interface ReadResult {
  /** The resource as JSON text. */
  readonly json: string;
  readonly version: number;
  readonly lastUpdated: Date;
}

/** https://hl7.org/fhir/R4/v3/ObservationValue/cs.html#v3-ObservationValue-SUBSETTED */
const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED', display: 'subsetted' };


/**
 * Read and search for a member's token: the scopes decide the types (403 otherwise) and, when
 * granular, which of their resources exist for the token; the token's
 * patient decides the compartment, which the store's reader for that patient applies to every
 * query (another patient's data does not exist for it: 404 or no match).
 */
@Injectable()
export class FhirApiService {
  private readonly baseUrl: string;

  constructor(
    @Inject(FHIR_CONFIG) private readonly config: FhirConfig,
    @Inject(SEARCH_REGISTRY) private readonly registry: SearchParameterRegistry,
    @Inject(ResourceRepository) private readonly repository: ResourceRepository,
    private readonly audit: AccessAuditService,
  ) {
    this.baseUrl = fhirBaseUrl(config);
  }

  async read(principal: FhirPrincipal, resourceType: string, id: string): Promise<ReadResult> {
    try {
      const filters = this.authorize(principal, resourceType, 'read');
      if (!isFhirId(id)) throw new FhirException(badRequest(`'${id.slice(0, 64)}' is not a valid resource id`));
      const stored = await this.readerFor(principal, filters).readRaw(resourceType, id);
      if (!stored) throw new FhirException(notFound(resourceType, id));
      await this.audit.recordOrRefuse(principal, { interaction: 'read', resourceType, resourceId: id, status: 200, resultCount: 1 });
      return { json: this.present(stored), version: stored.version, lastUpdated: stored.lastUpdated };
    } catch (error) {
      await this.auditFailure(principal, error, { interaction: 'read', resourceType, resourceId: id });
      throw error;
    }
  }

  /** The searchset Bundle as JSON text, and the media type `_format` asked for. */
  async search(principal: FhirPrincipal, resourceType: string, query: SearchQuery, queryText: string): Promise<{ json: string; format?: string }> {
    try {
      const filters = this.authorize(principal, resourceType, 'search');
      const parsed = parseSearchRequest(resourceType, query, this.registry, { maxCount: this.config.FHIR_MAX_PAGE_SIZE });
      if (!parsed.ok) throw new FhirException(searchErrorOutcome(parsed.error));
      const request = parsed.request;
      const forward = new Set(request.include);
      for (const include of [...request.include, ...request.revInclude]) {
        const types = include.targetType ? [include.targetType] : include.parameters.flatMap((parameter) => parameter.target ?? []);
        // The matches are already limited by the scopes for the searched type; the resources an
        // include adds (targets of `_include`, sources of `_revinclude`) are not filtered by
        // granular scopes, so each type added must be readable whole.
        const added = forward.has(include) ? types : [include.sourceType];
        for (const type of added) {
          if (this.registry.supports(type) && !this.allows(principal, type, 'read')) {
            throw new FhirException(forbidden(`The token's scopes do not allow reading ${type} (needed by ${include.sourceType} includes)`));
          }
        }
      }
      let result;
      try {
        result = await this.readerFor(principal, filters).search(request);
      } catch (error) {
        if (error instanceof UnsupportedSearchError) throw new FhirException(notSupported(error.message, error.parameter));
        if (error instanceof WithheldSearchError) throw new FhirException(forbidden(error.message));
        throw error;
      }
      // The builder needs only each resource's type and id (for fullUrl); the stored JSON is spliced in.
      const stub = (raw: RawResource) => ({ resourceType: raw.resourceType, id: raw.id }) as Resource;
      const bundle: Bundle = searchsetBundle({
        baseUrl: this.baseUrl,
        resourceType,
        entries: result.entries.map(stub),
        includes: result.includes.map(stub),
        total: result.total,
        request,
      });
      const json = serializeBundle(
        bundle,
        [...result.entries, ...result.includes].map((raw) => this.present(raw, request.elements)),
      );
      await this.audit.recordOrRefuse(principal, { interaction: 'search', resourceType, query: queryText, status: 200, resultCount: result.entries.length });
      return { json, format: request.format };
    } catch (error) {
      await this.auditFailure(principal, error, { interaction: 'search', resourceType, query: queryText });
      throw error;
    }
  }

  /** The resource types this server serves, in the registry's order. */
  servedTypes(): readonly string[] {
    return this.registry.resourceTypes;
  }

  /**
   * Refuses a type the scopes do not reach at all (403); granular scopes (`?category=...`) let the
   * interaction through with a filter the store applies, so what they exclude does not exist.
   */
  private authorize(principal: FhirPrincipal, resourceType: string, interaction: Interaction): Record<string, ScopeFilter> {
    if (!this.registry.supports(resourceType)) {
      throw new FhirException(notSupported(`Resource type '${resourceType.slice(0, 64)}' is not served by this server`));
    }
    const context = principal.kind === 'payer' ? ScopeContext.System : ScopeContext.Patient;
    const decision = decideAccess(principal.scopes, { context, resourceType, interaction });
    if (decision.access === 'none') {
      throw new FhirException(forbidden(`The token's scopes (${principal.scope}) do not allow ${interaction} on ${resourceType}`));
    }
    if (decision.access === 'full') return {};
    const systemAliases = (param: string) => this.registry.get(resourceType, param)?.allowedValues?.systems;
    return { [resourceType]: { constraints: decision.constraints, systemAliases } };
  }

  private allows(principal: FhirPrincipal, resourceType: string, interaction: Interaction): boolean {
    const context = principal.kind === 'payer' ? ScopeContext.System : ScopeContext.Patient;
    return canAccess(principal.scopes, { context, resourceType, interaction });
  }

  /** The store's reader for the caller: the member's own compartment, or the payer's linked members. */
  readerFor(principal: FhirPrincipal, scopeFilters: Readonly<Record<string, ScopeFilter>> = {}): ResourceReader {
    return principal.kind === 'payer' ? this.repository.forPayer(principal.clientId) : this.repository.forPatient(principal.patientId, withheldBy(principal), scopeFilters);
  }

  /**
   * The JSON a client gets: as the store's reader gave it (withheld elements already removed), unless
   * the search asked for `_elements` (mandatory elements are kept too, and the resource is tagged SUBSETTED).
   * https://hl7.org/fhir/R4/search.html#elements
   */
  present(raw: RawResource, elements?: readonly string[]): string {
    if (!elements) return raw.json;
    const resource = JSON.parse(raw.json) as Resource;
    const kept: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(resource)) {
      if (name === 'resourceType' || name === 'id' || name === 'meta' || elements.includes(name) || isMandatory(raw.resourceType, name)) kept[name] = value;
    }
    return JSON.stringify({ ...(kept as unknown as Resource), meta: { ...resource.meta, tag: [...(resource.meta?.tag ?? []), SUBSETTED] } });
  }

  private async auditFailure(principal: FhirPrincipal, error: unknown, record: { interaction: 'read' | 'search'; resourceType: string; resourceId?: string; query?: string }): Promise<void> {
    const status = error instanceof FhirException ? error.outcome.status : 500;
    const reason = error instanceof FhirException ? error.message : undefined;
    // The request fails either way; a lost row is logged by the audit itself.
    await this.audit.record(principal, { ...record, status, reason }).catch(() => undefined);
  }
}
