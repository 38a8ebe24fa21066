/**
 * `npm run --silent verify -- diff --base PATH|REV --head PATH|REV [--json] [--fail-on-widen]`
 *
 * Compares what every workload may reach, and who may reach it, in two manifest sets: folders,
 * files, or git revisions (`HEAD~1`, `main`, `origin/main:dist`; read with git, the working tree
 * is not touched). Exit 0 when answered; 1 with --fail-on-widen when some workload may reach, or
 * be reached by, something it could not before (enforced now, or once staged policies are); 2
 * for bad usage or manifests that cannot be read; 3 for a fault of the command itself.
 */
import { CliResult, EXIT, Command } from '../cli';
import { loadCluster, readingNotes, verifyMain } from '../verify';
import { diffClusters } from './diff';
import { diffJson, formatDiff, widenedWhere } from './diff-format';
import { ManifestSource, resolveSource, SourceError } from './source';

/** The diff command, added to the verifier's by scripts/verify.ts. */
export const diffCommand: Command = {
  spec: {
    program: 'verify diff',
    name: 'diff',
    summary: 'how reach changed between two manifest sets: egress and ingress per workload, enforced and staged',
    options: [
      {
        name: 'base',
        type: 'string',
        required: true,
        value: 'PATH|REV',
        description: 'the manifests before: a folder or file, or a git revision REV or REV:FOLDER (FOLDER: dist unless given)',
      },
      { name: 'head', type: 'string', required: true, value: 'PATH|REV', description: 'the manifests after, as --base' },
      {
        name: 'fail-on-widen',
        type: 'boolean',
        description: 'exit 1 when some workload may reach or be reached by more than before, enforced now or once staged',
      },
      { name: 'json', type: 'boolean', description: 'print JSON (shape in lib/review/diff-format.ts) instead of text' },
    ],
    exitCodes: [[EXIT.failed, 'with --fail-on-widen: egress or ingress widened (named on stderr)']],
  },
  run(values): CliResult {
    const sources: ManifestSource[] = [];
    try {
      const base = resolveSource(values.base as string);
      sources.push(base);
      const head = resolveSource(values.head as string);
      sources.push(head);
      const baseCluster = loadCluster(base.paths);
      const headCluster = loadCluster(head.paths);
      const diff = diffClusters(baseCluster, headCluster, { base: base.label, head: head.label });
      const stdout = values.json ? `${JSON.stringify(diffJson(diff), null, 2)}\n` : formatDiff(diff);
      const failed = values['fail-on-widen'] === true && diff.widened;
      const notes = readingNotes('verify diff', [baseCluster, headCluster]);
      return { code: failed ? EXIT.failed : EXIT.answered, stdout, stderr: `${notes}${failed ? `verify diff: ${widenedWhere(diff)}\n` : ''}` };
    } finally {
      for (const s of sources) s.cleanup();
    }
  },
  inputError: (e) => (e instanceof SourceError ? e.message : undefined),
};

/** Runs the diff command (`verify diff` with these arguments); never throws. */
export function diffMain(argv: readonly string[]): CliResult {
  return verifyMain(['diff', ...argv], [diffCommand]);
}
