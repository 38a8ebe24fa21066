/**
 * Answers about single connections: may this endpoint open this connection, and which rule
 * decided each direction. A connection between two endpoints needs the sender's egress and the
 * receiver's ingress; a connection to an address outside the cluster only the sender's egress.
 *
 * A packet has one IP version. When the ends' addresses leave it open (a pod template's address is
 * unknown: it may be IPv4 or IPv6, or both on a dual-stack cluster), each version is asked and the
 * weakest answer is given: the connection is allowed when it is in some version, and the answer
 * says which. Within a version, a Deny or Pass that tests addresses may or may not match an
 * unknown address: the Deny is not applied and the Pass is followed both ways (policy.ts, decide),
 * and the answer names them.
 */

import { IpAddress, IpVersion, parseIp } from '../net';
import { Cluster, PolicyView } from './cluster';
import { Endpoint, PacketEnd, packetVersions } from './endpoints';
import { PortValue } from './ports';
import {
  bothMatch,
  CompiledRule,
  decide,
  Decision,
  decisionOf,
  dependsOnIpVersion,
  Direction,
  filterPlans,
  Hit,
  Match,
  PolicyRef,
  RuleAction,
  RuleId,
  ruleIdOf,
  Side,
  TierPlan,
  Trace,
  Verdict,
} from './policy';
import { Protocol } from '../k8s';

/** A question the manifests cannot answer as asked: unknown endpoint, unresolvable port name. */
export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryError';
  }
}

/** A rule a packet matched on its way without being decided (Log, Pass). */
export interface RuleRef {
  readonly rule: RuleId;
  readonly action: RuleAction;
}

/** How one direction would be decided once the staged policies are enforced. */
interface StagedAnswer {
  readonly allowed: boolean;
  readonly decision: Decision;
  /** What the deciding rule says, when a rule decided. */
  readonly ruleText?: string;
}

/** How one direction of a connection was decided. */
export interface DirectionAnswer {
  readonly direction: Direction;
  /**
   * False when the direction does not apply: its end is an address outside the known endpoints
   * (egress from one, or ingress at one), whose policies, if any, the manifests do not hold.
   */
  readonly applies: boolean;
  readonly allowed: boolean;
  /** The endpoint whose policies decided (the sender for egress, the receiver for ingress); absent when the direction does not apply. */
  readonly endpoint?: string;
  /** The address outside the known endpoints at this direction's end, when the direction does not apply. */
  readonly outside?: IpAddress;
  /** How it was decided; absent when the direction does not apply. */
  readonly decision?: Decision;
  /** What the deciding rule says, as its flavor describes it, e.g. `Allow TCP 443 to ipBlock 203.0.113.10/32`. */
  readonly ruleText?: string;
  /** Log rules the packet matched on the way. */
  readonly logged: readonly RuleRef[];
  /** Pass rules the packet matched on the way. */
  readonly passed: readonly RuleRef[];
  /**
   * Deny and Pass rules that test addresses and might have matched, since an end's address is
   * unknown: a Deny was not applied, a Pass followed both ways, so the answer is the weakest.
   */
  readonly uncertain: readonly RuleRef[];
  /** Staged policies that concern the endpoint in this direction: reported, never enforced. */
  readonly staged: readonly PolicyRef[];
  /** When there are staged policies: how the direction would be decided once they are enforced. */
  readonly whenStagedEnforced?: StagedAnswer;
}

/** The answer to one connection question. */
export interface QueryAnswer {
  /** As asked: `namespace/name` or an address. */
  readonly from: string;
  /** The endpoint the sender is, when it is one (also when asked by its pod IP). */
  readonly fromEndpoint?: string;
  /** The address asked for, when `from` is one. */
  readonly fromAddress?: IpAddress;
  /** As asked: `namespace/name` or an address. */
  readonly to: string;
  /** The endpoint the destination is, when it is one (also when asked by its pod IP). */
  readonly toEndpoint?: string;
  /** The address asked for, when `to` is one. */
  readonly toAddress?: IpAddress;
  readonly port: number;
  /** The port name asked for, when one was. */
  readonly portName?: string;
  readonly protocol: Protocol;
  /** The IP version of the packet the answer is about (see otherIpVersion). */
  readonly ipVersion: IpVersion;
  readonly allowed: boolean;
  readonly egress: DirectionAnswer;
  readonly ingress: DirectionAnswer;
  /**
   * When the ends' addresses leave the IP version open and the other version is decided otherwise
   * (in either direction): the answer for it. The answer above is then the weakest: the version
   * that allows, or else that allows more of the two directions.
   */
  readonly otherIpVersion?: VersionAnswer;
}

/** How a connection is decided for one IP version. */
interface VersionAnswer {
  readonly ipVersion: IpVersion;
  readonly allowed: boolean;
  readonly egress: DirectionAnswer;
  readonly ingress: DirectionAnswer;
}

/** One cell of a reachability matrix. */
export interface MatrixCell {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly allowed: boolean;
}

function hitRef(h: Hit): RuleRef {
  return { rule: ruleIdOf(h.policy, h.rule, false), action: h.rule.action };
}

function evaluate(
  cluster: Cluster,
  local: Endpoint,
  direction: Direction,
  src: PacketEnd,
  dst: PacketEnd,
  protocol: Protocol,
  port: PortValue,
  view: PolicyView,
  trace?: Trace,
): Verdict {
  return decide(
    cluster.plans(local, direction, view),
    direction,
    (r) => {
      const ends = bothMatch(r.matchesSource(src), r.matchesDestination(dst));
      return ends && r.matchesService(protocol, port, dst) ? ends : false;
    },
    trace,
  );
}

/** One direction of a connection, decided by `local`'s policies. */
function answer(cluster: Cluster, local: Endpoint, direction: Direction, src: PacketEnd, dst: PacketEnd, protocol: Protocol, port: PortValue): DirectionAnswer {
  const trace: Trace = { logged: [], passed: [], uncertain: [] };
  const verdict = evaluate(cluster, local, direction, src, dst, protocol, port, 'enforced', trace);
  const staged = cluster.stagedFor(local, direction);
  let whenStagedEnforced: StagedAnswer | undefined;
  if (staged.length > 0) {
    const v = evaluate(cluster, local, direction, src, dst, protocol, port, 'staged');
    whenStagedEnforced = { allowed: v.allowed, decision: decisionOf(v), ...(v.reason === 'rule' ? { ruleText: v.rule.describe() } : {}) };
  }
  return {
    direction,
    applies: true,
    allowed: verdict.allowed,
    endpoint: local.id,
    decision: decisionOf(verdict),
    ...(verdict.reason === 'rule' ? { ruleText: verdict.rule.describe() } : {}),
    logged: trace.logged.map(hitRef),
    passed: trace.passed.map(hitRef),
    // Only when the answer allows do they matter: had they matched, it would deny.
    uncertain: verdict.allowed ? trace.uncertain.map(hitRef) : [],
    staged: staged.map((p) => p.ref),
    ...(whenStagedEnforced ? { whenStagedEnforced } : {}),
  };
}

/** A direction that does not apply: its end is an address outside the known endpoints. */
function outside(direction: Direction, address: IpAddress): DirectionAnswer {
  return { direction, applies: false, allowed: true, outside: address, logged: [], passed: [], uncertain: [], staged: [] };
}

function knownEndpoint(cluster: Cluster, id: string, role: string): Endpoint {
  const ep = cluster.endpoint(id);
  if (ep) return ep;
  const known = cluster.endpoints.map((e) => e.id);
  const hint = known.length ? `; known endpoints: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', ...' : ''}` : '; the manifests hold no endpoints';
  throw new QueryError(`${role} ${JSON.stringify(id)} is not a known endpoint (expected namespace/name of a Pod or workload${hint})`);
}

/**
 * May `from` open a connection to `to` on this port? Each is an endpoint `namespace/name` or an
 * IP address (a pod's IP stands for its pod); at least one must be in the cluster. From an
 * address outside the known endpoints only the receiver's ingress applies, to one only the
 * sender's egress. A port name resolves on the destination pod's container ports.
 */
export function query(cluster: Cluster, from: string, to: string, port: number | string, protocol: Protocol = 'TCP'): QueryAnswer {
  const srcIp = parseIp(from);
  const src = srcIp ? cluster.catalog.endpointWithIp(srcIp) : knownEndpoint(cluster, from, '--from');
  const ip = parseIp(to);
  const dstEndpoint = ip ? cluster.catalog.endpointWithIp(ip) : knownEndpoint(cluster, to, '--to');
  if (!src && !dstEndpoint) {
    throw new QueryError(
      `${from} and ${to} are both outside the known endpoints, so no policy of these manifests applies; accepted: a Pod or workload (namespace/name) or a pod IP on one side at least`,
    );
  }
  let number: number;
  let portName: string | undefined;
  if (typeof port === 'number' || /^[0-9]+$/.test(port)) {
    number = Number(port);
    if (!Number.isInteger(number) || number < 1 || number > 65535) throw new QueryError(`port must be 1-65535, not ${port}`);
  } else {
    portName = port;
    if (!dstEndpoint) throw new QueryError(`port name ${JSON.stringify(port)} needs a destination pod to resolve on; ${to} is outside the known endpoints`);
    const match = dstEndpoint.ports.find((c) => c.name === port && c.protocol === protocol);
    if (!match) {
      const other = dstEndpoint.ports.find((c) => c.name === port);
      throw new QueryError(
        other
          ? `port ${port} of ${dstEndpoint.id} is ${other.protocol}, not ${protocol}; pass --protocol ${other.protocol}`
          : `${dstEndpoint.id} has no container port named ${JSON.stringify(port)}`,
      );
    }
    number = match.port;
  }
  const { catalog } = cluster;
  const byVersion = packetVersions(src ?? srcIp!, dstEndpoint ?? ip!).map((version): VersionAnswer => {
    const srcEnd = src ? catalog.packetEnd(src, version) : catalog.external(srcIp!);
    const dstEnd = dstEndpoint ? catalog.packetEnd(dstEndpoint, version) : catalog.external(ip!);
    const egress = src ? answer(cluster, src, 'egress', srcEnd, dstEnd, protocol, number) : outside('egress', srcIp!);
    const ingress = dstEndpoint ? answer(cluster, dstEndpoint, 'ingress', srcEnd, dstEnd, protocol, number) : outside('ingress', ip!);
    return { ipVersion: version, allowed: egress.allowed && ingress.allowed, egress, ingress };
  });
  // The weakest answer: a version that allows, else the one that allows most of the two directions.
  const open = (v: VersionAnswer) => (v.allowed ? 3 : Number(v.egress.allowed) + Number(v.ingress.allowed));
  const chosen = byVersion.reduce((best, v) => (open(v) > open(best) ? v : best));
  const other = byVersion.find((v) => v !== chosen && (v.egress.allowed !== chosen.egress.allowed || v.ingress.allowed !== chosen.ingress.allowed));
  return {
    from: srcIp ? from : src!.id,
    ...(src ? { fromEndpoint: src.id } : {}),
    ...(srcIp ? { fromAddress: srcIp } : {}),
    to,
    ...(dstEndpoint ? { toEndpoint: dstEndpoint.id } : {}),
    ...(ip ? { toAddress: ip } : {}),
    port: number,
    ...(portName ? { portName } : {}),
    protocol,
    ipVersion: chosen.ipVersion,
    allowed: chosen.allowed,
    egress: chosen.egress,
    ingress: chosen.ingress,
    ...(other ? { otherIpVersion: other } : {}),
  };
}

/**
 * One endpoint's side of every connection in a matrix, for one IP version: its plans, the rules
 * that only might match it (its address unknown), the peers its rules can tell apart, and the
 * verdict for every other peer (which only rules that ignore the peer can match).
 */
interface MatrixSide {
  readonly plans: readonly TierPlan[];
  readonly maybe: ReadonlySet<CompiledRule>;
  readonly near: ReadonlySet<Endpoint>;
  readonly others: Verdict;
}

function matrixSide(cluster: Cluster, local: Endpoint, direction: Direction, protocol: Protocol, port: number, version: IpVersion): MatrixSide {
  const entity = cluster.catalog.packetEnd(local, version);
  const remoteSide: Side = direction === 'egress' ? 'destination' : 'source';
  const maybe = new Set<CompiledRule>();
  const plans = filterPlans(cluster.plans(local, direction), (r) => {
    const m = direction === 'egress' ? r.matchesSource(entity) : r.matchesDestination(entity);
    if (m === 'maybe') maybe.add(r);
    return m;
  });
  const near = new Set<Endpoint>();
  for (const p of plans) {
    for (const { rules } of p.policies) {
      for (const r of rules) {
        const reach = r.reach(remoteSide);
        if (reach.kind === 'some') for (const ep of reach.candidates) near.add(ep);
      }
    }
  }
  // Rules of uniform reach ignore the peer, and their service test does not depend on it.
  const others = decide(plans, direction, (r) => r.reach(remoteSide).kind === 'uniform' && r.matchesService(protocol, port, entity) && mine(maybe, r));
  return { plans, maybe, near, others };
}

/** How a rule kept for matching the local end matches it: surely, or only maybe. */
function mine(maybe: ReadonlySet<CompiledRule>, r: CompiledRule): Match {
  return maybe.has(r) ? 'maybe' : true;
}

/**
 * Whether each known endpoint may connect to each other one on a port, for every ordered pair:
 * allowed when both directions allow it in some IP version the two may share.
 */
export function matrix(cluster: Cluster, port = 80, protocol: Protocol = 'TCP'): MatrixCell[] {
  const eps = cluster.endpoints;
  const { catalog } = cluster;
  const sides: Record<Direction, Record<IpVersion, Map<Endpoint, MatrixSide>>> = {
    egress: { 4: new Map(), 6: new Map() },
    ingress: { 4: new Map(), 6: new Map() },
  };
  const side = (ep: Endpoint, direction: Direction, version: IpVersion): MatrixSide => {
    const known = sides[direction][version];
    let s = known.get(ep);
    if (!s) {
      s = matrixSide(cluster, ep, direction, protocol, port, version);
      known.set(ep, s);
    }
    return s;
  };
  const allowedIn = (src: Endpoint, dst: Endpoint, version: IpVersion): boolean => {
    const into = side(dst, 'ingress', version);
    const srcEnd = catalog.packetEnd(src, version);
    const dstEnd = catalog.packetEnd(dst, version);
    const ingress = into.near.has(src)
      ? decide(into.plans, 'ingress', (r) => {
          const m = bothMatch(r.matchesSource(srcEnd), mine(into.maybe, r));
          return m && r.matchesService(protocol, port, dstEnd) ? m : false;
        })
      : into.others;
    if (!ingress.allowed) return false;
    const out = side(src, 'egress', version);
    const egress = out.near.has(dst)
      ? decide(out.plans, 'egress', (r) => {
          const m = bothMatch(r.matchesDestination(dstEnd), mine(out.maybe, r));
          return m && r.matchesService(protocol, port, dstEnd) ? m : false;
        })
      : out.others;
    return egress.allowed;
  };
  const cells: MatrixCell[] = [];
  for (const src of eps) {
    for (const dst of eps) {
      if (dst === src) continue;
      const versions = askedVersions(cluster, src, dst);
      cells.push({ from: src.id, to: dst.id, port, protocol, allowed: versions.some((v) => allowedIn(src, dst, v)) });
    }
  }
  return cells;
}

/**
 * The IP versions to ask about a packet between two endpoints: those they may share, but only
 * IPv4 when neither's address is known and no rule of the sender's egress or the receiver's
 * ingress may decide the two versions differently (then they are decided alike).
 */
function askedVersions(cluster: Cluster, src: Endpoint, dst: Endpoint): readonly IpVersion[] {
  if (src.ips.length > 0 || dst.ips.length > 0) return packetVersions(src, dst);
  return dependsOnIpVersion(cluster.plans(src, 'egress')) || dependsOnIpVersion(cluster.plans(dst, 'ingress')) ? BOTH_IP_VERSIONS : ONLY_IPV4;
}

const ONLY_IPV4: readonly IpVersion[] = [4];
const BOTH_IP_VERSIONS: readonly IpVersion[] = [4, 6];
