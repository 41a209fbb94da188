import type { ResourceType } from '@medplum/fhirtypes';
import type { SearchParameterDefinition } from './search-parameter.model';

/** Looks search parameters up by resource type and code; built once at boot from definitions. */
export interface SearchParameterRegistry {
  /** Types with at least one parameter of their own: the types the service can search. */
  readonly resourceTypes: readonly ResourceType[];
  supports(resourceType: string): boolean;
  get(resourceType: string, code: string): SearchParameterDefinition | undefined;
  /** The type's own parameters followed by the ones every resource has. */
  forResourceType(resourceType: string): readonly SearchParameterDefinition[];
}

/**
 * Throws on a duplicate (type, code): two definitions of one parameter is a programming error that
 * must stop the service at start, not a request error.
 */
export function createSearchParameterRegistry(
  definitions: readonly SearchParameterDefinition[],
): SearchParameterRegistry {
  const common = new Map<string, SearchParameterDefinition>();
  const byType = new Map<string, Map<string, SearchParameterDefinition>>();

  for (const definition of definitions) {
    for (const base of definition.base) {
      const table = base === 'Resource' ? common : getOrCreate(byType, base);
      if (table.has(definition.code)) {
        throw new Error(`Search parameter ${base}.${definition.code} is defined twice`);
      }
      table.set(definition.code, definition);
    }
  }
  for (const [type, table] of byType) {
    for (const code of table.keys()) {
      if (common.has(code)) {
        throw new Error(`Search parameter ${type}.${code} is defined twice`);
      }
    }
  }

  const resourceTypes = [...byType.keys()] as ResourceType[];
  return {
    resourceTypes,
    supports: (resourceType) => byType.has(resourceType),
    get: (resourceType, code) => {
      const own = byType.get(resourceType);
      return own ? (own.get(code) ?? common.get(code)) : undefined;
    },
    forResourceType: (resourceType) => {
      const own = byType.get(resourceType);
      return own ? [...own.values(), ...common.values()] : [];
    },
  };
}

function getOrCreate<K, V>(map: Map<K, Map<string, V>>, key: K): Map<string, V> {
  let value = map.get(key);
  if (!value) {
    value = new Map();
    map.set(key, value);
  }
  return value;
}
