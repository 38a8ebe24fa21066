/**
 * Flow records whose deciding or passing hit is a policy of the network-policy-api: Calico reports
 * a ClusterNetworkPolicy (3.32) under its kind and name in the tier `kube-admin` or
 * `kube-baseline`, and an AdminNetworkPolicy or BaselineAdminNetworkPolicy (3.30, 3.31) in
 * `adminnetworkpolicy` or `baselineadminnetworkpolicy`. The verifier compares such a hit with its
 * own deciding rule like any other, by policy (Calico converts their rules, so indexes differ).
 */
import { FlowEnd, FlowRecord, PolicyHit } from '../flows';
import { deployment, namespace, networkPolicy, readCluster } from '../../test/support/verify-builders';
import { observe, ObservedReport } from './observed';
import { parseCalicoVersion } from './calico-version';

type Obj = Record<string, unknown>;

const workload = (ns: string, name: string, labels: Record<string, string>): FlowEnd => ({ type: 'WorkloadEndpoint', name, namespace: ns, labels });

let line = 0;
function rec(r: Partial<FlowRecord> & Pick<FlowRecord, 'source' | 'destination'>): FlowRecord {
  return {
    line: ++line,
    format: 'goldmane',
    port: 6333,
    protocol: 'TCP',
    reporter: 'Src',
    action: 'Allow',
    enforced: [],
    pending: [],
    startTime: 1748854800,
    endTime: 1748854815,
    packets: 2,
    bytes: 100,
    ...r,
  };
}

const hit = (h: Partial<PolicyHit> & Pick<PolicyHit, 'kind' | 'action' | 'name' | 'tier'>): PolicyHit => ({ policyIndex: 0, ruleIndex: 0, ...h });

const toNamespace = (name: string) => ({ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
const subject = { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'ai' } } };
const base: Obj[] = [
  namespace('ai'),
  namespace('vector-db'),
  deployment('ai', 'rag', { app: 'rag' }),
  deployment('vector-db', 'qdrant', { app: 'qdrant' }),
  // Without the Admin tier's verdict, ai/rag may send nowhere.
  networkPolicy('ai', 'deny-all', { podSelector: {}, policyTypes: ['Egress'] }),
];
const cnp = (name: string, tier: 'Admin' | 'Baseline', spec: Obj): Obj => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha2',
  kind: 'ClusterNetworkPolicy',
  metadata: { name },
  spec: { tier, priority: 5, subject, ...spec },
});
const anp = (name: string, spec: Obj): Obj => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind: 'AdminNetworkPolicy',
  metadata: { name },
  spec: { priority: 5, subject, ...spec },
});

/** Two ports to qdrant and UDP besides: Calico writes one rule per protocol and peer, so the allowed TCP port's rule is not at index 0. */
const open = cnp('open-db', 'Admin', {
  egress: [
    {
      name: 'db',
      action: 'Accept',
      to: [toNamespace('vector-db')],
      protocols: [{ udp: { destinationPort: { number: 53 } } }, { tcp: { destinationPort: { number: 6333 } } }],
    },
  ],
});

const rag = workload('ai', 'rag-5d8f7c6b9d-*', { app: 'rag' });
const qdrant = workload('vector-db', 'qdrant-7b9c6d5f4-*', { app: 'qdrant' });
const toQdrant = (enforced: PolicyHit[]) => rec({ source: rag, destination: qdrant, enforced });

const observed = (objects: Obj[], records: FlowRecord[], calico?: string): ObservedReport =>
  observe(readCluster(objects, calico ? { calico: parseCalicoVersion(calico)! } : {}), { records, malformed: [] });

describe('observed flows decided by the network-policy-api', () => {
  it.each([
    ['read for Calico 3.32.1, whose tier is kube-admin', '3.32.1'],
    ['read for no Calico release, whose tier is the API’s Admin', undefined],
  ])(
    "agrees when the record names the deciding ClusterNetworkPolicy by Calico's kind, name and tier kube-admin, whatever rule index Calico's conversion gave it (%s)",
    (_, calico) => {
      const r = observed(
        [...base, open],
        [toQdrant([hit({ kind: 'ClusterNetworkPolicy', name: 'open-db', tier: 'kube-admin', action: 'Allow', ruleIndex: 1 })])],
        calico,
      );
      expect(r.findings).toEqual([]);
      expect(r.allowed).toHaveLength(1);
    },
  );

  it('finds the record that names another ClusterNetworkPolicy, one the manifests do not hold', () => {
    const r = observed([...base, open], [toQdrant([hit({ kind: 'ClusterNetworkPolicy', name: 'other', tier: 'kube-admin', action: 'Allow' })])], '3.32.1');
    expect(r.findings.map((f) => [f.kind, f.policyHeld])).toEqual([['rule', false]]);
  });

  it('finds the record that names the policy in the other tier: a Baseline hit is not the Admin policy', () => {
    const r = observed([...base, open], [toQdrant([hit({ kind: 'ClusterNetworkPolicy', name: 'open-db', tier: 'kube-baseline', action: 'Allow' })])], '3.32.1');
    expect(r.findings.map((f) => [f.kind, f.policyHeld])).toEqual([['rule', false]]);
  });

  it('agrees with an AdminNetworkPolicy hit of Calico 3.31, in the tier adminnetworkpolicy', () => {
    const guard = anp('open-db', {
      egress: [{ name: 'db', action: 'Allow', to: [toNamespace('vector-db')], ports: [{ portNumber: { protocol: 'TCP', port: 6333 } }] }],
    });
    const r = observed(
      [...base, guard],
      [toQdrant([hit({ kind: 'AdminNetworkPolicy', name: 'open-db', tier: 'adminnetworkpolicy', action: 'Allow' })])],
      '3.31',
    );
    expect(r.findings).toEqual([]);
    expect(r.allowed).toHaveLength(1);
  });

  it('agrees with a recorded Pass of the Admin tier on the way to the NetworkPolicy that decides', () => {
    const pass = cnp('pass-db', 'Admin', { egress: [{ action: 'Pass', to: [toNamespace('vector-db')] }] });
    const allow = networkPolicy('ai', 'to-db', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'vector-db' } } }], ports: [{ protocol: 'TCP', port: 6333 }] }],
    });
    const hits = [
      hit({ kind: 'ClusterNetworkPolicy', name: 'pass-db', tier: 'kube-admin', action: 'Pass' }),
      hit({ kind: 'NetworkPolicy', namespace: 'ai', name: 'to-db', tier: 'default', action: 'Allow', policyIndex: 1 }),
    ];
    expect(observed([...base, pass, allow], [toQdrant(hits)], '3.32.1').findings).toEqual([]);
  });
});
