// ESLint with typescript-eslint's type-checked rules (https://typescript-eslint.io/getting-started/typed-linting):
// the rules that need the types (floating promises, unsafe any, unnecessary conditions) are the
// ones that find bugs in code like this, where a missed await or an `any` from parsed YAML widens
// what a check sees. Formatting is Prettier's (.prettierrc.json), not ESLint's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // Generated (imports/: cdk8s import and the schema validators) or written by synthesis.
    ignores: ['imports/**', 'dist/**', 'deploy/**', 'reports/**', 'node_modules/**', 'test/fixtures/entry/broken/**', 'coverage/**'],
  },
  {
    // A disable comment that no longer suppresses anything is an error: every exception left must still be needed.
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      // `_name` marks what is there to be left out (`const { description: _d, ...rest } = schema`).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Tests read synthesized YAML back as plain data and assert its shape; typing every manifest
    // they open would restate the schemas the tests already validate against. The rest of the
    // type-checked rules (floating promises, unnecessary conditions, ...) hold in tests too. The
    // same holds of the parts of the test API (lib/testing) that read manifests back as data.
    files: ['**/*.test.ts', 'test/**/*.ts', 'lib/testing/manifests.ts', 'lib/testing/properties.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Each benchmark phase loads only the modules it measures, when it runs (bench/child.ts):
    // a top-level import would add every phase's loading to every other phase's setup time.
    files: ['bench/phases.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Plain CommonJS: jest's config and the cdk8s validation plugin, which cdk8s loads with require.
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
