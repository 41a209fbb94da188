import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import type { SearchRequest } from '../search/search-request.model';
import { formatSearchQuery, formatSearchUrl } from '../search/search-url.formatter';

/** What of the parsed request a page needs: its size, its offset and the parameters to repeat. */
export type SearchPage = Pick<SearchRequest, 'count' | 'startIndex' | 'linkParameters' | 'summary'>;

export interface SearchsetBundleInput {
  /** The service's public FHIR base, e.g. `https://host/fhir/sb/R4/patientaccess`. */
  readonly baseUrl: string;
  readonly resourceType: string;
  /** This page's matches, in order. */
  readonly entries: readonly Resource[];
  /** All matches across pages. */
  readonly total: number;
  readonly request: SearchPage;
  /** Resources added by `_include` / `_revinclude`. */
  readonly includes?: readonly Resource[];
}

/** Injected so that tests (and replays) produce the same bundle twice. */
export interface BundleDependencies {
  readonly now?: () => Date;
  readonly newId?: () => string;
}

/** Offsets of the pages around the current one; undefined where there is no such page. */
export interface PageOffsets {
  readonly first: number;
  readonly previous?: number;
  readonly next?: number;
  readonly last: number;
}

/**
 * Pages sit on a grid of `count` from 0, so `last` is the same whichever page a client is on.
 * A client that asked for an offset off the grid (startIndex=5, count=10) gets `previous` at 0,
 * then stays on the grid.
 */
export function pageOffsets(total: number, count: number, startIndex: number): PageOffsets {
  const last = total === 0 ? 0 : Math.floor((total - 1) / count) * count;
  const previous = startIndex > 0 ? Math.max(0, Math.min(startIndex - count, last)) : undefined;
  const next = startIndex + count < total ? startIndex + count : undefined;
  return { first: 0, previous, next, last };
}

/**
 * A searchset Bundle with `self`, `first`, `previous`, `next` and `last` links. Every link repeats
 * all the request's parameters (repeated ones too, such as two `_lastUpdated` bounds) with its own
 * `_count` and `startIndex`, so that following `next` walks the same result set to its end.
 * https://hl7.org/fhir/R4/http.html#paging and https://hl7.org/fhir/R4/bundle.html#searchset
 *
 * With `_count=0` or `_summary=count` there are no pages, only the total, so only `self` is given.
 */
export function searchsetBundle(input: SearchsetBundleInput, dependencies: BundleDependencies = {}): Bundle {
  const now = dependencies.now ?? (() => new Date());
  const newId = dependencies.newId ?? randomUUID;
  const { baseUrl } = input;

  const entry: BundleEntry[] = [
    ...input.entries.map((resource) => entryOf(baseUrl, resource, 'match')),
    ...(input.includes ?? []).map((resource) => entryOf(baseUrl, resource, 'include')),
  ];
  return {
    resourceType: 'Bundle',
    id: newId(),
    meta: { lastUpdated: now().toISOString() },
    type: 'searchset',
    total: input.total,
    link: links(input),
    ...(entry.length > 0 ? { entry } : {}),
  };
}

function links({ baseUrl, resourceType, total, request }: SearchsetBundleInput): BundleLink[] {
  // The parameters every link repeats are encoded once; only `startIndex` differs between links.
  const repeated = formatSearchQuery(request.linkParameters);
  const url = (startIndex: number) => {
    const own = formatSearchUrl(baseUrl, resourceType, [
      { name: '_count', value: String(request.count) },
      { name: 'startIndex', value: String(startIndex) },
    ]);
    return repeated === '' ? own : `${own}&${repeated}`;
  };
  const self: BundleLink = { relation: 'self', url: url(request.startIndex) };
  if (request.count === 0 || request.summary === 'count') {
    return [self];
  }
  const offsets = pageOffsets(total, request.count, request.startIndex);
  return [
    self,
    { relation: 'first', url: url(offsets.first) },
    ...(offsets.previous === undefined ? [] : [{ relation: 'previous', url: url(offsets.previous) }]),
    ...(offsets.next === undefined ? [] : [{ relation: 'next', url: url(offsets.next) }]),
    { relation: 'last', url: url(offsets.last) },
  ];
}

function entryOf(baseUrl: string, resource: Resource, mode: 'match' | 'include'): BundleEntry {
  if (resource.id === undefined) {
    return { resource, search: { mode } };
  }
  const fullUrl = `${baseUrl.replace(/\/+$/, '')}/${resource.resourceType}/${resource.id}`;
  return { fullUrl, resource, search: { mode } };
}
