import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/**
 * Lint for async safety and real module boundaries:
 * - apps never import apps (Nx forbids it outright) and use only platform, contracts and util libs;
 * - the contracts library depends on nothing but utilities;
 * - the Twilio simulator is a development tool that no service may import;
 * - an app's scripts (apps/<app>/scripts) may import its src, never the other way round.
 */
const TESTING_ONLY_IN_TESTS = { name: '@sms/testing', message: 'test factories and harnesses belong in test files only' };
/** Two levels up is as far as a relative import goes: past that, the file belongs to another room (import its library) or sits in the wrong one. */
const NO_DEEP_RELATIVE_IMPORTS = { group: ['../../../*'], message: 'import across rooms through the library (@sms/...), or move the file closer' };
/** An app's scripts (benchmarks, evaluations, training, CLIs) import its src; src, tests included, never imports them. */
const NO_SCRIPTS_FROM_SRC = { group: ['**/scripts/**'], message: "src is what the service runs: it never imports the app's scripts (move what both need into src)" };

export default tseslint.config(
  { ignores: ['**/dist/**', '**/dist-scripts/**', '**/node_modules/**', '.nx/**', '.local/**', '.cache/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          banTransitiveDependencies: false,
          depConstraints: [
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:util'] },
            // type:testing only from test files: see the no-restricted-imports rule below.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:util', 'type:testing'] },
            { sourceTag: 'type:devtool', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:util'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:testing', 'type:platform', 'type:contracts', 'type:util'] },
          ],
        },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      'no-console': 'off',
      'no-duplicate-imports': 'error',
      'no-restricted-imports': ['error', { paths: [TESTING_ONLY_IN_TESTS], patterns: [NO_DEEP_RELATIVE_IMPORTS, NO_SCRIPTS_FROM_SRC] }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/*.fault-spec.ts', '**/*.bench.ts', '**/test-support/**/*.ts', 'libs/testing/**/*.ts', 'apps/dev/e2e/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [NO_DEEP_RELATIVE_IMPORTS, NO_SCRIPTS_FROM_SRC] }],
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', name: ['describe', 'it', 'test', 'suite'], package: 'node:test' }] }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
