/**
 * `npm run synth [-- --intent FILE] [--out DIR]`: the fail-closed way to write dist/ from the
 * intent main.ts exports (see lib/synth). Exits 1 with every problem listed, and dist/
 * untouched, when main.ts does not load, the intent is invalid or the manifests are; prints the
 * defaults the intent relies on and its warnings when it succeeds.
 */
import { join, resolve } from 'path';
import { parseArgs } from 'util';
import { finish, loadIntent, runSynth } from '../lib/synth';

const root = resolve(__dirname, '..');
let options: { intent?: string; out?: string };
try {
  options = parseArgs({ options: { intent: { type: 'string' }, out: { type: 'string' } } }).values;
} catch (err) {
  process.stderr.write(`synth: ${(err as Error).message}\nusage: npm run synth [-- --intent FILE] [--out DIR]\n`);
  process.exit(2);
}
const intentFile = options.intent === undefined ? join(root, 'main.ts') : resolve(options.intent);
finish(runSynth(loadIntent(intentFile, root), options.out === undefined ? join(root, 'dist') : resolve(options.out), 'npm run synth'));
