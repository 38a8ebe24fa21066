/**
 * `npm run --silent verify -- diff --base PATH|REV --head PATH|REV [--json] [--fail-on-widen]`
 *
 * Compares what every workload may reach in two manifest sets: folders, files, or git revisions
 * (`HEAD~1`, `main`, `origin/main:dist`; read with git, the working tree is not touched).
 * Exit 0 when answered; 1 with --fail-on-widen when some workload may reach something it could
 * not before; 2 for bad usage or manifests that cannot be read.
 */
import { parseArgs } from 'util';
import { CliResult, egressReport, loadCluster, runCommand, UsageError } from '../verify';
import { diffReports } from './diff';
import { diffJson, formatDiff } from './diff-format';
import { ManifestSource, resolveSource, SourceError } from './source';

export const DIFF_USAGE = `usage:
  verify diff --base PATH|REV --head PATH|REV [--json] [--fail-on-widen]
    PATH: a folder or file of manifests; REV: a git revision, optionally REV:FOLDER (default folder dist)
`;

/** Runs the diff command; never throws. */
export function diffMain(argv: readonly string[]): CliResult {
  return runCommand('verify diff', DIFF_USAGE, () => {
    const { values } = parseArgs({
      args: [...argv],
      options: { base: { type: 'string' }, head: { type: 'string' }, json: { type: 'boolean' }, 'fail-on-widen': { type: 'boolean' } },
    });
    if (!values.base || !values.head) throw new UsageError('--base and --head are both required');
    const sources: ManifestSource[] = [];
    try {
      const base = resolveSource(values.base);
      sources.push(base);
      const head = resolveSource(values.head);
      sources.push(head);
      const diff = diffReports(egressReport(loadCluster(base.paths)), egressReport(loadCluster(head.paths)), { base: base.label, head: head.label });
      const stdout = values.json ? `${JSON.stringify(diffJson(diff), null, 2)}\n` : formatDiff(diff);
      const failed = values['fail-on-widen'] === true && diff.widened;
      return { code: failed ? 1 : 0, stdout, stderr: failed ? 'verify diff: egress widened\n' : '' };
    } finally {
      for (const s of sources) s.cleanup();
    }
  }, (e) => (e instanceof SourceError ? e.message : undefined));
}
