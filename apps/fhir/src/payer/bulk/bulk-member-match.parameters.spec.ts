import { MAX_MEMBER_BUNDLES, parseBulkMemberMatch } from './bulk-member-match.parameters';

const member = (family: string) => ({
  name: 'MemberBundle',
  part: [
    { name: 'MemberPatient', resource: { resourceType: 'Patient', name: [{ family }], birthDate: '1970-01-01' } },
    { name: 'CoverageToMatch', resource: { resourceType: 'Coverage', subscriberId: 'S1' } },
    { name: 'Consent', resource: { resourceType: 'Consent', status: 'active' } },
  ],
});

describe(parseBulkMemberMatch.name, () => {
  it('reads each MemberBundle with the rules of $member-match', () => {
    const parsed = parseBulkMemberMatch({ resourceType: 'Parameters', parameter: [member('A'), member('B')] });
    expect(parsed.ok && parsed.members.map((input) => input.memberPatient.name?.[0].family)).toEqual(['A', 'B']);
  });

  it.each([
    ['not a Parameters', { resourceType: 'Bundle' }, undefined],
    ['no members', { resourceType: 'Parameters', parameter: [] }, 'Parameters.parameter'],
    ['another parameter', { resourceType: 'Parameters', parameter: [{ name: 'MemberPatient' }] }, 'Parameters.parameter[0]'],
    ['parts that are no array', { resourceType: 'Parameters', parameter: [{ name: 'MemberBundle', part: {} }] }, 'Parameters.parameter[0].part'],
    ['a member without Consent', { resourceType: 'Parameters', parameter: [member('A'), { name: 'MemberBundle', part: member('B').part.slice(0, 2) }] }, 'Parameters.parameter[1].part'],
    ['a numeric family name', { resourceType: 'Parameters', parameter: [member(7 as unknown as string)] }, 'Patient.name.family'],
    ['too many members', { resourceType: 'Parameters', parameter: Array.from({ length: MAX_MEMBER_BUNDLES + 1 }, () => member('A')) }, 'Parameters.parameter'],
  ])('refuses %s, saying where', (_case, body, expression) => {
    const parsed = parseBulkMemberMatch(body);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok === false && parsed.expression).toBe(expression);
  });
});
