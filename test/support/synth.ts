import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { App } from 'cdk8s';
import { buildApp } from '../../lib/app';
import { PlatformIntent } from '../../lib/intent';
import { SynthResult, safeSynth, synthesize } from '../../lib/synth';
import { shipped } from '../fixtures/intents';

/**
 * What each intent synthesized to in this test file, file by file (paths relative to dist/), by
 * the intent as it was then (`intentKey`). A later call for an equal intent writes the same files
 * into its new folder instead of synthesizing again: a synthesis is deterministic (the same intent
 * gives the same bytes, lib/synth/synthesize.test.ts), and several files of tests synthesize the
 * same intent a dozen times or more (BENCHMARKS.md, npm test). Per test file: jest gives each its
 * own module registry, so a file's mocks never meet another file's syntheses.
 */
const written = new Map<string, Readonly<Record<string, string | null>>>();

/**
 * The intent as a key: its JSON, with what JSON would write alike told apart (`undefined` and
 * missing fields, non-finite numbers and null); anything else that JSON cannot hold throws.
 */
function intentKey(intent: PlatformIntent): string {
  return JSON.stringify(intent, (_, value: unknown) => {
    if (value === undefined) return '\u0000undefined';
    if (typeof value === 'number' && !Number.isFinite(value)) return `\u0000${value}`;
    if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol')
      throw new Error(`synthesized: an intent holds a ${typeof value}`);
    return value;
  });
}

/** Every file and folder under a folder, by its path relative to it: a file's contents, null for a folder. */
function readFiles(dir: string): Record<string, string | null> {
  const names = (readdirSync(dir, { recursive: true }) as string[]).sort();
  return Object.fromEntries(names.map((name) => [name, statSync(join(dir, name)).isDirectory() ? null : readFileSync(join(dir, name), 'utf8')]));
}

/** Writes what `readFiles` read into a new folder `dir`. */
function writeFiles(dir: string, files: Readonly<Record<string, string | null>>): void {
  mkdirSync(dir);
  // Folders sort before what they hold.
  for (const [name, text] of Object.entries(files)) {
    if (text === null) mkdirSync(join(dir, name));
    else writeFileSync(join(dir, name), text);
  }
}

/**
 * The one way the tool's tests synthesize an intent to disk: as `npm run synth` writes it
 * (lib/synth, byte for byte what cdk8s's `app.synth()` writes, in less time) into `dist/` of a new
 * temporary folder, with the `extra` YAML files beside its own (e.g. a policy an app team adds
 * later). `read` gets that dist/; the folder is removed when it returns or throws, and what it
 * returned is the answer: `synthesized(intent, readManifests)`, `synthesized(intent, (dist) =>
 * loadCluster([dist]))`. An intent equal to one synthesized before in this test file gets the
 * files of that synthesis (`written`, above).
 */
export function synthesized<T>(intent: PlatformIntent, read: (dist: string) => T, extra: Readonly<Record<string, string>> = {}): T {
  const key = intentKey(intent);
  const root = mkdtempSync(join(tmpdir(), 'synth-'));
  const dist = join(root, 'dist');
  try {
    const files = written.get(key);
    if (files === undefined) {
      synthesize(buildApp(dist, intent));
      written.set(key, readFiles(dist));
    } else {
      writeFiles(dist, files);
    }
    for (const [name, text] of Object.entries(extra)) writeFileSync(join(dist, name), text);
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
  return synthesized(shipped, (dist) => {
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
