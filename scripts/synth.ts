/**
 * `npm run synth`: the fail-closed way to write dist/ (see lib/synth). Exits 1 with every
 * problem listed, and dist/ untouched, when the intent or the manifests are invalid; prints the
 * intent's warnings and the defaults it relies on when it succeeds.
 */
import { join, resolve } from 'path';
import { buildApp } from '../lib/app';
import { checkIntent } from '../lib/intent';
import { safeSynth } from '../lib/synth';
import { formatDefaults, formatWarnings } from '../lib/synth/summary';
import { intent } from '../main';

const dist = join(resolve(__dirname, '..'), 'dist');
const result = safeSynth((outdir) => buildApp(outdir, intent), dist);
if (result.ok) {
  process.stdout.write(`synth: wrote ${result.files.length} files to dist/, all valid:\n${result.files.map((f) => `  dist/${f}`).join('\n')}\n`);
  const warnings = checkIntent(intent).filter((i) => i.severity === 'warning');
  process.stdout.write(`${formatDefaults(intent)}${warnings.length ? `synth: ${formatWarnings(warnings)}` : ''}`);
} else {
  process.stderr.write(`synth: ${result.message}\ndist/ was left unchanged.\n`);
  process.exit(1);
}
