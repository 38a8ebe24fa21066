// ESLint with typescript-eslint's type-checked rules (https://typescript-eslint.io/getting-started/typed-linting):
// the rules that need the types (floating promises, unsafe any, unnecessary conditions) are the
// ones that find bugs in code like this, where a missed await or an `any` from parsed YAML widens
// what a check sees. Formatting is Prettier's (.prettierrc.json), not ESLint's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The globals @types/jest declares (its index.d.ts: `declare var`, `declare const`, `declare function`, `declare namespace`). */
const JEST_GLOBALS = [
  ...['describe', 'fdescribe', 'xdescribe', 'it', 'fit', 'xit', 'test', 'xtest', 'expect', 'jest', 'beforeAll', 'beforeEach', 'afterAll', 'afterEach'],
  ...['fail', 'pending', 'spyOn', 'jasmine'],
];

export default tseslint.config(
  {
    // Generated (imports/: cdk8s import and the schema validators) or written by synthesis.
    ignores: ['imports/**', 'dist/**', 'build/**', 'deploy/**', 'reports/**', 'node_modules/**', 'test/fixtures/entry/broken/**', 'coverage/**'],
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
    // The code that runs outside jest (main.ts, lib/ but its test API lib/testing, scripts/, bench/).
    // `npm run typecheck` checks it in one program with the tests, so jest's global types
    // (@types/jest: `declare var describe`, `declare const expect`, `declare namespace jest`, ...)
    // are in scope there too: a test global used by accident, or an import of test code, would
    // type-check, then fail at run time (`describe is not defined`) where no test runs it. Both
    // are refused here rather than by a second type-check of production code without jest's types
    // (12 CPU seconds more in CI, where it runs cold). The scope analysis knows no global of
    // @types/jest, so each use is a reference to an undeclared global.
    files: ['main.ts', 'lib/**/*.ts', 'scripts/**/*.{ts,js}', 'bench/**/*.ts'],
    ignores: ['**/*.test.ts', 'lib/testing/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...JEST_GLOBALS.map((name) => ({
          name,
          message: `${name} is a jest global (@types/jest): production code runs outside jest, where it is not defined.`,
        })),
      ],
      // The rule above leaves out uses in types (`jest.Mock`), which vanish at run time but would
      // tie production's types to @types/jest.
      'no-restricted-syntax': [
        'error',
        {
          selector: 'TSQualifiedName > Identifier.left[name=/^(jest|jasmine)$/]',
          message: 'a type of @types/jest: the types of production code are shipped to projects that may not have jest.',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)(testing|test)(/|$)|\\.test(\\.ts)?$',
              message: 'test code (lib/testing, test/, *.test.ts) is checked with jest types and never imported by production code.',
            },
          ],
        },
      ],
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
