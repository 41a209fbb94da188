import { parsePermissions } from './permissions';
import { ScopeName, type ResourceScope, type Scope, type ScopeContext } from './scope';
import { parseConstraint } from './scope-constraint';
import { distinctScopes } from './scope.formatter';

export interface ParsedScopes {
  /** The scopes understood, in request order, without duplicates. */
  readonly scopes: readonly Scope[];
  /** Tokens not understood, as written. They are dropped, not refused (seed 002 asks for `read`). */
  readonly unknown: readonly string[];
}

/** Characters a scope token may contain (RFC 6749 §3.3): printable ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * `context/Type.permissions?query`. FHIR resource type names begin with a capital letter, so
 * `patient/patient.read` names no type.
 */
const RESOURCE_SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]*)\.([^?]+)(?:\?(.+))?$/;

/**
 * Names that are matched case-insensitively, because the plan's published walkthrough (seed 002)
 * writes `openID`, `OpenID` and `FHIRUser` and existing apps copy it. All other names are
 * case-sensitive, as in the spec.
 */
const CASE_INSENSITIVE: ReadonlyMap<string, ScopeName> = new Map([
  [ScopeName.OpenId.toLowerCase(), ScopeName.OpenId],
  [ScopeName.FhirUser.toLowerCase(), ScopeName.FhirUser],
]);

const NAMES: ReadonlySet<string> = new Set(Object.values(ScopeName));

/**
 * Parses the `scope` parameter of an authorization or token request, already form-decoded.
 * Tokens are separated by runs of ASCII whitespace, which is more forgiving than RFC 6749's
 * single spaces; anything else, such as a no-break space, stays inside a token and spoils it.
 */
export function parseScopes(scope: string): ParsedScopes {
  const scopes: Scope[] = [];
  const unknown = new Set<string>();
  for (const token of scope.split(/[ \t\r\n]+/).filter((each) => each !== '')) {
    const parsed = parseScope(token);
    if (parsed === undefined) {
      unknown.add(token);
    } else {
      scopes.push(parsed);
    }
  }
  return { scopes: distinctScopes(scopes), unknown: [...unknown] };
}

/** Parses one scope token; undefined when the platform does not understand it. */
export function parseScope(token: string): Scope | undefined {
  if (!SCOPE_TOKEN.test(token)) {
    return undefined;
  }
  const name = NAMES.has(token) ? (token as ScopeName) : CASE_INSENSITIVE.get(token.toLowerCase());
  if (name !== undefined) {
    return { kind: 'named', name };
  }
  return parseResourceScope(token);
}

function parseResourceScope(token: string): ResourceScope | undefined {
  const match = RESOURCE_SCOPE.exec(token);
  if (match === null) {
    return undefined;
  }
  const [, context, resourceType, permissionText, query] = match;
  const permissions = parsePermissions(permissionText);
  if (permissions === undefined) {
    return undefined;
  }
  const scope: ResourceScope = {
    kind: 'resource',
    context: context as ScopeContext,
    resourceType,
    ...permissions,
  };
  if (query === undefined) {
    return scope;
  }
  // Query constraints are a v2 feature; on a v1 scope their meaning is undefined.
  const constraint = permissions.v1Permission === undefined ? parseConstraint(query) : undefined;
  return constraint === undefined ? undefined : { ...scope, constraint };
}
