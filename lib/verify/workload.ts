/**
 * Everything one workload may send (egress) or receive (ingress), computed exactly from its own
 * policies for that direction.
 *
 * For one workload and direction, only the rules of the policies that apply to it can tell its
 * peers (the destinations it sends to, or the sources it receives from) apart. So the verifier
 * splits the address space at every block those rules (and, when they select by label, the
 * network sets) mention on the peer's side, splits ports 1-65535 at every destination port they
 * mention, and evaluates one packet per piece and protocol: the verdict holds for the whole
 * piece. Pieces that share protocol, port range and deciding rule are merged back into the
 * fewest CIDR blocks (with `except` where that is shorter).
 *
 * Pods are evaluated as known endpoints (those some rule's selectors can match), as
 * representative pods synthesized for every class of pods a rule names (a namespace and the
 * labels its selectors ask for, e.g. kube-system `k8s-app=kube-dns`), and as one pod in no
 * particular namespace with no labels, standing for every other pod.
 *
 * Ports are always the destination's: for egress the peer's (a port name to a class of pods
 * whose container ports are unknown stays a name), for ingress the workload's own, where port
 * names resolve on its container ports.
 *
 * Addresses are asked in their IP version. A pod whose address is unknown (a template) is asked
 * in each version it may have, and an entry holds when some version allows (the weakest answer;
 * `ipVersion` says when only one does); a Deny that tests addresses it may or may not hold is not
 * applied, a Pass followed both ways (policy.ts, decide).
 *
 * Only the workload's own side is evaluated: the peer's policies for the other direction are not
 * part of it (a connection between two pods needs both; `query` answers for both).
 */

import { Cidr, compactCidrs, compareCidrs, IpRange, IpVersion, partitionFamily } from '../net';
import { ANY_NAMESPACE } from './catalog';
import { Cluster, PolicyView } from './cluster';
import { Endpoint, PacketEnd, packetVersions } from './endpoints';
import { labelsToObject } from './labels';
import { comparePorts, isNamedPort, NamedPort, PortRange, portAtoms, Ports, PortValue } from './ports';
import {
  compareTiers,
  CompiledRule,
  decide,
  DEFAULT_TIER,
  Decision,
  decisionKey,
  decisionOf,
  dependsOnIpVersion,
  Direction,
  filterPlans,
  KUBERNETES_POLICY_ORDER,
  Match,
  PolicyRef,
  Side,
  TierPlan,
  Verdict,
} from './policy';
import { Protocol, PROTOCOLS, NAMESPACE_NAME_LABEL } from '../k8s';

/** Addresses outside the known endpoints: a block less the blocks carved out of it. */
export interface AddressDestination {
  readonly type: 'cidr';
  readonly cidr: Cidr;
  /** Blocks inside `cidr` that are not part of it; often none. */
  readonly except: readonly Cidr[];
}

/** A known endpoint, a class of pods a rule names, or any other pod. */
export interface PodsDestination {
  readonly type: 'pods';
  /** The namespace, or `*` for any namespace (with `namespaceLabels` when the rule asks for some). */
  readonly namespace: string;
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /** For a known endpoint its own labels; for a class of pods the labels a rule asks for (`*`: any value). */
  readonly labels: Readonly<Record<string, string>>;
  /** Set when the destination is a known endpoint: its id (`namespace/name`) and name. */
  readonly endpoint?: { readonly id: string; readonly name: string };
}

/** A peer of a workload (where it sends, or whence it receives): addresses outside the known endpoints, or pods. */
export type Destination = AddressDestination | PodsDestination;

/**
 * What decided a reach entry: an Allow or Deny rule, the profile after the last tier passed, or
 * no policy at all for the direction. (The implicit deny at the end of a tier is never listed.)
 */
export type DecidedBy = Exclude<Decision, { readonly reason: 'end-of-tier' }>;

/** One peer, protocol and contiguous port range (or port name), and what decided it. */
export interface PeerEntry {
  readonly peer: Destination;
  readonly protocol: Protocol;
  /** A contiguous range, or a port name for a class of pods whose container ports are unknown. */
  readonly ports: Ports;
  readonly decidedBy: DecidedBy;
  /**
   * True when the deciding rule is a Deny that matches every packet (no protocol, ports, peers or
   * selectors): it denies whatever earlier rules did not decide, the "everything else" of a policy.
   */
  readonly catchAll?: true;
  /**
   * For pods: set when only packets of this IP version are decided so (the workload's or the
   * peer's address is unknown, so both versions were asked, and the other is decided otherwise).
   */
  readonly ipVersion?: IpVersion;
}

/** One workload's reach in one direction. */
export interface DirectionReach {
  /** True when some policy applies to the workload for the direction. */
  readonly isolated: boolean;
  /** The policies that apply for the direction, in evaluation order. */
  readonly policies: readonly PolicyRef[];
  readonly allowed: readonly PeerEntry[];
  /** Explicit Deny rules that match (the implicit deny at the end of a tier is not listed). */
  readonly denied: readonly PeerEntry[];
  /**
   * True when some packet matches no rule of the policies that apply and is denied by the end of
   * a tier (what no entry lists: "everything else, no rule allows it"); false when the rules
   * decide every packet, as an allow-all rule does, or when no policy applies.
   */
  readonly unmatched: boolean;
  /**
   * True when something it is denied is denied only in the default tier or after it: by the end
   * of that tier, or by a rule of a policy ordered with or after Kubernetes NetworkPolicies (1000).
   * Then a NetworkPolicy of its namespace, which the built-in `edit` role may write, could allow
   * it (see protectionOf).
   */
  readonly reopenable: boolean;
}

/** What to compute the reach with. */
export interface ReachOptions {
  /** The enforced policies (default), or those that would be once the staged policies are enforced. */
  readonly view?: PolicyView;
  /**
   * Pods to evaluate beyond those the workload's own rules name: when two manifest sets are
   * compared, each side is asked about the classes of pods the other names, so that a class one
   * side names is compared with what the other side decides for it rather than missing there.
   */
  readonly peers?: readonly PodsDestination[];
}

/** What decided a listed verdict (never the end of a tier: those are not listed). */
function decidedBy(v: Verdict): DecidedBy {
  return decisionOf(v) as DecidedBy;
}

function portsKey(p: Ports): string {
  return isNamedPort(p) ? `name ${p.name}` : `${p.from}-${p.to}`;
}

/** True for the verdicts the report lists: everything allowed, and explicit Deny rules. */
function listed(v: Verdict): boolean {
  return v.allowed || v.reason === 'rule';
}

function isCatchAll(v: Verdict): boolean {
  return v.reason === 'rule' && !v.allowed && v.rule.matchesEverything;
}

interface Run {
  readonly ports: Ports;
  readonly verdict: Verdict;
  /** Set when only this IP version gets the verdict (see PeerEntry.ipVersion). */
  readonly ipVersion?: IpVersion;
  /** Identifies protocol, ports and deciding rule, for merging address pieces; set on first use. */
  key?: string;
}

/**
 * One way to evaluate a peer: for one IP version, the plans cut to the rules that match both
 * ends, how each matches (surely, or only maybe: see Match), and the end whose ports are tested
 * (the destination of the packet).
 */
interface Asked {
  readonly version: IpVersion;
  /** The workload's plans cut to the rules that match its own end, to be cut to `matching` when evaluated. */
  readonly mine: readonly TierPlan[];
  /** The rules that match both ends, in order. */
  readonly matching: readonly CompiledRule[];
  /** Those of them that only might match (see Match); none when undefined. */
  readonly maybe?: ReadonlySet<CompiledRule>;
  readonly service: PacketEnd;
}

/**
 * Evaluates one peer over every protocol and port piece, merging consecutive pieces with one
 * verdict; asked in several IP versions, each piece gets the weakest: the first version's verdict
 * when it allows or none does, else the first that allows, marked with its version when only
 * some version allows.
 */
function runs(
  asking: readonly Asked[],
  direction: Direction,
  atoms: readonly PortRange[],
  names: readonly NamedPort[],
  /** Told every verdict of every version asked, listed or not. */
  seen: (v: Verdict) => void,
  shared: SharedValues,
): Map<Protocol, Run[]> {
  const out = new Map<Protocol, Run[]>();
  const asked = asking.map((a) => {
    const matching = new Set(a.matching);
    return { version: a.version, maybe: a.maybe, service: a.service, plans: filterPlans(a.mine, (r) => matching.has(r)) };
  });
  for (const protocol of PROTOCOLS) {
    const list: Run[] = [];
    /** The verdict of one version; the rules that only might match are looked up only when there are some. */
    const decideIn = (a: (typeof asked)[number], port: PortValue): Verdict => {
      const maybe = a.maybe;
      return maybe
        ? decide(a.plans, direction, (r) => (r.matchesService(protocol, port, a.service) ? (maybe.has(r) ? 'maybe' : true) : false))
        : decide(a.plans, direction, (r) => r.matchesService(protocol, port, a.service));
    };
    let ipVersion: IpVersion | undefined;
    // Every version's verdict is seen, the one listed and the others: a packet of the version
    // that is denied (by the end of the default tier, say) is denied whichever version is listed.
    const verdictAt = (port: PortValue): Verdict => {
      ipVersion = undefined;
      const verdicts = asked.map((a) => decideIn(a, port));
      for (const v of verdicts) seen(v);
      const first = verdicts[0];
      const other = verdicts.findIndex((v) => v.allowed !== first.allowed);
      if (other < 0) return first;
      ipVersion = first.allowed ? asked[0].version : asked[other].version;
      return first.allowed ? first : verdicts[other];
    };
    let current: { from: number; to: number; verdict: Verdict; ipVersion?: IpVersion } | undefined;
    const close = () => {
      if (current)
        list.push({ ports: shared.ports(current.from, current.to), verdict: current.verdict, ...(current.ipVersion ? { ipVersion: current.ipVersion } : {}) });
    };
    for (const atom of atoms) {
      const verdict = verdictAt(atom.from);
      if (current && current.verdict === verdict && current.ipVersion === ipVersion) current.to = atom.to;
      else {
        close();
        current = { from: atom.from, to: atom.to, verdict, ipVersion };
      }
    }
    close();
    for (const name of names) {
      const verdict = verdictAt(name);
      list.push({ ports: name, verdict, ...(ipVersion ? { ipVersion } : {}) });
    }
    out.set(
      protocol,
      list.filter((r) => listed(r.verdict)),
    );
  }
  return out;
}

/**
 * The port ranges and address destinations of a cluster's entries, one object for equal values.
 * Every workload's report lists the same few ranges and blocks (the complement of a catch-all
 * Deny, with the metadata addresses carved out, is the same for most workloads of a platform):
 * made once and shared, a report over n workloads holds them once, not n times.
 */
class SharedValues {
  private readonly ranges = new Map<number, PortRange>();
  private readonly cidrs = new Map<string, Cidr>();
  private readonly addresses = new Map<string, AddressDestination>();

  ports(from: number, to: number): PortRange {
    const key = from * 65536 + to;
    let range = this.ranges.get(key);
    if (!range) this.ranges.set(key, (range = { from, to }));
    return range;
  }

  address(cidr: Cidr, except: readonly Cidr[]): AddressDestination {
    let key = cidrKey(cidr);
    for (const e of except) key += ` ${cidrKey(e)}`;
    let d = this.addresses.get(key);
    if (!d) this.addresses.set(key, (d = { type: 'cidr', cidr: this.cidr(cidr), except: except.map((e) => this.cidr(e)) }));
    return d;
  }

  private cidr(c: Cidr): Cidr {
    const key = cidrKey(c);
    let known = this.cidrs.get(key);
    if (!known) this.cidrs.set(key, (known = c));
    return known;
  }
}

const cidrKey = (c: Cidr): string => `${c.version}/${c.network.toString(16)}/${c.prefix}`;

const sharedValues = new WeakMap<Cluster, SharedValues>();

/** The shared values of a cluster's entries, made the first time they are asked for. */
function sharedOf(cluster: Cluster): SharedValues {
  let shared = sharedValues.get(cluster);
  if (!shared) sharedValues.set(cluster, (shared = new SharedValues()));
  return shared;
}

const podDestinations = new WeakMap<Endpoint, PodsDestination>();

/** A pod as a peer: one object per endpoint, shared by every entry that names it. */
function podDestination(ep: Endpoint): PodsDestination {
  let d = podDestinations.get(ep);
  if (d) return d;
  if (ep.kind !== 'Phantom') d = { type: 'pods', namespace: ep.namespace.name, labels: labelsToObject(ep.labels), endpoint: { id: ep.id, name: ep.name } };
  else {
    const nsLabels = new Map([...ep.namespace.labels].filter(([k]) => k !== NAMESPACE_NAME_LABEL));
    d = {
      type: 'pods',
      namespace: ep.namespace.name,
      ...(ep.namespace.name === ANY_NAMESPACE && nsLabels.size > 0 ? { namespaceLabels: labelsToObject(nsLabels) } : {}),
      labels: labelsToObject(ep.labels),
    };
  }
  podDestinations.set(ep, d);
  return d;
}

const PROTOCOL_ORDER = new Map(PROTOCOLS.map((p, i) => [p, i]));

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Lists of blocks in order of their first different block (see compareCidrs), a shorter list first. */
function compareCidrLists(a: readonly Cidr[], b: readonly Cidr[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareCidrs(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

const podsKeys = new WeakMap<PodsDestination, string>();

/** Identifies a pod or class of pods: equal for equal destinations, whatever object carries them. */
export function podsKey(d: PodsDestination): string {
  let key = podsKeys.get(d);
  if (key === undefined) {
    key = [d.namespace, d.endpoint?.id ?? '', JSON.stringify(d.namespaceLabels ?? {}), JSON.stringify(d.labels)].join('\u0000');
    podsKeys.set(d, key);
  }
  return key;
}

/** Addresses before pods; blocks by address, then by their exceptions; pods by namespace, endpoint, then labels. */
function compareDestinations(a: Destination, b: Destination): number {
  if (a === b) return 0;
  if (a.type === 'cidr') return b.type === 'cidr' ? compareCidrs(a.cidr, b.cidr) || compareCidrLists(a.except, b.except) : -1;
  return b.type === 'cidr' ? 1 : compareText(podsKey(a), podsKey(b));
}

/** Orders entries by peer, then protocol, then ports, then deciding rule. */
function compareEntries(a: PeerEntry, b: PeerEntry): number {
  return (
    compareDestinations(a.peer, b.peer) ||
    PROTOCOL_ORDER.get(a.protocol)! - PROTOCOL_ORDER.get(b.protocol)! ||
    comparePorts(a.ports, b.ports) ||
    compareText(decisionKey(a.decidedBy), decisionKey(b.decidedBy))
  );
}

/** A representative pod of this cluster for a class of pods (another manifest set's), or the known endpoint it names. */
function peerPod(cluster: Cluster, d: PodsDestination): Endpoint | undefined {
  const { catalog } = cluster;
  if (d.endpoint) return cluster.endpoint(d.endpoint.id);
  const namespace = d.namespace === ANY_NAMESPACE ? catalog.anyNamespace(new Map(Object.entries(d.namespaceLabels ?? {}))) : catalog.namespace(d.namespace);
  return catalog.phantom(namespace, new Map(Object.entries(d.labels)));
}

/**
 * True for a denial that a Kubernetes NetworkPolicy could turn into an allow: the end of the
 * default tier (or of a later one), or a Deny of the default tier's policies ordered at or after
 * 1000, where Calico puts Kubernetes NetworkPolicies (and breaks ties by name, which the writer
 * chooses), or of a later tier.
 */
function deniedAtDefaultTier(v: Verdict): boolean {
  if (v.allowed) return false;
  const order = compareTiers(v.tier, DEFAULT_TIER);
  if (v.reason === 'end-of-tier') return order >= 0;
  return order > 0 || (order === 0 && v.policy.order >= KUBERNETES_POLICY_ORDER);
}

/** The workload's end of a packet in one IP version, its plans cut to the rules that match it, and those that only might. */
interface Local {
  readonly end: PacketEnd;
  readonly mine: readonly TierPlan[];
  readonly maybe: ReadonlySet<CompiledRule>;
  readonly rules: readonly CompiledRule[];
}

/** Computes one known endpoint's reach in one direction. */
export function directionReach(cluster: Cluster, endpoint: Endpoint, direction: Direction, options: ReachOptions = {}): DirectionReach {
  const { catalog } = cluster;
  const shared = sharedOf(cluster);
  const plans = cluster.plans(endpoint, direction, options.view);
  const peerSide: Side = direction === 'egress' ? 'destination' : 'source';
  const localSide: Side = direction === 'egress' ? 'source' : 'destination';
  const onLocal = (r: CompiledRule, e: PacketEnd): Match => (direction === 'egress' ? r.matchesSource(e) : r.matchesDestination(e));
  const onPeer = (r: CompiledRule, peer: PacketEnd): Match => (direction === 'egress' ? r.matchesDestination(peer) : r.matchesSource(peer));

  let reopenable = false;
  let unmatched = false;
  const see = (v: Verdict): void => {
    if (!reopenable && !v.allowed && deniedAtDefaultTier(v)) reopenable = true;
    if (v.reason === 'end-of-tier') unmatched = true;
  };

  // The workload's end in each IP version, and its plans cut to the rules that match it; the
  // same rules in both versions unless some rule tests the workload's own address.
  const testsLocalAddress = plans.some((p) => p.policies.some(({ rules }) => rules.some((r) => r.nets(localSide).length > 0)));
  const cut = (end: PacketEnd): Local => {
    const maybe = new Set<CompiledRule>();
    const mine = filterPlans(plans, (r) => {
      const m = onLocal(r, end);
      if (m === 'maybe') maybe.add(r);
      return m;
    });
    return { end, mine, maybe, rules: mine.flatMap((p) => p.policies.flatMap((x) => x.rules)) };
  };
  const local4 = cut(catalog.packetEnd(endpoint, 4));
  const locals: Record<IpVersion, Local> = {
    4: local4,
    6: testsLocalAddress ? cut(catalog.packetEnd(endpoint, 6)) : { ...local4, end: catalog.packetEnd(endpoint, 6) },
  };
  const rules: readonly CompiledRule[] = local4.rules === locals[6].rules ? local4.rules : [...new Set([...local4.rules, ...locals[6].rules])];

  /** One way to ask about a peer in one IP version: the rules that match both ends, and how. */
  const ask = (peer: PacketEnd): Asked => {
    const local = locals[peer.family];
    const matching: CompiledRule[] = [];
    let maybe: Set<CompiledRule> | undefined;
    const localMaybe = local.maybe.size > 0 ? local.maybe : undefined;
    for (const r of local.rules) {
      const m = onPeer(r, peer);
      if (!m) continue;
      matching.push(r);
      if (m === 'maybe' || localMaybe?.has(r)) (maybe ??= new Set()).add(r);
    }
    return { version: peer.family, mine: local.mine, matching, ...(maybe ? { maybe } : {}), service: direction === 'egress' ? peer : local.end };
  };

  /**
   * Evaluates one peer, asked in one or more IP versions. Only the rules that match the peer can
   * tell ports apart, so ports are split at their boundaries alone, and at the container ports of
   * the destination that they name; port names are tried only on pods whose container ports are
   * unknown.
   */
  const peerRuns = (asked: readonly Asked[]): Map<Protocol, Run[]> => {
    const matching = new Set(asked.flatMap((a) => a.matching));
    const bounds = [...matching].flatMap((r) => r.ports);
    const names = new Set([...matching].flatMap((r) => r.portNames));
    const service = asked[0].service;
    let tryNames: NamedPort[] = [];
    if (service.kind === 'endpoint' && names.size > 0) {
      if (service.endpoint.kind === 'Phantom') tryNames = [...names].sort().map((name) => ({ name }));
      for (const c of service.endpoint.ports) if (c.name && names.has(c.name)) bounds.push({ from: c.port, to: c.port });
    }
    return runs(asked, direction, portAtoms(bounds), tryNames, see, shared);
  };

  /** The IP versions to ask a pod in: those it may share with the workload, only IPv4 when both are unknown and no rule tells the versions apart. */
  const versionsWith = (ep: Endpoint): readonly IpVersion[] => {
    const versions = packetVersions(endpoint, ep);
    if (versions.length === 1 || endpoint.ips.length > 0 || ep.ips.length > 0 || dependsOnIpVersion(plans)) return versions;
    return [4];
  };

  const known = new Set<Endpoint>();
  for (const r of rules) {
    const reach = r.reach(peerSide);
    if (reach.kind === 'some') for (const ep of reach.candidates) known.add(ep);
  }
  const pods = new Map<string, Endpoint>();
  const addPod = (ep: Endpoint): void => {
    const key = podsKey(podDestination(ep));
    if (!pods.has(key)) pods.set(key, ep);
  };
  for (const ep of rules.flatMap((r) => r.phantoms(peerSide))) addPod(ep);
  addPod(catalog.phantom(catalog.anyNamespace(new Map()), new Map()));
  for (const d of options.peers ?? []) {
    const ep = peerPod(cluster, d);
    if (ep) addPod(ep);
  }
  for (const ep of known) addPod(ep);
  pods.delete(podsKey(podDestination(endpoint)));

  const blocks: IpRange[] = rules.flatMap((r) => r.nets(peerSide));
  for (const set of new Set(rules.flatMap((r) => r.sets(peerSide)))) blocks.push(...set.nets);

  const allowed: PeerEntry[] = [];
  const denied: PeerEntry[] = [];
  const add = (peer: Destination, protocol: Protocol, run: Run): void => {
    const entry: PeerEntry = {
      peer,
      protocol,
      ports: run.ports,
      decidedBy: decidedBy(run.verdict),
      ...(isCatchAll(run.verdict) ? { catchAll: true } : {}),
      ...(run.ipVersion ? { ipVersion: run.ipVersion } : {}),
    };
    (entry.decidedBy.action === 'Allow' ? allowed : denied).push(entry);
  };

  // Address pieces that the same rules match share their runs, whatever the address.
  const ruleIndex = new Map(rules.map((r, i) => [r, i]));
  const sameRules = new Map<string, Map<Protocol, Run[]>>();
  const groups = new Map<string, { protocol: Protocol; run: Run; ranges: IpRange[]; pieces: number[] }>();
  let pieceCount = 0;
  for (const version of [4, 6] as const) {
    for (const piece of partitionFamily(version, blocks)) {
      const pieceId = pieceCount++;
      const peer = catalog.external({ version, value: piece.first });
      const asked = ask(peer);
      let key = `${version}:`;
      for (const r of asked.matching) key += `${ruleIndex.get(r)}${asked.maybe?.has(r) ? '?' : ''},`;
      let byProtocol = sameRules.get(key);
      if (!byProtocol) {
        byProtocol = peerRuns([asked]);
        sameRules.set(key, byProtocol);
      }
      for (const [protocol, list] of byProtocol) {
        for (const run of list) {
          run.key ??= `${protocol}\u0000${portsKey(run.ports)}\u0000${decisionKey(decidedBy(run.verdict))}`;
          const g = groups.get(run.key);
          if (g) {
            g.ranges.push(piece);
            g.pieces.push(pieceId);
          } else groups.set(run.key, { protocol, run, ranges: [piece], pieces: [pieceId] });
        }
      }
    }
  }
  // Groups of the same addresses (a catch-all Deny's complement, on each protocol and port run)
  // are merged into blocks once, and share their destinations.
  const merged = new Map<string, AddressDestination[]>();
  for (const g of groups.values()) {
    const key = g.pieces.join(',');
    let destinations = merged.get(key);
    if (!destinations) {
      destinations = compactCidrs(g.ranges).map(({ cidr, except }) => shared.address(cidr, except));
      merged.set(key, destinations);
    }
    for (const d of destinations) add(d, g.protocol, g.run);
  }

  for (const ep of pods.values()) {
    const peer = podDestination(ep);
    const asked = versionsWith(ep).map((version) => ask(catalog.packetEnd(ep, version)));
    for (const [protocol, list] of peerRuns(asked)) for (const run of list) add(peer, protocol, run);
  }

  return {
    isolated: plans.length > 0,
    unmatched,
    reopenable,
    policies: plans.flatMap((p) => p.policies.map(({ policy }) => policy.ref)),
    allowed: allowed.sort(compareEntries),
    denied: denied.sort(compareEntries),
  };
}
