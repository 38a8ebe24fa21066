/**
 * Random ClusterNetworkPolicies, AdminNetworkPolicies, a BaselineAdminNetworkPolicy and Kubernetes
 * NetworkPolicies, judged by the verifier and by a second evaluator written here from the API's
 * documents alone, as plainly as it can be: a loop over tiers, policies and rules per connection.
 * They must agree on every connection between the pods and a few addresses; and the egress
 * listing must agree with the connections the verifier answers one by one.
 */
import fc from 'fast-check';
import { parseCalicoVersion } from './calico-version';
import { workloadEgress } from './egress';
import { isNamedPort } from './ports';
import { query } from './reach';
import { parseCidrLenient, parseIp, cidrContainsIp } from '../net';
import { readCluster, namespace, networkPolicy, pod } from '../../test/support/verify-builders';
import { runs } from '../../test/support/runs';
import { Protocol } from '../k8s';

type Labels = Record<string, string>;

interface World {
  readonly namespaces: Record<string, Labels>;
  readonly pods: readonly {
    readonly ns: string;
    readonly name: string;
    readonly labels: Labels;
    readonly ip: string;
    readonly ports: { name: string; port: number; protocol: Protocol }[];
  }[];
}

/** Three pods in two namespaces, with named ports; the namespaces' labels vary. */
const worldArb = fc.record({ teamA: fc.constantFrom('x', 'y'), teamB: fc.constantFrom('x', 'y') }).map(({ teamA, teamB }): World => ({
  namespaces: { a: { team: teamA }, b: { team: teamB } },
  pods: [
    { ns: 'a', name: 'web', labels: { app: 'web' }, ip: '10.0.0.1', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
    { ns: 'a', name: 'db', labels: { app: 'db' }, ip: '10.0.0.2', ports: [] },
    { ns: 'b', name: 'web', labels: { app: 'web' }, ip: '10.0.1.3', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
  ],
}));

type PeerSpec =
  | { readonly kind: 'namespaces'; readonly match: Labels }
  | { readonly kind: 'pods'; readonly ns: Labels; readonly pods: Labels }
  | { readonly kind: 'networks'; readonly cidrs: readonly string[] };
type PortSpec = { readonly protocol: Protocol; readonly from: number; readonly to: number } | { readonly named: string };
interface RuleSpec {
  readonly action: 'Allow' | 'Deny' | 'Pass';
  readonly peers: readonly PeerSpec[];
  readonly ports: readonly PortSpec[];
}
interface ApiPolicySpec {
  readonly kind: 'ClusterNetworkPolicy' | 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy';
  readonly name: string;
  readonly level: 'Admin' | 'Baseline';
  readonly priority: number;
  readonly subject: { readonly ns: Labels; readonly pods?: Labels };
  readonly ingress: readonly RuleSpec[];
  readonly egress: readonly RuleSpec[];
}
interface NpSpec {
  readonly ns: string;
  readonly name: string;
  readonly pods: Labels;
  readonly types: readonly ('Ingress' | 'Egress')[];
  readonly ingress: readonly { readonly peers: readonly NpPeer[]; readonly ports: readonly PortSpec[] }[];
  readonly egress: readonly { readonly peers: readonly NpPeer[]; readonly ports: readonly PortSpec[] }[];
}
type NpPeer = { readonly cidr: string } | { readonly ns?: Labels; readonly pods?: Labels };

const labelsArb = fc.constantFrom<Labels>({}, { team: 'x' }, { team: 'y' }, { 'kubernetes.io/metadata.name': 'a' }, { 'kubernetes.io/metadata.name': 'b' });
const podLabelsArb = fc.constantFrom<Labels>({}, { app: 'web' }, { app: 'db' });
const cidrArb = fc.constantFrom('10.0.0.0/24', '10.0.0.2/32', '10.0.1.0/24', '10.0.0.0/8', '0.0.0.0/0', '192.0.2.0/24');
const peerArb: fc.Arbitrary<PeerSpec> = fc.oneof(
  labelsArb.map((match) => ({ kind: 'namespaces' as const, match })),
  fc.record({ ns: labelsArb, pods: podLabelsArb }).map((p) => ({ kind: 'pods' as const, ...p })),
  fc.array(cidrArb, { minLength: 1, maxLength: 2 }).map((cidrs) => ({ kind: 'networks' as const, cidrs: [...new Set(cidrs)] })),
);
const portArb: fc.Arbitrary<PortSpec> = fc.oneof(
  fc.record({ protocol: fc.constantFrom<Protocol>('TCP', 'UDP'), from: fc.constantFrom(53, 80, 8080), span: fc.constantFrom(0, 0, 30) }).map((p) => ({
    protocol: p.protocol,
    from: p.from,
    to: p.from + p.span,
  })),
  fc.constantFrom('http', 'dns').map((named) => ({ named })),
);
const ruleArb = (actions: readonly RuleSpec['action'][]): fc.Arbitrary<RuleSpec> =>
  fc.record({ action: fc.constantFrom(...actions), peers: fc.array(peerArb, { minLength: 1, maxLength: 2 }), ports: fc.array(portArb, { maxLength: 2 }) });

const apiPolicyArb = (kind: ApiPolicySpec['kind'], index: number): fc.Arbitrary<ApiPolicySpec> => {
  const actions: RuleSpec['action'][] = kind === 'BaselineAdminNetworkPolicy' ? ['Allow', 'Deny'] : ['Allow', 'Deny', 'Pass'];
  return fc
    .record({
      level:
        kind === 'ClusterNetworkPolicy'
          ? fc.constantFrom<'Admin' | 'Baseline'>('Admin', 'Baseline')
          : fc.constant(kind === 'AdminNetworkPolicy' ? 'Admin' : 'Baseline'),
      priority: fc.integer({ min: 0, max: 3 }),
      subject: fc.record({ ns: labelsArb, pods: fc.option(podLabelsArb, { nil: undefined }) }),
      ingress: fc.array(ruleArb(actions), { maxLength: 3 }),
      egress: fc.array(ruleArb(actions), { maxLength: 3 }),
    })
    .map((p) => ({
      kind,
      name: kind === 'BaselineAdminNetworkPolicy' ? 'default' : `${kind === 'ClusterNetworkPolicy' ? 'c' : 'a'}${index}`,
      ...p,
      // The BaselineAdminNetworkPolicy has no priority: the verifier places it at 1000, after every
      // Baseline ClusterNetworkPolicy but those at 1000 named after "default" (as Calico orders it in its tier).
      priority: kind === 'BaselineAdminNetworkPolicy' ? 1000 : p.priority,
      subject: p.subject.pods === undefined ? { ns: p.subject.ns } : { ns: p.subject.ns, pods: p.subject.pods },
    }));
};

const npPeerArb: fc.Arbitrary<NpPeer> = fc.oneof(
  fc.constantFrom('10.0.0.0/24', '10.0.1.3/32', '0.0.0.0/0').map((cidr) => ({ cidr })),
  fc
    .record({ ns: fc.option(labelsArb, { nil: undefined }), pods: fc.option(podLabelsArb, { nil: undefined }) })
    .filter((p) => p.ns !== undefined || p.pods !== undefined),
);
const npArb = (index: number): fc.Arbitrary<NpSpec> =>
  fc
    .record({
      ns: fc.constantFrom('a', 'b'),
      pods: podLabelsArb,
      types: fc.constantFrom<('Ingress' | 'Egress')[]>(['Ingress'], ['Egress'], ['Ingress', 'Egress']),
      ingress: fc.array(fc.record({ peers: fc.array(npPeerArb, { maxLength: 2 }), ports: fc.array(portArb, { maxLength: 1 }) }), { maxLength: 2 }),
      egress: fc.array(fc.record({ peers: fc.array(npPeerArb, { maxLength: 2 }), ports: fc.array(portArb, { maxLength: 1 }) }), { maxLength: 2 }),
    })
    .map((np) => ({ ...np, name: `np${index}` }));

const scenarioArb = fc.record({
  world: worldArb,
  cnps: fc
    .tuple(apiPolicyArb('ClusterNetworkPolicy', 0), apiPolicyArb('ClusterNetworkPolicy', 1), apiPolicyArb('ClusterNetworkPolicy', 2))
    .chain((all) => fc.integer({ min: 0, max: 3 }).map((n) => all.slice(0, n))),
  anps: fc
    .tuple(apiPolicyArb('AdminNetworkPolicy', 0), apiPolicyArb('AdminNetworkPolicy', 1))
    .chain((all) => fc.integer({ min: 0, max: 2 }).map((n) => all.slice(0, n))),
  banp: fc.option(apiPolicyArb('BaselineAdminNetworkPolicy', 0), { nil: undefined }),
  nps: fc.tuple(npArb(0), npArb(1)).chain((all) => fc.integer({ min: 0, max: 2 }).map((n) => all.slice(0, n))),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

// ---- the manifests ----

const matchLabels = (labels: Labels) => ({ matchLabels: labels });

function manifests(s: Scenario): Record<string, unknown>[] {
  const apiPort = (kind: ApiPolicySpec['kind']) => (p: PortSpec) => {
    if (kind === 'ClusterNetworkPolicy') {
      if ('named' in p) return { destinationNamedPort: p.named };
      return { [p.protocol.toLowerCase()]: { destinationPort: p.from === p.to ? { number: p.from } : { range: { start: p.from, end: p.to } } } };
    }
    if ('named' in p) return { namedPort: p.named };
    return p.from === p.to ? { portNumber: { protocol: p.protocol, port: p.from } } : { portRange: { protocol: p.protocol, start: p.from, end: p.to } };
  };
  const apiPeer = (p: PeerSpec) =>
    p.kind === 'namespaces'
      ? { namespaces: matchLabels(p.match) }
      : p.kind === 'pods'
        ? { pods: { namespaceSelector: matchLabels(p.ns), podSelector: matchLabels(p.pods) } }
        : { networks: [...p.cidrs] };
  const api = (p: ApiPolicySpec) => {
    const rules = (list: readonly RuleSpec[], way: 'to' | 'from') =>
      list.map((r) => {
        const action = p.kind === 'ClusterNetworkPolicy' && r.action === 'Allow' ? 'Accept' : r.action;
        const ports = r.ports.map(apiPort(p.kind));
        // Only egress peers may be networks; an ingress rule keeps its pod and namespace peers, or takes every namespace.
        const peers = way === 'from' ? r.peers.filter((x) => x.kind !== 'networks') : r.peers;
        return {
          action,
          [way]: (peers.length ? peers : [{ kind: 'namespaces', match: {} } as PeerSpec]).map(apiPeer),
          ...(ports.length ? { [p.kind === 'ClusterNetworkPolicy' ? 'protocols' : 'ports']: ports } : {}),
        };
      });
    const spec = {
      ...(p.kind === 'BaselineAdminNetworkPolicy' ? {} : { priority: p.priority }),
      ...(p.kind === 'ClusterNetworkPolicy' ? { tier: p.level } : {}),
      subject: p.subject.pods
        ? { pods: { namespaceSelector: matchLabels(p.subject.ns), podSelector: matchLabels(p.subject.pods) } }
        : { namespaces: matchLabels(p.subject.ns) },
      ingress: rules(p.ingress, 'from'),
      egress: rules(p.egress, 'to'),
    };
    return {
      apiVersion: `policy.networking.k8s.io/${p.kind === 'ClusterNetworkPolicy' ? 'v1alpha2' : 'v1alpha1'}`,
      kind: p.kind,
      metadata: { name: p.name },
      spec,
    };
  };
  const npPort = (p: PortSpec) =>
    'named' in p ? { protocol: 'TCP', port: p.named } : { protocol: p.protocol, port: p.from, ...(p.to > p.from ? { endPort: p.to } : {}) };
  const npPeer = (p: NpPeer) =>
    'cidr' in p
      ? { ipBlock: { cidr: p.cidr } }
      : { ...(p.ns ? { namespaceSelector: matchLabels(p.ns) } : {}), ...(p.pods ? { podSelector: matchLabels(p.pods) } : {}) };
  return [
    ...Object.entries(s.world.namespaces).map(([name, labels]) => namespace(name, labels)),
    ...s.world.pods.map((p) =>
      pod(p.ns, p.name, p.labels, { ip: p.ip, ports: p.ports.map((x) => ({ name: x.name, containerPort: x.port, protocol: x.protocol })) }),
    ),
    ...[...s.cnps, ...s.anps, ...(s.banp ? [s.banp] : [])].map(api),
    ...s.nps.map((np) =>
      networkPolicy(np.ns, np.name, {
        podSelector: matchLabels(np.pods),
        policyTypes: np.types,
        ingress: np.ingress.map((r) => ({ from: r.peers.map(npPeer), ports: r.ports.map(npPort) })),
        egress: np.egress.map((r) => ({ to: r.peers.map(npPeer), ports: r.ports.map(npPort) })),
      }),
    ),
  ];
}

// ---- the second evaluator: the API's documents, as a plain loop ----

type End = { readonly pod: World['pods'][number] } | { readonly ip: string };

function labelsMatch(want: Labels, have: Labels): boolean {
  return Object.entries(want).every(([k, v]) => have[k] === v);
}

function nsLabels(world: World, ns: string): Labels {
  return { ...world.namespaces[ns], 'kubernetes.io/metadata.name': ns };
}

function ipOf(e: End): string {
  return 'pod' in e ? e.pod.ip : e.ip;
}

function inCidr(cidr: string, ip: string): boolean {
  return cidrContainsIp(parseCidrLenient(cidr)!, parseIp(ip)!);
}

/** A port list matches: empty matches all; a number or range of the protocol; a name resolved on the destination pod, with its own protocol. */
function portsMatch(ports: readonly PortSpec[], protocol: Protocol, port: number, destination: End, npNamedTcp = false): boolean {
  if (ports.length === 0) return true;
  return ports.some((p) => {
    if ('named' in p) {
      if (!('pod' in destination)) return false;
      return destination.pod.ports.some((c) => c.name === p.named && c.port === port && c.protocol === protocol && (!npNamedTcp || protocol === 'TCP'));
    }
    return p.protocol === protocol && p.from <= port && port <= p.to;
  });
}

function apiPeerMatches(world: World, p: PeerSpec, e: End): boolean {
  if (p.kind === 'networks') return p.cidrs.some((c) => inCidr(c, ipOf(e)));
  if (!('pod' in e)) return false;
  const ns = nsLabels(world, e.pod.ns);
  return p.kind === 'namespaces' ? labelsMatch(p.match, ns) : labelsMatch(p.ns, ns) && labelsMatch(p.pods, e.pod.labels);
}

function npPeerMatches(world: World, np: NpSpec, p: NpPeer, e: End): boolean {
  if ('cidr' in p) return inCidr(p.cidr, ipOf(e));
  if (!('pod' in e)) return false;
  const inNs = p.ns ? labelsMatch(p.ns, nsLabels(world, e.pod.ns)) : e.pod.ns === np.ns;
  return inNs && (p.pods === undefined || labelsMatch(p.pods, e.pod.labels));
}

/**
 * One direction at one pod: the Admin tier by priority then name, rules in order (Allow/Accept
 * and Deny decide, Pass leaves the tier); then, if a NetworkPolicy selects the pod for the
 * direction, whether one of them allows; then the Baseline tier; then allow.
 */
function decides(
  s: Scenario,
  served: (p: ApiPolicySpec) => boolean,
  local: World['pods'][number],
  direction: 'ingress' | 'egress',
  peer: End,
  protocol: Protocol,
  port: number,
  destination: End,
): boolean {
  const { world } = s;
  const apiPolicies = [...s.cnps, ...s.anps, ...(s.banp ? [s.banp] : [])]
    .filter(served)
    .filter((p) => labelsMatch(p.subject.ns, nsLabels(world, local.ns)) && (p.subject.pods === undefined || labelsMatch(p.subject.pods, local.labels)))
    .sort((a, b) => a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const runTier = (level: 'Admin' | 'Baseline'): boolean | undefined => {
    for (const p of apiPolicies.filter((x) => x.level === level)) {
      for (const r of p[direction]) {
        const peers = direction === 'ingress' ? r.peers.filter((x) => x.kind !== 'networks') : r.peers;
        const matched = (peers.length ? peers : [{ kind: 'namespaces', match: {} } as PeerSpec]).some((x) => apiPeerMatches(world, x, peer));
        if (!matched || !portsMatch(r.ports, protocol, port, destination)) continue;
        if (r.action === 'Pass') return undefined;
        return r.action === 'Allow';
      }
    }
    return undefined;
  };
  const admin = runTier('Admin');
  if (admin !== undefined) return admin;
  const nps = s.nps.filter(
    (np) => np.ns === local.ns && labelsMatch(np.pods, local.labels) && np.types.includes(direction === 'ingress' ? 'Ingress' : 'Egress'),
  );
  if (nps.length > 0) {
    return nps.some((np) =>
      np[direction].some(
        (r) => (r.peers.length === 0 || r.peers.some((x) => npPeerMatches(world, np, x, peer))) && portsMatch(r.ports, protocol, port, destination, true),
      ),
    );
  }
  return runTier('Baseline') ?? true;
}

function oracle(s: Scenario, served: (p: ApiPolicySpec) => boolean, from: End, to: End, protocol: Protocol, port: number): boolean {
  const egress = 'pod' in from ? decides(s, served, from.pod, 'egress', to, protocol, port, to) : true;
  const ingress = 'pod' in to ? decides(s, served, to.pod, 'ingress', from, protocol, port, to) : true;
  return egress && ingress;
}

const ADDRESSES = ['10.0.2.5', '192.0.2.1'];
const PORTS: readonly [Protocol, number][] = [
  ['TCP', 80],
  ['TCP', 8080],
  ['TCP', 8090],
  ['UDP', 53],
  ['UDP', 54],
];

function ends(world: World): { id: string; end: End }[] {
  return [...world.pods.map((p) => ({ id: `${p.ns}/${p.name}`, end: { pod: p } })), ...ADDRESSES.map((ip) => ({ id: ip, end: { ip } }))];
}

describe('the network-policy-api tiers (property-based)', () => {
  it('agree with a plain evaluator of the API on every connection, undeclared (every kind) and on Calico 3.32 (ClusterNetworkPolicy only)', () => {
    fc.assert(
      fc.property(scenarioArb, fc.boolean(), (s, on332) => {
        const served = (p: ApiPolicySpec) => !on332 || p.kind === 'ClusterNetworkPolicy';
        const c = readCluster(manifests(s), on332 ? { calico: parseCalicoVersion('3.32')! } : {});
        const all = ends(s.world);
        for (const from of all) {
          for (const to of all) {
            if (from.id === to.id || (!('pod' in from.end) && !('pod' in to.end))) continue;
            for (const [protocol, port] of PORTS) {
              const expected = oracle(s, served, from.end, to.end, protocol, port);
              const answered = query(c, from.id, to.id, port, protocol).allowed;
              expect({ from: from.id, to: to.id, protocol, port, allowed: answered }).toEqual({ from: from.id, to: to.id, protocol, port, allowed: expected });
            }
          }
        }
      }),
      { numRuns: runs(30) },
    );
  });

  it('the egress listing agrees with the connections answered one by one', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const c = readCluster(manifests(s));
        for (const local of s.world.pods) {
          const id = `${local.ns}/${local.name}`;
          const listed = workloadEgress(c, c.endpoint(id)!);
          for (const to of ends(s.world)) {
            if (to.id === id) continue;
            for (const [protocol, port] of PORTS) {
              const ip = parseIp('pod' in to.end ? to.end.pod.ip : to.end.ip)!;
              const entries = listed.allowed.filter((e) => e.protocol === protocol && !isNamedPort(e.ports) && e.ports.from <= port && port <= e.ports.to);
              const byPod = entries.some((e) => e.to.type === 'pods' && e.to.endpoint?.id === to.id);
              const named = [...listed.allowed, ...listed.denied].some((e) => e.to.type === 'pods' && e.to.endpoint?.id === to.id);
              const byAddress = entries.some((e) => e.to.type === 'cidr' && cidrContainsIp(e.to.cidr, ip) && !e.to.except.some((x) => cidrContainsIp(x, ip)));
              const anyPod = entries.some(
                (e) => e.to.type === 'pods' && !e.to.endpoint && e.to.namespace === '*' && !e.to.namespaceLabels && Object.keys(e.to.labels).length === 0,
              );
              const asked = query(c, id, to.id, port, protocol).egress.allowed;
              const at = { from: id, to: to.id, protocol, port };
              if (!('pod' in to.end)) expect({ ...at, listed: byAddress }).toEqual({ ...at, listed: asked });
              // A pod the listing names is listed exactly as it is answered; one it does not name
              // (no rule tells it apart, or every rule denies it without saying) is allowed only as "any other pod" is.
              else if (named) expect({ ...at, listed: byPod }).toEqual({ ...at, listed: asked });
              else if (asked) expect({ ...at, listed: anyPod }).toEqual({ ...at, listed: true });
            }
          }
        }
      }),
      { numRuns: runs(15) },
    );
  });
});
