import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'cdk8s';
import { buildApp } from '../../lib/app';
import { PlatformIntent } from '../../lib/intent';
import { SynthResult, safeSynth } from '../../lib/synth';
import { shipped } from '../fixtures/intents';

/** What a fail-closed synthesis did to a dist/ that held the shipped scenario. */
export interface SynthOverDist {
  readonly result: SynthResult;
  /** `file\ncontents` of every file of dist/, before and after. */
  readonly before: readonly string[];
  readonly after: readonly string[];
  /** What is left beside dist/ in its parent folder (staging folders must not be). */
  readonly leftovers: readonly string[];
}

/**
 * Writes the shipped scenario into a scratch dist/, then runs the fail-closed synthesis of
 * `intent` (or of an app built by `build`) over it, as `npm run synth` would.
 */
export function synthOverDist(intent: PlatformIntent | ((outdir: string) => App)): SynthOverDist {
  const root = mkdtempSync(join(tmpdir(), 'synth-over-dist-'));
  const dist = join(root, 'dist');
  const read = () =>
    readdirSync(dist)
      .sort()
      .map((f) => `${f}\n${readFileSync(join(dist, f), 'utf8')}`);
  try {
    const first = safeSynth((outdir) => buildApp(outdir, shipped), dist);
    if (!first.ok) throw new Error(`the shipped scenario did not synthesize: ${first.message}`);
    const before = read();
    const build = typeof intent === 'function' ? intent : (outdir: string) => buildApp(outdir, intent);
    const result = safeSynth(build, dist);
    return { result, before, after: read(), leftovers: readdirSync(root) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
