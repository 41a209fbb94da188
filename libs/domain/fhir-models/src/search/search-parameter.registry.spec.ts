import { createSearchParameterRegistry } from './search-parameter.registry';
import type { SearchParameterDefinition } from './search-parameter.model';

const id: SearchParameterDefinition = {
  code: '_id',
  type: 'token',
  base: ['Resource'],
  expression: 'Resource.id',
  url: 'http://hl7.org/fhir/SearchParameter/Resource-id',
};
const patientName: SearchParameterDefinition = {
  code: 'name',
  type: 'string',
  base: ['Patient'],
  expression: 'Patient.name',
  url: 'http://example.org/patient-name',
};
const sharedIdentifier: SearchParameterDefinition = {
  code: 'identifier',
  type: 'token',
  base: ['Practitioner', 'Organization'],
  expression: 'Practitioner.identifier | Organization.identifier',
  url: 'http://example.org/identifier',
};

describe(createSearchParameterRegistry.name, () => {
  const sut = createSearchParameterRegistry([id, patientName, sharedIdentifier]);

  it('lists the types that have parameters of their own', () => {
    expect(sut.resourceTypes).toEqual(['Patient', 'Practitioner', 'Organization']);
    expect(sut.supports('Patient')).toBe(true);
    expect(sut.supports('Observation')).toBe(false);
    expect(sut.supports('Resource')).toBe(false);
  });

  it('finds a type parameter and the parameters of every resource', () => {
    expect(sut.get('Patient', 'name')).toBe(patientName);
    expect(sut.get('Patient', '_id')).toBe(id);
    expect(sut.get('Organization', 'identifier')).toBe(sharedIdentifier);
  });

  it('does not find parameters of another type, nor any on an unsupported type', () => {
    expect(sut.get('Organization', 'name')).toBeUndefined();
    expect(sut.get('Observation', '_id')).toBeUndefined();
  });

  it("lists a type's own parameters, then the common ones", () => {
    expect(sut.forResourceType('Patient')).toEqual([patientName, id]);
    expect(sut.forResourceType('Observation')).toEqual([]);
  });

  it('refuses a parameter defined twice for one type', () => {
    expect(() => createSearchParameterRegistry([patientName, { ...patientName, url: 'http://other' }])).toThrow(
      'Search parameter Patient.name is defined twice',
    );
  });

  it('refuses a type parameter that shadows a common one', () => {
    expect(() => createSearchParameterRegistry([id, { ...id, base: ['Patient'] }])).toThrow(
      'Search parameter Patient._id is defined twice',
    );
  });
});
