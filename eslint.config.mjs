import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '.tools/**', '.data/**', '.nx/**', '**/*.js', '**/*.mjs'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Domain libraries are pure: they may use only other domain libraries.
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'] },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:domain', 'type:platform'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:domain', 'type:platform'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:platform', 'type:testing'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:domain', 'type:platform', 'type:testing', 'type:app'] },
          ],
          banTransitiveDependencies: true,
        },
      ],
      // Configuration classes annotate every property: class-transformer converts by the declared type.
      '@typescript-eslint/no-inferrable-types': ['error', { ignoreProperties: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests of any project may use the shared test helpers (real PostgreSQL and Kafka).
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          depConstraints: [{ sourceTag: '*', onlyDependOnLibsWithTags: ['*'] }],
        },
      ],
    },
  },
  {
    // The one-process sandbox is the composition root: it starts the three apps side by side.
    // The benchmark likewise runs the fhir app in-process next to a bare server, and the fuzz
    // campaign the three apps against which it sends its malformed requests.
    // Nx forbids importing applications anywhere else, which is what keeps services apart.
    files: ['tools/sandbox/**/*.ts', 'tools/bench/**/*.ts', 'tools/fuzz/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    // The portal's browser tests drive it against the real registration service, started in-process.
    // The portal's own code reaches that service only over HTTP.
    files: ['apps/portal/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    // Frameworks and I/O stay out of the domain: it is plain TypeScript, testable without a server.
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@nestjs/*'], message: 'Domain libraries do not depend on NestJS.' },
            { group: ['typeorm', 'typeorm/*', 'pg'], message: 'Domain libraries do not touch the database.' },
            { group: ['kafkajs'], message: 'Domain libraries do not publish events themselves.' },
          ],
        },
      ],
    },
  },
];
