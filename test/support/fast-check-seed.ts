import fc from 'fast-check';

// Every property test of a run uses the seed the global setup chose and printed (a fresh one
// each run, in CI too, so CI keeps looking for new counterexamples; FC_SEED replays one).
// Counterexamples found before are replayed whatever the seed, as `examples` of their property.
const seed = process.env.FC_SEED;
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
