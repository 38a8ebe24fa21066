export { synthesize } from './synthesize';
export { safeSynth } from './safe';
export type { SynthResult } from './safe';
export { describeLoadError, loadIntent } from './load';
export type { LoadedIntent } from './load';
export { finish, runAsCdk8sApp, runSynth } from './run';
export type { SynthCommand, SynthRun } from './run';
export { formatDefaults, formatWarnings } from './summary';
