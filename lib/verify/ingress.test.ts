import { formatCidr } from '../net';
import { describePorts } from './ports';
import { workloadEgress } from './egress';
import { workloadIngress } from './ingress';

import { calico, readCluster, deployment, namespace, networkPolicy, pod, brief, EVERYTHING } from '../../test/support/verify-builders';

const cluster = [
  namespace('ai', { team: 'ml' }),
  namespace('vector-db'),
  deployment('ai', 'rag', { app: 'rag' }),
  deployment('ai', 'notebook', { app: 'notebook' }),
  deployment(
    'vector-db',
    'qdrant',
    { app: 'qdrant' },
    {
      ports: [
        { name: 'http', containerPort: 6333 },
        { name: 'grpc', containerPort: 6334 },
      ],
    },
  ),
];
const qdrantIngress = networkPolicy('vector-db', 'qdrant-ingress', {
  podSelector: { matchLabels: { app: 'qdrant' } },
  policyTypes: ['Ingress'],
  ingress: [
    { from: [{ namespaceSelector: { matchLabels: { team: 'ml' } }, podSelector: { matchLabels: { app: 'rag' } } }], ports: [{ port: 'http' }] },
    { from: [{ ipBlock: { cidr: '10.20.0.0/16', except: ['10.20.1.0/24'] } }], ports: [{ port: 6334 }] },
  ],
});

const ingressOf = (objects: Record<string, unknown>[], id: string) => {
  const c = readCluster(objects);
  return workloadIngress(c, c.endpoint(id)!);
};

describe('ingress report: who may reach a workload', () => {
  it('lists the classes of pods, known endpoints and addresses its ingress rules admit, on its own ports with names resolved', () => {
    const w = ingressOf([...cluster, qdrantIngress], 'vector-db/qdrant');
    expect(w.isolated).toBe(true);
    // The namespaceSelector team=ml matches the known namespace ai, so the class of pods is placed there.
    expect(brief(w.allowed)).toEqual(['10.20.0.0/16 except 10.20.1.0/24 TCP 6334', 'ai{"app":"rag"} TCP 6333', 'ai{"app":"rag"}=ai/rag TCP 6333']);
    expect(w.allowed[0].decidedBy).toEqual({
      reason: 'rule',
      action: 'Allow',
      rule: { tier: 'default', kind: 'KubernetesNetworkPolicy', namespace: 'vector-db', name: 'qdrant-ingress', direction: 'ingress', index: 1 },
    });
  });

  it('a workload no ingress policy selects may be reached by everything, and the decision says it is about ingress', () => {
    const w = ingressOf(cluster, 'ai/rag');
    expect(w.isolated).toBe(false);
    expect(brief(w.allowed)).toEqual(EVERYTHING);
    expect(w.allowed[0].decidedBy).toEqual({ reason: 'no-policy', action: 'Allow', direction: 'ingress' });
  });

  it("is the receiver side only: a sender's egress does not narrow it", () => {
    const denyAll = networkPolicy('ai', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] });
    expect(brief(ingressOf([...cluster, qdrantIngress, denyAll], 'vector-db/qdrant').allowed)).toEqual(
      brief(ingressOf([...cluster, qdrantIngress], 'vector-db/qdrant').allowed),
    );
  });

  it('Calico: source nets, selectors and a catch-all Deny, with the catch-all marked', () => {
    const objects = [
      ...cluster,
      calico(
        'NetworkPolicy',
        'qdrant',
        {
          selector: "app == 'qdrant'",
          types: ['Ingress'],
          ingress: [
            { action: 'Allow', protocol: 'TCP', source: { selector: "app == 'rag'", namespaceSelector: 'all()' }, destination: { ports: ['http'] } },
            { action: 'Allow', protocol: 'TCP', source: { nets: ['192.0.2.0/24'] }, destination: { ports: [6334] } },
            { action: 'Deny' },
          ],
        },
        'vector-db',
      ),
    ];
    const w = ingressOf(objects, 'vector-db/qdrant');
    expect(brief(w.allowed)).toEqual(['192.0.2.0/24 TCP 6334', '*{"app":"rag"} TCP 6333', 'ai{"app":"rag"}=ai/rag TCP 6333']);
    expect(w.denied.length).toBeGreaterThan(0);
    expect(w.denied.every((e) => e.catchAll === true && e.decidedBy.reason === 'rule' && e.decidedBy.rule.index === 2)).toBe(true);
  });

  it('a Deny with criteria is not catch-all', () => {
    const objects = [
      ...cluster,
      calico('GlobalNetworkPolicy', 'no-metadata', {
        selector: 'all()',
        types: ['Egress'],
        egress: [{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }],
      }),
    ];
    const c = readCluster(objects);
    const w = workloadEgress(c, c.endpoint('ai/rag')!);
    expect(w.denied.length).toBe(3);
    expect(w.denied.some((e) => e.catchAll)).toBe(false);
  });

  it("a pod may be reached from its pod IP's sender only by rules naming it: nets match pods by IP", () => {
    const objects = [namespace('ai'), pod('ai', 'client', { app: 'client' }, { ip: '10.20.5.5' }), ...cluster.slice(1), qdrantIngress];
    const w = ingressOf(objects, 'vector-db/qdrant');
    expect(brief(w.allowed)).toContain('ai{"app":"client"}=ai/client TCP 6334');
  });
});

describe('staged policies: the view once they are enforced', () => {
  const stagedLockdown = calico(
    'StagedNetworkPolicy',
    'lockdown',
    { selector: "app == 'rag'", types: ['Egress'], egress: [{ action: 'Allow', protocol: 'TCP', destination: { nets: ['198.51.100.0/24'], ports: [443] } }] },
    'ai',
  );

  it('changes nothing enforced, and computes what would hold when enforced', () => {
    const c = readCluster([...cluster, stagedLockdown]);
    const w = workloadEgress(c, c.endpoint('ai/rag')!);
    expect(w.isolated).toBe(false);
    expect(w.staged).toEqual([{ kind: 'StagedNetworkPolicy', namespace: 'ai', name: 'lockdown', tier: 'default' }]);
    expect(w.whenStagedEnforced).toMatchObject({ isolated: true, policies: [{ kind: 'StagedNetworkPolicy', name: 'lockdown' }] });
    expect(w.whenStagedEnforced!.allowed.map((e) => `${e.to.type === 'cidr' ? formatCidr(e.to.cidr) : ''} ${e.protocol} ${describePorts(e.ports)}`)).toEqual([
      '198.51.100.0/24 TCP 443',
    ]);
    expect(workloadEgress(c, c.endpoint('ai/notebook')!).whenStagedEnforced).toBeUndefined();
  });

  it('a staged Set takes the place of the enforced policy of the same name, even where it no longer selects', () => {
    const enforced = calico('NetworkPolicy', 'p', { selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny' }] }, 'ai');
    const update = calico('StagedNetworkPolicy', 'p', { selector: "app == 'rag'", types: ['Egress'], egress: [{ action: 'Deny' }] }, 'ai');
    const c = readCluster([...cluster, enforced, update]);
    const notebook = workloadEgress(c, c.endpoint('ai/notebook')!);
    expect(notebook.isolated).toBe(true);
    expect(notebook.staged.map((p) => p.kind)).toEqual(['StagedNetworkPolicy']);
    expect(notebook.whenStagedEnforced).toMatchObject({ isolated: false, policies: [] });
    expect(workloadEgress(c, c.endpoint('ai/rag')!).whenStagedEnforced!.policies.map((p) => p.kind)).toEqual(['StagedNetworkPolicy']);
  });

  it('a staged Delete removes the enforced policy of the same name, and selects nothing itself', () => {
    const enforced = networkPolicy('ai', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const removal = calico('StagedKubernetesNetworkPolicy', 'deny-all', { stagedAction: 'Delete' }, 'ai');
    const c = readCluster([...cluster, enforced, removal]);
    const rag = workloadIngress(c, c.endpoint('ai/rag')!);
    expect(rag.isolated).toBe(true);
    expect(rag.whenStagedEnforced).toMatchObject({ isolated: false });
    expect(workloadIngress(c, c.endpoint('vector-db/qdrant')!).staged).toEqual([]);
  });
});
