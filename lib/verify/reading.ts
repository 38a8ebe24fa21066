/**
 * What the verifier's command lines (and the review's) say about the manifests they read: notes
 * on what was skipped or is not modelled, and manifests that cannot be read as bad input (exit 2
 * of lib/cli's runCommand).
 */
import { ClusterNote, describeNote } from './admin-tiers';
import { describeSkipped, ManifestError, SkippedFile } from './manifests';

/** The notes a command prints about files it skipped, on stderr. */
function skippedNotes(program: string, skipped: readonly SkippedFile[]): string {
  return skipped.map((s) => `${program}: note: ${describeSkipped(s)}\n`).join('');
}

/** The notes a command prints on stderr about the clusters it read: files skipped, then what the verifier does not model or the cluster does not enforce. */
export function readingNotes(
  program: string,
  clusters: readonly { readonly skipped: readonly SkippedFile[]; readonly notes: readonly ClusterNote[] }[],
): string {
  return (
    skippedNotes(
      program,
      clusters.flatMap((c) => c.skipped),
    ) + clusters.flatMap((c) => c.notes.map((n) => `${program}: note: ${describeNote(n)}\n`)).join('')
  );
}

/** Manifests that cannot be read, as the one line a command prints before it exits 2; undefined for any other error. */
export function manifestsInputError(e: unknown): string | undefined {
  return e instanceof ManifestError ? `invalid manifests: ${e.message}` : undefined;
}
