import type { core } from 'zod';

/** An error stops synthesis; a warning is printed and synthesis goes on. */
type Severity = 'error' | 'warning';

/** One thing wrong with the intent, or worth a look: where, what was given, and what would be accepted. */
export interface IntentIssue {
  readonly severity: Severity;
  /** The app the field belongs to, or `platform` for shared settings. */
  readonly app: string;
  /** Full field path, e.g. `ai-service.egress[2].cidr`. */
  readonly path: string;
  /** The value found there; undefined when the field is missing. */
  readonly value: unknown;
  /** What is wrong and what is accepted. */
  readonly message: string;
}

/** Thrown with every error of one run, so all of them can be fixed in one pass. */
export class IntentError extends Error {
  constructor(readonly issues: readonly IntentIssue[]) {
    super(formatIssues(issues));
    this.name = 'IntentError';
  }
}

/** `path: value message`, or `path message` for a missing field. */
export function formatIssue(issue: IntentIssue): string {
  return issue.value === undefined ? `${issue.path} ${issue.message}` : `${issue.path}: ${JSON.stringify(issue.value)} ${issue.message}`;
}

/** The errors of one run, one line each, under a line that says nothing was written. */
export function formatIssues(issues: readonly IntentIssue[]): string {
  const lines = issues.map((i) => `  ${formatIssue(i)}`);
  return `the declared intent has ${issues.length} problem${issues.length === 1 ? '' : 's'}; nothing was written:\n${lines.join('\n')}`;
}

/** At most this many paths are named on one line of a warning shared by several fields. */
const PATHS_PER_LINE = 5;

/**
 * Warnings, one line each; the same warning (same value and message) on several fields is one
 * line naming them all, so a hundred apps of one image give one line, not a hundred.
 */
export function formatWarnings(warnings: readonly IntentIssue[]): string {
  if (warnings.length === 0) return '';
  const groups = new Map<string, IntentIssue[]>();
  for (const w of warnings) {
    const key = `${JSON.stringify(w.value)}\u0000${w.message}`;
    groups.set(key, [...(groups.get(key) ?? []), w]);
  }
  const lines = [...groups.values()].map((group) => {
    const paths = group.map((w) => w.path);
    const named = paths.length > PATHS_PER_LINE ? `${paths.slice(0, PATHS_PER_LINE).join(', ')} and ${paths.length - PATHS_PER_LINE} more` : paths.join(', ');
    return `  ${formatIssue({ ...group[0], path: named })}`;
  });
  return `${warnings.length} warning${warnings.length === 1 ? '' : 's'} (not errors: synthesis goes on):\n${lines.join('\n')}\n`;
}

/** `a.b[0]["key/with.dots"]`: how paths are printed, from zod's path segments. */
function formatPath(prefix: string, segments: readonly PropertyKey[]): string {
  let path = prefix;
  for (const s of segments) {
    if (typeof s === 'number') path += `[${s}]`;
    else if (typeof s === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) path += path ? `.${s}` : s;
    else path += `[${JSON.stringify(String(s))}]`;
  }
  return path;
}

export { didYouMean } from '../spelling';

/**
 * Zod's issues as intent issues, every one an error. The schemas word their own messages
 * (see fields.ts); what is done here is the path, and a union that failed: the member whose
 * type matched tells what is wrong inside it, and otherwise the union's own message does.
 */
export function fromZodIssues(app: string, prefix: string, issues: readonly core.$ZodIssue[]): IntentIssue[] {
  const out: IntentIssue[] = [];
  const visit = (issue: core.$ZodIssue, base: readonly PropertyKey[]) => {
    const segments = [...base, ...issue.path];
    if (issue.code === 'invalid_union') {
      const typed = issue.errors.filter((branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0));
      if (typed.length === 1) {
        for (const inner of typed[0]) visit(inner, segments);
        return;
      }
    }
    out.push({ severity: 'error', app, path: formatPath(prefix, segments), value: issue.input, message: issue.message });
  };
  for (const issue of issues) visit(issue, []);
  return out;
}
