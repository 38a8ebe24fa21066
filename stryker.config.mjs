// Mutation testing of the verifier's evaluators and lib/net (docs/mutation-testing.md): Stryker
// changes one operator, condition or value at a time (a mutant) and runs the tests that cover
// that line; a mutant no test notices is a behaviour no test pins down. Run it with
// `npm run mutation` (scripts/mutation.ts, one module at a time); it is not part of `npm test`.
// Options: https://stryker-mutator.io/docs/stryker-js/configuration/
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';

export default {
  // The modules measured; scripts/mutation.ts narrows this to one of them per run (--mutate).
  mutate: ['lib/verify/kubernetes.ts', 'lib/verify/calico.ts', 'lib/verify/selector.ts', 'lib/net/*.ts', '!lib/net/**/*.test.ts'],
  testRunner: 'jest',
  jest: {
    // The project's jest config (the @swc/jest transform, the fast-check seed, the reach
    // matchers), narrowed to the unit tests of the measured module: a mutant counts as caught only
    // by the tests written for its module, not by a test elsewhere that happens to pass through.
    // scripts/mutation.ts gives the module's tests in MUTATION_TESTS (comma-separated globs).
    projectType: 'custom',
    configFile: 'jest.config.js',
    config: { testMatch: (process.env.MUTATION_TESTS ?? 'lib/verify/**/*.test.ts,lib/net/**/*.test.ts').split(',').map((glob) => `<rootDir>/${glob}`) },
    enableFindRelatedTests: false,
  },
  // One dry run records which test reaches which mutant; each mutant then runs only those tests.
  coverageAnalysis: 'perTest',
  // Two cores, shared: two jest processes at a time.
  concurrency: 2,
  // A mutant that loops (a loop bound turned around) is stopped after 1.5 times the tests' own time
  // plus this; generous, because on a busy shared machine a slow run is not yet a loop.
  timeoutMS: 20000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  // scripts/mutation.ts names the reports after the module it runs.
  htmlReporter: { fileName: `reports/mutation/${process.env.MUTATION_REPORT ?? 'mutation'}.html` },
  jsonReporter: { fileName: `reports/mutation/${process.env.MUTATION_REPORT ?? 'mutation'}.json` },
  // The copies of the project a run mutates, outside it: jest, run in the project meanwhile, would
  // otherwise find a second package.json and tests under it. Per run, removed when it ends.
  tempDirName: join(tmpdir(), `stryker-${process.pid}`),
  cleanTempDir: 'always',
};
