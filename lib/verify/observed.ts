/**
 * What the cluster's flow logs saw, compared with what the manifests allow: every observed flow
 * is decided by the verifier, as enforced today and once the staged policies are enforced, and
 * falls in one of four lists (allowed; denied today; allowed today but denied once the staged
 * policies are enforced, which would break; and, for the allow rules, never observed), or is
 * unattributed when the log does not say finely enough where it went, or not compared.
 *
 * Granularity: Goldmane keeps no address for an end outside the cluster, only the NetworkSet or
 * GlobalNetworkSet it fell in, or `pub`/`pvt` (observed-ends.ts). Such an end stands for every
 * address it may be, and is decided only when the manifests decide all of them alike. Among them,
 * only those the enforced verdict the flow recorded fits are kept (the metadata guardrail denies a
 * few public addresses, so without the record every public flow would be undecided); none fitting
 * is a finding. What the staged policies would do is always the manifests' answer, never the
 * record's: the staged policies in the manifests may be newer than those the cluster ran.
 *
 * Where a record names the rule that decided, it is compared with the verifier's deciding rule,
 * and a difference is a finding: the verifier and the dataplane disagree, or the cluster runs
 * policies the manifests do not hold.
 */

import { FlowLog, FlowRecord, MalformedRecord, PolicyHit, PolicyHitKind } from '../flows';
import { IpRange, partitionFamily, unionRanges } from '../net';
import { sameClusterPolicyTier } from './admin-tiers';
import { Cluster, PolicyView } from './cluster';
import { Endpoint, PacketEnd, packetVersions } from './endpoints';
import { EndResolver, ObservedEnd } from './observed-ends';
import { bothMatch, decide, Decision, decisionKey, decisionOf, Direction, enforcedKind, PolicyKind, RuleId, Side, Trace, Verdict } from './policy';
import { directionReach, PeerEntry } from './workload';
import { isClusterPolicyKind, isProtocol, Protocol, protocolsText } from '../k8s';

/** How the manifests decide a flow in one view: alike for all it may be, not at all, or differently for the addresses it may have gone to. */
export type FlowStatus = 'allowed' | 'denied' | 'depends';

/** One way a direction is decided, and (for an end outside the cluster) for which of its possible addresses. */
export interface Outcome {
  readonly allowed: boolean;
  readonly decision: Decision;
  /** What the deciding rule says, when a rule decided. */
  readonly ruleText?: string;
  /** Pass rules the packet matched on the way. */
  readonly passed: readonly RuleId[];
  /** For an end that is addresses outside the cluster: those this outcome holds for. */
  readonly addresses?: readonly IpRange[];
  /** True when the deciding rule names the peer's addresses inline (Calico nets, ipBlock) rather than through a network set. */
  readonly inlineNets?: boolean;
}

/** One direction of an observed flow: whose policies decide, and how, today and once the staged policies are enforced. */
export interface DirectionVerdict {
  readonly direction: Direction;
  /** The end whose policies decide: the sender for egress, the receiver for ingress. */
  readonly local: Extract<ObservedEnd, { kind: 'workload' }>;
  readonly enforced: readonly Outcome[];
  /** Once the staged policies are enforced; the same as `enforced` when none concerns the endpoint. */
  readonly staged: readonly Outcome[];
  /** True when staged policies concern the endpoint in this direction. */
  readonly hasStaged: boolean;
}

/** What one flow record said decided one direction. */
export interface RecordedDecision {
  readonly action: 'Allow' | 'Deny';
  /** The last hit that allowed or denied (a rule, the end of a tier, a profile); absent when the record lists none. */
  readonly hit?: PolicyHit;
  /** The Pass rules the flow went through. */
  readonly passes: readonly PolicyHit[];
}

/** The flow records of one connection (source, destination, protocol, port), compared. */
export interface ObservedFlow {
  readonly source: ObservedEnd;
  readonly destination: ObservedEnd;
  readonly protocol: string;
  readonly port: number;
  /** The records it was seen in, their lines, and what they add up to. */
  readonly records: readonly FlowRecord[];
  readonly lines: readonly number[];
  /** New connections, summed over the records of the end that reported more; absent when no record carries the count. */
  readonly connections?: number;
  /** Seconds since the epoch: the earliest start and the latest end of its records. */
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly egress?: DirectionVerdict;
  readonly ingress?: DirectionVerdict;
  readonly enforced: FlowStatus;
  readonly staged: FlowStatus;
  /** Why it is not compared (a protocol the verifier does not model). */
  readonly notCompared?: string;
}

/** Where a record and the verifier disagree. */
export interface ObservedFinding {
  readonly flow: ObservedFlow;
  readonly direction: Direction;
  readonly view: PolicyView;
  /** The lines of the records that say so. */
  readonly lines: readonly number[];
  /**
   * `verdict`: the record allowed what the verifier denies, or the reverse; `rule`: the same
   * verdict by another rule; `passes`: other tiers passed on the way; `unexplained`: no address
   * the end may stand for is decided the way the record says.
   */
  readonly kind: 'verdict' | 'rule' | 'passes' | 'unexplained';
  readonly recorded: RecordedDecision;
  readonly verifier: readonly Outcome[];
  /** False when the recorded deciding hit names a policy the manifests do not hold (absent for a profile, or no hit). */
  readonly policyHeld?: boolean;
}

/** An allow rule of a workload that no observed flow was decided by (once the staged policies are enforced). */
export interface UnusedRule {
  readonly endpoint: Endpoint;
  readonly direction: Direction;
  readonly rule: RuleId;
  /** What the rule allows the workload, as the listings give it. */
  readonly entries: readonly PeerEntry[];
  /** Unattributed flows that may have been decided by it. */
  readonly possibly: readonly ObservedFlow[];
}

/** Every observed flow in its list, and what the manifests allow that nothing used. */
export interface ObservedReport {
  /** Records read. */
  readonly records: number;
  readonly malformed: readonly MalformedRecord[];
  /** Records of flows that no policy of the manifests concerns: no end is a pod of theirs or of a namespace they declare. */
  readonly outside: number;
  readonly allowed: readonly ObservedFlow[];
  readonly deniedToday: readonly ObservedFlow[];
  readonly wouldBreak: readonly ObservedFlow[];
  readonly neverObserved: readonly UnusedRule[];
  readonly unattributed: readonly ObservedFlow[];
  readonly notCompared: readonly ObservedFlow[];
  readonly findings: readonly ObservedFinding[];
}

/**
 * The verifier's policy kind for a kind a flow record names; undefined for kinds it does not model.
 * The network-policy-api's kinds are among them: Calico converts each object into a policy of its
 * own tier, and Felix reports its hits under the object's kind and name, without a namespace
 * (Calico v3.32.1: `goldmane/proto/methods.go` HitFromString reads the rule label
 * `kcnp:<name>` of `felix/types/policy_id.go` as kind ClusterNetworkPolicy (11), in the tier
 * `kube-admin` or `kube-baseline` that `libcalico-go/lib/backend/k8s/conversion/
 * clusternetworkpolicy.go` gives it; v3.31.7: `kanp.adminnetworkpolicy.<name>` and
 * `kbanp.baselineadminnetworkpolicy.<name>` as AdminNetworkPolicy (7) and
 * BaselineAdminNetworkPolicy (8), the name without its prefix and tier).
 */
const HIT_KINDS: Readonly<Partial<Record<PolicyHitKind, PolicyKind>>> = {
  CalicoNetworkPolicy: 'NetworkPolicy',
  GlobalNetworkPolicy: 'GlobalNetworkPolicy',
  StagedNetworkPolicy: 'StagedNetworkPolicy',
  StagedGlobalNetworkPolicy: 'StagedGlobalNetworkPolicy',
  StagedKubernetesNetworkPolicy: 'StagedKubernetesNetworkPolicy',
  NetworkPolicy: 'KubernetesNetworkPolicy',
  ClusterNetworkPolicy: 'ClusterNetworkPolicy',
  AdminNetworkPolicy: 'AdminNetworkPolicy',
  BaselineAdminNetworkPolicy: 'BaselineAdminNetworkPolicy',
};

/** Whether a hit's tier is the policy's: for the network-policy-api's kinds, Calico's tier or the API's one it stands for (admin-tiers.ts). */
function sameTier(kind: PolicyKind, recorded: string, placed: string): boolean {
  return isClusterPolicyKind(kind) ? sameClusterPolicyTier(recorded, placed) : recorded === placed;
}

/**
 * True when a recorded hit names this rule. Names: Calico 3.30 and 3.31 report a tiered policy
 * without its tier prefix, 3.32 as written. Rule indexes are compared for Calico's kinds only: a
 * Kubernetes NetworkPolicy's rules reach Felix converted, one per protocol and peer (libcalico-go
 * `lib/backend/k8s/conversion/conversion.go` k8sRuleToCalico at v3.32.1), and so do those of the
 * network-policy-api's kinds (`clusternetworkpolicy.go` combinePortsWithCNPEgressPeers, where a
 * rule Calico cannot convert is dropped or becomes one that denies), so their indexes differ.
 * In the staged view a staged policy and its enforced twin are the same rule.
 */
function hitNamesRule(hit: PolicyHit, rule: RuleId, view: PolicyView): boolean {
  const kind = HIT_KINDS[hit.kind];
  if (kind === undefined) return false;
  const twin = (k: PolicyKind): PolicyKind => (view === 'staged' ? enforcedKind(k) : k);
  const converted = twin(kind) === 'KubernetesNetworkPolicy' || isClusterPolicyKind(kind);
  return (
    twin(kind) === twin(rule.kind) &&
    sameTier(kind, hit.tier, rule.tier) &&
    (hit.namespace ?? '') === (rule.namespace ?? '') &&
    (hit.name === rule.name || `${hit.tier}.${hit.name}` === rule.name) &&
    (converted || hit.ruleIndex === rule.index)
  );
}

/** Whether the manifests hold the policy a hit names (the trigger of an EndOfTier); undefined for a profile. */
function holdsPolicy(cluster: Cluster, hit: PolicyHit): boolean | undefined {
  const named = hit.kind === 'EndOfTier' ? hit.trigger : hit;
  if (!named || named.kind === 'Profile') return undefined;
  const kind = HIT_KINDS[named.kind];
  if (kind === undefined) return false;
  return [...cluster.policies, ...cluster.staged].some(
    (p) =>
      p.ref.kind === kind &&
      sameTier(kind, named.tier, p.ref.tier) &&
      (p.ref.namespace ?? '') === (named.namespace ?? '') &&
      (p.ref.name === named.name || p.ref.name === `${named.tier}.${named.name}`),
  );
}

/** True when a recorded deciding hit stands for the verifier's decision. */
function hitMatches(hit: PolicyHit, decision: Decision, view: PolicyView): boolean {
  if (hit.kind === 'Profile') return decision.reason === 'profile' || decision.reason === 'no-policy';
  if (hit.kind === 'EndOfTier') return decision.reason === 'end-of-tier' && decision.tier === hit.tier && hit.action === 'Deny';
  return decision.reason === 'rule' && decision.action === hit.action && hitNamesRule(hit, decision.rule, view);
}

/** What a trace of hits says decided: the last hit that did not pass (a tier's Pass default, recorded as EndOfTier, passes too). */
function recordedDecision(action: 'Allow' | 'Deny', hits: readonly PolicyHit[]): RecordedDecision {
  const deciding = hits.filter((h) => h.action !== 'Pass');
  const hit = deciding[deciding.length - 1];
  return { action, ...(hit ? { hit } : {}), passes: hits.filter((h) => h.action === 'Pass' && h.kind !== 'EndOfTier') };
}

/** True when the outcome is what the record says, its verdict and (when the record names it) its deciding rule. */
function agrees(recorded: RecordedDecision, o: Outcome, view: PolicyView): boolean {
  return o.allowed === (recorded.action === 'Allow') && (recorded.hit === undefined || hitMatches(recorded.hit, o.decision, view));
}

function samePasses(recorded: RecordedDecision, o: Outcome, view: PolicyView): boolean {
  if (recorded.passes.length !== o.passed.length) return false;
  return recorded.passes.every((h) => o.passed.some((r) => hitNamesRule(h, r, view)));
}

const PEER_SIDE: Readonly<Record<Direction, Side>> = { egress: 'destination', ingress: 'source' };

function outcomeOf(v: Verdict, trace: Trace, direction: Direction): Outcome {
  return {
    allowed: v.allowed,
    decision: decisionOf(v),
    ...(v.reason === 'rule' ? { ruleText: v.rule.describe(), ...(v.rule.nets(PEER_SIDE[direction]).length > 0 ? { inlineNets: true } : {}) } : {}),
    passed: trace.passed.map((h) => ({ ...h.policy.ref, direction: h.rule.direction, index: h.rule.index })),
  };
}

function outcomeKey(o: Outcome): string {
  return [decisionKey(o.decision), ...o.passed.map((r) => `${r.kind}/${r.namespace ?? ''}/${r.name}/${r.index}`)].join('\u0001');
}

/**
 * How `local`'s policies decide one direction of a connection with a peer: one pod, or every
 * address of a set (one outcome per way they are decided, each with its addresses). Addresses
 * are split where the rules' blocks and network sets begin and end, one address tried per piece.
 */
function outcomes(
  cluster: Cluster,
  local: Endpoint,
  direction: Direction,
  view: PolicyView,
  peer: PacketEnd | readonly IpRange[],
  protocol: Protocol,
  port: number,
): Outcome[] {
  const { catalog } = cluster;
  const plans = cluster.plans(local, direction, view);
  // Both ends of a packet have its IP version (reach.ts): the local end is taken in the other's.
  const decideWith = (other: PacketEnd): Outcome => {
    const trace: Trace = { logged: [], passed: [], uncertain: [] };
    const localEnd = catalog.packetEnd(local, other.family);
    const [src, dst] = direction === 'egress' ? [localEnd, other] : [other, localEnd];
    const v = decide(
      plans,
      direction,
      (r) => {
        const ends = bothMatch(r.matchesSource(src), r.matchesDestination(dst));
        return ends && r.matchesService(protocol, port, dst) ? ends : false;
      },
      trace,
    );
    return outcomeOf(v, trace, direction);
  };
  if (!Array.isArray(peer)) {
    const other = peer as PacketEnd;
    if (other.kind !== 'endpoint') return [decideWith(other)];
    // A pod peer is asked in each IP version the two may share, the weakest answer kept, as query does.
    const asked = packetVersions(local, other.endpoint).map((version) => decideWith(catalog.packetEnd(other.endpoint, version)));
    return [asked.find((o) => o.allowed) ?? asked[0]];
  }
  const ranges = peer as readonly IpRange[];
  const side = PEER_SIDE[direction];
  const rules = plans.flatMap((p) => p.policies.flatMap((x) => x.rules));
  const bounds = [...ranges, ...rules.flatMap((r) => r.nets(side)), ...rules.flatMap((r) => r.sets(side)).flatMap((s) => s.nets)];
  const found = new Map<string, { outcome: Outcome; pieces: IpRange[] }>();
  for (const version of [4, 6] as const) {
    for (const piece of partitionFamily(version, bounds)) {
      if (!ranges.some((r) => r.version === version && r.first <= piece.first && piece.last <= r.last)) continue;
      const outcome = decideWith(catalog.external({ version, value: piece.first }));
      const key = outcomeKey(outcome);
      const seen = found.get(key);
      if (seen) seen.pieces.push(piece);
      else found.set(key, { outcome, pieces: [piece] });
    }
  }
  return [...found.values()].map(({ outcome, pieces }) => ({ ...outcome, addresses: unionRanges(pieces) }));
}

/** How a set of outcomes decides: alike, or depending on the address. */
export function statusOf(list: readonly Outcome[]): FlowStatus {
  if (list.every((o) => o.allowed)) return 'allowed';
  if (list.every((o) => !o.allowed)) return 'denied';
  return 'depends';
}

/** A connection needs both directions: denied when either is, undecided when either depends on the address. */
function combine(statuses: readonly FlowStatus[]): FlowStatus {
  if (statuses.includes('denied')) return 'denied';
  if (statuses.includes('depends')) return 'depends';
  return 'allowed';
}

/** What the records of an end outside the cluster recorded as their enforced verdict: flows that differ there are kept apart. */
function recordSignature(r: FlowRecord): string {
  const d = recordedDecision(r.action, r.enforced);
  const h = d.hit;
  return h ? [d.action, h.kind, h.tier, h.namespace ?? '', h.name, h.ruleIndex].join('/') : d.action;
}

interface Group {
  readonly source: ObservedEnd;
  readonly destination: ObservedEnd;
  readonly protocol: string;
  readonly port: number;
  readonly records: FlowRecord[];
}

/** Counts and times of a flow's records: connections from the end that reported more of them (both ends report a pod-to-pod flow). */
function tally(records: readonly FlowRecord[]): Pick<ObservedFlow, 'lines' | 'connections' | 'firstSeen' | 'lastSeen'> {
  const byReporter = new Map<string, number>();
  for (const r of records) if (r.connections !== undefined) byReporter.set(r.reporter, (byReporter.get(r.reporter) ?? 0) + r.connections);
  return {
    lines: [...new Set(records.map((r) => r.line))].sort((a, b) => a - b),
    ...(byReporter.size > 0 ? { connections: Math.max(...byReporter.values()) } : {}),
    firstSeen: Math.min(...records.map((r) => r.startTime)),
    lastSeen: Math.max(...records.map((r) => r.endTime)),
  };
}

/** Compares one connection; its findings go to `findings`. */
function compare(cluster: Cluster, g: Group, findings: Omit<ObservedFinding, 'flow'>[]): ObservedFlow {
  const base = { source: g.source, destination: g.destination, protocol: g.protocol, port: g.port, records: g.records, ...tally(g.records) };
  if (!isProtocol(g.protocol))
    return {
      ...base,
      enforced: 'depends',
      staged: 'depends',
      notCompared: `protocol ${g.protocol}: the verifier models ${protocolsText('and')} connections only`,
    };
  const protocol = g.protocol;
  const direction = (d: Direction): DirectionVerdict | undefined => {
    const local = d === 'egress' ? g.source : g.destination;
    const remote = d === 'egress' ? g.destination : g.source;
    if (local.kind !== 'workload') return undefined;
    const peer: PacketEnd | readonly IpRange[] = remote.kind === 'workload' ? cluster.catalog.packetEnd(remote.endpoint) : remote.addresses;
    const records = g.records.filter((r) => (r.reporter === 'Src') === (d === 'egress'));
    let enforced = outcomes(cluster, local.endpoint, d, 'enforced', peer, protocol, g.port);
    let stagedPeer = peer;
    if (Array.isArray(peer)) {
      // Keep the addresses the records' enforced verdicts fit; none fitting is a finding, and all are kept.
      const fitting = new Set<Outcome>();
      for (const r of records) {
        const recorded = recordedDecision(r.action, r.enforced);
        const fits = enforced.filter((o) => agrees(recorded, o, 'enforced'));
        const held = recorded.hit && holdsPolicy(cluster, recorded.hit);
        if (fits.length === 0)
          findings.push({
            direction: d,
            view: 'enforced',
            lines: [r.line],
            kind: 'unexplained',
            recorded,
            verifier: enforced,
            ...(held === undefined ? {} : { policyHeld: held }),
          });
        for (const o of fits.length ? fits : enforced) fitting.add(o);
      }
      if (records.length > 0) enforced = enforced.filter((o) => fitting.has(o));
      stagedPeer = unionRanges(enforced.flatMap((o) => o.addresses ?? []));
    }
    const staged = outcomes(cluster, local.endpoint, d, 'staged', stagedPeer, protocol, g.port);
    for (const r of records) {
      for (const view of ['enforced', 'staged'] as const) {
        // An end of addresses was compared with its enforced record when its addresses were narrowed.
        if (view === 'enforced' && Array.isArray(peer)) continue;
        const hits = view === 'enforced' ? r.enforced : r.pending;
        if (view === 'staged' && hits.length === 0) continue;
        // What the staged policies decided is the pending trace's last deciding hit (none: every tier passed, the profile allowed).
        const action = view === 'enforced' ? r.action : recordedDecision(r.action, hits).hit?.action === 'Deny' ? 'Deny' : 'Allow';
        const recorded = recordedDecision(action, hits);
        const list = view === 'enforced' ? enforced : staged;
        const finding = (kind: ObservedFinding['kind']): void => {
          const held = recorded.hit && holdsPolicy(cluster, recorded.hit);
          findings.push({ direction: d, view, lines: [r.line], kind, recorded, verifier: list, ...(held === undefined ? {} : { policyHeld: held }) });
        };
        if (list.length === 1) {
          const o = list[0];
          if (o.allowed !== (recorded.action === 'Allow')) finding('verdict');
          else if (recorded.hit && !hitMatches(recorded.hit, o.decision, view)) finding('rule');
          else if (recorded.hit && !samePasses(recorded, o, view)) finding('passes');
        } else if (!list.some((o) => agrees(recorded, o, view))) finding('unexplained');
      }
    }
    return { direction: d, local, enforced, staged, hasStaged: cluster.stagedFor(local.endpoint, d).length > 0 };
  };
  const egress = direction('egress');
  const ingress = direction('ingress');
  const both = [egress, ingress].filter((v): v is DirectionVerdict => v !== undefined);
  return {
    ...base,
    ...(egress ? { egress } : {}),
    ...(ingress ? { ingress } : {}),
    enforced: combine(both.map((v) => statusOf(v.enforced))),
    staged: combine(both.map((v) => statusOf(v.staged))),
  };
}

/** Findings about the same thing from several records are one finding with all their lines. */
function mergeFindings(list: readonly ObservedFinding[]): ObservedFinding[] {
  const byKey = new Map<string, ObservedFinding>();
  for (const f of list) {
    const h = f.recorded.hit;
    const key = [
      f.flow.source.label,
      f.flow.destination.label,
      f.flow.protocol,
      f.flow.port,
      f.direction,
      f.view,
      f.kind,
      f.recorded.action,
      h ? [h.kind, h.tier, h.namespace ?? '', h.name, h.ruleIndex].join('/') : '',
      f.recorded.passes.map((p) => `${p.tier}/${p.name}/${p.ruleIndex}`).join(','),
    ].join('\u0000');
    const seen = byKey.get(key);
    byKey.set(key, seen ? { ...seen, lines: [...seen.lines, ...f.lines].sort((a, b) => a - b) } : f);
  }
  return [...byKey.values()];
}

function compareFlows(a: ObservedFlow, b: ObservedFlow): number {
  const ka = [a.source.label, a.destination.label, a.protocol];
  const kb = [b.source.label, b.destination.label, b.protocol];
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  return a.port - b.port || a.lines[0] - b.lines[0];
}

/** The allow rules of every known endpoint that no observed flow was decided by, once the staged policies are enforced. */
function neverObserved(cluster: Cluster, flows: readonly ObservedFlow[]): UnusedRule[] {
  const seen = new Map<string, { definite: boolean; flows: ObservedFlow[] }>();
  for (const f of flows) {
    for (const v of [f.egress, f.ingress]) {
      if (!v || !v.local.known) continue;
      for (const o of v.staged) {
        if (o.decision.reason !== 'rule' || !o.allowed) continue;
        const key = `${v.local.endpoint.id}\u0000${v.direction}\u0000${decisionKey(o.decision)}`;
        const entry = seen.get(key) ?? { definite: false, flows: [] };
        if (v.staged.length === 1) entry.definite = true;
        else entry.flows.push(f);
        seen.set(key, entry);
      }
    }
  }
  const out: UnusedRule[] = [];
  for (const ep of cluster.endpoints) {
    for (const direction of ['egress', 'ingress'] as const) {
      const reach = directionReach(cluster, ep, direction, { view: 'staged' });
      const byRule = new Map<string, { rule: RuleId; entries: PeerEntry[] }>();
      for (const e of reach.allowed) {
        if (e.decidedBy.reason !== 'rule') continue;
        const key = decisionKey(e.decidedBy);
        const list = byRule.get(key) ?? { rule: e.decidedBy.rule, entries: [] };
        list.entries.push(e);
        byRule.set(key, list);
      }
      for (const [key, { rule, entries }] of byRule) {
        const observed = seen.get(`${ep.id}\u0000${direction}\u0000${key}`);
        if (observed?.definite) continue;
        out.push({ endpoint: ep, direction, rule, entries, possibly: observed?.flows ?? [] });
      }
    }
  }
  // By workload, egress first, then as the rules are evaluated: the policy, then the rule's index.
  const order = (u: UnusedRule): (string | number)[] => [
    u.endpoint.id,
    u.direction === 'egress' ? 0 : 1,
    u.rule.tier,
    u.rule.namespace ?? '',
    u.rule.name,
    u.rule.index,
  ];
  return out.sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    const i = x.findIndex((v, k) => v !== y[k]);
    return i < 0 ? 0 : x[i] < y[i] ? -1 : 1;
  });
}

/** Compares every record of a flow log with the manifests the cluster was built from. */
export function observe(cluster: Cluster, log: FlowLog): ObservedReport {
  const ends = new EndResolver(cluster);
  const groups = new Map<string, Group>();
  let outside = 0;
  for (const r of log.records) {
    const source = ends.resolve(r.source);
    const destination = ends.resolve(r.destination);
    if (!ends.inScope(source) && !ends.inScope(destination)) {
      outside++;
      continue;
    }
    const signature = source.kind === 'workload' && destination.kind === 'workload' ? '' : recordSignature(r);
    const key = [source.label, destination.label, r.protocol, r.port, signature].join('\u0000');
    const g = groups.get(key);
    if (g) g.records.push(r);
    else groups.set(key, { source, destination, protocol: r.protocol, port: r.port, records: [r] });
  }
  const findings: ObservedFinding[] = [];
  const flows = [...groups.values()]
    .map((g) => {
      const found: Omit<ObservedFinding, 'flow'>[] = [];
      const flow: ObservedFlow = compare(cluster, g, found);
      findings.push(...found.map((f) => ({ ...f, flow })));
      return flow;
    })
    .sort(compareFlows);
  const compared = flows.filter((f) => f.notCompared === undefined);
  return {
    records: log.records.length,
    malformed: log.malformed,
    outside,
    allowed: compared.filter((f) => f.enforced === 'allowed' && f.staged === 'allowed'),
    deniedToday: compared.filter((f) => f.enforced === 'denied'),
    wouldBreak: compared.filter((f) => f.enforced === 'allowed' && f.staged === 'denied'),
    neverObserved: neverObserved(cluster, compared),
    unattributed: compared.filter((f) => f.enforced === 'depends' || (f.enforced === 'allowed' && f.staged === 'depends')),
    notCompared: flows.filter((f) => f.notCompared !== undefined),
    findings: mergeFindings(findings),
  };
}

/** True when a flow may be denied once the staged policies are enforced although it is allowed today, or may be: what a pipeline gate fails on. */
export function mayBreak(f: ObservedFlow): boolean {
  return f.notCompared === undefined && f.enforced !== 'denied' && f.staged !== 'allowed';
}
