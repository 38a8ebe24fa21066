import { ask, calico, readCluster, deployment, namespace } from '../../test/support/verify-builders';
import { Cluster } from './cluster';

// A Calico policy as the verifier reads it (calico.ts, compileCalicoPolicy): which endpoints it
// applies to, in which directions, where it sits in its tier, and a staged policy's action
// (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy,
// .../globalnetworkpolicy, .../stagednetworkpolicy).
const base = [
  namespace('ai', { team: 'ml' }),
  namespace('vector-db', { team: 'data' }),
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'rag-sa', namespace: 'ai', labels: { role: 'retriever' } } },
  deployment('ai', 'rag', { app: 'rag' }, { serviceAccount: 'rag-sa' }),
  deployment('ai', 'notebook', { app: 'notebook' }),
  deployment('vector-db', 'qdrant', { app: 'qdrant' }),
];
const denyEgress = { types: ['Egress'], egress: [{ action: 'Deny' }] };
const cluster = (...objects: Record<string, unknown>[]): Cluster => readCluster([...base, ...objects]);
const policy = (c: Cluster, name: string) => [...c.policies, ...c.staged].find((p) => p.ref.name === name)!;
const selected = (c: Cluster, name: string) => ['ai/rag', 'ai/notebook', 'vector-db/qdrant'].filter((id) => policy(c, name).selects(c.endpoint(id)!));

describe('which endpoints a Calico policy applies to', () => {
  it('a NetworkPolicy: those of its namespace its selector matches', () => {
    const c = cluster(calico('NetworkPolicy', 'p', { selector: "app == 'rag'", ...denyEgress }, 'ai'), calico('NetworkPolicy', 'all', denyEgress, 'ai'));
    expect(selected(c, 'p')).toEqual(['ai/rag']);
    expect(selected(c, 'all')).toEqual(['ai/rag', 'ai/notebook']);
  });

  it('a GlobalNetworkPolicy: those of every namespace, or of the namespaces its namespaceSelector matches', () => {
    const c = cluster(
      calico('GlobalNetworkPolicy', 'every', denyEgress),
      calico('GlobalNetworkPolicy', 'data', { namespaceSelector: "team == 'data'", ...denyEgress }),
    );
    expect(selected(c, 'every')).toEqual(['ai/rag', 'ai/notebook', 'vector-db/qdrant']);
    expect(selected(c, 'data')).toEqual(['vector-db/qdrant']);
  });

  it('with a serviceAccountSelector: those whose service account has the labels', () => {
    const c = cluster(calico('GlobalNetworkPolicy', 'p', { serviceAccountSelector: "role == 'retriever'", ...denyEgress }));
    expect(selected(c, 'p')).toEqual(['ai/rag']);
  });

  // doNotTrack and preDNAT policies apply to host endpoints only
  // (https://docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy#spec).
  it('with doNotTrack or preDNAT: no pod', () => {
    const c = cluster(
      calico('GlobalNetworkPolicy', 'untracked', { doNotTrack: true, applyOnForward: true, ...denyEgress }),
      calico('GlobalNetworkPolicy', 'dnat', { preDNAT: true, applyOnForward: true, types: ['Ingress'], ingress: [{ action: 'Deny' }] }),
      calico('GlobalNetworkPolicy', 'tracked', { doNotTrack: false, preDNAT: false, ...denyEgress }),
    );
    expect(selected(c, 'untracked')).toEqual([]);
    expect(selected(c, 'dnat')).toEqual([]);
    expect(selected(c, 'tracked')).toHaveLength(3);
  });
});

describe('the directions of a Calico policy', () => {
  // types: "[Ingress] if there are no egress rules, [Egress] if there are only egress rules, [Ingress, Egress] if both" (networkpolicy#spec).
  it('without types: Ingress unless it has only egress rules, Egress when it has egress rules', () => {
    const types = (spec: Record<string, unknown>) => policy(cluster(calico('GlobalNetworkPolicy', 'p', spec)), 'p').types;
    expect(types({})).toEqual({ ingress: true, egress: false });
    expect(types({ ingress: [{ action: 'Allow' }] })).toEqual({ ingress: true, egress: false });
    expect(types({ egress: [{ action: 'Allow' }] })).toEqual({ ingress: false, egress: true });
    expect(types({ ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }] })).toEqual({ ingress: true, egress: true });
    expect(types({ types: ['Egress'], ingress: [{ action: 'Allow' }] })).toEqual({ ingress: false, egress: true });
    // An empty list is defaulted as an absent one (libcalico-go defaultPolicyTypesField: len(types) == 0).
    expect(types({ types: [] })).toEqual({ ingress: true, egress: false });
    expect(types({ types: [], egress: [{ action: 'Allow' }] })).toEqual({ ingress: false, egress: true });
  });
});

describe('where a Calico policy sits', () => {
  it('in the default tier unless it names one; without order, after every ordered policy', () => {
    const c = cluster(
      calico('Tier', 't', { order: 5 }),
      calico('NetworkPolicy', 'p', { tier: '', ...denyEgress }, 'ai'),
      calico('NetworkPolicy', 't.q', { tier: 't', order: 7, ...denyEgress }, 'ai'),
    );
    expect(policy(c, 'p').ref).toEqual({ kind: 'NetworkPolicy', namespace: 'ai', name: 'p', tier: 'default' });
    expect(policy(c, 'p').order).toBe(Infinity);
    expect(policy(c, 't.q').ref.tier).toBe('t');
    expect(policy(c, 't.q').order).toBe(7);
  });

  it('a NetworkPolicy without namespace in the namespace default', () => {
    const c = cluster({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'p' }, spec: denyEgress });
    expect(policy(c, 'p').ref.namespace).toBe('default');
  });

  // Policies of one order run by name (networkpolicy#spec, order); a namespaced one's name is read with its namespace.
  it('ties of order broken by namespace, then name, for namespaced policies', () => {
    const c = cluster(
      calico('NetworkPolicy', 'a', { order: 1, types: ['Egress'], egress: [{ action: 'Allow' }] }, 'vector-db'),
      calico('GlobalNetworkPolicy', 'b', { order: 1, types: ['Egress'], egress: [{ action: 'Deny' }] }),
      calico('GlobalNetworkPolicy', 'w', { order: 1, types: ['Egress'], egress: [{ action: 'Deny' }] }),
    );
    expect(policy(c, 'a').sortName).toBe('vector-db/a');
    expect(policy(c, 'b').sortName).toBe('b');
    expect(ask(c, 'vector-db/qdrant', '203.0.113.10', 443).egress).toMatchObject({ allowed: false, policy: 'b' });
  });
});

describe('a staged Calico policy', () => {
  // https://docs.tigera.io/calico/latest/reference/resources/stagednetworkpolicy: stagedAction Set (the default) or Delete.
  it('is staged, its action Set unless it says Delete; an enforced one has none', () => {
    const c = cluster(
      calico('StagedNetworkPolicy', 'set', { ...denyEgress }, 'ai'),
      calico('StagedGlobalNetworkPolicy', 'delete', { stagedAction: 'Delete', ...denyEgress }),
      calico('NetworkPolicy', 'enforced', { ...denyEgress }, 'ai'),
    );
    expect(policy(c, 'set')).toMatchObject({ staged: true, stagedAction: 'Set' });
    expect(policy(c, 'delete')).toMatchObject({ staged: true, stagedAction: 'Delete' });
    expect(policy(c, 'enforced').staged).toBe(false);
    expect('stagedAction' in policy(c, 'enforced')).toBe(false);
  });
});

describe('a Calico rule in words', () => {
  it('says its action, protocol, ports and each side', () => {
    const c = cluster(
      calico(
        'NetworkPolicy',
        'p',
        {
          types: ['Egress'],
          egress: [
            {
              action: 'Allow',
              protocol: 'TCP',
              source: { nets: ['10.0.0.0/8', '10.1.0.0/16'], notNets: ['10.2.0.0/16', '10.3.0.0/16'] },
              destination: {
                namespaceSelector: "team == 'data'",
                selector: "app == 'qdrant'",
                notSelector: "tier == 'x'",
                serviceAccounts: { names: ['a', 'b'], selector: "role == 'db'" },
                ports: [443, '8000:8100'],
                notPorts: [8080],
              },
            },
            { action: 'Deny', notProtocol: 'UDP' },
            { action: 'Log' },
          ],
        },
        'ai',
      ),
    );
    expect(policy(c, 'p').rules.egress.map((r) => r.describe())).toEqual([
      "Allow TCP ports 443,8000-8100,not 8080 from nets 10.0.0.0/8, 10.1.0.0/16, not nets 10.2.0.0/16, 10.3.0.0/16 to namespaces (team == 'data'), selector (app == 'qdrant'), not selector (tier == 'x'), service accounts a, b, service accounts (role == 'db')",
      'Deny not UDP',
      'Log any protocol',
    ]);
  });
});
