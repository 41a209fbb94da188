import { readFileSync } from 'node:fs';
import path from 'node:path';
import { composeNodeOptions } from './compose-file';
import { dockerfileRuntimeEnv } from './dockerfile-env';

describe(dockerfileRuntimeEnv.name, () => {
  it("reads the last stage's ENV pairs, quoted or not, several to a line", () => {
    const text = ['FROM node AS build', 'ENV BUILD_ONLY=1', 'FROM node AS runtime', 'ENV NODE_ENV=production', 'ENV A=1 B="two words" C="a \\"quote\\""', 'RUN true'].join('\n');
    expect(dockerfileRuntimeEnv(text)).toEqual({ NODE_ENV: 'production', A: '1', B: 'two words', C: 'a "quote"' });
  });

  it('refuses the forms it does not read rather than miss a setting', () => {
    expect(() => dockerfileRuntimeEnv('FROM node\nENV NODE_ENV production')).toThrow(/cannot read "ENV NODE_ENV production"/);
    expect(() => dockerfileRuntimeEnv('FROM node\nENV A=1 \\\n  B=2')).toThrow(/cannot read/);
  });
});

describe('the process settings of docker/Dockerfile and tools/sandbox/start.sh', () => {
  const image = dockerfileRuntimeEnv();
  const startScript = readFileSync(path.resolve(__dirname, '../../start.sh'), 'utf8');

  it('gives the image two malloc arenas and a 16 MB semi-space, and no old-space ceiling', () => {
    expect(image.MALLOC_ARENA_MAX).toBe('2');
    expect(image.NODE_OPTIONS.split(/\s+/)).toContain('--max-semi-space-size=16');
    expect(image.NODE_OPTIONS).not.toMatch(/--max-old-space-size/);
  });

  it("gives npm start's one process the same, and only the old-space ceiling beyond them", () => {
    const arenas = /MALLOC_ARENA_MAX="\$\{MALLOC_ARENA_MAX:-(\d+)\}"/.exec(startScript)?.[1];
    const flags = /export NODE_OPTIONS="([^$"]*)\$\{NODE_OPTIONS:-\}"/.exec(startScript)?.[1].trim().split(/\s+/);
    expect(arenas).toBe(image.MALLOC_ARENA_MAX);
    expect(flags?.filter((flag) => !flag.startsWith('--max-old-space-size='))).toEqual(image.NODE_OPTIONS.split(/\s+/));
  });

  it("gives the authorization container the image's flags and only an old-space ceiling beyond them", () => {
    const flags = composeNodeOptions('authorization')?.split(/\s+/) ?? [];
    expect(flags).toContain('--max-old-space-size=512');
    expect(flags.filter((flag) => !flag.startsWith('--max-old-space-size='))).toEqual(image.NODE_OPTIONS.split(/\s+/));
    // The fhir service may hold a bulk export or a big load: it keeps the image's value, with no ceiling.
    expect(composeNodeOptions('fhir')).toBeUndefined();
  });
});
