/**
 * The exact difference in reach between two egress reports, per workload: which addresses or
 * pods, on which protocol and ports, a workload may newly reach, may no longer reach, or reaches
 * by another rule. Computed on the reports' values; lib/review/diff-format.ts writes it down.
 */

import { cidrRange, compactCidrs, intersectRanges, IpRange, subtractRanges, unionRanges } from '../net';
import { DecidedBy, decisionKey, describeDestination, Destination, EgressReport, isNamedPort, PodsDestination, PortRange, portAtoms, Ports, Protocol, ReachEntry } from '../verify';
import { flavorOf } from './workload';

/** Which way a piece of reach moved between base and head. */
export type Change = 'added' | 'removed' | 'changed';

/** One contiguous piece of reach that differs: a destination, protocol, port range, and the policies behind it. */
export interface FlowChange {
  readonly change: Change;
  /** Address blocks (the fewest, with except where that is shorter), or one pod or class of pods. */
  readonly to: readonly Destination[];
  readonly protocol: Protocol;
  /** A contiguous range, or a port name. */
  readonly ports: Ports;
  /** What decided in base (absent for added). */
  readonly before?: DecidedBy;
  /** What decides in head (absent for removed). */
  readonly after?: DecidedBy;
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

/**
 * Where reach lies: the addresses outside the known endpoints (one space, compared address by
 * address), or one pod or class of pods.
 */
interface Space {
  readonly key: string;
  readonly pods?: PodsDestination;
  /** Changes are listed in the order a reader finds them alphabetically: by what they reach, as written. */
  readonly order: string;
}

const ADDRESSES: Space = { key: 'addresses', order: 'cidr' };

function podsSpace(d: PodsDestination): Space {
  const key = ['pods', d.namespace, d.endpoint ?? '', JSON.stringify(d.namespaceLabels ?? {}), JSON.stringify(d.labels)].join('\u0000');
  return { key, pods: d, order: describeDestination(d, 'review') };
}

/** One allowed piece: in a space, some addresses (for pods, a stand-in), ports, and what decided. */
interface Piece {
  readonly space: Space;
  readonly ranges: readonly IpRange[];
  readonly ports: Ports;
  readonly decided: DecidedBy;
  /** Identifies what decided. */
  readonly decision: string;
}

/** Stands for a pod or class of pods, so that the same range arithmetic serves both spaces. */
const POD: readonly IpRange[] = [{ version: 4, first: 0n, last: 0n }];

function pieces(entries: readonly ReachEntry[]): Map<Protocol, Piece[]> {
  const byProtocol = new Map<Protocol, Piece[]>();
  for (const e of entries) {
    const to = e.to;
    const where = to.type === 'cidr' ? { space: ADDRESSES, ranges: subtractRanges([cidrRange(to.cidr)], to.except.map(cidrRange)) } : { space: podsSpace(to), ranges: POD };
    const piece: Piece = { ...where, ports: e.ports, decided: e.decidedBy, decision: decisionKey(e.decidedBy) };
    byProtocol.set(e.protocol, [...(byProtocol.get(e.protocol) ?? []), piece]);
  }
  return byProtocol;
}

/** Per decision, what decided and the addresses a side reaches within one port atom of one space. */
function reachAt(side: readonly Piece[], space: Space, port: Ports): Map<string, { readonly decided: DecidedBy; readonly ranges: IpRange[] }> {
  const out = new Map<string, { decided: DecidedBy; ranges: IpRange[] }>();
  for (const p of side) {
    if (p.space.key !== space.key) continue;
    const covers = isNamedPort(port) || isNamedPort(p.ports) ? isNamedPort(port) && isNamedPort(p.ports) && p.ports.name === port.name : p.ports.from <= port.from && port.to <= p.ports.to;
    if (!covers) continue;
    const found = out.get(p.decision);
    if (found) found.ranges.push(...p.ranges);
    else out.set(p.decision, { decided: p.decided, ranges: [...p.ranges] });
  }
  return out;
}

/** What a change reaches: the fewest blocks for addresses, or the pods of its space. */
function destinationsOf(space: Space, ranges: readonly IpRange[]): Destination[] {
  if (space.pods) return [space.pods];
  return compactCidrs(ranges).map((c) => ({ type: 'cidr', cidr: c.cidr, except: c.except }));
}

/** A change found at one port atom, before its protocol and ports are known, and what identifies it. */
interface Found {
  readonly change: Omit<FlowChange, 'protocol' | 'ports'>;
  readonly key: string;
}

function found(space: Space, change: Change, ranges: readonly IpRange[], before?: { key: string; decided: DecidedBy }, after?: { key: string; decided: DecidedBy }): Found {
  const addresses = space.pods ? '' : ranges.map((r) => `${r.version}:${r.first}-${r.last}`).join(',');
  return {
    change: { change, to: destinationsOf(space, ranges), ...(before ? { before: before.decided } : {}), ...(after ? { after: after.decided } : {}) },
    key: [change, before?.key ?? '', after?.key ?? '', addresses].join('\u0000'),
  };
}

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
    const spaces = [...new Map([...bp, ...hp].map((p) => [p.space.key, p.space])).values()].sort((x, y) => (x.order < y.order ? -1 : x.order > y.order ? 1 : 0));
    for (const space of spaces) {
      const mine = [...bp, ...hp].filter((p) => p.space.key === space.key);
      const numeric = mine.map((p) => p.ports).filter((s): s is PortRange => !isNamedPort(s));
      const named = [...new Set(mine.map((p) => p.ports).filter(isNamedPort).map((s) => s.name))].map((name) => ({ name }));
      // Consecutive port atoms with the same outcome are merged into one change.
      let open: { found: Found; from: number; to: number } | undefined;
      const flush = () => {
        if (open) changes.push({ ...open.found.change, protocol, ports: { from: open.from, to: open.to } });
        open = undefined;
      };
      for (const port of [...portAtoms(numeric), ...named]) {
        const inBase = reachAt(bp, space, port);
        const inHead = reachAt(hp, space, port);
        const list: Found[] = [];
        const baseAll = unionRanges([...inBase.values()].flatMap((x) => x.ranges));
        const headAll = unionRanges([...inHead.values()].flatMap((x) => x.ranges));
        for (const [afterKey, now] of inHead) {
          const after = { key: afterKey, decided: now.decided };
          const added = subtractRanges(now.ranges, baseAll);
          if (added.length) list.push(found(space, 'added', added, undefined, after));
          for (const [beforeKey, old] of inBase) {
            if (beforeKey === afterKey) continue;
            // Addresses `before` decided in base and `after` decides now, unless `after` also did in base.
            const changed = subtractRanges(intersectRanges(now.ranges, old.ranges), inBase.get(afterKey)?.ranges ?? []);
            if (changed.length) list.push(found(space, 'changed', changed, { key: beforeKey, decided: old.decided }, after));
          }
        }
        for (const [beforeKey, old] of inBase) {
          const removed = subtractRanges(old.ranges, headAll);
          if (removed.length) list.push(found(space, 'removed', removed, { key: beforeKey, decided: old.decided }));
        }
        if (isNamedPort(port)) {
          flush();
          for (const f of list) changes.push({ ...f.change, protocol, ports: port });
          continue;
        }
        if (open && list.length === 1 && open.found.key === list[0].key && open.to + 1 === port.from) {
          open.to = port.to;
          continue;
        }
        flush();
        if (list.length === 1) open = { found: list[0], from: port.from, to: port.to };
        else for (const f of list) changes.push({ ...f.change, protocol, ports: port });
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
