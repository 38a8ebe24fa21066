/**
 * What each workload may send, computed exactly from its own egress policies.
 *
 * For one sender, only the rules of the policies that apply to it can tell destinations apart.
 * So the verifier splits the address space at every block those rules (and, when they select by
 * label, the network sets) mention, splits ports 1-65535 at every port they mention, and
 * evaluates one packet per piece and protocol: the verdict holds for the whole piece. Pieces
 * that share protocol, port range and deciding rule are merged back into the fewest CIDR
 * blocks (with `except` where that is shorter).
 *
 * Pods are evaluated as known endpoints (those some rule's selectors can match), as
 * representative pods synthesized for every class of pods a rule names (a namespace and the
 * labels its selectors ask for, e.g. kube-system `k8s-app=kube-dns`), and as one pod in no
 * particular namespace with no labels, standing for every other pod.
 *
 * The receiver's ingress policies are not part of this listing: it is what the sender's side
 * lets out.
 */

import { Cidr, compactCidrs, compareCidrs, IpRange, partitionFamily } from '../net';
import { ANY_NAMESPACE } from './catalog';
import { Cluster } from './cluster';
import { Endpoint, EndpointKind, NAMESPACE_NAME_LABEL, PacketEnd } from './endpoints';
import { labelsKey, labelsToObject } from './labels';
import { comparePorts, isNamedPort, NamedPort, PortRange, portAtoms, Ports, PortValue, Protocol, PROTOCOLS } from './ports';
import { CompiledRule, decide, Decision, decisionKey, decisionOf, filterPlans, PolicyRef, TierPlan, Verdict } from './policy';

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

/** A destination: addresses outside the known endpoints, or pods. */
export type Destination = AddressDestination | PodsDestination;

/**
 * What decided a reach entry: an Allow or Deny rule, the profile after the last tier passed, or
 * no egress policy at all. (The implicit deny at the end of a tier is never listed.)
 */
export type DecidedBy = Exclude<Decision, { readonly reason: 'end-of-tier' }>;

/** One destination, protocol and contiguous port range (or port name), and what decided it. */
export interface ReachEntry {
  readonly to: Destination;
  readonly protocol: Protocol;
  /** A contiguous range, or a port name for a class of pods whose container ports are unknown. */
  readonly ports: Ports;
  readonly decidedBy: DecidedBy;
}

/** The egress of one workload. */
export interface WorkloadEgress {
  /** `namespace/name` */
  readonly endpoint: string;
  readonly namespace: string;
  readonly name: string;
  readonly kind: EndpointKind;
  /** True when some enforced policy applies to the workload for egress. */
  readonly isolated: boolean;
  /** The enforced policies that apply for egress, in evaluation order. */
  readonly policies: readonly PolicyRef[];
  readonly allowed: readonly ReachEntry[];
  /** Explicit Deny rules that match (the implicit deny at the end of a tier is not listed). */
  readonly denied: readonly ReachEntry[];
  /** Staged policies selecting the workload for egress: not enforced, never part of allowed/denied. */
  readonly staged: readonly PolicyRef[];
}

/** Egress of every known endpoint. */
export interface EgressReport {
  readonly ipblockMatchesPods: boolean;
  readonly workloads: readonly WorkloadEgress[];
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

interface Run {
  readonly ports: Ports;
  readonly verdict: Verdict;
  /** Identifies protocol, ports and deciding rule, for merging address pieces; set on first use. */
  key?: string;
}

/** Evaluates one destination over every protocol and port piece, merging consecutive pieces with one verdict. */
function runs(plans: readonly TierPlan[], dst: PacketEnd, atoms: readonly PortRange[], names: readonly NamedPort[]): Map<Protocol, Run[]> {
  const out = new Map<Protocol, Run[]>();
  for (const protocol of PROTOCOLS) {
    const list: Run[] = [];
    const verdictAt = (port: PortValue): Verdict => decide(plans, 'egress', (r) => r.matchesService(protocol, port, dst));
    let current: { from: number; to: number; verdict: Verdict } | undefined;
    for (const atom of atoms) {
      const verdict = verdictAt(atom.from);
      if (current && current.verdict === verdict) current.to = atom.to;
      else {
        if (current) list.push({ ports: { from: current.from, to: current.to }, verdict: current.verdict });
        current = { from: atom.from, to: atom.to, verdict };
      }
    }
    if (current) list.push({ ports: { from: current.from, to: current.to }, verdict: current.verdict });
    for (const name of names) list.push({ ports: name, verdict: verdictAt(name) });
    out.set(protocol, list.filter((r) => listed(r.verdict)));
  }
  return out;
}

/**
 * Evaluates one destination. Only the sender's rules that match the destination can tell its
 * ports apart, so ports are split at their boundaries alone (and at the destination's container
 * ports those rules name); port names are tried only for pods whose ports are unknown.
 */
function destinationRuns(mine: readonly TierPlan[], rules: readonly CompiledRule[], dst: PacketEnd): Map<Protocol, Run[]> {
  const matching = new Set(rules.filter((r) => r.matchesDestination(dst)));
  const bounds = [...matching].flatMap((r) => r.ports);
  const names = new Set([...matching].flatMap((r) => r.portNames));
  let tryNames: NamedPort[] = [];
  if (dst.kind === 'endpoint' && names.size > 0) {
    if (dst.endpoint.kind === 'Phantom') tryNames = [...names].sort().map((name) => ({ name }));
    for (const c of dst.endpoint.ports) if (c.name && names.has(c.name)) bounds.push({ from: c.port, to: c.port });
  }
  return runs(filterPlans(mine, (r) => matching.has(r)), dst, portAtoms(bounds), tryNames);
}

function podDestination(ep: Endpoint): PodsDestination {
  if (ep.kind !== 'Phantom') return { type: 'pods', namespace: ep.namespace.name, labels: labelsToObject(ep.labels), endpoint: { id: ep.id, name: ep.name } };
  const nsLabels = new Map([...ep.namespace.labels].filter(([k]) => k !== NAMESPACE_NAME_LABEL));
  return {
    type: 'pods',
    namespace: ep.namespace.name,
    ...(ep.namespace.name === ANY_NAMESPACE && nsLabels.size > 0 ? { namespaceLabels: labelsToObject(nsLabels) } : {}),
    labels: labelsToObject(ep.labels),
  };
}

function phantomKey(ep: Endpoint): string {
  return `${ep.namespace.name}\u0000${labelsKey(ep.namespace.labels)}\u0000${labelsKey(ep.labels)}\u0000${ep.serviceAccount}`;
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

function podsKey(d: PodsDestination): string {
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

/** Orders entries by destination, then protocol, then ports, then deciding rule. */
function compareEntries(a: ReachEntry, b: ReachEntry): number {
  return (
    compareDestinations(a.to, b.to) ||
    PROTOCOL_ORDER.get(a.protocol)! - PROTOCOL_ORDER.get(b.protocol)! ||
    comparePorts(a.ports, b.ports) ||
    compareText(decisionKey(a.decidedBy), decisionKey(b.decidedBy))
  );
}

/** Computes the egress of one known endpoint. */
export function workloadEgress(cluster: Cluster, endpoint: Endpoint): WorkloadEgress {
  const { catalog } = cluster;
  const plans = cluster.plans(endpoint, 'egress');
  const sender = catalog.packetEnd(endpoint);
  const mine = filterPlans(plans, (r) => r.matchesSource(sender));
  const rules: CompiledRule[] = mine.flatMap((p) => p.policies.flatMap((x) => x.rules));

  const known = new Set<Endpoint>();
  for (const r of rules) {
    const reach = r.reach('destination');
    if (reach.kind === 'some') for (const ep of reach.candidates) known.add(ep);
  }
  known.delete(endpoint);
  const phantoms = new Map<string, Endpoint>();
  for (const ep of [...rules.flatMap((r) => r.destinationPhantoms()), catalog.phantom(catalog.anyNamespace(new Map()), new Map())]) {
    phantoms.set(phantomKey(ep), ep);
  }

  const blocks: IpRange[] = rules.flatMap((r) => r.destinationNets);
  for (const set of new Set(rules.flatMap((r) => r.destinationSets()))) blocks.push(...set.nets);

  const allowed: ReachEntry[] = [];
  const denied: ReachEntry[] = [];
  const add = (entry: ReachEntry): void => {
    (entry.decidedBy.action === 'Allow' ? allowed : denied).push(entry);
  };

  // Address pieces that the same rules match share their runs, whatever the address.
  const ruleIndex = new Map(rules.map((r, i) => [r, i]));
  const sameRules = new Map<string, Map<Protocol, Run[]>>();
  const groups = new Map<string, { protocol: Protocol; ports: Ports; decided: DecidedBy; ranges: IpRange[] }>();
  for (const version of [4, 6] as const) {
    for (const piece of partitionFamily(version, blocks)) {
      const dst = catalog.external({ version, value: piece.first });
      let key = `${version}:`;
      for (const r of rules) if (r.matchesDestination(dst)) key += `${ruleIndex.get(r)},`;
      let byProtocol = sameRules.get(key);
      if (!byProtocol) {
        byProtocol = destinationRuns(mine, rules, dst);
        sameRules.set(key, byProtocol);
      }
      for (const [protocol, list] of byProtocol) {
        for (const run of list) {
          run.key ??= `${protocol}\u0000${portsKey(run.ports)}\u0000${decisionKey(decidedBy(run.verdict))}`;
          const g = groups.get(run.key);
          if (g) g.ranges.push(piece);
          else groups.set(run.key, { protocol, ports: run.ports, decided: decidedBy(run.verdict), ranges: [piece] });
        }
      }
    }
  }
  for (const g of groups.values()) {
    for (const { cidr, except } of compactCidrs(g.ranges)) add({ to: { type: 'cidr', cidr, except }, protocol: g.protocol, ports: g.ports, decidedBy: g.decided });
  }

  for (const ep of [...known, ...phantoms.values()]) {
    const dst = catalog.packetEnd(ep);
    const byProtocol = destinationRuns(mine, rules, dst);
    const to = podDestination(ep);
    for (const [protocol, list] of byProtocol) {
      for (const run of list) add({ to, protocol, ports: run.ports, decidedBy: decidedBy(run.verdict) });
    }
  }

  return {
    endpoint: endpoint.id,
    namespace: endpoint.namespace.name,
    name: endpoint.name,
    kind: endpoint.kind,
    isolated: plans.length > 0,
    policies: plans.flatMap((p) => p.policies.map(({ policy }) => policy.ref)),
    allowed: allowed.sort(compareEntries),
    denied: denied.sort(compareEntries),
    staged: cluster.stagedFor(endpoint, 'egress').map((p) => p.ref),
  };
}

/** Computes the egress of every known endpoint, sorted by endpoint. */
export function egressReport(cluster: Cluster): EgressReport {
  return {
    ipblockMatchesPods: cluster.catalog.ipblockMatchesPods,
    workloads: cluster.endpoints.map((ep) => workloadEgress(cluster, ep)),
  };
}
