// Every property test of a run uses the seed the global setup chose and printed (a fresh one
// each run, in CI too, so CI keeps looking for new counterexamples; FC_SEED replays one).
// Counterexamples found before are replayed whatever the seed, as `examples` of their property.
//
// fast-check is configured when a test file first loads it, not here: most test files have no
// property test, and jest loads every module anew for each file.
const seed = process.env.FC_SEED;
if (seed !== undefined) {
  jest.doMock('fast-check', () => {
    const fc = jest.requireActual<typeof import('fast-check')>('fast-check');
    fc.configureGlobal({ seed: Number(seed) });
    return fc;
  });
}
