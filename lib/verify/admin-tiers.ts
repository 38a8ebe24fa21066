/**
 * The Kubernetes network-policy-api: ClusterNetworkPolicy (`policy.networking.k8s.io/v1alpha2`,
 * release v0.2.0), AdminNetworkPolicy and BaselineAdminNetworkPolicy (`v1alpha1`, v0.1.7), read
 * as the API specifies, in the tiers where the cluster evaluates them.
 *
 * The semantics, from the API's Go types (kubernetes-sigs/network-policy-api,
 * `apis/v1alpha2/clusternetworkpolicy_types.go` at v0.2.0, `apis/v1alpha1/*_types.go` at v0.1.7):
 *
 * - Tiers, in order: Admin (ClusterNetworkPolicy `tier: Admin`, every AdminNetworkPolicy), then
 *   the NetworkPolicy tier, then Baseline (`tier: Baseline`, the one BaselineAdminNetworkPolicy,
 *   named `default`); a connection no tier decides is allowed ("the default kubernetes policy is
 *   applied", ClusterNetworkPolicySpec.Tier). Here each is a tier whose default action is Pass,
 *   so the existing evaluation of tiers (policy.ts `decide`) runs them: a NetworkPolicy that
 *   selects the pod always decides (the `default` tier ends in Deny), and the Baseline tier is
 *   reached only for a pod no NetworkPolicy selects for that direction.
 * - Within a tier, policies by `priority` (0 to 1000, lower first); "if two (or more) policies in
 *   the same tier with the same priority could match a connection, then the implementation can
 *   apply any of the matching policies" (Spec.Priority): the verifier orders them by name, as
 *   Calico does, and says so in a note. Rules in the order written.
 * - Actions: Accept (v1alpha2) and Allow (v1alpha1) allow and end evaluation; Deny denies and ends
 *   it; Pass "skips all further ClusterNetworkPolicy rules in the current tier" and goes on to the
 *   next tier (ClusterNetworkPolicyRuleActionPass; AdminNetworkPolicyRuleActionPass: "pass
 *   execution to any NetworkPolicies that select the pod"). A Pass in the Baseline tier leaves the
 *   connection to the default, allow.
 * - Subject: `namespaces` (every pod of the selected namespaces) or `pods` (namespaceSelector AND
 *   podSelector); host-networked pods are never subjects.
 * - Peers (one field each): `namespaces`, `pods`; for egress also `networks` (CIDRs, which "note
 *   that cluster-internal traffic will be checked against the rule as well": pods match by their
 *   IPs whatever `--ipblock-matches-pods` says), and in the experimental channel `nodes` and
 *   `domainNames`, which the verifier does not model: node addresses and name resolution are not
 *   in the manifests. Such a peer is taken to match nothing, and a note names the object and field.
 * - A peer with no field the reader knows (a newer CRD's field) fails closed: an Accept or Allow
 *   rule then matches nothing, a Deny or Pass rule "as a 'Deny all' rule" (the peer types' docs).
 * - Ports: v1alpha1 `ports` (`portNumber` and `portRange` with a protocol, TCP by default, and
 *   `namedPort`); v1alpha2 `protocols` (`tcp`, `udp`, `sctp`, each with a `destinationPort` number
 *   or range, and `destinationNamedPort`). A named port resolves on the destination pod's
 *   container ports, with that port's own protocol. No ports: every protocol and port.
 *
 * Where a cluster declared to run Calico (VerifyOptions.calico) differs, it is followed, from
 * projectcalico/calico's conversion of these kinds into GlobalNetworkPolicies
 * (`libcalico-go/lib/backend/k8s/conversion/clusternetworkpolicy.go` at v3.32.1,
 * `conversion.go` K8sAdminNetworkPolicyToCalico at v3.31.7):
 *
 * - Calico 3.32 serves ClusterNetworkPolicy only, in the tiers `kube-admin` (order 1,000) and
 *   `kube-baseline` (order 10,000,000), both default Pass, with `order` = priority; it removed
 *   AdminNetworkPolicy and BaselineAdminNetworkPolicy. Calico 3.29 to 3.31 serve those in the tiers
 *   `adminnetworkpolicy` (1,000) and, from 3.30, `baselineadminnetworkpolicy` (10,000,000; the
 *   policy at order 1000), and not ClusterNetworkPolicy (api/pkg/apis/projectcalico/v3/tier.go,
 *   libcalico-go/lib/names/policy.go). A kind the declared release does not serve is not
 *   enforced: it is left out, with a note that says why.
 * - A rule Calico cannot convert (a peer with no field it knows: `nodes`, `domainNames`) is
 *   dropped when it allows and replaced by a rule that denies everything when it denies or passes
 *   (k8sClusterNetPolHandleFailedRules, k8sANPHandleFailedRules).
 * - Calico 3.29 to 3.31 do not convert `namedPort` ("TODO: Add support for NamedPorts",
 *   k8sAdminPolicyPortToCalicoFields): the entry yields no protocol and no port, which
 *   unpackANPPorts reads as every protocol and port, for the whole rule.
 * - Policies of one order are broken by name (felix/calc/policy_sorter.go PolKVLess; in 3.32 by
 *   `name/namespace/kind`).
 * - A `namespaces` peer becomes a rule side with a namespaceSelector and no selector, which also
 *   matches Calico NetworkSets of those namespaces (a `pods` peer adds
 *   `projectcalico.org/orchestrator == 'k8s'`, k8sSelectorToCalico): addresses in such a set
 *   match it. NetworkSets exist only on Calico, so this holds whenever the manifests hold some.
 */

import { IpRange, IpVersion, rangeContainsIp, unionRanges } from '../net';
import { CalicoVersion, servesClusterNetworkPolicy } from './calico-version';
import { Catalog } from './catalog';
import { Endpoint, INHERITED_PREFIX, NetworkSet, PacketEnd } from './endpoints';
import { LabelMap } from './labels';
import { KubeSelector, readCidr, readLabelSelector } from './kubernetes';
import { describeSource, Fields, Manifest, SourceRef } from './manifests';
import { inRange, PortRange, PortValue, describePorts } from './ports';
import { isProtocol, Protocol, CLUSTER_POLICY_API_VERSION, ClusterPolicyKind, formatObjectRef, ObjectRef, protocolsText } from '../k8s';
import { CompiledRule, Direction, Match, Policy, Reach, RuleAction, Side, Tier } from './policy';

/** The orders Calico gives the tiers of these kinds (api/pkg/apis/projectcalico/v3/tier.go). */
const ADMIN_TIER_ORDER = 1_000;
const BASELINE_TIER_ORDER = 10_000_000;

/**
 * The tiers of these kinds. Without a declared Calico release they carry the API's names (Admin,
 * Baseline) at Calico's orders, which is the API's order among Kubernetes NetworkPolicies (the
 * `default` tier, 1,000,000) and places them exactly as Calico does when the manifests hold
 * Calico tiers too.
 */
const TIERS = {
  admin: { name: 'Admin', order: ADMIN_TIER_ORDER, defaultAction: 'Pass' },
  baseline: { name: 'Baseline', order: BASELINE_TIER_ORDER, defaultAction: 'Pass' },
  kubeAdmin: { name: 'kube-admin', order: ADMIN_TIER_ORDER, defaultAction: 'Pass' },
  kubeBaseline: { name: 'kube-baseline', order: BASELINE_TIER_ORDER, defaultAction: 'Pass' },
  anp: { name: 'adminnetworkpolicy', order: ADMIN_TIER_ORDER, defaultAction: 'Pass' },
  banp: { name: 'baselineadminnetworkpolicy', order: BASELINE_TIER_ORDER, defaultAction: 'Pass' },
} as const satisfies Record<string, Tier>;

/** The API's tier (Admin, Baseline) each of Calico's tiers of these kinds stands for. */
const LEVEL_OF_CALICO_TIER: ReadonlyMap<string, string> = new Map([
  [TIERS.kubeAdmin.name, TIERS.admin.name],
  [TIERS.anp.name, TIERS.admin.name],
  [TIERS.kubeBaseline.name, TIERS.baseline.name],
  [TIERS.banp.name, TIERS.baseline.name],
]);

/**
 * Whether the tier a flow log names for a policy of these kinds (Calico's: `kube-admin`,
 * `adminnetworkpolicy`, ...) is the tier the verifier placed it in: the same tier, when the
 * manifests are read for the Calico release, or the API's tier it stands for, when for none.
 */
export function sameClusterPolicyTier(recorded: string, placed: string): boolean {
  return recorded === placed || LEVEL_OF_CALICO_TIER.get(recorded) === placed;
}

/** The implicit tiers policies of these kinds may be placed in, on the declared release (or none). */
export function clusterPolicyTiers(calico: CalicoVersion | undefined): Tier[] {
  if (!calico) return [TIERS.admin, TIERS.baseline];
  return servesClusterNetworkPolicy(calico) ? [TIERS.kubeAdmin, TIERS.kubeBaseline] : [TIERS.anp, TIERS.banp];
}

/** Where a cluster evaluates a policy of one kind and level: its tier, or why it does not enforce it. */
type Placement = { readonly tier: Tier } | { readonly notEnforced: string };

const REMOVED_IN_332 = `Calico 3.32 removed AdminNetworkPolicy and BaselineAdminNetworkPolicy (${CLUSTER_POLICY_API_VERSION.AdminNetworkPolicy}) and enforces ClusterNetworkPolicy (v1alpha2) in their place: replace it before upgrading (\`verify migrate\` writes the ClusterNetworkPolicy that does the same)`;

function placement(kind: ClusterPolicyKind, level: 'Admin' | 'Baseline', calico: CalicoVersion | undefined): Placement {
  const admin = level === 'Admin';
  if (!calico) return { tier: admin ? TIERS.admin : TIERS.baseline };
  const v332 = servesClusterNetworkPolicy(calico);
  if (kind === 'ClusterNetworkPolicy') {
    if (v332) return { tier: admin ? TIERS.kubeAdmin : TIERS.kubeBaseline };
    return {
      notEnforced: `Calico ${calico.text} does not serve ClusterNetworkPolicy (${CLUSTER_POLICY_API_VERSION.ClusterNetworkPolicy}): Calico serves it from 3.32`,
    };
  }
  if (v332) return { notEnforced: REMOVED_IN_332 };
  if (kind === 'BaselineAdminNetworkPolicy' && calico.major === 3 && calico.minor < 30) {
    return { notEnforced: `Calico ${calico.text} enforces AdminNetworkPolicy only: BaselineAdminNetworkPolicy from 3.30` };
  }
  return { tier: admin ? TIERS.anp : TIERS.banp };
}

/** Something the verifier says about an object besides its answers: what it does not model, does not enforce, or reads as Calico does. */
export interface ClusterNote {
  readonly source: SourceRef;
  /** The object, e.g. ClusterNetworkPolicy egress-tcp. */
  readonly object: ObjectRef;
  /** The field, e.g. `spec.egress[0].to[1].nodes`, when the note is about one. */
  readonly field?: string;
  /**
   * `not-modelled`: a field whose effect the manifests cannot tell (node addresses, domain names);
   * `not-enforced`: an object the declared cluster does not enforce; `calico`: read as Calico
   * reads it, where that differs from the API; `fail-closed`: a peer with no known field;
   * `ambiguous`: an order the API leaves open.
   */
  readonly kind: 'not-modelled' | 'not-enforced' | 'calico' | 'fail-closed' | 'ambiguous';
  readonly message: string;
}

/** A note on one line: `dist/x.yaml, document 2 (ClusterNetworkPolicy a): spec.egress[0].to[0].nodes: not modelled: ...`. */
export function describeNote(n: ClusterNote): string {
  const label = {
    'not-modelled': 'not modelled',
    'not-enforced': 'not enforced',
    calico: 'as Calico reads it',
    'fail-closed': 'fails closed',
    ambiguous: 'ambiguous',
  }[n.kind];
  return `${describeSource(n.source)} (${formatObjectRef(n.object)}): ${n.field ? `${n.field}: ` : ''}${label}: ${n.message}`;
}

/** A peer of a rule: who sends (ingress) or receives (egress). */
type ApiPeer =
  | { readonly kind: 'namespaces'; readonly namespaces: KubeSelector }
  | { readonly kind: 'pods'; readonly namespaces: KubeSelector; readonly pods: KubeSelector }
  | {
      readonly kind: 'networks';
      readonly texts: readonly string[];
      readonly ranges: readonly IpRange[];
      /** For an address known only by its IP version: whether the blocks hold every address of the version, none, or some. */
      readonly holds: Readonly<Record<IpVersion, 'all' | 'none' | 'some'>>;
    }
  /** `nodes` or `domainNames`: matches nothing the verifier knows. */
  | { readonly kind: 'not-modelled'; readonly field: 'nodes' | 'domainNames' };

/** A port a rule names: a number or range of one protocol, every port of one protocol, or a container port's name. */
type ApiPort = { readonly protocol: Protocol; readonly range?: PortRange } | { readonly name: string };

/** What a rule's peers are: a list, every packet (a rule that fails closed to Deny), or no packet at all (an Allow that fails closed). */
type Peers = readonly ApiPeer[] | 'everything' | 'nothing';

const WRITTEN_ACTIONS: Readonly<Record<ClusterPolicyKind, readonly string[]>> = {
  ClusterNetworkPolicy: ['Accept', 'Deny', 'Pass'],
  AdminNetworkPolicy: ['Allow', 'Deny', 'Pass'],
  BaselineAdminNetworkPolicy: ['Allow', 'Deny'],
};

/** A rule of one of these kinds, compiled. */
class ApiRule implements CompiledRule {
  readonly matchesEverything: boolean;
  readonly ports: readonly PortRange[];
  readonly portNames: readonly string[];
  /**
   * True when the rule may decide a packet between pods of unknown addresses differently for IPv4
   * and IPv6 (policy.ts, CompiledRule): a Pass with `networks` peers, or a Deny whose `networks`
   * hold every address of one version; as calico.ts reads Calico's `nets`.
   */
  readonly dependsOnIpVersion: boolean;
  /**
   * How `networks` read a pod whose address the manifests do not say: a Deny or Pass as some
   * address of the packet's IP version (`maybe` unless the blocks hold all of it or none), an
   * Accept or Allow as an address outside every block, as calico.ts reads `nets` (see Match).
   */
  private readonly unknownAs: 'maybe' | 'outside';
  private readonly remote: Side;
  private remoteReach?: Reach;
  private remotePhantoms?: readonly Endpoint[];
  private remoteSets?: readonly NetworkSet[];

  constructor(
    readonly index: number,
    readonly direction: Direction,
    readonly name: string | undefined,
    readonly action: RuleAction,
    /** The action as the manifest writes it (Accept, Allow, Deny, Pass). */
    private readonly written: string,
    private readonly peers: Peers,
    /** Empty: every protocol and port. */
    private readonly servicePorts: readonly ApiPort[],
    private readonly catalog: Catalog,
    /** Why the rule was replaced, when it fails closed. */
    private readonly failure?: string,
  ) {
    this.remote = direction === 'egress' ? 'destination' : 'source';
    this.matchesEverything = peers === 'everything' && servicePorts.length === 0;
    this.ports = servicePorts.flatMap((p) => ('range' in p && p.range ? [p.range] : []));
    this.portNames = servicePorts.flatMap((p) => ('name' in p ? [p.name] : []));
    this.unknownAs = action === 'Deny' || action === 'Pass' ? 'maybe' : 'outside';
    const networks = typeof peers === 'string' ? [] : peers.flatMap((p) => (p.kind === 'networks' ? [p] : []));
    this.dependsOnIpVersion =
      (action === 'Pass' && networks.length > 0) || (action === 'Deny' && networks.some((n) => n.holds[4] === 'all' || n.holds[6] === 'all'));
  }

  matchesSource(source: PacketEnd): Match {
    return this.direction === 'egress' || this.matchesPeers(source);
  }

  matchesDestination(destination: PacketEnd): Match {
    return this.direction === 'ingress' || this.matchesPeers(destination);
  }

  matchesService(protocol: Protocol, port: PortValue, destination: PacketEnd): boolean {
    if (this.servicePorts.length === 0) return true;
    return this.servicePorts.some((p) => {
      if ('protocol' in p) return p.protocol === protocol && (p.range === undefined || inRange(p.range, port));
      if (typeof port !== 'number') return port.name === p.name;
      return destination.kind === 'endpoint' && destination.endpoint.ports.some((c) => c.name === p.name && c.protocol === protocol && c.port === port);
    });
  }

  reach(side: Side): Reach {
    if (side !== this.remote) return { kind: 'uniform' };
    this.remoteReach ??= this.computeReach();
    return this.remoteReach;
  }

  nets(side: Side): readonly IpRange[] {
    if (side !== this.remote || typeof this.peers === 'string') return [];
    return this.peers.flatMap((p) => (p.kind === 'networks' ? p.ranges : []));
  }

  sets(side: Side): readonly NetworkSet[] {
    if (side !== this.remote || typeof this.peers === 'string') return [];
    const peers = this.peers;
    this.remoteSets ??= this.catalog.networkSets.filter((s) => peers.some((p) => p.kind === 'namespaces' && setInNamespaces(s, p.namespaces)));
    return this.remoteSets;
  }

  phantoms(side: Side): readonly Endpoint[] {
    if (side !== this.remote || typeof this.peers === 'string') return [];
    this.remotePhantoms ??= this.peers.flatMap((peer) => {
      if (peer.kind !== 'namespaces' && peer.kind !== 'pods') return [];
      const witnesses = peer.kind === 'pods' ? peer.pods.witnesses() : [new Map<string, string>()];
      return this.catalog
        .namespacesFor(peer.namespaces, false)
        .flatMap((ns) => witnesses.map((w) => this.catalog.phantom(ns, w)))
        .filter((ep) => peerMatches(peer, this.catalog.packetEnd(ep), 'outside'));
    });
    return this.remotePhantoms;
  }

  describe(): string {
    if (this.failure) return `${this.action} everything (${this.failure})`;
    const side = this.direction === 'egress' ? 'to' : 'from';
    const ports = this.servicePorts.length === 0 ? 'any protocol' : this.servicePorts.map(describeApiPort).join(', ');
    const peers = this.peers === 'nothing' ? 'nothing' : this.peers === 'everything' ? 'anywhere' : this.peers.map(describePeer).join('; or ');
    return `${this.written} ${ports} ${side} ${peers}`;
  }

  private computeReach(): Reach {
    if (this.peers === 'everything') return this.portNames.length > 0 ? { kind: 'some', candidates: this.catalog.endpoints } : { kind: 'uniform' };
    if (this.peers === 'nothing') return { kind: 'none' };
    const found = new Set<Endpoint>();
    for (const peer of this.peers) {
      let candidates: readonly Endpoint[] = [];
      if (peer.kind === 'networks') candidates = this.catalog.endpointsWithIps();
      else if (peer.kind === 'namespaces' || peer.kind === 'pods') {
        candidates = this.catalog.candidates(this.namespacesOf(peer.namespaces), peer.kind === 'pods' ? peer.pods.hint : undefined);
        if (peer.kind === 'namespaces' && this.sets(this.remote).length > 0) {
          candidates = [...candidates, ...this.catalog.endpointsWithIps()];
        }
      }
      for (const ep of candidates) found.add(ep);
    }
    return found.size === 0 ? { kind: 'none' } : { kind: 'some', candidates: [...found] };
  }

  private namespacesOf(selector: KubeSelector): string[] {
    return this.catalog.namespacesMatching(`kubernetes\u0000${selector.key}`, selector.hint, (ns) => selector.test(ns.labels)).map((ns) => ns.name);
  }

  private matchesPeers(e: PacketEnd): Match {
    if (typeof this.peers === 'string') return this.peers === 'everything';
    let maybe = false;
    for (const p of this.peers) {
      const m = peerMatches(p, e, this.unknownAs);
      if (m === true) return true;
      if (m === 'maybe') maybe = true;
    }
    return maybe ? 'maybe' : false;
  }
}

/**
 * True when a Calico network set (or host endpoint) is picked by a `namespaces` selector as Calico
 * evaluates the namespaceSelector it converts it to: on the item's `pcns.` labels (endpoints.ts),
 * which a namespaced NetworkSet inherits from its namespace.
 */
function setInNamespaces(set: NetworkSet, namespaces: KubeSelector): boolean {
  let labels = namespaceLabelsOf.get(set);
  if (!labels) {
    const prefix = INHERITED_PREFIX.namespace;
    labels = new Map([...set.calicoLabels].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
    namespaceLabelsOf.set(set, labels);
  }
  return labels.size > 0 && namespaces.test(labels);
}

const namespaceLabelsOf = new WeakMap<NetworkSet, LabelMap>();

/** Whether blocks hold every address of a version, none of it, or some. */
function holding(ranges: readonly IpRange[], version: IpVersion): 'all' | 'none' | 'some' {
  const mine = unionRanges(ranges.filter((r) => r.version === version));
  if (mine.length === 0) return 'none';
  const last = version === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n;
  return mine.length === 1 && mine[0].first === 0n && mine[0].last === last ? 'all' : 'some';
}

/**
 * Whether a peer matches one end of a packet. `networks` match pod addresses whatever
 * --ipblock-matches-pods says (the API: "cluster-internal traffic will be checked against the
 * rule as well"), those of the packet's IP version; a pod whose address the manifests do not say
 * is read as `unknown` says (see ApiRule.unknownAs).
 */
function peerMatches(peer: ApiPeer, e: PacketEnd, unknown: 'maybe' | 'outside'): Match {
  switch (peer.kind) {
    case 'networks': {
      if (e.kind === 'endpoint' && e.endpoint.ips.length === 0) {
        if (unknown === 'outside') return false;
        const holds = peer.holds[e.family];
        return holds === 'all' ? true : holds === 'none' ? false : 'maybe';
      }
      const ips = e.kind === 'endpoint' ? e.endpoint.ips : e.ips;
      return ips.some((ip) => ip.version === e.family && peer.ranges.some((r) => rangeContainsIp(r, ip)));
    }
    case 'namespaces':
      return (e.kind === 'endpoint' && peer.namespaces.test(e.endpoint.namespace.labels)) || e.sets.some((s) => setInNamespaces(s, peer.namespaces));
    case 'pods':
      return e.kind === 'endpoint' && peer.namespaces.test(e.endpoint.namespace.labels) && peer.pods.test(e.endpoint.labels);
    case 'not-modelled':
      return false;
  }
}

function describeSelector(s: KubeSelector): string {
  return s.empty ? 'all' : `{${s.toString()}}`;
}

function describePeer(p: ApiPeer): string {
  switch (p.kind) {
    case 'namespaces':
      return `namespaces ${describeSelector(p.namespaces)}`;
    case 'pods':
      return `pods ${describeSelector(p.pods)} in namespaces ${describeSelector(p.namespaces)}`;
    case 'networks':
      return `networks ${p.texts.join(', ')}`;
    case 'not-modelled':
      return `${p.field} (not modelled: matches nothing here)`;
  }
}

function describeApiPort(p: ApiPort): string {
  if ('name' in p) return `port named ${p.name}`;
  return `${p.protocol} ${p.range ? describePorts(p.range) : 'any port'}`;
}

/** How one object is read: its kind, the Calico release declared (if any), and where notes go. */
interface Reading {
  readonly kind: ClusterPolicyKind;
  readonly f: Fields;
  readonly calico: CalicoVersion | undefined;
  readonly catalog: Catalog;
  readonly note: (kind: ClusterNote['kind'], field: string | undefined, message: string) => void;
}

function readNamespacedPod(raw: unknown, field: string, f: Fields): { namespaces: KubeSelector; pods: KubeSelector } {
  const p = f.record(raw, field) ?? f.fail(field, 'must be an object');
  const pods = readLabelSelector(p.podSelector, `${field}.podSelector`, f) ?? f.fail(`${field}.podSelector`, 'is required');
  // namespaceSelector: "if empty, it selects all Namespaces" (NamespacedPod); absent reads as empty.
  const namespaces = readLabelSelector(p.namespaceSelector, `${field}.namespaceSelector`, f) ?? new KubeSelector([]);
  return { namespaces, pods };
}

const PEER_FIELDS: Readonly<Record<Direction, readonly string[]>> = {
  ingress: ['namespaces', 'pods'],
  egress: ['namespaces', 'pods', 'networks', 'nodes', 'domainNames'],
};

/** Reads one peer; undefined for a peer with no field the reader knows (it fails closed). */
function readPeer(raw: unknown, field: string, direction: Direction, r: Reading): ApiPeer | undefined {
  const { f } = r;
  const p = f.record(raw, field) ?? f.fail(field, 'must be an object');
  const set = PEER_FIELDS[direction].filter((k) => p[k] !== undefined && p[k] !== null);
  if (set.length > 1) f.fail(field, `sets ${set.join(' and ')}; exactly one field of a peer may be set (${PEER_FIELDS[direction].join(', ')})`);
  switch (set[0]) {
    case 'namespaces':
      return { kind: 'namespaces', namespaces: readLabelSelector(p.namespaces, `${field}.namespaces`, f)! };
    case 'pods':
      return { kind: 'pods', ...readNamespacedPod(p.pods, `${field}.pods`, f) };
    case 'networks': {
      const list = f.list(p.networks, `${field}.networks`) ?? [];
      if (list.length === 0) f.fail(`${field}.networks`, 'must list at least one CIDR');
      const read = list.map((n, i) => readCidr(n, `${field}.networks[${i}]`, f));
      const ranges = read.map((x) => x.range);
      return { kind: 'networks', texts: read.map((x) => x.text), ranges, holds: { 4: holding(ranges, 4), 6: holding(ranges, 6) } };
    }
    case 'nodes':
    case 'domainNames':
      return { kind: 'not-modelled', field: set[0] };
    default:
      return undefined;
  }
}

function readPorts(raw: Record<string, unknown>, field: string, r: Reading): { ports: ApiPort[]; named: boolean } {
  const { f } = r;
  const key = r.kind === 'ClusterNetworkPolicy' ? 'protocols' : 'ports';
  const list = f.list(raw[key], `${field}.${key}`) ?? [];
  let named = false;
  const ports = list.map((item, i): ApiPort => {
    const at = `${field}.${key}[${i}]`;
    const p = f.record(item, at) ?? f.fail(at, 'must be an object');
    const fields = key === 'protocols' ? ['tcp', 'udp', 'sctp', 'destinationNamedPort'] : ['portNumber', 'portRange', 'namedPort'];
    const set = fields.filter((k) => p[k] !== undefined && p[k] !== null);
    if (set.length !== 1) f.fail(at, `must set exactly one of ${fields.join(', ')}${set.length ? `, not ${set.join(' and ')}` : ''}`);
    const which = set[0];
    if (which === 'destinationNamedPort' || which === 'namedPort') {
      named = true;
      const name = f.string(p[which], `${at}.${which}`)!;
      return { name };
    }
    if (key === 'protocols') {
      const protocol = which.toUpperCase() as Protocol;
      const body = f.record(p[which], `${at}.${which}`) ?? {};
      const destination = f.record(body.destinationPort, `${at}.${which}.destinationPort`);
      if (!destination) return { protocol };
      return { protocol, range: readPortOrRange(destination, `${at}.${which}.destinationPort`, f) };
    }
    const body = f.record(p[which], `${at}.${which}`) ?? f.fail(`${at}.${which}`, 'must be an object');
    // "If not specified, this field defaults to TCP" (Port.Protocol, PortRange.Protocol).
    const written = f.string(body.protocol, `${at}.${which}.protocol`) ?? 'TCP';
    if (!isProtocol(written)) f.fail(`${at}.${which}.protocol`, `must be ${protocolsText()}, not ${JSON.stringify(written)}`);
    const protocol = written as Protocol;
    if (which === 'portNumber') {
      const n = portNumber(body.port, `${at}.portNumber.port`, f);
      return { protocol, range: { from: n, to: n } };
    }
    return { protocol, range: portRange(body.start, body.end, `${at}.portRange`, f) };
  });
  return { ports, named };
}

function portNumber(value: unknown, field: string, f: Fields): number {
  const n = f.number(value, field) ?? f.fail(field, 'is required');
  if (!Number.isInteger(n) || n < 1 || n > 65535) f.fail(field, `must be 1-65535, not ${n}`);
  return n;
}

function portRange(start: unknown, end: unknown, field: string, f: Fields): PortRange {
  const from = portNumber(start, `${field}.start`, f);
  const to = portNumber(end, `${field}.end`, f);
  if (from >= to) f.fail(`${field}.end`, `must be greater than start (${from}), not ${to}`);
  return { from, to };
}

/** A v1alpha2 Port: `number`, or `range` with start below end. */
function readPortOrRange(p: Record<string, unknown>, field: string, f: Fields): PortRange {
  const range = f.record(p.range, `${field}.range`);
  if (range && p.number !== undefined) f.fail(field, 'must set number or range, not both');
  if (range) return portRange(range.start, range.end, `${field}.range`, f);
  const n = portNumber(p.number, `${field}.number`, f);
  return { from: n, to: n };
}

function readRule(raw: unknown, index: number, direction: Direction, r: Reading): ApiRule {
  const { f, kind, calico } = r;
  const field = `spec.${direction}[${index}]`;
  const rule = f.record(raw, field) ?? f.fail(field, 'must be an object');
  const name = f.string(rule.name, `${field}.name`) || undefined;
  const written = f.string(rule.action, `${field}.action`) ?? f.fail(`${field}.action`, 'is required');
  if (!WRITTEN_ACTIONS[kind].includes(written)) f.fail(`${field}.action`, `must be ${WRITTEN_ACTIONS[kind].join(', ')}, not ${JSON.stringify(written)}`);
  const action: RuleAction = written === 'Accept' ? 'Allow' : (written as RuleAction);
  const peerKey = direction === 'egress' ? 'to' : 'from';
  const rawPeers = f.list(rule[peerKey], `${field}.${peerKey}`) ?? [];
  if (rawPeers.length === 0) f.fail(`${field}.${peerKey}`, 'must list at least one peer');
  const read = rawPeers.map((p, j) => ({ at: `${field}.${peerKey}[${j}]`, peer: readPeer(p, `${field}.${peerKey}[${j}]`, direction, r) }));
  const { ports, named } = readPorts(rule, field, r);
  const make = (peers: Peers, servicePorts: readonly ApiPort[], failure?: string): ApiRule =>
    new ApiRule(index, direction, name, failure ? 'Deny' : action, failure ? 'Deny' : written, peers, servicePorts, r.catalog, failure);
  const failClosed = (why: string): ApiRule => (action === 'Allow' ? make('nothing', []) : make('everything', [], why));

  const unknown = read.filter((x) => x.peer === undefined);
  if (unknown.length > 0) {
    for (const x of unknown) {
      r.note(
        'fail-closed',
        x.at,
        `no field of a peer the verifier knows (${PEER_FIELDS[direction].join(', ')}): as the API asks of an implementation that meets a newer field, the rule fails closed (${action === 'Allow' ? `this ${written} rule matches nothing` : 'it denies everything'})`,
      );
    }
    return failClosed('fails closed: a peer has no field the verifier knows');
  }
  const peers = read.map((x) => x.peer!);
  const unmodelled = read.filter((x) => x.peer!.kind === 'not-modelled');
  if (calico && unmodelled.length > 0) {
    for (const x of unmodelled) {
      const f2 = (x.peer as { field: string }).field;
      r.note(
        'calico',
        `${x.at}.${f2}`,
        `Calico does not convert ${f2} peers, so it ${action === 'Allow' ? `drops this ${written} rule` : 'replaces this rule with one that denies everything'} (libcalico-go k8s conversion, the failed-rule handler); the verifier does the same`,
      );
    }
    return failClosed(`Calico cannot convert its ${unmodelled.map((x) => (x.peer as { field: string }).field).join(', ')} peer`);
  }
  for (const x of unmodelled) {
    const f2 = (x.peer as { field: string }).field;
    r.note(
      'not-modelled',
      `${x.at}.${f2}`,
      `${f2 === 'nodes' ? 'node addresses' : 'the addresses of domain names'} are not in the manifests: the verifier takes this peer to match nothing, so this ${written} rule may match more than the answers say`,
    );
  }
  if (named && calico && !servesClusterNetworkPolicy(calico)) {
    r.note(
      'calico',
      `${field}.ports`,
      `Calico ${calico.text} does not convert namedPort (k8sAdminPolicyPortToCalicoFields: "TODO: Add support for NamedPorts"), which leaves the rule with no protocol and no port: it matches every protocol and port, and the verifier reads it so`,
    );
    return make(peers, []);
  }
  return make(peers, ports);
}

/** Compiles one ClusterNetworkPolicy, AdminNetworkPolicy or BaselineAdminNetworkPolicy; undefined when the declared cluster does not enforce it (a note says why). */
export function compileClusterPolicy(
  m: Manifest,
  kind: ClusterPolicyKind,
  catalog: Catalog,
  calico: CalicoVersion | undefined,
  notes: ClusterNote[],
): Policy | undefined {
  const { metadata, apiVersion } = m.object;
  const object: ObjectRef = { kind, name: metadata.name };
  const f = new Fields(m.source, object);
  const note: Reading['note'] = (k, field, message) => notes.push({ source: m.source, object, ...(field ? { field } : {}), kind: k, message });
  if (apiVersion !== CLUSTER_POLICY_API_VERSION[kind])
    f.fail('apiVersion', `${kind} is served as ${CLUSTER_POLICY_API_VERSION[kind]}, not ${String(apiVersion)}`);
  const spec = f.record(m.object.spec, 'spec') ?? f.fail('spec', 'is required');
  let level: 'Admin' | 'Baseline' = kind === 'BaselineAdminNetworkPolicy' ? 'Baseline' : 'Admin';
  if (kind === 'ClusterNetworkPolicy') {
    const tier = f.string(spec.tier, 'spec.tier');
    if (tier !== 'Admin' && tier !== 'Baseline') f.fail('spec.tier', `must be Admin or Baseline, not ${JSON.stringify(tier)}`);
    level = tier as 'Admin' | 'Baseline';
  }
  if (kind === 'BaselineAdminNetworkPolicy' && metadata.name !== 'default') {
    f.fail(
      'metadata.name',
      `must be "default": the API allows one BaselineAdminNetworkPolicy per cluster, named default, not ${JSON.stringify(metadata.name)}`,
    );
  }
  let priority: number | undefined;
  if (kind !== 'BaselineAdminNetworkPolicy') {
    priority = f.number(spec.priority, 'spec.priority') ?? f.fail('spec.priority', 'is required');
    if (!Number.isInteger(priority) || priority < 0 || priority > 1000) f.fail('spec.priority', `must be an integer 0-1000, not ${priority}`);
  }
  const subject = f.record(spec.subject, 'spec.subject') ?? f.fail('spec.subject', 'is required');
  const subjectSet = ['namespaces', 'pods'].filter((k) => subject[k] !== undefined && subject[k] !== null);
  if (subjectSet.length !== 1)
    f.fail('spec.subject', `must set exactly one of namespaces, pods${subjectSet.length ? `, not ${subjectSet.join(' and ')}` : ''}`);
  const selection =
    subjectSet[0] === 'namespaces'
      ? { namespaces: readLabelSelector(subject.namespaces, 'spec.subject.namespaces', f)!, pods: undefined }
      : readNamespacedPod(subject.pods, 'spec.subject.pods', f);

  const where = placement(kind, level, calico);
  const reading: Reading = { kind, f, calico, catalog, note };
  const rules = {
    ingress: (f.list(spec.ingress, 'spec.ingress') ?? []).map((raw, i) => readRule(raw, i, 'ingress', reading)),
    egress: (f.list(spec.egress, 'spec.egress') ?? []).map((raw, i) => readRule(raw, i, 'egress', reading)),
  };
  if ('notEnforced' in where) {
    note('not-enforced', undefined, where.notEnforced);
    return undefined;
  }
  const v332 = calico !== undefined && servesClusterNetworkPolicy(calico);
  return {
    ref: { kind, name: metadata.name, tier: where.tier.name, ...(priority === undefined ? {} : { priority }) },
    // Calico: order = priority; the BaselineAdminNetworkPolicy at order 1000 (K8sBaselineAdminNetworkPolicyToCalico).
    order: priority ?? 1000,
    // Felix breaks ties by name: in 3.32 the key `name/namespace/kind` (PolKVLess).
    sortName: v332 ? `${metadata.name}//KubernetesClusterNetworkPolicy` : metadata.name,
    staged: false,
    // "CNPs with no ingress rules do not affect ingress traffic" (Spec.Ingress); Calico: calculateANPPolicyTypes.
    types: { ingress: rules.ingress.length > 0, egress: rules.egress.length > 0 },
    rules,
    hint: { label: selection.pods?.hint },
    source: m.source,
    selects: subjectSelection(selection.namespaces, selection.pods),
  };
}

/** Which pods a policy of these kinds applies to; apart, so that the closure keeps only the selectors. */
function subjectSelection(namespaces: KubeSelector, pods: KubeSelector | undefined): (ep: Endpoint) => boolean {
  return (ep) => namespaces.test(ep.namespace.labels) && (pods === undefined || pods.test(ep.labels));
}

/**
 * Notes where the API leaves the order of these policies open: policies of one tier that share a
 * priority and apply to a common pod ("could match a connection", Spec.Priority), and a
 * BaselineAdminNetworkPolicy (which has none) beside Baseline ClusterNetworkPolicies.
 */
export function orderNotes(policies: readonly Policy[], endpoints: readonly Endpoint[]): ClusterNote[] {
  const groups = new Map<string, Policy[]>();
  for (const p of policies) {
    if (p.ref.priority === undefined) continue;
    const key = `${p.ref.tier}\u0000${p.ref.priority}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const overlapping = (g: readonly Policy[]): Policy[] => g.filter((p) => g.some((q) => q !== p && endpoints.some((ep) => p.selects(ep) && q.selects(ep))));
  const ties = [...groups.values()]
    .map(overlapping)
    .filter((g) => g.length > 1)
    .map((g): ClusterNote => {
      const [first, ...rest] = g;
      return {
        source: first.source,
        object: { kind: first.ref.kind, name: first.ref.name },
        field: 'spec.priority',
        kind: 'ambiguous',
        message: `${g.length} policies of tier ${first.ref.tier} share priority ${String(first.ref.priority)} and apply to a common pod (${rest.map((p) => formatObjectRef(p.ref)).join(', ')} too): the API lets an implementation apply any of them first; the verifier, like Calico, takes them by name`,
      };
    });
  const banp = policies.find((p) => p.ref.kind === 'BaselineAdminNetworkPolicy');
  const baselines = banp ? policies.filter((p) => p.ref.kind === 'ClusterNetworkPolicy' && p.ref.tier === banp.ref.tier) : [];
  if (!banp || baselines.length === 0) return ties;
  return [
    ...ties,
    {
      source: banp.source,
      object: { kind: banp.ref.kind, name: banp.ref.name },
      kind: 'ambiguous',
      message: `it shares the Baseline tier with ${baselines.map((p) => formatObjectRef(p.ref)).join(', ')}, and no API orders the two kinds (no cluster enforces both: Calico serves one or the other); the verifier takes it at priority 1000, as Calico orders it in its own tier`,
    },
  ];
}
