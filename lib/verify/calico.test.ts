import { ManifestError } from './manifests';
import { ask, calico, readCluster, deployment, namespace, networkPolicy, pod } from '../../test/support/verify-builders';

const tier = (name: string, order?: number, defaultAction?: string) =>
  calico('Tier', name, { ...(order === undefined ? {} : { order }), ...(defaultAction ? { defaultAction } : {}) });
const gnp = (name: string, spec: Record<string, unknown>) => calico('GlobalNetworkPolicy', name, spec);
const np = (ns: string, name: string, spec: Record<string, unknown>) => calico('NetworkPolicy', name, spec, ns);
const allow = (destination: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({ action: 'Allow', destination, ...extra });
const deny = (destination: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({ action: 'Deny', destination, ...extra });

const base = [
  namespace('ai', { team: 'ml' }),
  namespace('vector-db', { team: 'data' }),
  deployment('ai', 'rag', { app: 'rag' }, { serviceAccount: 'rag-sa' }),
  deployment('ai', 'notebook', { app: 'notebook' }),
  deployment('vector-db', 'qdrant', { app: 'qdrant' }, { ports: [{ name: 'http', containerPort: 6333 }] }),
];

const egress = (objects: Record<string, unknown>[], to = '203.0.113.10', port: number | string = 443, protocol: 'TCP' | 'UDP' | 'SCTP' = 'TCP') =>
  ask(readCluster([...base, ...objects]), 'ai/rag', to, port, protocol).egress;

describe('Calico tiers and policy order', () => {
  it('tiers run lowest order first: an earlier Deny wins over a later Allow', () => {
    const e = egress([
      tier('security', 100),
      tier('apps', 200),
      gnp('security.block', { tier: 'security', selector: 'all()', types: ['Egress'], egress: [deny({ nets: ['203.0.113.0/24'] }), { action: 'Pass' }] }),
      gnp('apps.open', { tier: 'apps', selector: 'all()', types: ['Egress'], egress: [allow()] }),
    ]);
    expect(e).toMatchObject({ allowed: false, reason: 'rule', tier: 'security', policy: 'security.block', rule: 0, action: 'Deny' });
  });

  it('a Kubernetes NetworkPolicy is evaluated in the default tier after earlier tiers', () => {
    const knp = networkPolicy('ai', 'allow-all', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] });
    const denied = egress([
      tier('security', 100),
      gnp('deny-web', { tier: 'security', selector: "app == 'rag'", types: ['Egress'], egress: [deny({ nets: ['203.0.113.0/24'] }), { action: 'Pass' }] }),
      knp,
    ]);
    expect(denied).toMatchObject({ allowed: false, tier: 'security', policy: 'deny-web' });
    const passed = egress([
      tier('security', 100),
      gnp('deny-web', { tier: 'security', selector: "app == 'rag'", types: ['Egress'], egress: [{ action: 'Pass' }] }),
      knp,
    ]);
    expect(passed).toMatchObject({ allowed: true, tier: 'default', kind: 'KubernetesNetworkPolicy', policy: 'ai/allow-all', rule: 0 });
    expect(passed.passed).toEqual([{ tier: 'security', kind: 'GlobalNetworkPolicy', policy: 'deny-web', rule: 0, action: 'Pass' }]);
  });

  it('a tier without order sits at 1,000,000 with default, ties broken by name, as Calico 3.29 and later default it', () => {
    const before = egress([
      tier('abc'),
      gnp('abc.deny', { tier: 'abc', selector: 'all()', types: ['Egress'], egress: [deny()] }),
      gnp('open', { selector: 'all()', types: ['Egress'], egress: [allow()] }),
    ]);
    expect(before).toMatchObject({ allowed: false, tier: 'abc', policy: 'abc.deny' });
    const after = egress([
      tier('late'),
      gnp('late.deny', { tier: 'late', selector: 'all()', types: ['Egress'], egress: [deny()] }),
      gnp('early', { selector: 'all()', types: ['Egress'], egress: [allow()] }),
    ]);
    expect(after).toMatchObject({ allowed: true, tier: 'default', policy: 'early' });
  });

  it('Pass skips the rest of the tier', () => {
    const e = egress([
      tier('security', 100),
      gnp('a', { tier: 'security', order: 1, selector: 'all()', types: ['Egress'], egress: [{ action: 'Pass', destination: { nets: ['203.0.113.0/24'] } }] }),
      gnp('b', { tier: 'security', order: 2, selector: 'all()', types: ['Egress'], egress: [deny()] }),
    ]);
    expect(e).toMatchObject({ allowed: true, reason: 'profile', tier: 'security' });
    expect(e.message).toContain('namespace profile allows');
  });

  it('the end of a tier that selected the endpoint denies', () => {
    const e = egress([
      tier('security', 100),
      gnp('only-dns', { tier: 'security', selector: 'all()', types: ['Egress'], egress: [allow({ ports: [53] }, { protocol: 'UDP' })] }),
      gnp('open', { selector: 'all()', types: ['Egress'], egress: [allow()] }),
    ]);
    expect(e).toMatchObject({ allowed: false, reason: 'end-of-tier', tier: 'security', action: 'Deny' });
    expect(e.message).toContain('end of tier security');
  });

  it('a tier whose default action is Pass hands the packet to the next tier', () => {
    const e = egress([
      tier('security', 100, 'Pass'),
      gnp('only-dns', { tier: 'security', selector: 'all()', types: ['Egress'], egress: [allow({ ports: [53] }, { protocol: 'UDP' })] }),
      gnp('open', { selector: 'all()', types: ['Egress'], egress: [allow()] }),
    ]);
    expect(e).toMatchObject({ allowed: true, tier: 'default', policy: 'open' });
  });

  it('a tier with no policy for the endpoint is skipped', () => {
    const e = egress([tier('security', 100), gnp('others', { tier: 'security', selector: "app == 'notebook'", types: ['Egress'], egress: [deny()] })]);
    expect(e).toMatchObject({ allowed: true, reason: 'no-policy' });
  });

  it('within a tier, policies run by order, then name; without order, last', () => {
    const objects = [
      gnp('b-unordered', { selector: 'all()', types: ['Egress'], egress: [deny()] }),
      gnp('z-ordered', { order: 10, selector: 'all()', types: ['Egress'], egress: [allow({ nets: ['203.0.113.0/24'] })] }),
      gnp('a-ordered', { order: 10, selector: 'all()', types: ['Egress'], egress: [allow({ nets: ['203.0.113.10/32'] })] }),
      gnp('a-unordered', { selector: 'all()', types: ['Egress'], egress: [allow({ nets: ['198.51.100.0/24'] })] }),
    ];
    expect(egress(objects)).toMatchObject({ policy: 'a-ordered' });
    expect(egress(objects, '203.0.113.11')).toMatchObject({ policy: 'z-ordered' });
    expect(egress(objects, '198.51.100.1')).toMatchObject({ policy: 'a-unordered', allowed: true });
    expect(egress(objects, '192.0.2.1')).toMatchObject({ policy: 'b-unordered', allowed: false });
  });

  it('Log goes on to the next rule and is reported', () => {
    const e = egress([
      gnp('audit', {
        selector: 'all()',
        types: ['Egress'],
        egress: [{ action: 'Log', destination: { nets: ['203.0.113.0/24'] } }, deny({ nets: ['203.0.113.0/24'] })],
      }),
    ]);
    expect(e).toMatchObject({ allowed: false, rule: 1 });
    expect(e.logged).toEqual([{ tier: 'default', kind: 'GlobalNetworkPolicy', policy: 'audit', rule: 0, action: 'Log' }]);
  });

  it('staged policies never change the answer, and are reported', () => {
    const staged = [
      calico('StagedGlobalNetworkPolicy', 'deny-all', { selector: 'all()', types: ['Egress'], egress: [deny()] }),
      calico('StagedNetworkPolicy', 'deny-rag', { selector: "app == 'rag'", types: ['Egress'], egress: [deny()] }, 'ai'),
      calico('StagedKubernetesNetworkPolicy', 'deny-k', { podSelector: {}, policyTypes: ['Egress'] }, 'ai'),
    ];
    const e = egress(staged);
    expect(e).toMatchObject({ allowed: true, reason: 'no-policy' });
    expect(e.staged.map((s) => `${s.kind} ${s.policy}`).sort()).toEqual([
      'StagedGlobalNetworkPolicy deny-all',
      'StagedKubernetesNetworkPolicy ai/deny-k',
      'StagedNetworkPolicy ai/deny-rag',
    ]);
  });

  it('a policy with only egress rules and no types leaves ingress alone', () => {
    const c = readCluster([...base, np('vector-db', 'out', { selector: 'all()', egress: [deny()] })]);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 6333).ingress.reason).toBe('no-policy');
    expect(ask(c, 'vector-db/qdrant', 'ai/rag', 80).egress.allowed).toBe(false);
  });

  it('a policy without types and rules applies to ingress', () => {
    const c = readCluster([...base, np('vector-db', 'lock', { selector: 'all()' })]);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 6333).ingress).toMatchObject({ allowed: false, reason: 'end-of-tier' });
  });

  it('a policy in a non-default tier may be named tier.name and is reported as written', () => {
    const e = egress([
      tier('ai-egress', 100),
      np('ai', 'ai-egress.rag', {
        tier: 'ai-egress',
        selector: "app == 'rag'",
        types: ['Egress'],
        egress: [allow({ nets: ['203.0.113.10/32'] }, { protocol: 'TCP' })],
      }),
    ]);
    expect(e).toMatchObject({ allowed: true, tier: 'ai-egress', kind: 'NetworkPolicy', policy: 'ai/ai-egress.rag' });
  });

  it('a policy in a tier the manifests do not define is an error naming the tier', () => {
    expect(() => readCluster([...base, np('ai', 'x', { tier: 'missing', selector: 'all()' })])).toThrow(ManifestError);
    expect(() => readCluster([...base, np('ai', 'x', { tier: 'missing', selector: 'all()' })])).toThrow(/spec\.tier: tier "missing"/);
  });
});

describe('Calico selection and rule matching', () => {
  it('a NetworkPolicy applies only in its namespace; a GlobalNetworkPolicy everywhere', () => {
    const c = readCluster([
      ...base,
      np('vector-db', 'local', { selector: 'all()', types: ['Egress'], egress: [deny()] }),
      gnp('global', { selector: "app == 'notebook'", types: ['Egress'], egress: [deny()] }),
    ]);
    expect(ask(c, 'ai/rag', '203.0.113.10', 443).egress.reason).toBe('no-policy');
    expect(ask(c, 'vector-db/qdrant', '203.0.113.10', 443).egress.policy).toBe('vector-db/local');
    expect(ask(c, 'ai/notebook', '203.0.113.10', 443).egress.policy).toBe('global');
  });

  it('an empty rule selector is no selector: it does not limit the rule to the namespace', () => {
    expect(egress([np('ai', 'p', { types: ['Egress'], egress: [allow({ selector: '', namespaceSelector: '' })] })]).allowed).toBe(true);
  });

  it('a selector of spaces is not empty: it is all(), so the rule matches endpoints only, not outside addresses', () => {
    const allPods = [np('ai', 'p', { types: ['Egress'], egress: [allow({ selector: '  ' })] })];
    expect(egress(allPods).allowed).toBe(false);
    expect(ask(readCluster([...base, ...allPods]), 'ai/rag', 'ai/notebook', 443).egress.allowed).toBe(true);
  });

  it("a namespaceSelector of spaces is all(): every namespace, not only the policy's", () => {
    const c = readCluster([...base, np('ai', 'p', { types: ['Egress'], egress: [allow({ namespaceSelector: ' ' })] })]);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 6333).egress.allowed).toBe(true);
    expect(ask(c, 'ai/rag', '203.0.113.10', 443).egress.allowed).toBe(false);
  });

  it('a GlobalNetworkPolicy whose namespaceSelector is global() selects every endpoint, as libcalico-go leaves global() unrewritten there', () => {
    expect(egress([gnp('p', { namespaceSelector: 'global()', types: ['Egress'], egress: [deny()] })]).allowed).toBe(false);
  });

  it('an absent selector selects every endpoint', () => {
    expect(egress([np('ai', 'all', { types: ['Egress'], egress: [deny()] })]).allowed).toBe(false);
  });

  it('a GlobalNetworkPolicy namespaceSelector selects by namespace labels', () => {
    const objects = [gnp('ml', { namespaceSelector: "team == 'ml'", types: ['Egress'], egress: [deny()] })];
    const c = readCluster([...base, ...objects]);
    expect(ask(c, 'ai/rag', '203.0.113.10', 443).egress.allowed).toBe(false);
    expect(ask(c, 'vector-db/qdrant', '203.0.113.10', 443).egress.allowed).toBe(true);
  });

  it('endpoint selectors see the labels Calico adds', () => {
    const sel =
      "projectcalico.org/namespace == 'ai' && projectcalico.org/orchestrator == 'k8s' && projectcalico.org/serviceaccount == 'rag-sa' && pcns.team == 'ml'";
    const c = readCluster([...base, gnp('p', { selector: sel, types: ['Egress'], egress: [deny()] })]);
    expect(ask(c, 'ai/rag', '203.0.113.10', 443).egress.allowed).toBe(false);
    expect(ask(c, 'ai/notebook', '203.0.113.10', 443).egress.allowed).toBe(true);
  });

  it('a rule selector without namespaceSelector means the policy namespace in a NetworkPolicy', () => {
    const objects = [
      deployment('vector-db', 'rag-twin', { app: 'rag' }),
      np('vector-db', 'p', { selector: "app == 'qdrant'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { selector: "app == 'rag'" } }] }),
    ];
    const c = readCluster([...base, ...objects]);
    expect(ask(c, 'vector-db/rag-twin', 'vector-db/qdrant', 6333).ingress.allowed).toBe(true);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 6333).ingress.allowed).toBe(false);
  });

  it('a rule selector without namespaceSelector means every namespace in a GlobalNetworkPolicy', () => {
    const c = readCluster([
      ...base,
      gnp('p', { selector: "app == 'qdrant'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { selector: "app == 'rag'" } }] }),
    ]);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 6333).ingress.allowed).toBe(true);
  });

  it('a rule namespaceSelector tests namespace labels, projectcalico.org/name included', () => {
    for (const nsSel of ["team == 'data'", "projectcalico.org/name == 'vector-db'", "kubernetes.io/metadata.name == 'vector-db'"]) {
      const e = egress(
        [np('ai', 'p', { types: ['Egress'], egress: [allow({ namespaceSelector: nsSel, selector: "app == 'qdrant'" })] })],
        'vector-db/qdrant',
        6333,
      );
      expect(`${nsSel}: ${e.allowed}`).toBe(`${nsSel}: true`);
    }
  });

  it('a rule namespaceSelector alone selects every endpoint of those namespaces', () => {
    const e = egress([np('ai', 'p', { types: ['Egress'], egress: [allow({ namespaceSelector: 'all()' })] })], 'vector-db/qdrant', 6333);
    expect(e.allowed).toBe(true);
    expect(egress([np('ai', 'p', { types: ['Egress'], egress: [allow({ namespaceSelector: 'all()' })] })]).allowed).toBe(false);
  });

  it('a GlobalNetworkSet is matched by a rule selector on its labels', () => {
    const objects = [
      calico('GlobalNetworkSet', 'model-registry', { nets: ['203.0.113.0/28'] }, undefined, { 'egress-allow': 'model-registry' }),
      np('ai', 'p', { types: ['Egress'], egress: [allow({ selector: "egress-allow == 'model-registry'", namespaceSelector: 'global()' })] }),
    ];
    expect(egress(objects, '203.0.113.10').allowed).toBe(true);
    expect(egress(objects, '203.0.113.20').allowed).toBe(false);
  });

  it('namespaceSelector global() matches global network sets, not pods; a plain NetworkPolicy rule selector does not reach global sets', () => {
    const set = calico('GlobalNetworkSet', 'registry', { nets: ['203.0.113.0/28'] }, undefined, { role: 'registry' });
    expect(egress([set, np('ai', 'p', { types: ['Egress'], egress: [allow({ selector: "role == 'registry'" })] })]).allowed).toBe(false);
    const c = readCluster([
      ...base,
      set,
      deployment('ai', 'reg-pod', { role: 'registry' }),
      np('ai', 'p', { types: ['Egress'], egress: [allow({ selector: "role == 'registry'", namespaceSelector: 'global()' })] }),
    ]);
    expect(ask(c, 'ai/rag', 'ai/reg-pod', 80).egress.allowed).toBe(false);
    expect(ask(c, 'ai/rag', '203.0.113.1', 80).egress.allowed).toBe(true);
  });

  it('a namespaced NetworkSet is matched by a NetworkPolicy of its namespace', () => {
    const objects = [
      calico('NetworkSet', 'registry', { nets: ['198.51.100.0/24'] }, 'ai', { role: 'registry' }),
      np('ai', 'p', { types: ['Egress'], egress: [allow({ selector: "role == 'registry'" })] }),
    ];
    expect(egress(objects, '198.51.100.7').allowed).toBe(true);
  });

  it('nets and notNets', () => {
    const objects = [np('ai', 'p', { types: ['Egress'], egress: [allow({ nets: ['0.0.0.0/0'], notNets: ['169.254.169.254/32', '10.0.0.0/8'] })] })];
    expect(egress(objects, '169.254.169.254').allowed).toBe(false);
    expect(egress(objects, '10.1.1.1').allowed).toBe(false);
    expect(egress(objects, '8.8.8.8').allowed).toBe(true);
    expect(egress(objects, '2001:db8::1').allowed).toBe(false);
  });

  it('nets match a pod IP only when ipblock-matches-pods is true', () => {
    const objects = [
      ...base,
      pod('vector-db', 'db', { app: 'db' }, { ip: '10.1.2.3' }),
      np('ai', 'p', { types: ['Egress'], egress: [allow({ nets: ['10.0.0.0/8'] })] }),
    ];
    expect(ask(readCluster(objects), 'ai/rag', 'vector-db/db', 80).egress.allowed).toBe(true);
    expect(ask(readCluster(objects, { ipblockMatchesPods: false }), 'ai/rag', 'vector-db/db', 80).egress.allowed).toBe(false);
  });

  it('ports: numbers, "low:high" ranges and notPorts', () => {
    const objects = [np('ai', 'p', { types: ['Egress'], egress: [allow({ ports: [443, '8000:8100'], notPorts: [8080] }, { protocol: 'TCP' })] })];
    expect([443, 444, 8000, 8080, 8100, 8101].map((p) => egress(objects, '203.0.113.10', p).allowed)).toEqual([true, false, true, false, true, false]);
  });

  it('a named port in a rule resolves on the destination workload', () => {
    const objects = [np('ai', 'p', { types: ['Egress'], egress: [allow({ ports: ['http'] }, { protocol: 'TCP' })] })];
    expect(egress(objects, 'vector-db/qdrant', 6333).allowed).toBe(true);
    expect(egress(objects, 'vector-db/qdrant', 6334).allowed).toBe(false);
    expect(egress(objects, '203.0.113.10', 6333).allowed).toBe(false);
  });

  it('protocol by name or number, and notProtocol', () => {
    expect(egress([np('ai', 'p', { types: ['Egress'], egress: [allow({}, { protocol: 6 })] })]).allowed).toBe(true);
    expect(egress([np('ai', 'p', { types: ['Egress'], egress: [allow({}, { protocol: 'udp' })] })]).allowed).toBe(false);
    expect(egress([np('ai', 'p', { types: ['Egress'], egress: [allow({}, { protocol: 'ICMP' })] })]).allowed).toBe(false);
    expect(egress([np('ai', 'p', { types: ['Egress'], egress: [allow({}, { notProtocol: 'UDP' })] })]).allowed).toBe(true);
    expect(egress([np('ai', 'p', { types: ['Egress'], egress: [allow({}, { notProtocol: 'TCP' })] })]).allowed).toBe(false);
  });

  it('notSelector excludes endpoints with those labels', () => {
    const objects = [np('ai', 'p', { types: ['Egress'], egress: [allow({ notSelector: "app == 'qdrant'" })] })];
    expect(egress(objects, 'vector-db/qdrant', 6333).allowed).toBe(false);
    expect(egress(objects, 'ai/notebook', 80).allowed).toBe(true);
  });

  it('serviceAccounts by name and by selector; pods without one run as default', () => {
    const objects = [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'rag-sa', namespace: 'ai', labels: { role: 'retriever' } } },
      np('ai', 'by-name', {
        selector: "app == 'notebook'",
        types: ['Ingress'],
        ingress: [{ action: 'Allow', source: { serviceAccounts: { names: ['rag-sa'] } } }],
      }),
      np('vector-db', 'by-label', {
        types: ['Ingress'],
        ingress: [{ action: 'Allow', source: { serviceAccounts: { selector: "role == 'retriever'" }, namespaceSelector: 'all()' } }],
      }),
      gnp('default-sa', {
        selector: "app == 'rag'",
        types: ['Ingress'],
        ingress: [{ action: 'Allow', source: { selector: "projectcalico.org/serviceaccount == 'default'" } }],
      }),
    ];
    const c = readCluster([...base, ...objects]);
    expect(ask(c, 'ai/rag', 'ai/notebook', 80).ingress.allowed).toBe(true);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 6333).ingress.allowed).toBe(true);
    expect(ask(c, 'ai/notebook', 'vector-db/qdrant', 6333).ingress.allowed).toBe(false);
    expect(ask(c, 'ai/notebook', 'ai/rag', 80).ingress.allowed).toBe(true);
  });

  // The source port is the client's to pick (bind(2) before connect(2)): a rule on source ports
  // is a rule the client can meet or dodge, whichever lets it through.
  it('an Allow on source ports lets through the client that binds one of them', () => {
    expect(egress([np('ai', 'p', { types: ['Egress'], egress: [{ action: 'Allow', protocol: 'TCP', source: { ports: [443] } }] })]).allowed).toBe(true);
    expect(egress([np('ai', 'p', { types: ['Egress'], egress: [{ action: 'Allow', protocol: 'TCP', source: { notPorts: ['1024:65535'] } }] })]).allowed).toBe(
      true,
    );
  });

  it('a Deny on source ports does not stop the client that binds another, unless it takes every port', () => {
    const denyThenAllow = (source: Record<string, unknown>) =>
      egress([np('ai', 'p', { types: ['Egress'], egress: [{ action: 'Deny', protocol: 'TCP', source }, { action: 'Allow' }] })]).allowed;
    expect(denyThenAllow({ ports: ['1024:65535'] })).toBe(true);
    expect(denyThenAllow({ notPorts: [53] })).toBe(true);
    expect(denyThenAllow({ ports: ['0:65535'] })).toBe(false);
    expect(denyThenAllow({ ports: ['1:1023', '1024:65535'], notPorts: [0] })).toBe(false);
  });

  it('a rule on source ports that no port from 1 to 65535 meets never matches', () => {
    expect(egress([np('ai', 'p', { types: ['Egress'], egress: [{ action: 'Allow', protocol: 'TCP', source: { ports: [0] } }] })]).allowed).toBe(false);
    expect(egress([np('ai', 'p', { types: ['Egress'], egress: [{ action: 'Allow', protocol: 'TCP', source: { notPorts: ['1:65535'] } }] })]).allowed).toBe(
      false,
    );
  });
});
