// `npm test` starts jest as `node --no-opt`, and its workers inherit the flag: V8's optimizing
// compiler (TurboFan) spends more CPU compiling than a test file's short run gets back, and on
// two cores that CPU is what the suite waits for (BENCHMARKS.md, npm test). The programs the tests
// start (tsc, the scripts, cdk8s) run as usual.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.tsx?$': ['@swc/jest'] },
  // main.test.ts and any test file the platform team adds beside it or under team/ (docs/testing.md,
  // "Asserting reach in your tests"); the tool's own tests in lib/ and test/. Where a test of the
  // tool goes (ARCHITECTURE.md, Tests): a unit test of one folder beside its code in lib/<folder>/;
  // test/ only for tests that cross folders or run the tools end to end (scripts, cdk8s CLI, Squid,
  // a browser); fixtures under test/fixtures/. test/boundaries.test.ts checks it.
  testMatch: ['<rootDir>/*.test.ts', '<rootDir>/team/**/*.test.ts', '<rootDir>/lib/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/fast-check-global.ts',
  setupFiles: ['<rootDir>/test/support/fast-check-seed.ts'],
  // The jest matchers for reach (lib/testing): expect(manifests).toAllowEgress(...) in every test file.
  // With JEST_CPU_REPORT=<file>, each test file's CPU seconds are appended to <file> (cpu-report.ts).
  setupFilesAfterEnv: ['<rootDir>/test/support/reach-matchers.ts', '<rootDir>/test/support/cpu-report.ts'],
  // Each module's code compiled once per worker instead of once per test file (test/support/jest-runtime.js):
  // about a third of the CPU of a test file that loads the project. A path from this file, not
  // <rootDir>, so that the configuration laid over another folder (test/jest-config.test.ts) finds it.
  runtime: require('path').join(__dirname, 'test', 'support', 'jest-runtime.js'),
  testTimeout: 60000,
  // Jest's default leaves one core to its own process, which on two cores means running every
  // file one after the other; its own process mostly waits, so use every core for workers.
  maxWorkers: '100%',
  // How long a worker has to exit once every file has run before jest kills it and warns "A worker
  // process has failed to exit gracefully" (500 ms by default; option since jest 30.4, jestjs/jest#15984).
  // No test leaves a handle open (JEST_CPU_REPORT runs can list them), but a worker ends with a heap
  // of several hundred MB, and Node frees it on exit: about 1 s on a quiet machine for 760 MB, more
  // under load. The warning still comes for a worker that a leaked handle keeps alive.
  workerGracefulExitTimeout: 5000,
};
