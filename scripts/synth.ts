/**
 * `npm run synth [-- --intent FILE] [--out DIR]`: the fail-closed way to write dist/ from the
 * intent main.ts exports (see lib/synth). Exits 1 with every problem listed, and dist/
 * untouched, when main.ts does not load, the intent is invalid or the manifests are; prints the
 * defaults the intent relies on and its warnings when it succeeds.
 */
import { join, resolve } from 'path';
import { parseArgs } from 'util';

const root = resolve(__dirname, '..');
let options: { intent?: string; out?: string };
try {
  options = parseArgs({ options: { intent: { type: 'string' }, out: { type: 'string' } } }).values;
} catch (err) {
  process.stderr.write(`synth: ${(err as Error).message}\nusage: npm run synth [-- --intent FILE] [--out DIR]\n`);
  process.exit(2);
}
const intentFile = options.intent === undefined ? join(root, 'main.ts') : resolve(options.intent);
// Loaded once the options are known: a usage error is printed at once, before cdk8s and the project load.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
const { finish, loadIntent, runSynth, SYNTH_MODES } = require('../lib/synth') as typeof import('../lib/synth');
finish(runSynth(loadIntent(intentFile, root), options.out === undefined ? join(root, 'dist') : resolve(options.out), SYNTH_MODES.npmRunSynth));
