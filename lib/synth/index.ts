/** @public bench/phases.ts loads it with require, in the phase that measures it. */
export { synthesize } from './synthesize';
export { safeSynth, safeWrite } from './safe';
export type { SynthResult } from './safe';
export { loadIntent } from './load';
export { finish, runAsCdk8sApp, runSynth, SYNTH_MODES } from './run';
export { formatDefaults } from './summary';
/** @public bench/phases.ts loads it with require: the benchmark's synthesis is `npm run synth`'s. */
export { writeDist } from './outputs';
