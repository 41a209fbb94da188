import { composeSchemaErrors, interpolate, MissingComposeVariableError } from './compose-file';

describe(interpolate.name, () => {
  const env = { SET: 'value', EMPTY: '' };

  it.each([
    ['plain text', 'plain text'],
    ['$SET and ${SET}', 'value and value'],
    ['${UNSET}', ''],
    ['${UNSET:-fallback} ${EMPTY:-fallback} ${SET:-fallback}', 'fallback fallback value'],
    ['${UNSET-fallback} ${EMPTY-fallback}', 'fallback '],
    ['${SET:+other} ${EMPTY:+other} ${UNSET+other} ${EMPTY+other}', 'other   other'],
    ['${UNSET:-${SET}}', 'value'],
    ['cost: $$5 and $${SET}', 'cost: $5 and ${SET}'],
    ['postgres://u:${UNSET:-pw}@db:5432/app', 'postgres://u:pw@db:5432/app'],
  ])('%s', (input, expected) => {
    expect(interpolate(input, env)).toBe(expected);
  });

  it('refuses a required variable that is unset, or empty with a colon, naming it', () => {
    expect(() => interpolate('${UNSET:?set UNSET in docker/.env}', env)).toThrow(new MissingComposeVariableError('UNSET', 'set UNSET in docker/.env'));
    expect(() => interpolate('${EMPTY:?}', env)).toThrow(/required variable EMPTY is missing a value/);
    expect(interpolate('${EMPTY?}', env)).toBe('');
  });
});

describe(composeSchemaErrors.name, () => {
  it('accepts a minimal file and names what the Compose Specification forbids', () => {
    expect(composeSchemaErrors({ services: { web: { image: 'nginx', healthcheck: { test: ['CMD', 'true'], retries: 3 } } } })).toEqual([]);
    expect(composeSchemaErrors({ services: { web: { image: 'nginx', restart_policy: 'always' } } })).toEqual([
      expect.stringContaining('/services/web must NOT have additional properties'),
    ]);
    expect(composeSchemaErrors({ services: { web: { image: 'nginx', depends_on: { db: { condition: 'service_ready' } } }, db: { image: 'postgres' } } })).toContainEqual(
      expect.stringContaining('/services/web/depends_on/db/condition must be equal to one of the allowed values'),
    );
  });
});
