import type { core } from 'zod';

/** An error stops synthesis; a warning is printed and synthesis goes on. */
type Severity = 'error' | 'warning';

/** A field's place: field names and list indices from the root, e.g. `['ai-service', 'egress', 2, 'cidr']`. */
export type IssuePath = readonly (string | number)[];

/**
 * Whose field an issue is about: an app's (by its name as declared, or its index in `apps` when it
 * has none), a cluster's (the same, in `clusters`), or the platform's shared settings.
 */
export type IssueScope =
  { readonly kind: 'app'; readonly app: string | number } | { readonly kind: 'cluster'; readonly cluster: string | number } | { readonly kind: 'platform' };

/** The scope of an app's fields: its name, or its index in `apps`. */
export const appScope = (app: string | number): IssueScope => ({ kind: 'app', app });
/** The scope of a cluster's fields: its name, or its index in `clusters`. */
export const clusterScope = (cluster: string | number): IssueScope => ({ kind: 'cluster', cluster });
/** The scope of the platform's shared settings. */
export const PLATFORM: IssueScope = { kind: 'platform' };

/**
 * What kind of problem an issue is, for a caller to switch on: zod's own issue codes for what the
 * schemas refuse (schema.ts, fields.ts), and one code per check of the whole intent.
 */
export type IssueCode =
  | core.$ZodIssue['code']
  | 'not-an-intent'
  | 'declared-twice'
  | 'metadata-reachable'
  | 'shared-range'
  | 'destination'
  | 'network-set'
  | 'audit-mixed'
  | 'owners-without-tier'
  | 'egress-proxy'
  | 'image'
  | 'image-tag'
  | 'storage'
  | 'startup'
  | 'port'
  | 'usage-statistics'
  | 'memory'
  | 'api-rule'
  | 'guardrail'
  | 'calico-missing'
  | 'cluster-apps'
  | 'argocd'
  | 'namespace'
  | 'allow-list-unused'
  | 'dns'
  | 'resolver'
  | 'no-app-matches'
  | 'port-not-served'
  | 'not-admitted'
  | 'env-endpoint'
  | 'in-no-cluster'
  | 'name-clash'
  | 'clusters';

/**
 * One thing wrong with the intent, or worth a look, as data: whose field, where, what was given,
 * what kind of problem, and what is wrong and accepted. Text is made by `formatIssue` alone.
 */
export interface IntentIssue {
  readonly severity: Severity;
  readonly scope: IssueScope;
  /** The field, from the root: an app's fields under its name (`llm.egress[2].cidr`), the platform's and clusters' under their own. */
  readonly path: IssuePath;
  /** The value found there; undefined when the field is missing. */
  readonly value: unknown;
  readonly code: IssueCode;
  /** What is wrong and what is accepted. */
  readonly message: string;
  /** Further fields the same issue is about (one warning for the images of several apps). */
  readonly alsoAt?: readonly IssuePath[];
  /** The clusters where it arises, when an intent declares clusters and it does not arise in every one. */
  readonly clusters?: readonly string[];
}

/** Thrown with every error of one run, so all of them can be fixed in one pass. */
export class IntentError extends Error {
  constructor(readonly issues: readonly IntentIssue[]) {
    super(formatIssues(issues));
    this.name = 'IntentError';
  }
}

/** A field name printed bare after a dot; anything else (a key with dots, slashes, spaces) in brackets. */
const BARE = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/**
 * `a.b[0]["key/with.dots"]`: how a path is printed. Its first name (an app's name as declared, or
 * a field of the platform) is printed as it is.
 */
export function formatPath(path: IssuePath): string {
  let out = '';
  path.forEach((s, i) => {
    if (typeof s === 'number') out += `[${s}]`;
    else if (i === 0) out += s;
    else if (BARE.test(s)) out += `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  });
  return out;
}

/** Whose field: the app's name, `platform`, `cluster prod-eu` (`apps[2]`, `clusters[2]` for one without a name). */
export function formatScope(scope: IssueScope): string {
  if (scope.kind === 'app') return typeof scope.app === 'number' ? `apps[${scope.app}]` : scope.app;
  if (scope.kind === 'platform') return 'platform';
  return typeof scope.cluster === 'number' ? `clusters[${scope.cluster}]` : `cluster ${scope.cluster}`;
}

/** Where an issue is: its paths, and the clusters where it arises when not in every one. */
function formatWhere(issue: IntentIssue): string {
  const paths = [issue.path, ...(issue.alsoAt ?? [])].map(formatPath).join(', ');
  const clusters = issue.clusters;
  return clusters === undefined ? paths : `${paths} in cluster${clusters.length === 1 ? '' : 's'} ${clusters.join(', ')}`;
}

/** `path: value message`, or `path message` for a missing field. */
export function formatIssue(issue: IntentIssue): string {
  return lineOf(formatWhere(issue), issue);
}

function lineOf(where: string, issue: IntentIssue): string {
  return issue.value === undefined ? `${where} ${issue.message}` : `${where}: ${JSON.stringify(issue.value)} ${issue.message}`;
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
    const paths = group.map(formatWhere);
    const named = paths.length > PATHS_PER_LINE ? `${paths.slice(0, PATHS_PER_LINE).join(', ')} and ${paths.length - PATHS_PER_LINE} more` : paths.join(', ');
    return `  ${lineOf(named, group[0])}`;
  });
  return `${warnings.length} warning${warnings.length === 1 ? '' : 's'} (not errors: synthesis goes on):\n${lines.join('\n')}\n`;
}

export { didYouMean } from '../spelling';

/**
 * Zod's issues as intent issues, every one an error. The schemas word their own messages
 * (see fields.ts); what is done here is the path, and a union that failed: the member whose
 * type matched tells what is wrong inside it, and otherwise the union's own message does.
 */
export function fromZodIssues(scope: IssueScope, prefix: IssuePath, issues: readonly core.$ZodIssue[]): IntentIssue[] {
  const out: IntentIssue[] = [];
  const visit = (issue: core.$ZodIssue, base: IssuePath) => {
    const segments = [...base, ...issue.path.map((s) => (typeof s === 'symbol' ? String(s) : s))];
    if (issue.code === 'invalid_union') {
      const typed = issue.errors.filter((branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0));
      if (typed.length === 1) {
        for (const inner of typed[0]) visit(inner, segments);
        return;
      }
    }
    out.push({ severity: 'error', scope, path: segments, value: issue.input, code: issue.code, message: issue.message });
  };
  for (const issue of issues) visit(issue, prefix);
  return out;
}
