import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, rmdirSync, statSync } from 'fs';
import { dirname, join, relative } from 'path';
import { App } from 'cdk8s';
import { IntentError } from '../intent';
import { validateManifestDir } from '../validate';
import { synthesize } from './synthesize';

/** The outcome of a fail-closed synthesis. */
export type SynthResult = { readonly ok: true; readonly files: readonly string[] } | { readonly ok: false; readonly message: string };

/**
 * One folder a synthesis writes: where it goes, and what writes its files into an empty staging
 * folder; without `write`, the folder is removed (what it held is no longer wanted).
 */
export interface Output {
  readonly dir: string;
  readonly write?: (staging: string) => void;
}

/** The outcome of a fail-closed write of several folders: the files now in each, by output. */
export type WriteResult = { readonly ok: true; readonly files: readonly (readonly string[])[] } | { readonly ok: false; readonly message: string };

/**
 * Synthesizes into a fresh folder beside `dist`, validates every object, and only then swaps
 * that folder in for `dist`. On any failure `dist` is left byte-identical.
 *
 * `cdk8s synth` empties its output folder before the app runs, so a failing app leaves no
 * manifests, and Argo CD with pruning would then delete the policies: this is the guard.
 */
export function safeSynth(build: (outdir: string) => App, dist: string): SynthResult {
  const result = safeWrite([{ dir: dist, write: (staging) => synthesize(build(staging)) }]);
  return result.ok ? { ok: true, files: result.files[0] } : result;
}

/**
 * Writes several folders all or nothing: each is written into a staging folder beside it, every
 * object of every one is validated, and only then are they swapped in, each for the folder it
 * replaces. On any failure every folder is left byte-identical, and nothing is left beside them.
 */
export function safeWrite(outputs: readonly Output[]): WriteResult {
  const created: string[] = [];
  const staged: { output: Output; staging: string }[] = [];
  const cleanUp = () => {
    for (const { staging } of staged) rmSync(staging, { recursive: true, force: true });
    // Parents made for a staging folder are removed again (deepest first) if nothing else is in them.
    for (const dir of [...created].reverse()) if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
  };
  const failed = (message: string): WriteResult => {
    cleanUp();
    return { ok: false, message };
  };
  try {
    for (const output of outputs.filter((o) => o.write)) {
      created.push(...missingParents(dirname(output.dir)));
      mkdirSync(dirname(output.dir), { recursive: true });
      const staging = mkdtempSync(join(dirname(output.dir), '.synth-tmp-'));
      staged.push({ output, staging });
      output.write!(staging);
    }
  } catch (err) {
    return failed(err instanceof IntentError ? err.message : `the app failed: ${(err as Error).message}`);
  }
  const issues = staged.flatMap(({ staging }) => validateManifestDir(staging).map((i) => ({ ...i, file: relative(staging, i.file) })));
  if (issues.length > 0) {
    const lines = issues.map((i) => `  ${i.file} document ${i.index + 1} (${i.object}): ${i.message}`);
    return failed(`${issues.length} schema problem${issues.length === 1 ? '' : 's'} in the synthesized manifests:\n${lines.join('\n')}`);
  }
  swap(outputs, staged);
  return { ok: true, files: outputs.map((o) => (existsSync(o.dir) ? filesUnder(o.dir) : [])) };
}

/** Moves every staged folder in, and every replaced or removed folder out; if a move fails, puts back what had moved. */
function swap(outputs: readonly Output[], staged: readonly { output: Output; staging: string }[]): void {
  const moves: { from: string; to: string }[] = [];
  const move = (from: string, to: string) => {
    renameSync(from, to);
    moves.push({ from, to });
  };
  const previous: string[] = [];
  try {
    for (const output of outputs) {
      if (existsSync(output.dir)) {
        const old = mkdtempSync(join(dirname(output.dir), '.synth-old-'));
        previous.push(old);
        move(output.dir, join(old, 'replaced'));
      }
      const stagedHere = staged.find((s) => s.output === output);
      if (stagedHere) move(stagedHere.staging, output.dir);
    }
  } catch (err) {
    for (const { from, to } of moves.reverse()) renameSync(to, from);
    for (const old of previous) rmSync(old, { recursive: true, force: true });
    for (const { staging } of staged) rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  for (const old of previous) rmSync(old, { recursive: true, force: true });
}

/** The folders from `dir` up that do not exist yet, outermost first. */
function missingParents(dir: string): string[] {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) missing.unshift(d);
  return missing;
}

/** Every file under a folder, as paths relative to it, in name order (a folder's files before its folders'). */
function filesUnder(dir: string, prefix = ''): string[] {
  const entries = readdirSync(dir).sort();
  const folders = entries.filter((e) => statSync(join(dir, e)).isDirectory());
  return [...entries.filter((e) => !folders.includes(e)).map((e) => `${prefix}${e}`), ...folders.flatMap((f) => filesUnder(join(dir, f), `${prefix}${f}/`))];
}
