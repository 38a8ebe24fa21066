import { matrix, QueryError } from './reach';
import { ask, calico, readCluster, deployment, namespace, networkPolicy, pod } from '../../test/support/verify-builders';

/** A cluster mixing both flavors, pods with IPs, templates, named ports and tiers. */
const mixed = [
  namespace('ai', { team: 'ml' }),
  namespace('vector-db', { team: 'data' }),
  deployment('ai', 'rag', { app: 'rag' }, { serviceAccount: 'rag' }),
  deployment('ai', 'notebook', { app: 'notebook' }),
  pod('ai', 'batch-1', { app: 'batch' }, { ip: '10.0.1.5' }),
  deployment('vector-db', 'qdrant', { app: 'qdrant' }, { ports: [{ name: 'http', containerPort: 80 }] }),
  pod('vector-db', 'cache-0', { app: 'cache' }, { ip: '10.0.2.7', ports: [{ name: 'http', containerPort: 8080 }] }),
  calico('Tier', 'security', { order: 100 }),
  calico('GlobalNetworkPolicy', 'security.no-notebook-to-db', {
    tier: 'security',
    selector: "app == 'notebook'",
    types: ['Egress'],
    egress: [{ action: 'Deny', destination: { namespaceSelector: "team == 'data'" } }, { action: 'Pass' }],
  }),
  networkPolicy('vector-db', 'db-in', {
    podSelector: {},
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ml' } } }], ports: [{ port: 'http' }] }],
  }),
  networkPolicy('ai', 'batch-out', {
    podSelector: { matchLabels: { app: 'batch' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ ipBlock: { cidr: '10.0.2.0/24' } }] }],
  }),
  calico(
    'NetworkPolicy',
    'rag-in',
    { selector: "app == 'rag'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { notSelector: "app == 'batch'" } }] },
    'ai',
  ),
];

describe('query and matrix', () => {
  it('matrix agrees with query on every ordered pair', () => {
    const c = readCluster(mixed);
    for (const port of [80, 8080]) {
      for (const cell of matrix(c, port, 'TCP')) {
        expect(`${cell.from} -> ${cell.to} :${port} ${cell.allowed}`).toBe(`${cell.from} -> ${cell.to} :${port} ${ask(c, cell.from, cell.to, port).allowed}`);
      }
    }
  });

  it('matrix has one cell per ordered pair of distinct endpoints', () => {
    const c = readCluster(mixed);
    const n = c.endpoints.length;
    expect(matrix(c)).toHaveLength(n * (n - 1));
  });

  it('an address that is a known pod IP is that pod: its ingress applies too', () => {
    const c = readCluster(mixed);
    expect(ask(c, 'ai/batch-1', '10.0.2.7', 8080)).toMatchObject({
      toEndpoint: 'vector-db/cache-0',
      allowed: true,
      ingress: { applies: true, policy: 'vector-db/db-in' },
    });
    expect(ask(c, 'ai/batch-1', '10.0.2.7', 9090)).toMatchObject({ allowed: false, egress: { allowed: true }, ingress: { applies: true, allowed: false } });
  });

  it('refuses questions the manifests cannot answer', () => {
    const c = readCluster(mixed);
    expect(() => ask(c, 'ai/nobody', 'ai/rag', 80)).toThrow(QueryError);
    expect(() => ask(c, 'ai/rag', '203.0.113.1', 'http')).toThrow(/needs a destination pod/);
    expect(() => ask(c, 'ai/rag', 'vector-db/qdrant', 'http', 'UDP')).toThrow(/port http of vector-db\/qdrant is TCP, not UDP/);
    expect(() => ask(c, 'ai/rag', 'vector-db/qdrant', 70000)).toThrow(/port must be 1-65535/);
  });
});

describe('Calico details', () => {
  it('tiers of equal order run by name', () => {
    const objects = [
      namespace('ai'),
      deployment('ai', 'rag', { app: 'rag' }),
      calico('Tier', 'b-tier', { order: 100 }),
      calico('Tier', 'a-tier', { order: 100 }),
      calico('GlobalNetworkPolicy', 'b', { tier: 'b-tier', selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow' }] }),
      calico('GlobalNetworkPolicy', 'a', { tier: 'a-tier', selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny' }] }),
    ];
    expect(ask(readCluster(objects), 'ai/rag', '203.0.113.1', 443).egress).toMatchObject({ tier: 'a-tier', allowed: false });
  });

  it('a doNotTrack or preDNAT policy applies to host endpoints only, never to pods', () => {
    for (const flag of ['doNotTrack', 'preDNAT']) {
      const objects = [
        namespace('ai'),
        deployment('ai', 'rag', { app: 'rag' }),
        calico('GlobalNetworkPolicy', 'host', { [flag]: true, applyOnForward: true, selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Deny' }] }),
      ];
      expect(ask(readCluster(objects), 'ai/rag', 'ai/rag', 80).ingress.reason).toBe('no-policy');
    }
  });

  it('global() in a policy selector matches every endpoint', () => {
    const objects = [
      namespace('ai'),
      deployment('ai', 'rag', { app: 'rag' }),
      calico('GlobalNetworkPolicy', 'g', { selector: 'global()', types: ['Egress'], egress: [{ action: 'Deny' }] }),
    ];
    expect(ask(readCluster(objects), 'ai/rag', '203.0.113.1', 443).egress.allowed).toBe(false);
  });
});

describe('query from an address outside the cluster', () => {
  const c = readCluster(mixed);

  it("only the receiver's ingress applies, and it says so", () => {
    const q = ask(c, '192.0.2.10', 'vector-db/qdrant', 'http');
    expect(q).toMatchObject({ from: '192.0.2.10', to: 'vector-db/qdrant', toEndpoint: 'vector-db/qdrant', port: 80, allowed: false });
    expect(q.egress).toMatchObject({
      applies: false,
      allowed: true,
      reason: 'external',
      message: "192.0.2.10 is outside the known endpoints: only the receiver's ingress applies",
    });
    expect(q.ingress).toMatchObject({ applies: true, allowed: false, reason: 'end-of-tier', tier: 'default' });
    expect(q).not.toHaveProperty('fromEndpoint');
  });

  it('an address the rules admit is allowed by the rule that admits it', () => {
    const open = [
      ...mixed,
      networkPolicy('ai', 'rag-from-lb', {
        podSelector: { matchLabels: { app: 'rag' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ ipBlock: { cidr: '192.0.2.0/24' } }], ports: [{ port: 8000 }] }],
      }),
    ];
    const q = ask(readCluster(open), '192.0.2.10', 'ai/rag', 8000);
    expect(q).toMatchObject({ allowed: true, ingress: { allowed: true, reason: 'rule', policy: 'ai/rag-from-lb', rule: 0 } });
  });

  it('a pod IP stands for its pod, whose egress then applies', () => {
    const q = ask(c, '10.0.1.5', 'vector-db/cache-0', 'http');
    expect(q).toMatchObject({ from: '10.0.1.5', fromEndpoint: 'ai/batch-1', allowed: true, egress: { applies: true, policy: 'ai/batch-out' } });
  });

  it('refuses two addresses outside the cluster: no policy of these manifests would apply', () => {
    expect(() => ask(c, '192.0.2.10', '198.51.100.1', 443)).toThrow(QueryError);
    expect(() => ask(c, '192.0.2.10', '198.51.100.1', 443)).toThrow(/both outside the known endpoints/);
  });
});

describe('query with staged policies', () => {
  const staged = [
    namespace('ai'),
    deployment('ai', 'rag', { app: 'rag' }),
    calico(
      'StagedNetworkPolicy',
      'rag',
      { selector: "app == 'rag'", types: ['Egress'], egress: [{ action: 'Allow', protocol: 'TCP', destination: { nets: ['198.51.100.0/24'], ports: [443] } }] },
      'ai',
    ),
  ];

  it('answers for what is enforced, and says what would hold once the staged policies are enforced', () => {
    const c = readCluster(staged);
    const denied = ask(c, 'ai/rag', '203.0.113.10', 443);
    expect(denied).toMatchObject({ allowed: true, egress: { reason: 'no-policy', staged: [{ kind: 'StagedNetworkPolicy', policy: 'ai/rag' }] } });
    expect(denied.egress.whenStagedEnforced).toMatchObject({ allowed: false, reason: 'end-of-tier', tier: 'default', action: 'Deny' });
    expect(denied.egress.whenStagedEnforced!.message).toMatch(/^would deny: end of tier default/);
    expect(ask(c, 'ai/rag', '198.51.100.7', 443).egress.whenStagedEnforced).toMatchObject({
      allowed: true,
      reason: 'rule',
      kind: 'StagedNetworkPolicy',
      policy: 'ai/rag',
      rule: 0,
    });
    expect(ask(c, 'ai/rag', '198.51.100.7', 443).ingress).not.toHaveProperty('whenStagedEnforced');
  });
});
