import { ask, readCluster, deployment, namespace, networkPolicy, pod } from '../../test/support/verify-builders';

const egressOnly = (spec: Record<string, unknown>): Record<string, unknown> => ({ policyTypes: ['Egress'], ...spec });

const base = [
  namespace('ai', { team: 'ml' }),
  namespace('vector-db', { team: 'data' }),
  deployment('ai', 'rag', { app: 'rag' }),
  deployment('ai', 'notebook', { app: 'notebook' }),
  deployment(
    'vector-db',
    'qdrant',
    { app: 'qdrant' },
    {
      ports: [
        { name: 'http', containerPort: 6333 },
        { name: 'dns', containerPort: 5353, protocol: 'UDP' },
      ],
    },
  ),
  deployment('vector-db', 'cache', { app: 'cache' }),
];

describe('Kubernetes NetworkPolicy semantics', () => {
  it('a pod not selected by any policy allows everything, and says so', () => {
    const q = ask(readCluster(base), 'ai/rag', 'vector-db/qdrant', 6333);
    expect(q.allowed).toBe(true);
    expect(q.egress).toMatchObject({ reason: 'no-policy', allowed: true });
    expect(q.egress.message).toContain('no policy selects ai/rag for egress');
  });

  it('without policyTypes, a policy with only ingress rules isolates ingress but not egress', () => {
    const c = readCluster([
      ...base,
      networkPolicy('ai', 'p', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'notebook' } } }] }] }),
    ]);
    expect(ask(c, 'ai/rag', '203.0.113.10', 443).allowed).toBe(true);
    expect(ask(c, 'vector-db/qdrant', 'ai/rag', 80).allowed).toBe(false);
    expect(ask(c, 'ai/notebook', 'ai/rag', 80).allowed).toBe(true);
  });

  it('without policyTypes, a policy with egress rules isolates ingress too', () => {
    const c = readCluster([
      ...base,
      networkPolicy('ai', 'p', { podSelector: { matchLabels: { app: 'rag' } }, egress: [{ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }] }] }),
    ]);
    expect(ask(c, 'ai/rag', '203.0.113.10', 443).allowed).toBe(true);
    expect(ask(c, 'ai/rag', '198.51.100.1', 443).allowed).toBe(false);
    const inbound = ask(c, 'ai/notebook', 'ai/rag', 80);
    expect(inbound.allowed).toBe(false);
    expect(inbound.ingress).toMatchObject({ reason: 'end-of-tier', tier: 'default' });
    expect(inbound.ingress.message).toContain('isolated for ingress by Kubernetes NetworkPolicy ai/p');
  });

  // SetDefaults_NetworkPolicy (pkg/apis/networking/v1/defaults.go) defaults policyTypes when its
  // length is 0: an empty list is stored as the defaults, not as "isolates nothing".
  it('with policyTypes an empty list, isolates as without policyTypes', () => {
    const c = readCluster([
      ...base,
      networkPolicy('ai', 'p', { podSelector: { matchLabels: { app: 'rag' } }, policyTypes: [], egress: [{ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }] }] }),
    ]);
    expect(ask(c, 'ai/rag', '203.0.113.10', 443).allowed).toBe(true);
    expect(ask(c, 'ai/rag', '198.51.100.1', 443).allowed).toBe(false);
    expect(ask(c, 'ai/notebook', 'ai/rag', 80).allowed).toBe(false);
  });

  it('without policyTypes, an empty egress list does not isolate egress', () => {
    const c = readCluster([...base, networkPolicy('ai', 'p', { podSelector: {}, egress: [] })]);
    expect(ask(c, 'ai/rag', '203.0.113.10', 443).egress.reason).toBe('no-policy');
  });

  it('an empty podSelector selects every pod of the namespace, and only of that namespace', () => {
    const c = readCluster([...base, networkPolicy('ai', 'deny', egressOnly({ podSelector: {} }))]);
    expect(ask(c, 'ai/rag', '203.0.113.10', 443).allowed).toBe(false);
    expect(ask(c, 'ai/notebook', '203.0.113.10', 443).allowed).toBe(false);
    expect(ask(c, 'vector-db/qdrant', '203.0.113.10', 443).allowed).toBe(true);
  });

  it('an absent podSelector selects every pod of the namespace like an empty one', () => {
    const c = readCluster([...base, networkPolicy('ai', 'deny', egressOnly({}))]);
    expect(ask(c, 'ai/notebook', '203.0.113.10', 443).allowed).toBe(false);
  });

  it('a rule without to matches every destination, in and outside the cluster', () => {
    const c = readCluster([...base, networkPolicy('ai', 'p', egressOnly({ podSelector: {}, egress: [{ ports: [{ port: 443 }] }] }))]);
    expect(ask(c, 'ai/rag', '203.0.113.10', 443).allowed).toBe(true);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 443).allowed).toBe(true);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 444).allowed).toBe(false);
  });

  it('an empty to list matches every destination like an absent one', () => {
    const c = readCluster([...base, networkPolicy('ai', 'p', egressOnly({ podSelector: {}, egress: [{ to: [], ports: [{ port: 443 }] }] }))]);
    expect(ask(c, 'ai/rag', '198.51.100.7', 443).allowed).toBe(true);
  });

  it('a rule without ports matches every port and protocol', () => {
    const c = readCluster([...base, networkPolicy('ai', 'p', egressOnly({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }] }] }))]);
    expect(ask(c, 'ai/rag', '203.0.113.10', 1).allowed).toBe(true);
    expect(ask(c, 'ai/rag', '203.0.113.10', 65535, 'SCTP').allowed).toBe(true);
  });

  it('a namespaceSelector and a podSelector in one peer must both match', () => {
    const peer = { namespaceSelector: { matchLabels: { team: 'data' } }, podSelector: { matchLabels: { app: 'qdrant' } } };
    const c = readCluster([...base, networkPolicy('ai', 'p', egressOnly({ podSelector: {}, egress: [{ to: [peer] }] }))]);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 80).allowed).toBe(true);
    expect(ask(c, 'ai/rag', 'vector-db/cache', 80).allowed).toBe(false);
    expect(ask(c, 'ai/rag', 'ai/notebook', 80).allowed).toBe(false);
  });

  it('a namespaceSelector and a podSelector in two peers match either', () => {
    const peers = [{ namespaceSelector: { matchLabels: { team: 'data' } } }, { podSelector: { matchLabels: { app: 'notebook' } } }];
    const c = readCluster([...base, networkPolicy('ai', 'p', egressOnly({ podSelector: {}, egress: [{ to: peers }] }))]);
    expect(ask(c, 'ai/rag', 'vector-db/cache', 80).allowed).toBe(true);
    expect(ask(c, 'ai/rag', 'ai/notebook', 80).allowed).toBe(true);
  });

  it('a podSelector alone selects pods of the policy namespace only', () => {
    const c = readCluster([
      ...base,
      deployment('vector-db', 'nb', { app: 'notebook' }),
      networkPolicy('ai', 'p', egressOnly({ podSelector: {}, egress: [{ to: [{ podSelector: { matchLabels: { app: 'notebook' } } }] }] })),
    ]);
    expect(ask(c, 'ai/rag', 'ai/notebook', 80).allowed).toBe(true);
    expect(ask(c, 'ai/rag', 'vector-db/nb', 80).allowed).toBe(false);
  });

  it('a namespaceSelector alone selects every pod of the selected namespaces', () => {
    const c = readCluster([
      ...base,
      networkPolicy(
        'ai',
        'p',
        egressOnly({ podSelector: {}, egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'vector-db' } } }] }] }),
      ),
    ]);
    expect(ask(c, 'ai/rag', 'vector-db/cache', 80).allowed).toBe(true);
    expect(ask(c, 'ai/rag', 'ai/notebook', 80).allowed).toBe(false);
  });

  it('an empty namespaceSelector selects pods in every namespace, none outside the cluster', () => {
    const c = readCluster([...base, networkPolicy('ai', 'p', egressOnly({ podSelector: {}, egress: [{ to: [{ namespaceSelector: {} }] }] }))]);
    expect(ask(c, 'ai/rag', 'vector-db/cache', 80).allowed).toBe(true);
    expect(ask(c, 'ai/rag', '203.0.113.10', 80).allowed).toBe(false);
  });

  it('a namespace that is referenced but not present has only its name label', () => {
    const to = (labels: Record<string, string>) => ({ to: [{ namespaceSelector: { matchLabels: labels } }] });
    const reach = (labels: Record<string, string>): boolean => {
      const objects = [
        deployment('apps', 'a', { app: 'a' }),
        deployment('other', 'b', { app: 'b' }),
        networkPolicy('apps', 'p', egressOnly({ podSelector: {}, egress: [to(labels)] })),
      ];
      return ask(readCluster(objects), 'apps/a', 'other/b', 80).allowed;
    };
    expect(reach({ 'kubernetes.io/metadata.name': 'other' })).toBe(true);
    expect(reach({ team: 'x' })).toBe(false);
  });

  it('matchExpressions In, NotIn, Exists and DoesNotExist', () => {
    const pods = [pod('ai', 'a', { tier: 'gpu', model: 'llama' }), pod('ai', 'b', { tier: 'cpu' }), pod('ai', 'c', {}), pod('ai', 'src', { role: 'client' })];
    const to = (expr: Record<string, unknown>) => ({ to: [{ podSelector: { matchExpressions: [expr] } }] });
    const reach = (expr: Record<string, unknown>): string[] => {
      const c = readCluster([...pods, networkPolicy('ai', 'p', egressOnly({ podSelector: { matchLabels: { role: 'client' } }, egress: [to(expr)] }))]);
      return ['a', 'b', 'c'].filter((n) => ask(c, 'ai/src', `ai/${n}`, 80).allowed);
    };
    expect(reach({ key: 'tier', operator: 'In', values: ['gpu', 'tpu'] })).toEqual(['a']);
    expect(reach({ key: 'tier', operator: 'NotIn', values: ['gpu'] })).toEqual(['b', 'c']);
    expect(reach({ key: 'model', operator: 'Exists' })).toEqual(['a']);
    expect(reach({ key: 'model', operator: 'DoesNotExist' })).toEqual(['b', 'c']);
  });

  it('except carves addresses out of an ipBlock', () => {
    const c = readCluster([
      ...base,
      networkPolicy('ai', 'p', egressOnly({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }] }] })),
    ]);
    expect(ask(c, 'ai/rag', '169.254.169.254', 80).allowed).toBe(false);
    expect(ask(c, 'ai/rag', '169.254.169.253', 80).allowed).toBe(true);
    expect(ask(c, 'ai/rag', '2001:db8::1', 80).allowed).toBe(false);
  });

  it('ipBlock matches a pod IP only when ipblock-matches-pods is true', () => {
    const objects = [
      pod('ai', 'client', { app: 'client' }),
      pod('vector-db', 'db', { app: 'db' }, { ip: '10.1.2.3' }),
      deployment('vector-db', 'tmpl', { app: 'tmpl' }),
      networkPolicy('ai', 'p', egressOnly({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] })),
    ];
    expect(ask(readCluster(objects), 'ai/client', 'vector-db/db', 80).allowed).toBe(true);
    expect(ask(readCluster(objects, { ipblockMatchesPods: false }), 'ai/client', 'vector-db/db', 80).allowed).toBe(false);
    expect(ask(readCluster(objects), 'ai/client', 'vector-db/tmpl', 80).allowed).toBe(false);
  });

  it('named port resolves on the destination pod, with its protocol', () => {
    const c = readCluster([
      ...base,
      networkPolicy('ai', 'p', egressOnly({ podSelector: {}, egress: [{ ports: [{ port: 'http' }, { port: 'dns', protocol: 'UDP' }] }] })),
    ]);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 6333).allowed).toBe(true);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 'http').allowed).toBe(true);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 5353, 'UDP').allowed).toBe(true);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 5353, 'TCP').allowed).toBe(false);
    expect(ask(c, 'ai/rag', 'vector-db/cache', 6333).allowed).toBe(false);
    expect(ask(c, 'ai/rag', '203.0.113.10', 6333).allowed).toBe(false);
  });

  it('named port on the receiver side resolves on the receiving pod', () => {
    const c = readCluster([...base, networkPolicy('vector-db', 'in', { podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }] })]);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 6333).ingress.allowed).toBe(true);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 6334).ingress.allowed).toBe(false);
  });

  it('endPort widens a single port to a range', () => {
    const c = readCluster([...base, networkPolicy('ai', 'p', egressOnly({ podSelector: {}, egress: [{ ports: [{ port: 8000, endPort: 8100 }] }] }))]);
    expect([7999, 8000, 8050, 8100, 8101].map((p) => ask(c, 'ai/rag', '203.0.113.10', p).allowed)).toEqual([false, true, true, true, false]);
  });

  it('protocol defaults to TCP', () => {
    const c = readCluster([...base, networkPolicy('ai', 'p', egressOnly({ podSelector: {}, egress: [{ ports: [{ port: 53 }] }] }))]);
    expect(ask(c, 'ai/rag', '203.0.113.10', 53, 'TCP').allowed).toBe(true);
    expect(ask(c, 'ai/rag', '203.0.113.10', 53, 'UDP').allowed).toBe(false);
  });

  it('rules of all policies selecting a pod add up', () => {
    const c = readCluster([
      ...base,
      networkPolicy('ai', 'a', egressOnly({ podSelector: {}, egress: [{ ports: [{ port: 443 }] }] })),
      networkPolicy('ai', 'b', egressOnly({ podSelector: { matchLabels: { app: 'rag' } }, egress: [{ ports: [{ port: 80 }] }] })),
    ]);
    expect(ask(c, 'ai/rag', '203.0.113.10', 443).egress.policy).toBe('ai/a');
    expect(ask(c, 'ai/rag', '203.0.113.10', 80).egress.policy).toBe('ai/b');
    expect(ask(c, 'ai/notebook', '203.0.113.10', 80).allowed).toBe(false);
  });

  it("a connection between two pods needs the sender's egress and the receiver's ingress", () => {
    const c = readCluster([
      ...base,
      networkPolicy('ai', 'out', egressOnly({ podSelector: {}, egress: [{ to: [{ namespaceSelector: {} }] }] })),
      networkPolicy('vector-db', 'in', {
        podSelector: { matchLabels: { app: 'qdrant' } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ml' } }, podSelector: { matchLabels: { app: 'rag' } } }] }],
      }),
    ]);
    const ok = ask(c, 'ai/rag', 'vector-db/qdrant', 6333);
    expect(ok).toMatchObject({
      allowed: true,
      egress: { allowed: true, policy: 'ai/out', rule: 0 },
      ingress: { allowed: true, policy: 'vector-db/in', rule: 0 },
    });
    const refused = ask(c, 'ai/notebook', 'vector-db/qdrant', 6333);
    expect(refused).toMatchObject({ allowed: false, egress: { allowed: true }, ingress: { allowed: false, reason: 'end-of-tier' } });
  });

  it('traffic to an address outside the cluster needs only the sender egress', () => {
    const q = ask(readCluster([...base, networkPolicy('ai', 'in', { podSelector: {}, ingress: [] })]), 'ai/rag', '203.0.113.10', 443);
    expect(q.allowed).toBe(true);
    expect(q.ingress).toMatchObject({ applies: false, reason: 'external' });
  });
  it('an ipBlock written as an IPv4-mapped IPv6 block reaches the IPv4 addresses it maps, metadata included, as Go reads it', () => {
    // ::ffff:0:0/96 is 0.0.0.0/0 to Go's net.IPNet (src/net/ip.go, networkNumberAndMask), which the
    // API server and Calico parse with; the API server accepts it with a warning ("use 0.0.0.0/0").
    const c = readCluster([
      ...base,
      networkPolicy('ai', 'mapped', egressOnly({ podSelector: { matchLabels: { app: 'rag' } }, egress: [{ to: [{ ipBlock: { cidr: '::ffff:0:0/96' } }] }] })),
    ]);
    expect(ask(c, 'ai/rag', '169.254.169.254', 80).allowed).toBe(true);
    expect(ask(c, 'ai/rag', '203.0.113.10', 443).allowed).toBe(true);
    expect(ask(c, 'ai/rag', '2001:db8::1', 443).allowed).toBe(false);
  });
});
