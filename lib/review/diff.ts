/**
 * The exact difference in reach between two manifest sets, per workload and direction: which
 * addresses or pods, on which protocol and ports, a workload may newly reach (egress) or be
 * reached from (ingress), may no longer, or does by another rule. Computed on the verifier's
 * values; lib/review/diff-format.ts writes it down.
 *
 * Two views are compared: what is enforced, and what would be once the staged policies are
 * enforced (Calico's audit mode). A change of what is enforced that the staged policies would
 * deny is marked as such, so that a workload moved into audit mode reads as "allowed now,
 * denied once enforced", never as a narrowing.
 *
 * Each side is asked about the pods the other side names: a class of pods one side's rules name
 * and the other's do not is evaluated on both, so that it is compared with what the other side
 * decides for it (perhaps "any other pod" allowed by no policy), never reported as removed only
 * because the other side does not mention it.
 *
 * Reach that stays the same can still be easier to widen: a workload whose denials came before
 * the default tier, or whose allows were bound to its ServiceAccount, and no longer are (an app
 * moved from the calico flavor to the kubernetes one), has its protection weakened
 * (lib/verify/protection.ts), which counts as a widening.
 */

import { cidrRange, compactCidrs, intersectRanges, IpRange, subtractRanges, unionRanges } from '../net';
import {
  Cluster,
  DecidedBy,
  decisionKey,
  enforcedDecisionKey,
  Destination,
  Direction,
  DirectionReach,
  directionReach,
  Endpoint,
  IngressEntry,
  isNamedPort,
  PeerEntry,
  PodsDestination,
  podsKey,
  PolicyRef,
  PortRange,
  portAtoms,
  Ports,
  protectionOf,
  ReachEntry,
  hostReach,
} from '../verify';
import { reviewDestination } from './words';
import { HostChange, diffHosts } from './hosts-diff';
import { flavorOf } from './workload';
import { Protocol } from '../k8s';
import { Flavor } from '../conventions';

/** Which way a piece of reach moved between base and head. */
export type Change = 'added' | 'removed' | 'changed';

/** One contiguous piece of reach that differs: peers, protocol, port range, and the rules behind it. */
export interface FlowChange {
  readonly change: Change;
  /** Where it is sent (egress) or whence it comes (ingress): address blocks (the fewest, with except where that is shorter), or one pod or class of pods. */
  readonly peers: readonly Destination[];
  readonly protocol: Protocol;
  /** A contiguous range, or a port name. */
  readonly ports: Ports;
  /** What decided in base (absent for added). */
  readonly before?: DecidedBy;
  /** What decides in head (absent for removed). */
  readonly after?: DecidedBy;
  /** Set on a change of what is enforced (added or changed) that head's staged policies would deny once enforced. */
  readonly wouldDeny?: true;
}

/** How one direction of a workload changed: what is enforced, and what would be once the staged policies are. */
export interface DirectionDiff {
  readonly changes: readonly FlowChange[];
  /** Changes of the view in which the staged policies are enforced; present when either side has staged policies for the workload. */
  readonly whenStagedEnforced?: readonly FlowChange[];
}

/** A protection of a workload's reach in one direction that base had and head has not (see Protection). */
export interface Weakening {
  readonly direction: Direction;
  /**
   * `tier`: its denials came before the default tier, and now a NetworkPolicy of its namespace
   * could allow more; `service-account`: its allows applied to pods of its ServiceAccount only,
   * and now to any pod with its labels.
   */
  readonly protection: 'tier' | 'service-account';
}

/** How one workload's reach differs. */
export interface WorkloadDiff {
  readonly endpoint: string;
  /** The workload's namespace. */
  readonly namespace: string;
  /** `calico` when a Calico tier decides its reach (or would, once staged policies are enforced), `kubernetes` otherwise; as in head when it exists there. */
  readonly flavor: Flavor;
  /** `both`, or the only side the workload exists on. */
  readonly presence: 'both' | 'base only' | 'head only';
  /** Staged policies that concern the workload in head (in base when it is gone): its audit mode. */
  readonly staged: readonly PolicyRef[];
  readonly egress: DirectionDiff;
  readonly ingress: DirectionDiff;
  /** Protections base had and head has not, per direction (for a workload on both sides). */
  readonly weakened: readonly Weakening[];
  /** What it reaches by name through egress proxies that changed (enforced policies): hosts-diff.ts. */
  readonly hosts: readonly HostChange[];
}

/** The difference in reach between two manifest sets. */
export interface ReachDiff {
  readonly base: string;
  readonly head: string;
  /**
   * True when some workload may reach, or be reached by, something in head that it could not in
   * base (enforced, or once the staged policies are enforced), or lost a protection of its reach.
   */
  readonly widened: boolean;
  /** Where it widened: `hosts` when some workload may reach a name (or a wider wildcard) it could not; `protection` when one lost a protection. */
  readonly widenedIn: {
    readonly egress: boolean;
    readonly ingress: boolean;
    readonly whenStagedEnforced: boolean;
    readonly hosts: boolean;
    readonly protection: boolean;
  };
  /** The workloads whose reach changed. */
  readonly workloads: readonly WorkloadDiff[];
}

/** What the diff reads of an entry of either report, or of the verifier's peer entries. */
export type AnyEntry = PeerEntry | ReachEntry | IngressEntry;

function peerOf(e: AnyEntry): Destination {
  return 'peer' in e ? e.peer : 'to' in e ? e.to : e.from;
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
  return { key: `pods\u0000${podsKey(d)}`, pods: d, order: reviewDestination(d) };
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

function pieces(entries: readonly AnyEntry[], key: (d: DecidedBy) => string): Map<Protocol, Piece[]> {
  const byProtocol = new Map<Protocol, Piece[]>();
  for (const e of entries) {
    const to = peerOf(e);
    const where =
      to.type === 'cidr' ? { space: ADDRESSES, ranges: subtractRanges([cidrRange(to.cidr)], to.except.map(cidrRange)) } : { space: podsSpace(to), ranges: POD };
    const piece: Piece = { ...where, ports: e.ports, decided: e.decidedBy, decision: key(e.decidedBy) };
    const list = byProtocol.get(e.protocol);
    if (list) list.push(piece);
    else byProtocol.set(e.protocol, [piece]);
  }
  return byProtocol;
}

/** Per decision, what decided and the addresses a side reaches within one port atom of one space. */
function reachAt(side: readonly Piece[], space: Space, port: Ports): Map<string, { readonly decided: DecidedBy; readonly ranges: IpRange[] }> {
  const out = new Map<string, { decided: DecidedBy; ranges: IpRange[] }>();
  for (const p of side) {
    if (p.space.key !== space.key) continue;
    const covers =
      isNamedPort(port) || isNamedPort(p.ports)
        ? isNamedPort(port) && isNamedPort(p.ports) && p.ports.name === port.name
        : p.ports.from <= port.from && port.to <= p.ports.to;
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

function found(
  space: Space,
  change: Change,
  ranges: readonly IpRange[],
  before?: { key: string; decided: DecidedBy },
  after?: { key: string; decided: DecidedBy },
  wouldDeny = false,
): Found {
  const addresses = space.pods ? '' : ranges.map((r) => `${r.version}:${r.first}-${r.last}`).join(',');
  return {
    change: {
      change,
      peers: destinationsOf(space, ranges),
      ...(before ? { before: before.decided } : {}),
      ...(after ? { after: after.decided } : {}),
      ...(wouldDeny ? { wouldDeny: true } : {}),
    },
    key: [change, before?.key ?? '', after?.key ?? '', wouldDeny ? 'would deny' : '', addresses].join('\u0000'),
  };
}

/** How to compare two sides. */
export interface DiffOptions {
  /** Head's allowed reach once its staged policies are enforced: added and changed reach it does not allow is marked `wouldDeny`. */
  readonly stagedHead?: readonly AnyEntry[];
  /** When two decisions are the same rule: by default decisionKey; enforcedDecisionKey for views once staged policies are enforced. */
  readonly sameRule?: (d: DecidedBy) => string;
}

/**
 * The exact difference of two workloads' allowed reach in one direction: every (address or pod
 * class, protocol, port) is compared, so `198.51.100.0/24` becoming `198.51.0.0/16` reads as the
 * added addresses, not as one flow removed and another added. Reach present on both sides but
 * decided by another rule is `changed`.
 */
export function diffWorkload(base: readonly AnyEntry[], head: readonly AnyEntry[], options: DiffOptions = {}): FlowChange[] {
  const key = options.sameRule ?? decisionKey;
  const b = pieces(base, key);
  const h = pieces(head, key);
  const s = options.stagedHead && pieces(options.stagedHead, key);
  const changes: FlowChange[] = [];
  for (const protocol of [...new Set([...b.keys(), ...h.keys()])].sort()) {
    const bp = b.get(protocol) ?? [];
    const hp = h.get(protocol) ?? [];
    const sp = s?.get(protocol) ?? [];
    const spaces = [...new Map([...bp, ...hp].map((p) => [p.space.key, p.space])).values()].sort((x, y) =>
      x.order < y.order ? -1 : x.order > y.order ? 1 : 0,
    );
    for (const space of spaces) {
      const mine = [...bp, ...hp].filter((p) => p.space.key === space.key);
      const numeric = [...mine, ...sp.filter((p) => p.space.key === space.key)].map((p) => p.ports).filter((x): x is PortRange => !isNamedPort(x));
      const named = [
        ...new Set(
          mine
            .map((p) => p.ports)
            .filter(isNamedPort)
            .map((x) => x.name),
        ),
      ].map((name) => ({ name }));
      // Consecutive port atoms with the same outcome are merged into one change.
      let open: { found: Found; from: number; to: number } | undefined;
      const flush = () => {
        if (open) changes.push({ ...open.found.change, protocol, ports: { from: open.from, to: open.to } });
        open = undefined;
      };
      for (const port of [...portAtoms(numeric), ...named]) {
        const inBase = reachAt(bp, space, port);
        const inHead = reachAt(hp, space, port);
        const stagedAll = s ? unionRanges([...reachAt(sp, space, port).values()].flatMap((x) => x.ranges)) : undefined;
        const list: Found[] = [];
        /** Adds a change of head's reach, split into what the staged policies would and would not allow. */
        const push = (
          change: Change,
          ranges: IpRange[],
          before: { key: string; decided: DecidedBy } | undefined,
          after: { key: string; decided: DecidedBy },
        ) => {
          if (!stagedAll) {
            list.push(found(space, change, ranges, before, after));
            return;
          }
          const kept = intersectRanges(ranges, stagedAll);
          const denied = subtractRanges(ranges, stagedAll);
          if (kept.length) list.push(found(space, change, kept, before, after));
          if (denied.length) list.push(found(space, change, denied, before, after, true));
        };
        const baseAll = unionRanges([...inBase.values()].flatMap((x) => x.ranges));
        const headAll = unionRanges([...inHead.values()].flatMap((x) => x.ranges));
        for (const [afterKey, now] of inHead) {
          const after = { key: afterKey, decided: now.decided };
          const added = subtractRanges(now.ranges, baseAll);
          if (added.length) push('added', added, undefined, after);
          for (const [beforeKey, old] of inBase) {
            if (beforeKey === afterKey) continue;
            // Addresses `before` decided in base and `after` decides now, unless `after` also did in base.
            const changed = subtractRanges(intersectRanges(now.ranges, old.ranges), inBase.get(afterKey)?.ranges ?? []);
            if (changed.length) push('changed', changed, { key: beforeKey, decided: old.decided }, after);
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

/** One side's reach of a workload in one direction: enforced, and once staged policies are enforced (when some concern it). */
interface Sides {
  readonly enforced: DirectionReach;
  readonly staged?: DirectionReach;
}

/** The keys of the pods a reach names, with the destinations. */
function podsNamed(r: DirectionReach | undefined): Map<string, PodsDestination> {
  const out = new Map<string, PodsDestination>();
  for (const e of [...(r?.allowed ?? []), ...(r?.denied ?? [])]) if (e.peer.type === 'pods') out.set(podsKey(e.peer), e.peer);
  return out;
}

/** A workload's reach on one side, asking about the pods in `peers` too. */
function sidesOf(cluster: Cluster, ep: Endpoint, direction: Direction, peers?: readonly PodsDestination[]): Sides {
  const enforced = directionReach(cluster, ep, direction, { peers });
  const staged = cluster.stagedFor(ep, direction).length > 0 ? directionReach(cluster, ep, direction, { peers, view: 'staged' }) : undefined;
  return { enforced, staged };
}

/**
 * Both sides' reach of a workload in one direction, each asked about every pod either side
 * names, so that the two are compared on the same pods.
 */
function comparable(base: Cluster, head: Cluster, b: Endpoint | undefined, h: Endpoint | undefined, direction: Direction): { base?: Sides; head?: Sides } {
  let bs = b && sidesOf(base, b, direction);
  let hs = h && sidesOf(head, h, direction);
  if (!bs || !hs) return { base: bs, head: hs };
  const named = (x: Sides) => new Map([...podsNamed(x.enforced), ...podsNamed(x.staged)]);
  const all = new Map([...named(bs), ...named(hs)]);
  const missing = (x: Sides) => {
    const enforced = podsNamed(x.enforced);
    const staged = x.staged && podsNamed(x.staged);
    return [...all].filter(([k]) => !enforced.has(k) || (staged !== undefined && !staged.has(k))).map(([, d]) => d);
  };
  const bMissing = missing(bs);
  const hMissing = missing(hs);
  if (bMissing.length) bs = sidesOf(base, b!, direction, bMissing);
  if (hMissing.length) hs = sidesOf(head, h!, direction, hMissing);
  return { base: bs, head: hs };
}

function directionDiff(sides: { base?: Sides; head?: Sides }): DirectionDiff {
  const { base, head } = sides;
  const changes = diffWorkload(base?.enforced.allowed ?? [], head?.enforced.allowed ?? [], { stagedHead: head?.staged?.allowed });
  if (!base?.staged && !head?.staged) return { changes };
  const view = (x?: Sides) => (x ? (x.staged ?? x.enforced).allowed : []);
  return { changes, whenStagedEnforced: diffWorkload(view(base), view(head), { sameRule: enforcedDecisionKey }) };
}

/** The protections of a workload's enforced reach in one direction that base had and head has not. */
function weakenings(base: Cluster, b: Endpoint, head: Cluster, h: Endpoint, direction: Direction, sides: { base?: Sides; head?: Sides }): Weakening[] {
  const before = protectionOf(base, b, sides.base!.enforced);
  const after = protectionOf(head, h, sides.head!.enforced);
  const lost: Weakening[] = [];
  if (before.beforeDefaultTier && !after.beforeDefaultTier) lost.push({ direction, protection: 'tier' });
  if (before.boundToServiceAccount && !after.boundToServiceAccount) lost.push({ direction, protection: 'service-account' });
  return lost;
}

/** Compares every workload's reach, both directions, enforced and once staged policies are enforced, in two clusters. */
export function diffClusters(base: Cluster, head: Cluster, labels: { readonly base: string; readonly head: string }): ReachDiff {
  const ids = [...new Set([...base.endpoints.map((e) => e.id), ...head.endpoints.map((e) => e.id)])].sort();
  const workloads: WorkloadDiff[] = [];
  for (const id of ids) {
    const b = base.endpoint(id);
    const h = head.endpoint(id);
    const egress = comparable(base, head, b, h, 'egress');
    const ingress = comparable(base, head, b, h, 'ingress');
    const names = (cluster: Cluster, ep: Endpoint | undefined, sides: Sides | undefined) =>
      ep && cluster.proxies.length > 0 ? hostReach(cluster, ep, { reach: sides?.enforced }) : undefined;
    const hosts = diffHosts(names(base, b, egress.base), names(head, h, egress.head));
    const weakened = b && h ? [...weakenings(base, b, head, h, 'egress', egress), ...weakenings(base, b, head, h, 'ingress', ingress)] : [];
    const diff = { egress: directionDiff(egress), ingress: directionDiff(ingress), hosts, weakened };
    const changed =
      hosts.length > 0 || weakened.length > 0 || [diff.egress, diff.ingress].some((d) => d.changes.length > 0 || (d.whenStagedEnforced?.length ?? 0) > 0);
    if (!changed && b && h) continue;
    const latest = h
      ? { cluster: head, ep: h, egress: egress.head!, ingress: ingress.head! }
      : { cluster: base, ep: b!, egress: egress.base!, ingress: ingress.base! };
    workloads.push({
      endpoint: id,
      namespace: latest.ep.namespace.name,
      flavor: flavorOf([
        latest.egress.enforced,
        latest.ingress.enforced,
        ...[latest.egress.staged, latest.ingress.staged].filter((x): x is DirectionReach => x !== undefined),
      ]),
      presence: b && h ? 'both' : b ? 'base only' : 'head only',
      staged: latest.cluster.stagedFor(latest.ep).map((p) => p.ref),
      ...diff,
    });
  }
  const some = (pick: (w: WorkloadDiff) => readonly FlowChange[] | undefined) => workloads.some((w) => (pick(w) ?? []).some((c) => c.change === 'added'));
  const widenedIn = {
    egress: some((w) => w.egress.changes),
    ingress: some((w) => w.ingress.changes),
    whenStagedEnforced: some((w) => w.egress.whenStagedEnforced) || some((w) => w.ingress.whenStagedEnforced),
    hosts: workloads.some((w) => w.hosts.some((c) => c.change === 'added')),
    protection: workloads.some((w) => w.weakened.length > 0),
  };
  return {
    base: labels.base,
    head: labels.head,
    widened: widenedIn.egress || widenedIn.ingress || widenedIn.whenStagedEnforced || widenedIn.hosts || widenedIn.protection,
    widenedIn,
    workloads,
  };
}
