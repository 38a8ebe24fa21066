import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'fs';
import { basename, dirname, join } from 'path';
import { App } from 'cdk8s';
import { IntentError } from '../intent';
import { validateManifestDir } from '../validate';
import { synthesize } from './synthesize';

/** The outcome of a fail-closed synthesis. */
export type SynthResult =
  | { readonly ok: true; readonly files: readonly string[] }
  | { readonly ok: false; readonly message: string };

/**
 * Synthesizes into a fresh folder beside `dist`, validates every object, and only then swaps
 * that folder in for `dist`. On any failure `dist` is left byte-identical.
 *
 * `cdk8s synth` empties its output folder before the app runs, so a failing app leaves no
 * manifests, and Argo CD with pruning would then delete the policies: this is the guard.
 */
export function safeSynth(build: (outdir: string) => App, dist: string): SynthResult {
  const parent = dirname(dist);
  const staging = mkdtempSync(join(parent, '.synth-tmp-'));
  const failed = (message: string): SynthResult => {
    rmSync(staging, { recursive: true, force: true });
    return { ok: false, message };
  };
  try {
    synthesize(build(staging));
  } catch (err) {
    return failed(err instanceof IntentError ? err.message : `the app failed: ${(err as Error).message}`);
  }
  const issues = validateManifestDir(staging);
  if (issues.length > 0) {
    const lines = issues.map((i) => `  ${basename(i.file)} document ${i.index + 1} (${i.object}): ${i.message}`);
    return failed(`${issues.length} schema problem${issues.length === 1 ? '' : 's'} in the synthesized manifests:\n${lines.join('\n')}`);
  }
  const previous = existsSync(dist) ? mkdtempSync(join(parent, '.synth-old-')) : undefined;
  if (previous) renameSync(dist, join(previous, 'dist'));
  renameSync(staging, dist);
  if (previous) rmSync(previous, { recursive: true, force: true });
  return { ok: true, files: readdirSync(dist).sort() };
}
