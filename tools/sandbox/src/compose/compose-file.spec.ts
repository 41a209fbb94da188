import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { composeNodeOptions, composeSchemaErrors, interpolate, MissingComposeVariableError } from './compose-file';

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

describe(composeNodeOptions.name, () => {
  const composeFile = (text: string) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'compose-')), 'docker-compose.yml');
    writeFileSync(file, text);
    return file;
  };

  it("reads a service's literal NODE_OPTIONS through `<<` merges, and undefined where it has none", () => {
    const file = composeFile(['x-env: &env', '  A: "1"', 'services:', '  one:', '    environment:', '      <<: *env', '      NODE_OPTIONS: "--max-old-space-size=512"', '  two:', '    environment:', '      <<: *env'].join('\n'));
    expect(composeNodeOptions('one', file)).toBe('--max-old-space-size=512');
    expect(composeNodeOptions('two', file)).toBeUndefined();
    expect(composeNodeOptions('three', file)).toBeUndefined();
  });

  it('refuses a value that depends on the environment, or a list environment', () => {
    expect(() => composeNodeOptions('one', composeFile('services:\n  one:\n    environment:\n      NODE_OPTIONS: ${OPTIONS:-}\n'))).toThrow(/must be a literal string/);
    expect(() => composeNodeOptions('one', composeFile('services:\n  one:\n    environment:\n      - NODE_OPTIONS=x\n'))).toThrow(/must be a mapping/);
  });
});
