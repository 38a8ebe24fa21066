import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { App } from 'cdk8s';
import { buildApp } from '../../lib/app';
import { PlatformIntent } from '../../lib/intent';
import { SynthResult, safeSynth, synthesize } from '../../lib/synth';
import { shipped } from '../fixtures/intents';

/**
 * The one way the tool's tests synthesize an intent to disk: as `npm run synth` writes it
 * (lib/synth, byte for byte what cdk8s's `app.synth()` writes, in less time) into `dist/` of a new
 * temporary folder, with the `extra` YAML files beside its own (e.g. a policy an app team adds
 * later). `read` gets that dist/; the folder is removed when it returns or throws, and what it
 * returned is the answer: `synthesized(intent, readManifests)`, `synthesized(intent, (dist) =>
 * loadCluster([dist]))`.
 */
export function synthesized<T>(intent: PlatformIntent, read: (dist: string) => T, extra: Readonly<Record<string, string>> = {}): T {
  const root = mkdtempSync(join(tmpdir(), 'synth-'));
  const dist = join(root, 'dist');
  try {
    synthesize(buildApp(dist, intent));
    for (const [name, text] of Object.entries(extra)) writeFileSync(join(dist, name), text);
    return read(dist);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The shipped scenario's dist/, file by file (paths relative to it), as `synthesized` wrote it the
 * first time a test of this file asked, with the scenario as it was then. Each later caller gets
 * the same files written into a new temporary folder: the files a fresh synthesis writes, without
 * synthesizing again (a file of tests of refused intents did it a few dozen times).
 */
let shippedFiles: { readonly intent: string; readonly files: Readonly<Record<string, string>> } | undefined;

/** Every file under a folder, by its path relative to it, with its contents. */
function readFiles(dir: string): Record<string, string> {
  const names = (readdirSync(dir, { recursive: true }) as string[]).filter((name) => statSync(join(dir, name)).isFile());
  return Object.fromEntries(names.sort().map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}

/** Like `synthesized(shipped, read)`, the files written again from the first synthesis of this test file. */
function shippedDist<T>(read: (dist: string) => T): T {
  const intent = JSON.stringify(shipped);
  if (shippedFiles?.intent !== intent) shippedFiles = { intent, files: synthesized(shipped, readFiles) };
  const { files } = shippedFiles;
  const root = mkdtempSync(join(tmpdir(), 'synth-'));
  const dist = join(root, 'dist');
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dist, name)), { recursive: true });
      writeFileSync(join(dist, name), text);
    }
    return read(dist);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

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
 * Runs the fail-closed synthesis of `intent` (or of an app built by `build`) over a dist/ that
 * holds the shipped scenario, as `npm run synth` would.
 */
export function synthOverDist(intent: PlatformIntent | ((outdir: string) => App)): SynthOverDist {
  return shippedDist((dist) => {
    const read = () =>
      readdirSync(dist)
        .sort()
        .map((f) => `${f}\n${readFileSync(join(dist, f), 'utf8')}`);
    const before = read();
    const build = typeof intent === 'function' ? intent : (outdir: string) => buildApp(outdir, intent);
    const result = safeSynth(build, dist);
    return { result, before, after: read(), leftovers: readdirSync(dirname(dist)) };
  });
}
