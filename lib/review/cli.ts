/**
 * `npm run --silent verify -- diff --base PATH|REV --head PATH|REV [--json] [--fail-on-widen]`
 *
 * Compares what every workload may reach in two manifest sets: folders, files, or git revisions
 * (`HEAD~1`, `main`, `origin/main:dist`; read with git, the working tree is not touched).
 * Exit 0 when answered; 1 with --fail-on-widen when some workload may reach something it could
 * not before; 2 for bad usage or manifests that cannot be read.
 */
import { parseArgs } from 'util';
import { ManifestError, egressReport, loadCluster } from '../verify';
import { diffReports } from './diff';
import { diffJson, formatDiff } from './diff-format';
import { ManifestSource, SourceError, resolveSource } from './source';

export const DIFF_USAGE = `usage:
  verify diff --base PATH|REV --head PATH|REV [--json] [--fail-on-widen]
    PATH: a folder or file of manifests; REV: a git revision, optionally REV:FOLDER (default folder dist)
`;

/** What a run printed and how it ended. */
export interface DiffResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the diff command; never throws. */
export function diffMain(argv: readonly string[]): DiffResult {
  const sources: ManifestSource[] = [];
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { base: { type: 'string' }, head: { type: 'string' }, json: { type: 'boolean' }, 'fail-on-widen': { type: 'boolean' } },
    });
    if (!values.base || !values.head) return { code: 2, stdout: '', stderr: `verify diff: --base and --head are both required\n${DIFF_USAGE}` };
    const base = resolveSource(values.base);
    sources.push(base);
    const head = resolveSource(values.head);
    sources.push(head);
    const diff = diffReports(egressReport(loadCluster(base.paths)), egressReport(loadCluster(head.paths)), { base: base.label, head: head.label });
    const stdout = values.json ? `${JSON.stringify(diffJson(diff), null, 2)}\n` : formatDiff(diff);
    return { code: values['fail-on-widen'] && diff.widened ? 1 : 0, stdout, stderr: values['fail-on-widen'] && diff.widened ? 'verify diff: egress widened\n' : '' };
  } catch (e) {
    if (e instanceof SourceError) return { code: 2, stdout: '', stderr: `verify diff: ${e.message}\n` };
    if (e instanceof ManifestError) return { code: 2, stdout: '', stderr: `verify diff: invalid manifests: ${e.message}\n` };
    const code = (e as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) return { code: 2, stdout: '', stderr: `verify diff: ${(e as Error).message}\n${DIFF_USAGE}` };
    return { code: 1, stdout: '', stderr: `verify diff: internal error: ${e instanceof Error ? e.message : String(e)}\n` };
  } finally {
    for (const s of sources) s.cleanup();
  }
}
