/**
 * `npm run synth [-- --intent FILE] [--out DIR]`: the fail-closed way to write dist/ from the
 * intent main.ts exports (see lib/synth). Exits 1 with every problem listed, and dist/
 * untouched, when main.ts does not load, the intent is invalid or the manifests are; prints the
 * defaults the intent relies on and its warnings when it succeeds. Its options are declared for
 * lib/cli, which parses them and writes `--help`.
 */
import { join, resolve } from 'path';
import { CommandSpec, EXIT, helpText, parseCommand, runCommand } from '../lib/cli';

const root = resolve(__dirname, '..');

const SYNTH_SPEC: CommandSpec = {
  program: 'npm run synth --',
  name: 'synth',
  summary: 'write dist/ (and deploy/argocd/) from the intent, all valid, or nothing',
  options: [
    { name: 'intent', type: 'string', value: 'FILE', default: 'main.ts', description: 'the TypeScript file whose exported intent is synthesized' },
    { name: 'out', type: 'string', value: 'DIR', default: 'dist', description: 'the folder to write the manifests into' },
  ],
  exitCodes: [[EXIT.failed, 'main.ts does not load, or the intent or the manifests are invalid: every problem listed, nothing written']],
};

const result = runCommand('synth', 'usage: npm run synth [-- --intent FILE] [--out DIR]\n', () => {
  const values = parseCommand(SYNTH_SPEC, process.argv.slice(2));
  if (values === undefined) return { code: EXIT.answered, stdout: helpText(SYNTH_SPEC), stderr: '' };
  const intentFile = values.intent === undefined ? join(root, 'main.ts') : resolve(values.intent as string);
  const out = values.out === undefined ? join(root, 'dist') : resolve(values.out as string);
  // Loaded once the options are known: a usage error is printed at once, before cdk8s and the project load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
  const { loadIntent, runSynth, SYNTH_MODES } = require('../lib/synth') as typeof import('../lib/synth');
  return runSynth(loadIntent(intentFile, root), out, SYNTH_MODES.npmRunSynth);
});
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.code;
