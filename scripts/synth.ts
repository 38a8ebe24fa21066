/**
 * Fail-closed synthesis: `npm run synth`.
 *
 * `cdk8s synth` empties dist/ before the app runs, so an app that fails leaves no manifests, and
 * Argo CD with pruning would then delete the policies. Here the app is synthesized into a fresh
 * folder beside dist/, every object is validated, and only then does that folder replace dist/.
 * On any failure dist/ is left byte-identical and the process exits 1 with every problem listed.
 */
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'fs';
import { join, resolve } from 'path';
import { IntentError } from '../lib/intent';
import { validateManifestDir } from '../lib/validate';
import { buildApp } from '../main';

const root = resolve(__dirname, '..');
const dist = join(root, 'dist');

function fail(message: string, staging: string): never {
  rmSync(staging, { recursive: true, force: true });
  process.stderr.write(`synth: ${message}\ndist/ was left unchanged.\n`);
  process.exit(1);
}

const staging = mkdtempSync(join(root, '.synth-tmp-'));
try {
  buildApp(staging).synth();
} catch (err) {
  fail(err instanceof IntentError ? err.message : `the app failed: ${(err as Error).message}`, staging);
}

const issues = validateManifestDir(staging);
if (issues.length > 0) {
  const lines = issues.map((i) => `  ${i.file.slice(staging.length + 1)} document ${i.index} (${i.object}): ${i.message}`);
  fail(`${issues.length} schema problem${issues.length === 1 ? '' : 's'} in the synthesized manifests:\n${lines.join('\n')}`, staging);
}

const previous = existsSync(dist) ? mkdtempSync(join(root, '.synth-old-')) : undefined;
if (previous) renameSync(dist, join(previous, 'dist'));
renameSync(staging, dist);
if (previous) rmSync(previous, { recursive: true, force: true });
const files = readdirSync(dist).sort();
process.stdout.write(`synth: wrote ${files.length} files to dist/ (validated):\n${files.map((f) => `  dist/${f}`).join('\n')}\n`);
