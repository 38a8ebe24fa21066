// The arguments of `npm run mutation` (scripts/mutation.ts), read apart from the run so that the
// docs' test (test/support/doc-examples.ts) checks the examples of docs/mutation-testing.md with
// the same rule the script applies.

/**
 * The measured modules, as in stryker.config.mjs. A module's tests are the unit tests named for
 * it beside it (selector.ts: selector.test.ts, selector.*.test.ts, selector-*.test.ts); lib/net is
 * a small leaf whose tests cover its files together, so each of its modules runs all of them.
 */
export const MEASURED_MODULES = [
  'lib/verify/selector.ts',
  'lib/verify/kubernetes.ts',
  'lib/verify/calico.ts',
  'lib/net/ip.ts',
  'lib/net/ranges.ts',
  'lib/net/special.ts',
  'lib/net/metadata.ts',
  'lib/net/cluster-ranges.ts',
  'lib/net/shared-ranges.ts',
];

/**
 * The tests a module is measured by, unless `--tests` names others. A verifier module: the unit
 * tests named for it beside it. A lib/net module: its own unit tests, not the property tests of
 * oracle.test.ts (17 s a run; every mutant of ip.ts and ranges.ts would run them, hours in all):
 * `--tests lib/net/oracle.test.ts,lib/net/ip.test.ts` measures those too. ip.test.ts states
 * metadata.ts's addresses (beside metadata.test.ts) and cluster-ranges.ts's address plan.
 */
export function testsOf(file: string): string[] {
  const subject = file.replace(/\.ts$/, '');
  const named = [`${subject}.test.ts`, `${subject}.*.test.ts`, `${subject}-*.test.ts`];
  if (file === 'lib/net/metadata.ts') return [...named, 'lib/net/ip.test.ts'];
  if (file === 'lib/net/cluster-ranges.ts') return [...named, 'lib/net/ip.test.ts'];
  return named;
}

export interface MutationArgs {
  /** Reuse the previous run's results (`--incremental`). */
  readonly incremental: boolean;
  /** Stryker's own options, passed through (e.g. `--concurrency 1`). */
  readonly extra: readonly string[];
  /** The modules named, each optionally `file:lines`; none: every module. */
  readonly given: readonly string[];
  /** The test files to measure with instead of the module's own (`--tests a.test.ts,b.test.ts`, globs allowed). */
  readonly tests?: readonly string[];
}

/** The arguments read, or the one-line problem with them. */
export function readMutationArgs(args: readonly string[]): MutationArgs | { readonly problem: string } {
  const extra: string[] = [];
  const given: string[] = [];
  let tests: string[] | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--incremental') continue;
    if (args[i] === '--tests') {
      const list = args[++i];
      if (list === undefined || list.startsWith('--') || !list.split(',').every((t) => /^(lib|test)\/[\w.*/-]+\.test\.ts$/.test(t))) {
        return {
          problem: `npm run mutation: --tests needs test files, comma-separated (e.g. --tests lib/net/ip.test.ts,lib/net/oracle.test.ts), not ${JSON.stringify(list ?? '')}`,
        };
      }
      tests = list.split(',');
      continue;
    }
    if (args[i].startsWith('--')) extra.push(args[i], ...(args[i + 1] !== undefined && !args[i + 1].startsWith('--') ? [args[++i]] : []));
    else given.push(args[i]);
  }
  const unknown = given.filter((a) => !MEASURED_MODULES.includes(a.replace(/:[\d\-,:]+$/, '')));
  if (unknown.length > 0) {
    return { problem: `npm run mutation: ${unknown.join(', ')} is not a measured module; accepted: ${MEASURED_MODULES.join(', ')} (optionally file:lines)` };
  }
  return { incremental: args.includes('--incremental'), extra, given, ...(tests ? { tests } : {}) };
}
