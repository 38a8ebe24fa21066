/**
 * The verifier's answers laid out for the terminal (`verify query`, `matrix`, `egress`, `ingress`); each
 * value is written by its function in words.ts.
 */

import type { DnsReport } from './dns';
import type { Relay } from './relays';
import { IpVersion } from '../net';
import { PROTOCOLS } from '../k8s';
import { EgressReport, ReachEntry } from './egress';
import { hostLines } from './host-words';
import { IngressEntry, IngressReport } from './ingress';
import { Reader } from './readers';
import { Ports, describePorts } from './ports';
import { decisionKey, Direction, PolicyRef, RuleId } from './policy';
import { DecidedBy, Destination } from './workload';
import { DirectionAnswer, MatrixCell, QueryAnswer } from './reach';
import {
  describeDecision,
  describeDestination,
  describeDestinations,
  describePolicyInTier,
  describeRule,
  describeRules,
  describeIpVersions,
  describeStaged,
  describeUncertain,
  EGRESS_TEXT_NOTE,
  explainDirection,
  explainWhenStaged,
  INGRESS_TEXT_NOTE,
} from './words';

function directionLines(a: DirectionAnswer, indent = '  '): string[] {
  const lines = [`${indent}${a.direction}: ${explainDirection(a)}`];
  for (const l of a.logged) lines.push(`${indent}  logged by ${describeRule(l.rule, l.action)}`);
  for (const p of a.passed) lines.push(`${indent}  passed by ${describeRule(p.rule, p.action)}`);
  for (const u of describeUncertain(a.uncertain)) lines.push(`${indent}  ${u}`);
  if (a.staged.length) lines.push(`${indent}  staged, not enforced: ${a.staged.map(describeStaged).join('; ')}`);
  const staged = explainWhenStaged(a);
  if (staged) lines.push(`${indent}  once the staged policies are enforced, ${staged}`);
  return lines;
}

/** A query answer as a few lines. */
export function queryText(q: QueryAnswer): string {
  const from = q.fromEndpoint && q.fromEndpoint !== q.from ? `${q.from} (${q.fromEndpoint})` : q.from;
  const to = q.toEndpoint && q.toEndpoint !== q.to ? `${q.to} (${q.toEndpoint})` : q.to;
  const port = q.portName ? `${q.portName} (${q.port})` : String(q.port);
  const other = q.otherIpVersion;
  const version = other ? `  ${describeIpVersions(q.ipVersion)}` : '';
  return (
    [
      `${q.allowed ? 'ALLOWED' : 'DENIED'}  ${from} -> ${to}  ${q.protocol} ${port}${version}`,
      ...directionLines(q.egress),
      ...directionLines(q.ingress),
      ...(other
        ? [
            `  over IPv${other.ipVersion}: ${other.allowed ? 'ALLOWED' : 'DENIED'}`,
            ...directionLines(other.egress, '    '),
            ...directionLines(other.ingress, '    '),
          ]
        : []),
    ].join('\n') + '\n'
  );
}

/** Widest matrix drawn as a grid; larger ones are listed as the allowed pairs. */
const GRID_LIMIT = 40;

/** A matrix as a grid (rows send, columns receive), or as the list of allowed pairs when large. */
export function matrixText(cells: readonly MatrixCell[], ids: readonly string[], port: number, protocol: string): string {
  if (ids.length > GRID_LIMIT) {
    const open = cells.filter((c) => c.allowed);
    return (
      [
        `${protocol} ${port}: ${open.length} of ${cells.length} ordered pairs of ${ids.length} endpoints may connect:`,
        ...open.map((c) => `  ${c.from} -> ${c.to}`),
      ].join('\n') + '\n'
    );
  }
  const allowed = new Set(cells.filter((c) => c.allowed).map((c) => `${c.from}\u0000${c.to}`));
  const width = Math.max(...ids.map((id) => id.length), 4);
  const num = (i: number): string => String(i + 1).padStart(String(ids.length).length);
  const lines = [`${protocol} ${port}: may the row open a connection to the column? (Y allowed, . denied)`, ''];
  lines.push(`${' '.repeat(width + String(ids.length).length + 2)} ${ids.map((_, i) => num(i)).join(' ')}`);
  ids.forEach((from, i) => {
    const row = ids.map((to) => (from === to ? '-' : allowed.has(`${from}\u0000${to}`) ? 'Y' : '.').padStart(String(ids.length).length));
    lines.push(`${num(i)} ${from.padEnd(width)}  ${row.join(' ')}`);
  });
  return lines.join('\n') + '\n';
}

/** The entries of one listing, one line each: verb, protocol, ports, peer, what decided. */
interface Listed {
  readonly peer: Destination;
  readonly protocol: string;
  readonly ports: Ports;
  readonly decidedBy: DecidedBy;
  readonly catchAll?: true;
  readonly ipVersion?: IpVersion;
}

function entryLine(verb: string, protocol: string, ports: Ports, peer: string, decided: string, ipVersion: IpVersion | undefined, indent: string): string {
  return `${indent}${verb.padEnd(5)} ${protocol.padEnd(4)} ${describePorts(ports).padEnd(11)} ${peer.padEnd(48)} ${decided}${ipVersion ? ` (IPv${ipVersion} only)` : ''}`;
}

function entryLines(verb: string, entries: readonly Listed[], indent: string): string[] {
  return entries.map((e) => entryLine(verb, e.protocol, e.ports, describeDestination(e.peer), describeDecision(e.decidedBy), e.ipVersion, indent));
}

/** Protocols in the order Kubernetes lists them (TCP, UDP, SCTP), any other after. */
function protocolRank(protocol: string): number {
  const i = (PROTOCOLS as readonly string[]).indexOf(protocol);
  return i < 0 ? PROTOCOLS.length : i;
}

/** Explicit denies as the listing shows them: what rules of one policy deny alike, on one line. */
interface DenyLine {
  readonly protocols: readonly string[];
  readonly ports: Ports;
  readonly peers: Destination[];
  readonly decidedBy: DecidedBy;
  /** The deciding rules, in the order met; empty when no rule decided. */
  readonly rules: RuleId[];
  readonly ipVersion?: IpVersion;
}

/**
 * The explicit denies, merged for reading (`--json` keeps every entry): first each peer, ports and
 * rule on all the protocols it denies (`TCP/UDP/SCTP`); then the blocks (without exceptions) that
 * rules of one policy deny on the same protocols and ports, such as a guardrail's cloud metadata
 * addresses each in a rule of its own, on one line that lists the blocks and the rules.
 */
function denyLines(entries: readonly Listed[]): DenyLine[] {
  const key = (...parts: readonly (string | number | undefined)[]): string => parts.map((p) => p ?? '').join('\u0000');
  const byPeer = new Map<string, { readonly entry: Listed; readonly protocols: string[] }>();
  for (const e of entries) {
    const k = key(describeDestination(e.peer), describePorts(e.ports), decisionKey(e.decidedBy), e.ipVersion);
    const known = byPeer.get(k);
    if (known) known.protocols.push(e.protocol);
    else byPeer.set(k, { entry: e, protocols: [e.protocol] });
  }
  const lines: DenyLine[] = [];
  const byPolicy = new Map<string, DenyLine>();
  for (const { entry: e, protocols } of byPeer.values()) {
    const ordered = [...new Set(protocols)].sort((a, b) => protocolRank(a) - protocolRank(b));
    const d = e.decidedBy;
    const line: DenyLine = {
      protocols: ordered,
      ports: e.ports,
      peers: [e.peer],
      decidedBy: d,
      rules: d.reason === 'rule' ? [d.rule] : [],
      ...(e.ipVersion ? { ipVersion: e.ipVersion } : {}),
    };
    if (d.reason !== 'rule' || e.peer.type !== 'cidr' || e.peer.except.length > 0) {
      lines.push(line);
      continue;
    }
    const r = d.rule;
    const k = key(d.action, r.tier, r.priority, r.kind, r.namespace, r.name, r.direction, describePorts(e.ports), ordered.join('/'), e.ipVersion);
    const group = byPolicy.get(k);
    if (!group) {
      byPolicy.set(k, line);
      lines.push(line);
      continue;
    }
    if (!group.peers.some((p) => describeDestination(p) === describeDestination(e.peer))) group.peers.push(e.peer);
    if (!group.rules.some((g) => g.index === r.index)) group.rules.push(r);
  }
  return lines;
}

/**
 * One workload's allowed and explicitly denied entries. Entries a catch-all Deny decided (the
 * complement of what earlier rules allowed: `1-442`, `444-65535`) are not listed one by one: one
 * line says that everything else is denied, and by what. The explicit denies are merged (see
 * denyLines). What the entries leave out, the packets no rule decides, is denied by the end of a
 * tier when some policy applies: one line says so when there are some, and another that nothing
 * is left when the rules decide every packet (an allow-all rule).
 */
function listingLines(
  view: { readonly isolated: boolean; readonly unmatched: boolean; readonly allowed: readonly Listed[]; readonly denied: readonly Listed[] },
  peer: 'destination' | 'source',
  indent: string,
): string[] {
  const explicit = denyLines(view.denied.filter((e) => !e.catchAll)).map((d) =>
    entryLine(
      'DENY',
      d.protocols.join('/'),
      d.ports,
      describeDestinations(d.peers),
      d.rules.length > 0 ? describeRules(d.rules) : describeDecision(d.decidedBy),
      d.ipVersion,
      indent,
    ),
  );
  const catchAll = new Map(view.denied.filter((e) => e.catchAll).map((e) => [decisionKey(e.decidedBy), e.decidedBy]));
  const lines = [...entryLines('ALLOW', view.allowed, indent), ...explicit];
  if (catchAll.size > 0) lines.push(`${indent}DENY  everything else: ${[...catchAll.values()].map((d) => describeDecision(d)).join('; ')}`);
  else if (view.isolated && view.unmatched) lines.push(`${indent}DENY  everything else: no rule allows it`);
  else if (view.isolated) lines.push(`${indent}nothing else: the rules above decide every ${peer}, protocol and port`);
  return lines;
}

/**
 * Who can read a workload: `who can read it (callers that receive its responses):`, then one
 * line per caller, those in namespaces these manifests do not govern marked `NOT GOVERNED`.
 */
function readerLines(readers: readonly (Listed & { readonly governed: boolean })[], indent: string): string[] {
  if (readers.length === 0) return [`${indent}who can read it: no caller is admitted`];
  const ungoverned = readers.filter((r) => !r.governed).length;
  return [
    `${indent}who can read it (callers that receive its responses)${ungoverned ? `, ${ungoverned} not governed by these manifests` : ''}:`,
    ...readers.map(
      (r) =>
        `${indent}  ${r.governed ? 'governed    ' : 'NOT GOVERNED'} ${r.protocol.padEnd(4)} ${describePorts(r.ports).padEnd(11)} ${describeDestination(r.peer).padEnd(48)} ${describeDecision(r.decidedBy)}`,
    ),
  ];
}

/** The part of a report the terminal listing reads, for either direction. */
interface ListedWorkload {
  readonly endpoint: string;
  readonly kind: string;
  readonly isolated: boolean;
  readonly unmatched: boolean;
  readonly policies: readonly PolicyRef[];
  readonly allowed: readonly Listed[];
  readonly denied: readonly Listed[];
  readonly staged: readonly PolicyRef[];
  /** Lines after the entries: what the workload reaches by name (egress). */
  readonly more?: readonly string[];
  readonly whenStagedEnforced?: {
    readonly isolated: boolean;
    readonly unmatched: boolean;
    readonly policies: readonly PolicyRef[];
    readonly allowed: readonly Listed[];
    readonly denied: readonly Listed[];
    readonly more?: readonly string[];
  };
  /** Who can read it: the callers it admits, and whether they are governed. */
  readonly readers?: readonly (Listed & { readonly governed: boolean })[];
}

function reportText(direction: Direction, note: string, ipblockMatchesPods: boolean, workloads: readonly ListedWorkload[]): string {
  const lines = [`Note: ${note}`, `ipBlock/nets match pod IPs: ${ipblockMatchesPods}`, ''];
  const peer = direction === 'egress' ? 'destination' : 'source';
  for (const w of workloads) {
    const by = w.isolated ? `${direction} policies: ${w.policies.map(describePolicyInTier).join('; ')}` : `no ${direction} policy applies: everything allowed`;
    lines.push(`${w.endpoint} (${w.kind}) - ${by}`);
    lines.push(...listingLines(w, peer, '  '), ...(w.more ?? []));
    if (w.staged.length) lines.push(`  staged, not enforced: ${w.staged.map(describeStaged).join('; ')}`);
    if (w.whenStagedEnforced) {
      const s = w.whenStagedEnforced;
      lines.push(
        `  once the staged policies are enforced - ${s.isolated ? `${direction} policies: ${s.policies.map(describePolicyInTier).join('; ')}` : `no ${direction} policy applies: everything allowed`}`,
      );
      lines.push(...listingLines(s, peer, '    '), ...(s.more ?? []));
    }
    if (w.readers) lines.push(...readerLines(w.readers, '  '));
    lines.push('');
  }
  return lines.join('\n');
}

type Views<E> = {
  readonly isolated: boolean;
  readonly unmatched: boolean;
  readonly policies: readonly PolicyRef[];
  readonly allowed: readonly E[];
  readonly denied: readonly E[];
};

/** A workload of either report as the listing reads it, its entries turned by `peer`. */
function listed<E>(
  w: Views<E> & {
    readonly endpoint: string;
    readonly kind: string;
    readonly staged: readonly PolicyRef[];
    readonly whenStagedEnforced?: Views<E>;
    readonly readers?: readonly Reader[];
  },
  peer: (e: E) => Listed,
): ListedWorkload {
  const turn = (v: Views<E>) => ({
    isolated: v.isolated,
    unmatched: v.unmatched,
    policies: v.policies,
    allowed: v.allowed.map(peer),
    denied: v.denied.map(peer),
  });
  return {
    endpoint: w.endpoint,
    kind: w.kind,
    staged: w.staged,
    ...turn(w),
    ...(w.whenStagedEnforced ? { whenStagedEnforced: turn(w.whenStagedEnforced) } : {}),
    ...(w.readers ? { readers: w.readers.map(({ from, ...rest }) => ({ peer: from, ...rest })) } : {}),
  };
}

/** An egress report as one block per workload. */
export function egressText(report: EgressReport): string {
  return reportText(
    'egress',
    EGRESS_TEXT_NOTE,
    report.ipblockMatchesPods,
    report.workloads.map((w) => {
      const l = listed(w, ({ to, ...rest }: ReachEntry) => ({ peer: to, ...rest }));
      const staged = w.whenStagedEnforced;
      return {
        ...l,
        more: hostLines(w.hosts, '  '),
        ...(l.whenStagedEnforced && staged ? { whenStagedEnforced: { ...l.whenStagedEnforced, more: hostLines(staged.hosts, '    ') } } : {}),
      };
    }),
  );
}

/** An ingress report (who may reach each workload) as one block per workload. */
export function ingressText(report: IngressReport): string {
  return reportText(
    'ingress',
    INGRESS_TEXT_NOTE,
    report.ipblockMatchesPods,
    report.workloads.map((w) => listed(w, ({ from, ...rest }: IngressEntry) => ({ peer: from, ...rest }))),
  );
}

/** Per workload, whether it can resolve names outside the cluster, and through which DNS servers. */
export function dnsText(report: DnsReport): string {
  const lines = [
    `DNS: which workloads can resolve names outside the cluster (cluster domain ${report.clusterDomain}): a DNS server that may resolve any name carries data out in the names asked.`,
  ];
  for (const w of report.workloads) {
    const configured =
      w.dnsPolicy === 'None'
        ? `nameservers ${w.nameservers.join(', ') || 'none'} (dnsPolicy None)`
        : `dnsPolicy ${w.dnsPolicy}${w.nameservers.length ? `, nameservers ${w.nameservers.join(', ')}` : ''}`;
    const verdict = w.servers.length === 0 ? 'no DNS allowed' : w.resolvesOutside ? 'NAMES OUTSIDE THE CLUSTER' : 'cluster names only';
    const serves = w.serves
      ? ` (a DNS server itself, answering ${w.serves.answers === 'cluster-names' ? 'cluster names only' : 'any name'}: ${w.serves.why}; its own lookups:)`
      : '';
    lines.push(`  ${w.endpoint}${serves}: ${verdict}; ${configured}`);
    for (const server of w.servers)
      lines.push(`    ${server.answers === 'any-name' ? 'any name  ' : 'cluster   '} ${describeDestination(server.to)}: ${server.why}`);
    if (w.reason) lines.push(`    reason: ${w.reason.split('\n').join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The ungoverned relays: pods workloads may send to that no egress policy confines. */
export function relaysText(relays: readonly Relay[]): string {
  const lines = ['Relays: pods a workload may send to that no egress policy of these manifests confines (they may pass on what they receive to anywhere).'];
  if (relays.length === 0) lines.push('  none');
  for (const r of relays) {
    lines.push(
      `  ${r.from} -> ${describeDestination(r.to)} ${r.protocol} ${describePorts(r.ports)}: UNGOVERNED RELAY${r.reason ? `; reason: ${r.reason}` : '; no written reason'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
