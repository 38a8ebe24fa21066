import { IpRange, cidrRange, compactCidrs, formatCidr, parseCidrLenient, subtractRanges, unionRanges } from '../net';
import { describeDecision, describeDestination, Destination, EgressReport, isNamedPort, PortRange, portAtoms, Ports, Protocol, ReachEntry, WorkloadEgress } from '../verify';

/** Which way a piece of reach moved between base and head. */
export type Change = 'added' | 'removed' | 'changed';

/** One contiguous piece of reach that differs: a destination, protocol, port range, and the policies behind it. */
export interface FlowChange {
  readonly change: Change;
  /** `cidr 198.51.0.0/16 except 198.51.100.0/24`, `pods vector-db {app=qdrant}`, `pod ns/name`, `any other pod`. */
  readonly to: string;
  readonly protocol: Protocol;
  /** A contiguous range, or a port name. */
  readonly ports: Ports;
  /** The rule that decided in base (absent for added). */
  readonly before?: string;
  /** The rule that decides in head (absent for removed). */
  readonly after?: string;
}

/** How one workload's egress differs. */
export interface WorkloadDiff {
  readonly endpoint: string;
  /** `calico` when a Calico tier decides its egress, `kubernetes` otherwise; as in head when it exists there. */
  readonly flavor: string;
  /** `both`, or the only side the workload exists on. */
  readonly presence: 'both' | 'base only' | 'head only';
  readonly changes: readonly FlowChange[];
}

/** The difference in reach between two manifest sets. */
export interface EgressDiff {
  readonly base: string;
  readonly head: string;
  /** True when some workload may reach something in head that it could not in base. */
  readonly widened: boolean;
  readonly workloads: readonly WorkloadDiff[];
}

/** `calico` when a Calico policy outside the default tier decides some of the workload's egress. */
export function flavorOf(w: WorkloadEgress): string {
  return [...w.allowed, ...w.denied].some((e) => e.decidedBy.tier !== undefined && e.decidedBy.tier !== 'default' && e.decidedBy.kind !== 'KubernetesNetworkPolicy' && e.decidedBy.reason === 'rule' && e.decidedBy.action === 'Allow')
    ? 'calico'
    : 'kubernetes';
}

/** The addresses of a cidr destination. */
function destinationRanges(to: Destination & { type: 'cidr' }): IpRange[] {
  const block = parseCidrLenient(to.cidr);
  if (!block) return [];
  const except = (to.except ?? []).map(parseCidrLenient).filter((c) => c !== undefined).map(cidrRange);
  return subtractRanges([cidrRange(block)], except);
}

/** One allowed piece: in a space (the address space, or one class of pods), a port span, and the rule. */
interface Piece {
  readonly space: string;
  readonly ranges: readonly IpRange[];
  readonly span: Ports;
  readonly decided: string;
}

function pieces(entries: readonly ReachEntry[]): Map<Protocol, Piece[]> {
  const byProtocol = new Map<Protocol, Piece[]>();
  for (const e of entries) {
    const span = e.ports;
    const piece: Piece = e.to.type === 'cidr'
      ? { space: 'cidr', ranges: destinationRanges(e.to), span, decided: describeDecision(e.decidedBy, 'review') }
      : { space: describeDestination(e.to, 'review'), ranges: [], span, decided: describeDecision(e.decidedBy, 'review') };
    byProtocol.set(e.protocol, [...(byProtocol.get(e.protocol) ?? []), piece]);
  }
  return byProtocol;
}

function intersectRanges(a: readonly IpRange[], b: readonly IpRange[]): IpRange[] {
  return subtractRanges(a, subtractRanges(a, b));
}

/** Per decision, the addresses a side reaches within one port atom of one space. */
function reachAt(side: readonly Piece[], space: string, port: Ports): Map<string, IpRange[]> {
  const out = new Map<string, IpRange[]>();
  for (const p of side) {
    if (p.space !== space) continue;
    const covers = isNamedPort(port) || isNamedPort(p.span) ? isNamedPort(port) && isNamedPort(p.span) && p.span.name === port.name : p.span.from <= port.from && port.to <= p.span.to;
    if (!covers) continue;
    const ranges = space === 'cidr' ? p.ranges : [{ version: 4 as const, first: 0n, last: 0n }];
    out.set(p.decided, [...(out.get(p.decided) ?? []), ...ranges]);
  }
  return out;
}

function formatRanges(space: string, ranges: readonly IpRange[]): string {
  if (space !== 'cidr') return space;
  return compactCidrs(ranges).map((c) => describeDestination({ type: 'cidr', cidr: formatCidr(c.cidr), except: c.except.map(formatCidr) }, 'review')).join(', ');
}

/** A change found at one port atom, before its protocol and ports are known. */
type Found = Omit<FlowChange, 'protocol' | 'ports'>;

/**
 * The exact difference of two workloads' allowed egress: every (address or pod class, protocol,
 * port) is compared, so `198.51.100.0/24` becoming `198.51.0.0/16` reads as the added addresses,
 * not as one flow removed and another added. Reach present on both sides but decided by another
 * rule is `changed`.
 */
export function diffWorkload(base: readonly ReachEntry[], head: readonly ReachEntry[]): FlowChange[] {
  const b = pieces(base);
  const h = pieces(head);
  const changes: FlowChange[] = [];
  for (const protocol of [...new Set([...b.keys(), ...h.keys()])].sort()) {
    const bp = b.get(protocol) ?? [];
    const hp = h.get(protocol) ?? [];
    const spaces = [...new Set([...bp, ...hp].map((p) => p.space))].sort();
    for (const space of spaces) {
      const mine = [...bp, ...hp].filter((p) => p.space === space);
      const numeric = mine.map((p) => p.span).filter((s): s is PortRange => !isNamedPort(s));
      const named = [...new Set(mine.map((p) => p.span).filter(isNamedPort).map((s) => s.name))].map((name) => ({ name }));
      // Consecutive port atoms with the same outcome are merged into one change.
      let open: (Found & { from: number; toPort: number; key: string }) | undefined;
      const flush = () => {
        if (open) changes.push({ change: open.change, to: open.to, protocol, ports: { from: open.from, to: open.toPort }, before: open.before, after: open.after });
        open = undefined;
      };
      for (const port of [...portAtoms(numeric), ...named]) {
        const inBase = reachAt(bp, space, port);
        const inHead = reachAt(hp, space, port);
        const found: Found[] = [];
        const baseAll = unionRanges([...inBase.values()].flat());
        const headAll = unionRanges([...inHead.values()].flat());
        for (const [after, ranges] of inHead) {
          const added = subtractRanges(ranges, baseAll);
          if (added.length) found.push({ change: 'added', to: formatRanges(space, added), after });
          for (const [before, old] of inBase) {
            if (before === after) continue;
            // Addresses `before` decided in base and `after` decides now, unless `after` also did in base.
            const changed = subtractRanges(intersectRanges(ranges, old), inBase.get(after) ?? []);
            if (changed.length) found.push({ change: 'changed', to: formatRanges(space, changed), before, after });
          }
        }
        for (const [before, ranges] of inBase) {
          const removed = subtractRanges(ranges, headAll);
          if (removed.length) found.push({ change: 'removed', to: formatRanges(space, removed), before });
        }
        if (isNamedPort(port)) {
          flush();
          for (const f of found) changes.push({ ...f, protocol, ports: port });
          continue;
        }
        const key = JSON.stringify(found);
        if (open && open.key === key && found.length === 1 && open.toPort + 1 === port.from) {
          open.toPort = port.to;
          continue;
        }
        flush();
        if (found.length === 1) open = { ...found[0], from: port.from, toPort: port.to, key };
        else for (const f of found) changes.push({ ...f, protocol, ports: port });
      }
      flush();
    }
  }
  return changes;
}

/** Compares every workload's allowed egress in two egress reports. */
export function diffReports(base: EgressReport, head: EgressReport, labels: { base: string; head: string }): EgressDiff {
  const baseBy = new Map(base.workloads.map((w) => [w.endpoint, w]));
  const headBy = new Map(head.workloads.map((w) => [w.endpoint, w]));
  const ids = [...new Set([...baseBy.keys(), ...headBy.keys()])].sort();
  const workloads: WorkloadDiff[] = [];
  for (const id of ids) {
    const bw = baseBy.get(id);
    const hw = headBy.get(id);
    const changes = diffWorkload(bw?.allowed ?? [], hw?.allowed ?? []);
    if (changes.length === 0 && bw && hw) continue;
    workloads.push({ endpoint: id, flavor: flavorOf((hw ?? bw)!), presence: bw && hw ? 'both' : bw ? 'base only' : 'head only', changes });
  }
  return { base: labels.base, head: labels.head, widened: workloads.some((w) => w.changes.some((c) => c.change === 'added')), workloads };
}
