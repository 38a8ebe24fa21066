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

import { cidrRange, compactCidrs, formatCidr, IpRange, partitionFamily } from '../net';
import { ANY_NAMESPACE } from './catalog';
import { Cluster } from './cluster';
import { Endpoint, EndpointKind, Entity, NAMESPACE_NAME_LABEL } from './endpoints';
import { labelsKey, labelsToObject } from './labels';
import { formatPortRange, PortRange, portAtoms, PortValue, Protocol, PROTOCOLS } from './ports';
import { decide, filterPlans, PolicyKind, policyName, Rule, TierPlan, Verdict } from './policy';
import { StagedRef, stagedRef } from './reach';

/** A destination: addresses outside the known endpoints, or pods. */
export type Destination =
  | { readonly type: 'cidr'; readonly cidr: string; readonly except?: readonly string[] }
  | {
      readonly type: 'pods';
      /** The namespace, or `*` for any namespace (with `namespaceLabels` when the rule asks for some). */
      readonly namespace: string;
      readonly namespaceLabels?: Readonly<Record<string, string>>;
      /** For a known endpoint its own labels; for a class of pods the labels a rule asks for (`*`: any value). */
      readonly labels: Readonly<Record<string, string>>;
      /** Set when the destination is a known endpoint. */
      readonly endpoint?: string;
    };

/** What decided a reach entry. */
export interface DecidedBy {
  /** `rule`: an Allow or Deny rule; `no-policy`: no egress policy applies; `profile`: the last tier passed. */
  readonly reason: 'rule' | 'no-policy' | 'profile';
  readonly action: 'Allow' | 'Deny';
  readonly tier?: string;
  readonly kind?: PolicyKind;
  readonly policy?: string;
  readonly rule?: number;
}

/** One destination, protocol and contiguous port range (or port name), and what decided it. */
export interface ReachEntry {
  readonly to: Destination;
  readonly protocol: Protocol;
  /** `443`, `8000-8100`, `1-65535`, or a port name for a class of pods whose ports are unknown. */
  readonly ports: string;
  readonly decidedBy: DecidedBy;
}

/** The egress of one workload. */
export interface WorkloadEgress {
  readonly endpoint: string;
  readonly kind: EndpointKind;
  /** True when some enforced policy applies to the workload for egress. */
  readonly isolated: boolean;
  /** The enforced policies that apply for egress, in evaluation order. */
  readonly policies: readonly { readonly tier: string; readonly kind: PolicyKind; readonly policy: string }[];
  readonly allowed: readonly ReachEntry[];
  /** Explicit Deny rules that match (the implicit deny at the end of a tier is not listed). */
  readonly denied: readonly ReachEntry[];
  /** Staged policies selecting the workload for egress: not enforced, never part of allowed/denied. */
  readonly staged: readonly StagedRef[];
}

/** Egress of every known endpoint. */
export interface EgressReport {
  readonly note: string;
  readonly ipblockMatchesPods: boolean;
  readonly workloads: readonly WorkloadEgress[];
}

/** What the report says about itself, in its output. */
export const EGRESS_NOTE =
  "Sender side only: each workload's own egress policies are evaluated; the receiver's ingress policies are not part of this listing. " +
  'cidr: addresses outside the known endpoints. pods: known endpoints that a rule names (with endpoint), representative pods for each class of pods a rule names, ' +
  'and namespace "*" with no labels for any other pod. One entry per destination, protocol, contiguous port range and deciding rule.';

function decidedBy(v: Verdict): DecidedBy {
  if (v.reason === 'rule') {
    return { reason: 'rule', action: v.allowed ? 'Allow' : 'Deny', tier: v.tier.name, kind: v.policy.ref.kind, policy: policyName(v.policy.ref), rule: v.rule.index };
  }
  if (v.reason === 'profile') return { reason: 'profile', action: 'Allow', tier: v.tier.name };
  return { reason: 'no-policy', action: 'Allow' };
}

function decidedKey(d: DecidedBy): string {
  return [d.reason, d.tier ?? '', d.kind ?? '', d.policy ?? '', d.rule ?? ''].join('\u0000');
}

/** True for the verdicts the report lists: everything allowed, and explicit Deny rules. */
function listed(v: Verdict): boolean {
  return v.allowed || v.reason === 'rule';
}

interface Run {
  readonly ports: PortRange | string;
  readonly verdict: Verdict;
}

/** Evaluates one destination over every protocol and port piece, merging consecutive pieces with one verdict. */
function runs(plans: readonly TierPlan[], dst: Entity, atoms: readonly PortRange[], names: readonly string[]): Map<Protocol, Run[]> {
  const out = new Map<Protocol, Run[]>();
  for (const protocol of PROTOCOLS) {
    const list: Run[] = [];
    const verdictAt = (port: PortValue): Verdict => decide(plans, (r) => r.matchesService(protocol, port, dst));
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
    for (const name of names) list.push({ ports: name, verdict: verdictAt({ name }) });
    out.set(protocol, list.filter((r) => listed(r.verdict)));
  }
  return out;
}

function portsText(p: PortRange | string): string {
  return typeof p === 'string' ? p : formatPortRange(p);
}

function podDestination(ep: Endpoint): Destination {
  if (ep.kind !== 'Phantom') return { type: 'pods', namespace: ep.namespace.name, labels: labelsToObject(ep.labels), endpoint: ep.id };
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

function destinationSortKey(d: Destination): string[] {
  if (d.type === 'cidr') {
    const version = d.cidr.includes(':') ? '6' : '4';
    return ['0', version];
  }
  return ['1', d.namespace, d.endpoint ?? '', JSON.stringify(d.namespaceLabels ?? {}), JSON.stringify(d.labels)];
}

function compareEntries(a: ReachEntry & { order: bigint[] }, b: ReachEntry & { order: bigint[] }): number {
  const ka = destinationSortKey(a.to);
  const kb = destinationSortKey(b.to);
  for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
    if (ka[i] !== kb[i]) return (ka[i] ?? '') < (kb[i] ?? '') ? -1 : 1;
  }
  for (let i = 0; i < Math.max(a.order.length, b.order.length); i++) {
    if (a.order[i] !== b.order[i]) return (a.order[i] ?? 0n) < (b.order[i] ?? 0n) ? -1 : 1;
  }
  const pa = PROTOCOL_ORDER.get(a.protocol)! - PROTOCOL_ORDER.get(b.protocol)!;
  if (pa !== 0) return pa;
  const na = /^[0-9]/.test(a.ports) ? parseInt(a.ports, 10) : 70000;
  const nb = /^[0-9]/.test(b.ports) ? parseInt(b.ports, 10) : 70000;
  if (na !== nb) return na - nb;
  if (a.ports !== b.ports) return a.ports < b.ports ? -1 : 1;
  const da = decidedKey(a.decidedBy);
  const db = decidedKey(b.decidedBy);
  return da < db ? -1 : da > db ? 1 : 0;
}

/** Computes the egress of one known endpoint. */
export function workloadEgress(cluster: Cluster, endpoint: Endpoint): WorkloadEgress {
  const { catalog } = cluster;
  const plans = cluster.plans(endpoint, 'egress');
  const sender = catalog.entityOf(endpoint);
  const mine = filterPlans(plans, (r) => r.matchesSource(sender));
  const rules: Rule[] = mine.flatMap((p) => p.policies.flatMap((x) => x.rules));

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

  const names = [...new Set(rules.flatMap((r) => r.portNames))].sort();
  const namedNumbers: PortRange[] = [];
  if (names.length > 0) {
    for (const ep of known) for (const c of ep.ports) if (c.name && names.includes(c.name)) namedNumbers.push({ from: c.port, to: c.port });
  }
  const atoms = portAtoms([...rules.flatMap((r) => r.ports), ...namedNumbers]);

  const blocks: IpRange[] = rules.flatMap((r) => r.destinationNets);
  if (rules.some((r) => r.destinationSelects)) for (const s of catalog.networkSets) blocks.push(...s.nets);

  const allowed: (ReachEntry & { order: bigint[] })[] = [];
  const denied: (ReachEntry & { order: bigint[] })[] = [];
  const add = (entry: ReachEntry, order: bigint[]): void => {
    (entry.decidedBy.action === 'Allow' ? allowed : denied).push({ ...entry, order });
  };

  const groups = new Map<string, { protocol: Protocol; ports: string; decided: DecidedBy; ranges: IpRange[] }>();
  for (const version of [4, 6] as const) {
    for (const piece of partitionFamily(version, blocks)) {
      const dst = catalog.external({ version, value: piece.first });
      const byProtocol = runs(filterPlans(mine, (r) => r.matchesDestination(dst)), dst, atoms, []);
      for (const [protocol, list] of byProtocol) {
        for (const run of list) {
          const decided = decidedBy(run.verdict);
          const ports = portsText(run.ports);
          const key = `${protocol}\u0000${ports}\u0000${decidedKey(decided)}`;
          const g = groups.get(key);
          if (g) g.ranges.push(piece);
          else groups.set(key, { protocol, ports, decided, ranges: [piece] });
        }
      }
    }
  }
  for (const g of groups.values()) {
    for (const { cidr, except } of compactCidrs(g.ranges)) {
      const to: Destination = except.length > 0 ? { type: 'cidr', cidr: formatCidr(cidr), except: except.map(formatCidr) } : { type: 'cidr', cidr: formatCidr(cidr) };
      const r = cidrRange(cidr);
      add({ to, protocol: g.protocol, ports: g.ports, decidedBy: g.decided }, [r.first, BigInt(cidr.prefix)]);
    }
  }

  for (const ep of [...known, ...phantoms.values()]) {
    const dst = catalog.entityOf(ep);
    const byProtocol = runs(filterPlans(mine, (r) => r.matchesDestination(dst)), dst, atoms, ep.kind === 'Phantom' ? names : []);
    const to = podDestination(ep);
    for (const [protocol, list] of byProtocol) {
      for (const run of list) add({ to, protocol, ports: portsText(run.ports), decidedBy: decidedBy(run.verdict) }, []);
    }
  }

  const strip = (list: (ReachEntry & { order: bigint[] })[]): ReachEntry[] =>
    list.sort(compareEntries).map(({ to, protocol, ports, decidedBy: d }) => ({ to, protocol, ports, decidedBy: d }));
  return {
    endpoint: endpoint.id,
    kind: endpoint.kind,
    isolated: plans.length > 0,
    policies: plans.flatMap((p) => p.policies.map(({ policy }) => ({ tier: p.tier.name, kind: policy.ref.kind, policy: policyName(policy.ref) }))),
    allowed: strip(allowed),
    denied: strip(denied),
    staged: cluster.stagedFor(endpoint, 'egress').map(stagedRef),
  };
}

/** Computes the egress of every known endpoint, sorted by endpoint. */
export function egressReport(cluster: Cluster): EgressReport {
  return {
    note: EGRESS_NOTE,
    ipblockMatchesPods: cluster.catalog.ipblockMatchesPods,
    workloads: cluster.endpoints.map((ep) => workloadEgress(cluster, ep)),
  };
}
