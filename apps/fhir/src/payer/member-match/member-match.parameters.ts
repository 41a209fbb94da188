import type { Consent, Coverage, Patient } from '@medplum/fhirtypes';
import { parseFhirInstant } from '@payer-access/fhir-models';

/** The parts of an HRex `$member-match` request. https://hl7.org/fhir/us/davinci-hrex/OperationDefinition-member-match.html */
export interface MemberMatchInput {
  readonly memberPatient: Patient;
  readonly coverageToMatch: Coverage;
  readonly coverageToLink?: Coverage;
  readonly consent: Consent;
}

export type ParsedMemberMatch = { readonly ok: true; readonly input: MemberMatchInput } | { readonly ok: false; readonly problem: string; readonly expression?: string };

const PARTS = {
  MemberPatient: { resourceType: 'Patient', required: true },
  CoverageToMatch: { resourceType: 'Coverage', required: true },
  CoverageToLink: { resourceType: 'Coverage', required: false },
  Consent: { resourceType: 'Consent', required: true },
} as const;

type PartName = keyof typeof PARTS;

/**
 * The request body as HRex defines it, with the JSON types of every element the matching and the
 * consent check read: anything else is refused here (400), so the rules only see well-typed data.
 */
export function parseMemberMatch(body: unknown): ParsedMemberMatch {
  if (!isObject(body) || body.resourceType !== 'Parameters') return fail('The body must be a FHIR Parameters resource');
  if (!Array.isArray(body.parameter)) return fail('Parameters.parameter must be an array', 'Parameters.parameter');
  const found: Partial<Record<PartName, unknown>> = {};
  for (const [index, part] of body.parameter.entries()) {
    const where = `Parameters.parameter[${index}]`;
    if (!isObject(part) || typeof part.name !== 'string') return fail('Each parameter needs a name', where);
    if (!(part.name in PARTS)) return fail(`Unknown parameter '${part.name.slice(0, 64)}' (expected ${Object.keys(PARTS).join(', ')})`, where);
    const name = part.name as PartName;
    if (found[name] !== undefined) return fail(`Parameter ${name} appears more than once`, where);
    if (!isObject(part.resource) || part.resource.resourceType !== PARTS[name].resourceType) {
      return fail(`Parameter ${name} must carry a ${PARTS[name].resourceType} resource`, `${where}.resource`);
    }
    found[name] = part.resource;
  }
  for (const [name, part] of Object.entries(PARTS)) {
    if (part.required && found[name as PartName] === undefined) return fail(`Parameter ${name} is required`, 'Parameters.parameter');
  }
  const problem = patientProblem(found.MemberPatient) ?? coverageProblem(found.CoverageToMatch, 'CoverageToMatch') ??
    (found.CoverageToLink === undefined ? undefined : coverageProblem(found.CoverageToLink, 'CoverageToLink')) ?? consentProblem(found.Consent);
  if (problem) return fail(problem[0], problem[1]);
  return {
    ok: true,
    input: {
      memberPatient: found.MemberPatient as Patient,
      coverageToMatch: found.CoverageToMatch as Coverage,
      coverageToLink: found.CoverageToLink as Coverage | undefined,
      consent: found.Consent as Consent,
    },
  };
}

type Problem = [string, string] | undefined;

function patientProblem(patient: unknown): Problem {
  const p = patient as Record<string, unknown>;
  if (p.birthDate !== undefined && typeof p.birthDate !== 'string') return ['MemberPatient.birthDate must be a date string', 'Patient.birthDate'];
  if (p.name !== undefined) {
    if (!Array.isArray(p.name) || !p.name.every(isObject)) return ['MemberPatient.name must be an array of HumanName', 'Patient.name'];
    for (const name of p.name as Record<string, unknown>[]) {
      if (name.family !== undefined && typeof name.family !== 'string') return ['HumanName.family must be a string', 'Patient.name.family'];
      if (name.use !== undefined && typeof name.use !== 'string') return ['HumanName.use must be a string', 'Patient.name.use'];
      if (name.given !== undefined && !(Array.isArray(name.given) && name.given.every((given) => typeof given === 'string'))) {
        return ['HumanName.given must be an array of strings', 'Patient.name.given'];
      }
    }
  }
  return identifiersProblem(p.identifier, 'Patient.identifier');
}

function coverageProblem(coverage: unknown, part: string): Problem {
  const c = coverage as Record<string, unknown>;
  if (c.subscriberId !== undefined && typeof c.subscriberId !== 'string') return [`${part}.subscriberId must be a string`, 'Coverage.subscriberId'];
  return identifiersProblem(c.identifier, 'Coverage.identifier');
}

function consentProblem(consent: unknown): Problem {
  const c = consent as Record<string, unknown>;
  if (typeof c.status !== 'string') return ['Consent.status must be a code', 'Consent.status'];
  if (c.policy !== undefined && !(Array.isArray(c.policy) && c.policy.every((policy) => isObject(policy) && (policy.uri === undefined || typeof policy.uri === 'string')))) {
    return ['Consent.policy must be an array of { uri }', 'Consent.policy'];
  }
  if (c.policyRule !== undefined && !isObject(c.policyRule)) return ['Consent.policyRule must be a CodeableConcept', 'Consent.policyRule'];
  for (const field of ['performer', 'organization'] as const) {
    const value = c[field];
    if (value !== undefined && !(Array.isArray(value) && value.every(referenceOk))) return [`Consent.${field} must be an array of Reference`, `Consent.${field}`];
  }
  if (c.provision !== undefined) {
    if (!isObject(c.provision)) return ['Consent.provision must be an object', 'Consent.provision'];
    const period = c.provision.period;
    if (period !== undefined && !(isObject(period) && [period.start, period.end].every((value) => value === undefined || typeof value === 'string'))) {
      return ['Consent.provision.period must be a Period of dateTime strings', 'Consent.provision.period'];
    }
    for (const bound of ['start', 'end'] as const) {
      const value = (period as Record<string, unknown> | undefined)?.[bound];
      const parsed = typeof value === 'string' ? parseFhirInstant(value) : undefined;
      if (parsed && !parsed.ok) return [`Consent.provision.period.${bound} is not a FHIR dateTime: ${parsed.reason}`, `Consent.provision.period.${bound}`];
    }
    const actors = c.provision.actor;
    if (actors !== undefined && !(Array.isArray(actors) && actors.every((actor) => isObject(actor) && referenceOk(actor.reference) && (actor.role === undefined || isObject(actor.role))))) {
      return ['Consent.provision.actor must be an array of { role, reference }', 'Consent.provision.actor'];
    }
    if (Array.isArray(actors)) {
      for (const actor of actors as Record<string, unknown>[]) {
        const codings = (actor.role as Record<string, unknown> | undefined)?.coding;
        if (codings !== undefined && !(Array.isArray(codings) && codings.every((coding) => isObject(coding) && (coding.code === undefined || typeof coding.code === 'string')))) {
          return ['Consent.provision.actor.role.coding must be an array of Coding', 'Consent.provision.actor.role'];
        }
      }
    }
  }
  return undefined;
}

function referenceOk(reference: unknown): boolean {
  if (!isObject(reference)) return false;
  const identifier = reference.identifier;
  return identifier === undefined || (isObject(identifier) && ['system', 'value'].every((key) => identifier[key] === undefined || typeof identifier[key] === 'string'));
}

function identifiersProblem(identifiers: unknown, where: string): Problem {
  if (identifiers === undefined) return undefined;
  const ok = Array.isArray(identifiers) && identifiers.every((identifier) => isObject(identifier) && ['system', 'value'].every((key) => identifier[key] === undefined || typeof identifier[key] === 'string'));
  return ok ? undefined : [`${where} must be an array of Identifier with string system and value`, where];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function fail(problem: string, expression?: string): ParsedMemberMatch {
  return { ok: false, problem, expression };
}
