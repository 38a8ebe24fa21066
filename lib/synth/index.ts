export { synthesize } from './synthesize';
export { safeSynth, safeWrite } from './safe';
export type { Output, SynthResult, WriteResult } from './safe';
export { deployDirOf, platformOutputs, writeDist } from './outputs';
export { describeLoadError, loadIntent } from './load';
export type { LoadedIntent } from './load';
export { finish, runAsCdk8sApp, runSynth } from './run';
export type { SynthCommand, SynthRun } from './run';
export { formatDefaults, formatWarnings } from './summary';
