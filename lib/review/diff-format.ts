/**
 * The reach diff for people (`verify diff`) and for tools (`verify diff --json`). The JSON
 * shape is a contract: fields are only ever added.
 */

import { describePorts, describeStaged, Destination, Direction, DecidedBy, isAllPorts, stagedJson, StagedRefJson } from '../verify';
import { reviewDecision, reviewDestination } from './words';
import { Change, DirectionDiff, FlowChange, ReachDiff, Weakening, WorkloadDiff } from './diff';
import { HostChangeJson, hostChangeJson, hostChangeLine } from './hosts-diff';
import { Protocol, PROTOCOLS } from '../k8s';
import { Flavor } from '../conventions';

/** One egress change as JSON: `to`, `ports`, `before` and `after` written as `verify diff` prints them. */
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
  /** Present (true) when head's staged policies would deny this reach once enforced. */
  readonly wouldDeny?: true;
}

/** One ingress change as JSON: as an egress change, with `from` (who may send) in place of `to`. */
interface IngressChangeJson extends Omit<FlowChangeJson, 'to'> {
  readonly from: string;
}

/** One workload's changes as JSON. */
interface WorkloadDiffJson {
  readonly endpoint: string;
  readonly flavor: Flavor;
  readonly presence: WorkloadDiff['presence'];
  /** Egress changes of what is enforced. */
  readonly changes: readonly FlowChangeJson[];
  /** Egress changes once the staged policies are enforced; present when either side has staged policies for the workload. */
  readonly egressWhenStagedEnforced?: readonly FlowChangeJson[];
  /** Ingress changes of what is enforced: who may newly, or no longer, reach the workload. */
  readonly ingressChanges: readonly IngressChangeJson[];
  /** Ingress changes once the staged policies are enforced. */
  readonly ingressWhenStagedEnforced?: readonly IngressChangeJson[];
  /** The staged policies that concern the workload (audit mode). */
  readonly staged: readonly StagedRefJson[];
  /** Present when the workload lost a protection of its reach (see Weakening): per direction, which. */
  readonly protectionWeakened?: readonly Weakening[];
  /** Names on ports it may newly reach (`added`) or no longer reach (`removed`) through an egress proxy. */
  readonly hostChanges: readonly HostChangeJson[];
}

/** `verify diff --json`. */
export interface ReachDiffJson {
  readonly base: string;
  readonly head: string;
  /** True when reach widened anywhere: egress, ingress, or once the staged policies are enforced. */
  readonly widened: boolean;
  readonly widenedIn: ReachDiff['widenedIn'];
  readonly workloads: readonly WorkloadDiffJson[];
}

/** What a change reaches, on one line: `cidr 0.0.0.0/0 except 169.254.169.254/32, cidr ::/0`. */
function describePeers(peers: readonly Destination[]): string {
  return peers.map((d) => reviewDestination(d)).join(', ');
}

function changeFields(c: FlowChange) {
  return {
    protocol: c.protocol,
    ports: describePorts(c.ports),
    ...(c.before === undefined ? {} : { before: reviewDecision(c.before) }),
    ...(c.after === undefined ? {} : { after: reviewDecision(c.after) }),
    ...(c.wouldDeny ? { wouldDeny: true as const } : {}),
  };
}

/** An egress change as JSON. */
export function flowChangeJson(c: FlowChange): FlowChangeJson {
  return { change: c.change, to: describePeers(c.peers), ...changeFields(c) };
}

/** An ingress change as JSON. */
function ingressChangeJson(c: FlowChange): IngressChangeJson {
  return { change: c.change, from: describePeers(c.peers), ...changeFields(c) };
}

/** The diff as `verify diff --json` prints it. */
export function diffJson(diff: ReachDiff): ReachDiffJson {
  return {
    base: diff.base,
    head: diff.head,
    widened: diff.widened,
    widenedIn: diff.widenedIn,
    workloads: diff.workloads.map((w) => ({
      endpoint: w.endpoint,
      flavor: w.flavor,
      presence: w.presence,
      changes: w.egress.changes.map(flowChangeJson),
      ...(w.egress.whenStagedEnforced ? { egressWhenStagedEnforced: w.egress.whenStagedEnforced.map(flowChangeJson) } : {}),
      ingressChanges: w.ingress.changes.map(ingressChangeJson),
      ...(w.ingress.whenStagedEnforced ? { ingressWhenStagedEnforced: w.ingress.whenStagedEnforced.map(ingressChangeJson) } : {}),
      staged: w.staged.map(stagedJson),
      hostChanges: w.hosts.map(hostChangeJson),
      ...(w.weakened.length ? { protectionWeakened: w.weakened } : {}),
    })),
  };
}

/** Where reach widened, for the message of `--fail-on-widen`: `egress and ingress widened`. */
export function widenedWhere(diff: ReachDiff): string {
  const where = [diff.widenedIn.egress ? 'egress' : '', diff.widenedIn.ingress ? 'ingress' : '', diff.widenedIn.hosts ? 'reach by name' : '']
    .filter(Boolean)
    .join(' and ');
  const enforced = where ? `${where} widened` : '';
  const staged = diff.widenedIn.whenStagedEnforced ? 'reach widened once the staged policies are enforced' : '';
  const protection = diff.widenedIn.protection ? 'protection weakened' : '';
  return [enforced, staged, protection].filter(Boolean).join('; ');
}

/** How each change reads, per direction and view. */
const MARKS: Readonly<Record<'enforced' | 'staged', Readonly<Record<Direction, Readonly<Record<Change, string>>>>>> = {
  enforced: {
    egress: { added: '+ may now reach', removed: '- may no longer reach', changed: '~ decided by another rule' },
    ingress: { added: '+ may now be reached from', removed: '- may no longer be reached from', changed: '~ reached, by another rule' },
  },
  staged: {
    egress: { added: '+ would reach', removed: '- would no longer reach', changed: '~ would be decided by another rule' },
    ingress: { added: '+ would be reached from', removed: '- would no longer be reached from', changed: '~ would be reached, by another rule' },
  },
};
const MARK_WIDTH = 32;

/** Why a piece is reached: `allowed by <rule>`, or the default that allows it. */
function because(d: DecidedBy): string {
  return d.reason === 'rule' ? `allowed by ${reviewDecision(d)}` : reviewDecision(d);
}

/** Why a change happened, in words: what decides now, what decided before, and whether the staged policies would deny it. */
function reason(c: FlowChange): string {
  const why =
    c.change === 'added' ? because(c.after!) : c.change === 'removed' ? `was ${because(c.before!)}` : `now ${because(c.after!)}, was ${because(c.before!)}`;
  return `${why}${c.wouldDeny ? '; the staged policies would deny it once enforced' : ''}`;
}

/** Protocols and ports of several changes: `TCP 1-442, 444-65535; UDP 1-65535`, or `every protocol and port`. */
function describeProtocolsPorts(changes: readonly FlowChange[]): string {
  if (changes.length === PROTOCOLS.length && PROTOCOLS.every((p) => changes.some((c) => c.protocol === p && isAllPorts(c.ports))))
    return 'every protocol and port';
  const byProtocol = new Map<string, string[]>();
  for (const c of changes) byProtocol.set(c.protocol, [...(byProtocol.get(c.protocol) ?? []), describePorts(c.ports)]);
  return [...byProtocol].map(([protocol, ports]) => `${protocol} ${ports.join(', ')}`).join('; ');
}

/**
 * The lines of one direction and view. Changes that differ only in protocol and ports (the same
 * change, peers and reason) share one line that lists them, so that a workload moved into audit
 * mode reads in a few lines; --json keeps one change per protocol and port range.
 */
function directionLines(d: DirectionDiff, direction: Direction, view: 'enforced' | 'staged'): string[] {
  const groups = new Map<string, FlowChange[]>();
  for (const c of view === 'enforced' ? d.changes : (d.whenStagedEnforced ?? [])) {
    const key = [c.change, describePeers(c.peers), reason(c)].join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.values()].flatMap((list) => {
    const c = list[0];
    return [
      `  ${MARKS[view][direction][c.change].padEnd(MARK_WIDTH)} ${describeProtocolsPorts(list).padEnd(16)} ${describePeers(c.peers)}`,
      `  ${''.padEnd(MARK_WIDTH)} ${''.padEnd(16)} ${reason(c)}`,
    ];
  });
}

/** What a lost protection means, for the workload's namespace. */
function weakeningLine(w: Weakening, namespace: string): string {
  const what =
    w.protection === 'tier'
      ? `its ${w.direction} is no longer decided before the default tier: a Kubernetes NetworkPolicy of ${namespace} (the built-in edit role may write one) could allow it more`
      : `what its ${w.direction} allows is no longer bound to its ServiceAccount: a pod with its labels under another one (whoever may create pods in ${namespace}) gets it`;
  return `  ${'! protection weakened'.padEnd(MARK_WIDTH)} ${what}`;
}

/** How many workloads widened and narrowed in one direction and view. */
function counts(diff: ReachDiff, pick: (w: WorkloadDiff) => readonly FlowChange[] | undefined): string {
  const widened = diff.workloads.filter((w) => (pick(w) ?? []).some((c) => c.change === 'added')).length;
  const narrowed = diff.workloads.filter((w) => (pick(w) ?? []).some((c) => c.change === 'removed')).length;
  return `widened for ${widened} workload${widened === 1 ? '' : 's'}, narrowed for ${narrowed}`;
}

/** The diff as text a reviewer reads without knowing Calico. */
export function formatDiff(diff: ReachDiff): string {
  const head = `Reach changes from ${diff.base} to ${diff.head}:`;
  if (diff.workloads.length === 0) return `${head} none: every workload reaches, and is reached by, exactly what it was before.\n`;
  const lines = [head];
  for (const w of diff.workloads) {
    const where = w.presence === 'both' ? '' : w.presence === 'head only' ? ', new workload' : ', workload removed';
    const audit = w.staged.length ? `; audit mode: ${w.staged.map(describeStaged).join(', ')} staged, not enforced` : '';
    lines.push('', `${w.endpoint} (${w.flavor} flavor${where}${audit})`);
    lines.push(...w.weakened.map((x) => weakeningLine(x, w.namespace)));
    lines.push(...directionLines(w.egress, 'egress', 'enforced'), ...w.hosts.map(hostChangeLine), ...directionLines(w.ingress, 'ingress', 'enforced'));
    const staged = [...directionLines(w.egress, 'egress', 'staged'), ...directionLines(w.ingress, 'ingress', 'staged')];
    if (staged.length) lines.push('  once the staged policies are enforced:', ...staged);
  }
  lines.push('', `Egress ${counts(diff, (w) => w.egress.changes)}. Ingress ${counts(diff, (w) => w.ingress.changes)}.`);
  if (diff.workloads.some((w) => w.hosts.length > 0)) {
    const widened = diff.workloads.filter((w) => w.hosts.some((c) => c.change === 'added')).length;
    const narrowed = diff.workloads.filter((w) => w.hosts.some((c) => c.change === 'removed')).length;
    lines.push(`By name: widened for ${widened} workload${widened === 1 ? '' : 's'}, narrowed for ${narrowed}.`);
  }
  const weakened = diff.workloads.filter((w) => w.weakened.length > 0).length;
  if (weakened) lines.push(`Protection weakened for ${weakened} workload${weakened === 1 ? '' : 's'}.`);
  if (diff.workloads.some((w) => w.egress.whenStagedEnforced || w.ingress.whenStagedEnforced)) {
    lines.push(
      `Once the staged policies are enforced: egress ${counts(diff, (w) => w.egress.whenStagedEnforced)}; ingress ${counts(diff, (w) => w.ingress.whenStagedEnforced)}.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
