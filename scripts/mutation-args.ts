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

export interface MutationArgs {
  /** Reuse the previous run's results (`--incremental`). */
  readonly incremental: boolean;
  /** Stryker's own options, passed through (e.g. `--concurrency 1`). */
  readonly extra: readonly string[];
  /** The modules named, each optionally `file:lines`; none: every module. */
  readonly given: readonly string[];
}

/** The arguments read, or the one-line problem with them. */
export function readMutationArgs(args: readonly string[]): MutationArgs | { readonly problem: string } {
  const extra: string[] = [];
  const given: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--incremental') continue;
    if (args[i].startsWith('--')) extra.push(args[i], ...(args[i + 1] !== undefined && !args[i + 1].startsWith('--') ? [args[++i]] : []));
    else given.push(args[i]);
  }
  const unknown = given.filter((a) => !MEASURED_MODULES.includes(a.replace(/:[\d\-,:]+$/, '')));
  if (unknown.length > 0) {
    return { problem: `npm run mutation: ${unknown.join(', ')} is not a measured module; accepted: ${MEASURED_MODULES.join(', ')} (optionally file:lines)` };
  }
  return { incremental: args.includes('--incremental'), extra, given };
}
