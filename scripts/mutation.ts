/**
 * npm run mutation [-- <module>...]: mutation testing of the verifier's evaluators and lib/net
 * with Stryker (stryker.config.mjs; docs/mutation-testing.md). Each module is a run of its own,
 * so each gets its own score, report (reports/mutation/<module>.html) and time:
 *
 *   npm run mutation                                  every module, one after the other
 *   npm run mutation -- lib/verify/selector.ts        one module
 *   npm run mutation -- lib/verify/calico.ts:1-200    some lines of one (Stryker's file:lines)
 *   npm run mutation -- lib/net/ip.ts --concurrency 1 Stryker's own options pass through
 *   npm run mutation -- lib/net/ip.ts:120-150 --tests lib/net/ip.test.ts,lib/net/oracle.test.ts
 *                                                     measured by these tests instead of its own
 *
 * `--incremental` keeps each mutant's last result when its code and covering tests did not change
 * (reports/mutation/<module>.incremental.json): quicker, for the loop of writing a test; but a
 * static mutant (one in code run as the module loads) keeps its old result even when a new test
 * file would catch it, so the score of record is a full run, the default. The
 * property tests use one fixed seed (FC_SEED, 1 unless given) so that two runs measure the same
 * tests. Exits 1 if a run fails (not if mutants survive: the score is tracked, not a gate).
 */
import { spawnSync } from 'child_process';
import { basename, join } from 'path';
import { MEASURED_MODULES as MODULES, readMutationArgs, testsOf } from './mutation-args';

const parsed = readMutationArgs(process.argv.slice(2));
if ('problem' in parsed) {
  process.stderr.write(`${parsed.problem}\n`);
  process.exit(2);
}
const { incremental, extra, given } = parsed;
if (parsed.tests && given.length !== 1) {
  process.stderr.write('npm run mutation: --tests measures one module: name it\n');
  process.exit(2);
}

const root = join(__dirname, '..');
const stryker = join(root, 'node_modules', '.bin', 'stryker');
let failed = false;
for (const spec of given.length > 0 ? given : MODULES) {
  // selector.ts -> selector; calico.ts:1-200 -> calico-1-200 (a part keeps its own incremental file).
  const name = basename(spec.replace(/:/, '-')).replace(/\.ts/, '');
  const file = spec.replace(/:.*$/, '');
  const tests = parsed.tests ?? testsOf(file);
  const started = Date.now();
  const run = spawnSync(
    stryker,
    ['run', '--mutate', spec, ...(incremental ? ['--incremental', '--incrementalFile', `reports/mutation/${name}.incremental.json`] : []), ...extra],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, FC_SEED: process.env.FC_SEED ?? '1', MUTATION_REPORT: name, MUTATION_TESTS: tests.join(',') },
    },
  );
  const seconds = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`\nnpm run mutation: ${spec} took ${Math.floor(seconds / 60)} min ${seconds % 60} s; report reports/mutation/${name}.html\n`);
  if (run.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
