/**
 * Sensitivity labels (`meta.security`) on a plan's claims and clinical records, so that a member who
 * withholds sensitive data at consent can be served everything else. Da Vinci PDex asks for this
 * exclusion for member-authorized sharing; 42 CFR Part 2 protects substance-use disorder records.
 * https://hl7.org/fhir/uv/security-label-ds4p/ and https://hl7.org/fhir/us/davinci-pdex/
 */

export const CONFIDENTIALITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
export const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

/**
 * Labels that make a resource sensitive: restricted or very restricted confidentiality, the
 * sensitivity policies of v3-ActCode (substance use, HIV, mental health, sexual and reproductive
 * health, genetics, violence) and the 42 CFR Part 2 privacy law. The one list: a grant that
 * withholds sensitive data and a payer whose consent is to non-sensitive data only (HRex
 * `#sensitive`) both see no resource carrying any of them.
 * https://terminology.hl7.org/CodeSystem-v3-ActCode.html#v3-ActCode-_InformationSensitivityPolicy
 */
const SENSITIVE_LABELS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  [CONFIDENTIALITY_SYSTEM, new Set(['R', 'V'])],
  [
    ACT_CODE_SYSTEM,
    new Set(['ETH', 'ETHUD', 'OPIOIDUD', 'SUD', 'PSY', 'PSYTHPN', 'BH', 'MH', 'HIV', 'SDV', 'DV', 'SEX', 'STD', 'SICKLE', 'GDIS', 'TBOO', '42CFRPart2']),
  ],
]);

export interface SecurityCoding {
  readonly system?: string;
  readonly code?: string;
}

/** `system|code` of each sensitivity label among a resource's `meta.security`, sorted and without repeats. */
export function sensitivityLabelsOf(resource: { resourceType?: string; meta?: { security?: readonly SecurityCoding[] } }): string[] {
  const labels = new Set<string>();
  const security = resource.meta?.security;
  if (!Array.isArray(security)) return [];
  for (const coding of security) {
    if (typeof coding?.system !== 'string' || typeof coding.code !== 'string') continue;
    if (SENSITIVE_LABELS.get(coding.system)?.has(coding.code)) labels.add(`${coding.system}|${coding.code}`);
  }
  return [...labels].sort();
}

/**
 * One sensitive category of a plan's list: the codes that put a record in it and the ActCode
 * labels such a record gets. A code entry is a prefix (`B20`, `0074-3799`) or an inclusive range of
 * prefixes of one length (`F10-F19`, two sides of equal length); ICD-10 dots and letter case do not
 * matter. NDC prefixes are written in the 5-4 labeler-product form (`12496-1208`).
 */
export interface SensitiveCategory {
  readonly label: string;
  /** Extra ActCode labels (for substance use, `42CFRPart2`). */
  readonly alsoLabels?: readonly string[];
  /** Code system URL -> prefixes or ranges. */
  readonly codes: Readonly<Record<string, readonly string[]>>;
}

export type SensitiveCodeList = readonly SensitiveCategory[];

const ICD10_CM = 'http://hl7.org/fhir/sid/icd-10-cm';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10';
const NDC = 'http://hl7.org/fhir/sid/ndc';
const HCPCS = 'https://bluebutton.cms.gov/resources/codesystem/hcpcs';
const CPT = 'http://www.ama-assn.org/go/cpt';

/**
 * The default list: a starting point a plan replaces with its own (FHIR_SENSITIVE_CODES). ICD-10
 * chapters as CMS and SAMHSA group them; procedures and drugs that imply the condition on their own.
 */
export const DEFAULT_SENSITIVE_CODES: SensitiveCodeList = [
  {
    // Mental and behavioural disorders due to psychoactive substance use; opioid treatment drugs and services.
    label: 'ETH',
    alsoLabels: ['42CFRPart2'],
    codes: {
      [ICD10_CM]: ['F10-F19', 'T40', 'Z71.4', 'Z71.5'],
      [ICD10]: ['F10-F19'],
      [HCPCS]: ['H0001-H0020', 'J0571-J0575', 'G2067-G2088'],
      [NDC]: ['12496-0100', '12496-0120', '12496-1202', '12496-1208', '65757-0300', '00054-0176', '00054-0177'],
    },
  },
  {
    label: 'HIV',
    codes: {
      [ICD10_CM]: ['B20', 'Z21', 'O98.7', 'R75'],
      [ICD10]: ['B20-B24', 'Z21'],
      [CPT]: ['87389', '87390', '87534-87539'],
      [NDC]: ['61958-1801', '61958-2101', '49702-0228', '49702-0231'],
    },
  },
  {
    // Schizophrenia, mood, anxiety and related disorders; psychotherapy.
    label: 'PSY',
    codes: {
      [ICD10_CM]: ['F20-F48', 'F60-F69'],
      [ICD10]: ['F20-F48', 'F60-F69'],
      [CPT]: ['90832-90853'],
      [HCPCS]: ['H0031-H0040', 'H2011-H2020'],
    },
  },
  {
    // Abortion, contraception and sexually transmitted infections.
    label: 'SEX',
    codes: {
      [ICD10_CM]: ['O04', 'Z30', 'Z32', 'Z33.2', 'A50-A64'],
      [ICD10]: ['O04', 'A50-A64'],
    },
  },
];

/** Per code system, the matchers of the categories that list it, with the labels each gives. */
type CompiledList = ReadonlyMap<string, readonly { readonly labels: readonly string[]; readonly match: (code: string) => boolean }[]>;

const compiledLists = new WeakMap<SensitiveCodeList, CompiledList>();

function normalize(code: string): string {
  return code.replace(/\./g, '').toUpperCase();
}

function matcherOf(entries: readonly string[]): (code: string) => boolean {
  const tests = entries.map((entry) => {
    const sides = entry.split('-');
    // Two sides of one length make a range; an NDC prefix (labeler-product, 5-4) never does.
    if (sides.length !== 2 || sides[0].length !== sides[1].length) {
      const prefix = normalize(entry);
      return (code: string) => code.startsWith(prefix);
    }
    const [low, high] = sides.map(normalize);
    return (code: string) => {
      const head = code.slice(0, low.length);
      return head.length === low.length && head >= low && head <= high;
    };
  });
  return (code) => tests.some((test) => test(code));
}

/**
 * Checks a plan's list as read from configuration (JSON): the reason it is refused, or the list.
 * A wrong list must stop the loader rather than leave sensitive records unlabelled.
 */
export function parseSensitiveCodeList(value: unknown): SensitiveCodeList | string {
  if (!Array.isArray(value) || value.length === 0) return 'must be a non-empty JSON array of categories';
  for (const [index, category] of value.entries()) {
    const where = `category ${index}`;
    if (typeof category !== 'object' || category === null) return `${where} is not an object`;
    const { label, alsoLabels, codes } = category as Record<string, unknown>;
    if (typeof label !== 'string' || !SENSITIVE_LABELS.get(ACT_CODE_SYSTEM)?.has(label)) return `${where}: label must be one of ${[...(SENSITIVE_LABELS.get(ACT_CODE_SYSTEM) ?? [])].join(', ')}`;
    if (alsoLabels !== undefined && (!Array.isArray(alsoLabels) || alsoLabels.some((extra) => typeof extra !== 'string' || !SENSITIVE_LABELS.get(ACT_CODE_SYSTEM)?.has(extra)))) {
      return `${where}: alsoLabels must list ActCode sensitivity labels`;
    }
    if (typeof codes !== 'object' || codes === null || Array.isArray(codes)) return `${where}: codes must map code systems to code lists`;
    for (const [system, list] of Object.entries(codes)) {
      if (!Array.isArray(list) || list.some((code) => typeof code !== 'string' || code.trim() === '')) return `${where}: codes of ${system} must be non-empty strings`;
    }
  }
  return value as SensitiveCodeList;
}

function compile(list: SensitiveCodeList): CompiledList {
  let compiled = compiledLists.get(list);
  if (!compiled) {
    const bySystem = new Map<string, { labels: readonly string[]; match: (code: string) => boolean }[]>();
    for (const category of list) {
      const labels = [category.label, ...(category.alsoLabels ?? [])];
      for (const [system, entries] of Object.entries(category.codes)) {
        bySystem.set(system, [...(bySystem.get(system) ?? []), { labels, match: matcherOf(entries) }]);
      }
    }
    compiled = bySystem;
    compiledLists.set(list, compiled);
  }
  return compiled;
}

/** Most nesting followed when looking for codes: deeper than any R4 resource a plan exports. */
const MAX_DEPTH = 32;

/**
 * The resource with the sensitivity labels its codes call for (plus Confidentiality `R`) added to
 * `meta.security`, or the very same object when none applies. Every coding anywhere in the resource
 * counts (diagnoses, procedures, products, a Condition's code), `meta` excepted.
 */
export function applySensitivityLabels<T extends { resourceType: string; meta?: { security?: readonly SecurityCoding[]; lastUpdated?: string } }>(resource: T, list: SensitiveCodeList = DEFAULT_SENSITIVE_CODES): T {
  const bySystem = compile(list);
  const found = new Set<string>();
  const visit = (value: unknown, depth: number): void => {
    if (depth > MAX_DEPTH || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    const record = value as Record<string, unknown>;
    // The loader runs this on every resource: only codings of a listed system are normalized and matched.
    const matchers = typeof record.system === 'string' && typeof record.code === 'string' ? bySystem.get(record.system) : undefined;
    if (matchers) {
      const code = normalize(record.code as string);
      for (const matcher of matchers) if (matcher.match(code)) for (const label of matcher.labels) found.add(label);
    }
    for (const key in record) {
      if (depth === 0 && key === 'meta') continue;
      const child = record[key];
      if (typeof child === 'object' && child !== null) visit(child, depth + 1);
    }
  };
  visit(resource, 0);
  if (found.size === 0) return resource;
  const security = [...(Array.isArray(resource.meta?.security) ? resource.meta.security : [])];
  const has = (system: string, code: string) => security.some((coding) => coding?.system === system && coding.code === code);
  if (!has(CONFIDENTIALITY_SYSTEM, 'R') && !has(CONFIDENTIALITY_SYSTEM, 'V')) security.push({ system: CONFIDENTIALITY_SYSTEM, code: 'R' });
  for (const label of [...found].sort()) if (!has(ACT_CODE_SYSTEM, label)) security.push({ system: ACT_CODE_SYSTEM, code: label });
  return { ...resource, meta: { ...resource.meta, security } };
}
