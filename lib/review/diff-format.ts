/**
 * The egress diff for people (`verify diff`) and for tools (`verify diff --json`). The JSON
 * shape is a contract: fields are only ever added.
 */

import { describeDecision, describeDestination, describePorts, Destination, Protocol } from '../verify';
import { Change, EgressDiff, FlowChange, WorkloadDiff } from './diff';

/** One change as JSON: `to`, `ports`, `before` and `after` written as `verify diff` prints them. */
export interface FlowChangeJson {
  readonly change: Change;
  /** `cidr 198.51.0.0/16 except 198.51.100.0/24`, `pods vector-db {app=qdrant}`, `pod ns/name`, `any other pod`. */
  readonly to: string;
  readonly protocol: Protocol;
  /** `443`, `8000-8100`, `1-65535`, or a port name. */
  readonly ports: string;
  /** The rule that decided in base (absent for added). */
  readonly before?: string;
  /** The rule that decides in head (absent for removed). */
  readonly after?: string;
}

/** One workload's changes as JSON. */
export interface WorkloadDiffJson extends Omit<WorkloadDiff, 'changes'> {
  readonly changes: readonly FlowChangeJson[];
}

/** `verify diff --json`. */
export interface EgressDiffJson extends Omit<EgressDiff, 'workloads'> {
  readonly workloads: readonly WorkloadDiffJson[];
}

/** What a change reaches, on one line: `cidr 0.0.0.0/0 except 169.254.169.254/32, cidr ::/0`. */
function describeTargets(to: readonly Destination[]): string {
  return to.map((d) => describeDestination(d, 'review')).join(', ');
}

/** A change as JSON. */
export function flowChangeJson(c: FlowChange): FlowChangeJson {
  return {
    change: c.change,
    to: describeTargets(c.to),
    protocol: c.protocol,
    ports: describePorts(c.ports),
    ...(c.before === undefined ? {} : { before: describeDecision(c.before, 'review') }),
    ...(c.after === undefined ? {} : { after: describeDecision(c.after, 'review') }),
  };
}

/** The diff as `verify diff --json` prints it. */
export function diffJson(diff: EgressDiff): EgressDiffJson {
  return { ...diff, workloads: diff.workloads.map((w) => ({ ...w, changes: w.changes.map(flowChangeJson) })) };
}

/** The diff as text a reviewer reads without knowing Calico. */
export function formatDiff(diff: EgressDiff): string {
  const lines = [`Egress changes from ${diff.base} to ${diff.head}:`];
  if (diff.workloads.length === 0) return `${lines[0]} none: every workload reaches exactly what it reached before.\n`;
  const mark: Record<Change, string> = { added: '+ may now reach', removed: '- may no longer reach', changed: '~ decided by another rule' };
  for (const w of diff.workloads) {
    const where = w.presence === 'both' ? '' : w.presence === 'head only' ? ', new workload' : ', workload removed';
    lines.push('', `${w.endpoint} (${w.flavor} flavor${where})`);
    for (const c of w.changes) {
      const before = c.before && describeDecision(c.before, 'review');
      const after = c.after && describeDecision(c.after, 'review');
      const why = c.change === 'added' ? `allowed by ${after}` : c.change === 'removed' ? `was allowed by ${before}` : `now ${after}, was ${before}`;
      lines.push(`  ${mark[c.change].padEnd(25)} ${`${c.protocol} ${describePorts(c.ports)}`.padEnd(16)} ${describeTargets(c.to)}`, `  ${''.padEnd(25)} ${''.padEnd(16)} ${why}`);
    }
  }
  const widened = diff.workloads.filter((w) => w.changes.some((c) => c.change === 'added')).length;
  const narrowed = diff.workloads.filter((w) => w.changes.some((c) => c.change === 'removed')).length;
  lines.push('', `Egress widened for ${widened} workload${widened === 1 ? '' : 's'}, narrowed for ${narrowed}.`);
  return `${lines.join('\n')}\n`;
}
