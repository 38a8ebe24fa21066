import { describeNote } from './admin-tiers';
import { parseCalicoVersion } from './calico-version';
import { egressReport } from './egress';
import { ManifestError } from './manifests';
import { ask, brief, calico, readCluster, namespace, networkPolicy, pod } from '../../test/support/verify-builders';

type Obj = Record<string, unknown>;

const cnp = (name: string, spec: Obj): Obj => ({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name }, spec });
const anp = (name: string, spec: Obj): Obj => ({ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name }, spec });
const banp = (spec: Obj, name = 'default'): Obj => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind: 'BaselineAdminNetworkPolicy',
  metadata: { name },
  spec,
});

const ns = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
const toNamespace = (name: string) => ({ namespaces: ns(name) });
const ai = { namespaces: ns('ai') };

const base = [
  namespace('ai', { team: 'ml' }),
  namespace('vector-db', { team: 'data' }),
  pod('ai', 'rag', { app: 'rag' }, { ip: '10.0.0.5' }),
  pod(
    'vector-db',
    'qdrant',
    { app: 'qdrant' },
    {
      ip: '10.0.1.7',
      ports: [
        { name: 'http', containerPort: 6333 },
        { name: 'dns', containerPort: 53, protocol: 'UDP' },
      ],
    },
  ),
];

const v = (text: string) => parseCalicoVersion(text)!;

/** How ai/rag's egress to a destination is decided, with the objects added to the base. */
const egress = (objects: Obj[], to = 'vector-db/qdrant', port: number | string = 6333, protocol: 'TCP' | 'UDP' | 'SCTP' = 'TCP', calicoVersion?: string) =>
  ask(readCluster([...base, ...objects], calicoVersion ? { calico: v(calicoVersion) } : {}), 'ai/rag', to, port, protocol).egress;

const allowAllNp = networkPolicy('ai', 'allow-all', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] });
const denyAllNp = networkPolicy('ai', 'deny-all', { podSelector: {}, policyTypes: ['Egress'] });

describe('the tiers of the network-policy-api: Admin, then NetworkPolicy, then Baseline', () => {
  it('an Admin Deny wins over a NetworkPolicy that allows', () => {
    const e = egress([
      allowAllNp,
      cnp('guard', { tier: 'Admin', priority: 5, subject: ai, egress: [{ name: 'no-db', action: 'Deny', to: [toNamespace('vector-db')] }] }),
    ]);
    expect(e).toMatchObject({
      allowed: false,
      reason: 'rule',
      tier: 'Admin',
      kind: 'ClusterNetworkPolicy',
      policy: 'guard',
      priority: 5,
      rule: 0,
      ruleName: 'no-db',
    });
    expect(e.message).toBe(
      'denied by rule 0 "no-db" (Deny) of ClusterNetworkPolicy guard in tier Admin at priority 5: Deny any protocol to namespaces {kubernetes.io/metadata.name=vector-db}',
    );
  });

  it('an Admin Accept wins over a NetworkPolicy that denies', () => {
    const e = egress([denyAllNp, cnp('open', { tier: 'Admin', priority: 1, subject: ai, egress: [{ action: 'Accept', to: [toNamespace('vector-db')] }] })]);
    expect(e).toMatchObject({ allowed: true, tier: 'Admin', policy: 'open', rule: 0 });
  });

  it('a Pass skips the rest of the Admin tier: the NetworkPolicy tier decides', () => {
    const objects = [
      cnp('a-pass', { tier: 'Admin', priority: 1, subject: ai, egress: [{ action: 'Pass', to: [toNamespace('vector-db')] }] }),
      cnp('b-deny', { tier: 'Admin', priority: 2, subject: ai, egress: [{ action: 'Deny', to: [toNamespace('vector-db')] }] }),
    ];
    expect(egress([...objects, allowAllNp])).toMatchObject({ allowed: true, tier: 'default', policy: 'ai/allow-all' });
    const denied = egress([...objects, denyAllNp]);
    expect(denied).toMatchObject({ allowed: false, reason: 'end-of-tier', tier: 'default' });
    expect(denied.passed).toEqual([{ tier: 'Admin', kind: 'ClusterNetworkPolicy', policy: 'a-pass', priority: 1, rule: 0, action: 'Pass' }]);
  });

  it('the Baseline tier decides only for a pod no NetworkPolicy selects in that direction', () => {
    const baseline = cnp('defaults', { tier: 'Baseline', priority: 0, subject: ai, egress: [{ action: 'Deny', to: [toNamespace('vector-db')] }] });
    expect(egress([baseline])).toMatchObject({ allowed: false, tier: 'Baseline', policy: 'defaults' });
    expect(egress([baseline, allowAllNp])).toMatchObject({ allowed: true, tier: 'default', policy: 'ai/allow-all' });
    const ingressOnly = networkPolicy('ai', 'ingress-only', { podSelector: {}, policyTypes: ['Ingress'] });
    expect(egress([baseline, ingressOnly])).toMatchObject({ allowed: false, tier: 'Baseline' });
  });

  it('what no tier decides is allowed, a Pass out of the Baseline tier too', () => {
    const passing = cnp('defaults', { tier: 'Baseline', priority: 0, subject: ai, egress: [{ action: 'Pass', to: [toNamespace('vector-db')] }] });
    expect(egress([passing])).toMatchObject({ allowed: true, reason: 'profile', tier: 'Baseline' });
    const elsewhere = cnp('defaults', { tier: 'Baseline', priority: 0, subject: ai, egress: [{ action: 'Deny', to: [toNamespace('kube-system')] }] });
    expect(egress([elsewhere])).toMatchObject({ allowed: true, reason: 'profile', tier: 'Baseline' });
  });

  it('within a tier, lower priority first, then rule order; policies sharing a priority are taken by name, with a note', () => {
    const deny = (name: string, priority: number) =>
      cnp(name, { tier: 'Admin', priority, subject: ai, egress: [{ action: 'Deny', to: [toNamespace('vector-db')] }] });
    const accept = (name: string, priority: number) =>
      cnp(name, { tier: 'Admin', priority, subject: ai, egress: [{ action: 'Accept', to: [toNamespace('vector-db')] }] });
    expect(egress([deny('z', 10), accept('a', 20)])).toMatchObject({ allowed: false, policy: 'z' });
    expect(egress([deny('z', 20), accept('a', 10)])).toMatchObject({ allowed: true, policy: 'a' });
    const tied = readCluster([...base, deny('z', 10), accept('a', 10)]);
    expect(ask(tied, 'ai/rag', 'vector-db/qdrant', 6333).egress).toMatchObject({ allowed: true, policy: 'a' });
    expect(tied.notes.map((n) => n.kind)).toEqual(['ambiguous']);
    expect(describeNote(tied.notes[0])).toContain('share priority 10 and apply to a common pod');
    const apart = cnp('b', { tier: 'Admin', priority: 10, subject: { namespaces: ns('vector-db') }, egress: [{ action: 'Deny', to: [toNamespace('ai')] }] });
    expect(readCluster([...base, deny('z', 10), apart]).notes).toEqual([]);
    const rules = cnp('r', {
      tier: 'Admin',
      priority: 1,
      subject: ai,
      egress: [
        { action: 'Deny', to: [toNamespace('vector-db')], protocols: [{ tcp: { destinationPort: { number: 6333 } } }] },
        { action: 'Accept', to: [toNamespace('vector-db')] },
      ],
    });
    expect(egress([rules])).toMatchObject({ allowed: false, rule: 0 });
    expect(egress([rules], 'vector-db/qdrant', 80)).toMatchObject({ allowed: true, rule: 1 });
  });

  it('AdminNetworkPolicy and BaselineAdminNetworkPolicy decide as their ClusterNetworkPolicy counterparts', () => {
    const admin = anp('guard', {
      priority: 3,
      subject: { pods: { namespaceSelector: ns('ai'), podSelector: { matchLabels: { app: 'rag' } } } },
      egress: [{ action: 'Allow', to: [toNamespace('vector-db')] }],
    });
    expect(egress([admin, denyAllNp])).toMatchObject({ allowed: true, tier: 'Admin', kind: 'AdminNetworkPolicy', priority: 3 });
    const baseline = banp({
      subject: ai,
      egress: [{ name: 'deny-db', action: 'Deny', to: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'qdrant' } } } }] }],
    });
    expect(egress([baseline])).toMatchObject({ allowed: false, tier: 'Baseline', kind: 'BaselineAdminNetworkPolicy', policy: 'default', ruleName: 'deny-db' });
    expect(egress([baseline]).priority).toBeUndefined();
  });

  it('ingress: the receiver’s subject, peers by namespace and pods, ports of the receiver', () => {
    const guard = cnp('guard', {
      tier: 'Admin',
      priority: 1,
      subject: { namespaces: ns('vector-db') },
      ingress: [
        {
          action: 'Deny',
          from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'rag' } } } }],
          protocols: [{ destinationNamedPort: 'http' }],
        },
      ],
    });
    const cluster = readCluster([...base, guard]);
    expect(ask(cluster, 'ai/rag', 'vector-db/qdrant', 6333).ingress).toMatchObject({ allowed: false, tier: 'Admin', rule: 0 });
    expect(ask(cluster, 'ai/rag', 'vector-db/qdrant', 'http').ingress).toMatchObject({ allowed: false });
    expect(ask(cluster, 'ai/rag', 'vector-db/qdrant', 6334).ingress).toMatchObject({ allowed: true, reason: 'profile' });
  });
});

describe('peers and ports', () => {
  const rule = (peer: Obj, extra: Obj = {}) => cnp('p', { tier: 'Admin', priority: 1, subject: ai, egress: [{ action: 'Deny', to: [peer], ...extra }] });

  it('networks match addresses, and pods by their IPs even where ipBlocks do not', () => {
    const block = rule({ networks: ['10.0.1.0/24'] });
    expect(egress([block])).toMatchObject({ allowed: false });
    expect(egress([block], '10.0.1.200')).toMatchObject({ allowed: false });
    expect(egress([block], '10.0.2.1')).toMatchObject({ allowed: true });
    const noIpMatch = ask(readCluster([...base, block], { ipblockMatchesPods: false }), 'ai/rag', 'vector-db/qdrant', 6333).egress;
    expect(noIpMatch).toMatchObject({ allowed: false });
  });

  it('networks read a pod of unknown address as calico.ts reads nets: a Deny of every address applies, one of some does not hide an Accept', () => {
    const unknown = [namespace('ai', {}), namespace('vector-db', {}), pod('ai', 'rag', { app: 'rag' }), pod('vector-db', 'qdrant', { app: 'qdrant' })];
    const at = (objects: Obj[]) => ask(readCluster([...unknown, ...objects]), 'ai/rag', 'vector-db/qdrant', 6333).egress;
    expect(at([rule({ networks: ['0.0.0.0/0', '::/0'] })])).toMatchObject({ allowed: false, policy: 'p' });
    const accept = cnp('q', { tier: 'Admin', priority: 2, subject: ai, egress: [{ action: 'Accept', to: [toNamespace('vector-db')] }] });
    expect(at([rule({ networks: ['10.0.1.0/24'] }), accept, denyAllNp])).toMatchObject({ allowed: true, policy: 'q' });
    const acceptByNetworks = cnp('q', { tier: 'Admin', priority: 2, subject: ai, egress: [{ action: 'Accept', to: [{ networks: ['0.0.0.0/0'] }] }] });
    expect(at([acceptByNetworks, denyAllNp])).toMatchObject({ allowed: false });
  });

  it('pods: namespaceSelector AND podSelector; namespaces: every pod of the namespaces', () => {
    expect(egress([rule({ pods: { namespaceSelector: { matchLabels: { team: 'data' } }, podSelector: { matchLabels: { app: 'qdrant' } } } })])).toMatchObject({
      allowed: false,
    });
    expect(egress([rule({ pods: { namespaceSelector: { matchLabels: { team: 'ml' } }, podSelector: { matchLabels: { app: 'qdrant' } } } })])).toMatchObject({
      allowed: true,
    });
    expect(egress([rule({ namespaces: { matchExpressions: [{ key: 'team', operator: 'In', values: ['data', 'x'] }] } })])).toMatchObject({ allowed: false });
  });

  it('v1alpha2 protocols: a number or range per protocol, every port of a protocol, a named port with its own protocol', () => {
    const tcpRange = rule(toNamespace('vector-db'), { protocols: [{ tcp: { destinationPort: { range: { start: 6000, end: 7000 } } } }] });
    expect(egress([tcpRange])).toMatchObject({ allowed: false });
    expect(egress([tcpRange], 'vector-db/qdrant', 6333, 'UDP')).toMatchObject({ allowed: true });
    const anyUdp = rule(toNamespace('vector-db'), { protocols: [{ udp: {} }] });
    expect(egress([anyUdp], 'vector-db/qdrant', 9, 'UDP')).toMatchObject({ allowed: false });
    const named = rule(toNamespace('vector-db'), { protocols: [{ destinationNamedPort: 'dns' }] });
    expect(egress([named], 'vector-db/qdrant', 53, 'UDP')).toMatchObject({ allowed: false });
    expect(egress([named], 'vector-db/qdrant', 53, 'TCP')).toMatchObject({ allowed: true });
    expect(
      egress([rule(toNamespace('vector-db'), { protocols: [{ sctp: { destinationPort: { number: 9003 } } }] })], 'vector-db/qdrant', 9003, 'SCTP'),
    ).toMatchObject({
      allowed: false,
    });
  });

  it('v1alpha1 ports: portNumber (TCP unless told), portRange, namedPort', () => {
    const deny = (ports: Obj[]) => anp('p', { priority: 1, subject: ai, egress: [{ action: 'Deny', to: [toNamespace('vector-db')], ports }] });
    expect(egress([deny([{ portNumber: { port: 6333 } }])])).toMatchObject({ allowed: false });
    expect(egress([deny([{ portNumber: { port: 6333, protocol: 'UDP' } }])])).toMatchObject({ allowed: true });
    expect(egress([deny([{ portRange: { protocol: 'TCP', start: 6300, end: 6400 } }])])).toMatchObject({ allowed: false });
    expect(egress([deny([{ namedPort: 'http' }])])).toMatchObject({ allowed: false });
    expect(egress([deny([{ namedPort: 'http' }])], 'vector-db/qdrant', 80)).toMatchObject({ allowed: true });
  });

  it('nodes and domainNames are not modelled: the peer matches nothing, and a note names the object and field', () => {
    const cluster = readCluster([
      ...base,
      cnp('exp', {
        tier: 'Admin',
        priority: 1,
        subject: ai,
        egress: [
          { action: 'Deny', to: [{ nodes: {} }, toNamespace('kube-system')] },
          { action: 'Accept', to: [{ domainNames: ['example.com'] }] },
        ],
      }),
    ]);
    expect(ask(cluster, 'ai/rag', 'vector-db/qdrant', 6333).egress).toMatchObject({ allowed: true, reason: 'profile' });
    expect(cluster.notes).toMatchObject([
      { kind: 'not-modelled', object: { kind: 'ClusterNetworkPolicy', name: 'exp' }, field: 'spec.egress[0].to[0].nodes' },
      { kind: 'not-modelled', object: { kind: 'ClusterNetworkPolicy', name: 'exp' }, field: 'spec.egress[1].to[0].domainNames' },
    ]);
    expect(describeNote(cluster.notes[0])).toMatch(
      /^test\.yaml, document \d+ \(ClusterNetworkPolicy exp\): spec\.egress\[0\]\.to\[0\]\.nodes: not modelled: node addresses/,
    );
  });

  it('a peer with no field the verifier knows fails closed: an Accept matches nothing, a Deny or Pass denies everything', () => {
    const pass = cnp('x', { tier: 'Admin', priority: 1, subject: ai, egress: [{ action: 'Pass', to: [{ future: {} }] }] });
    expect(egress([pass, allowAllNp], '203.0.113.1', 443)).toMatchObject({ allowed: false, tier: 'Admin', action: 'Deny' });
    const accept = cnp('x', { tier: 'Admin', priority: 1, subject: ai, egress: [{ action: 'Accept', to: [{ future: {} }] }] });
    expect(egress([accept, denyAllNp], '203.0.113.1', 443)).toMatchObject({ allowed: false, tier: 'default' });
  });

  it('on Calico, a namespaces peer also matches the addresses of NetworkSets in those namespaces', () => {
    const set = calico('NetworkSet', 'outside', { nets: ['198.51.100.0/24'] }, 'vector-db');
    const accept = cnp('x', { tier: 'Admin', priority: 1, subject: ai, egress: [{ action: 'Accept', to: [toNamespace('vector-db')] }] });
    expect(egress([set, accept, denyAllNp], '198.51.100.9', 443)).toMatchObject({ allowed: true, tier: 'Admin' });
    expect(egress([set, accept, denyAllNp], '198.51.101.9', 443)).toMatchObject({ allowed: false });
    const podsOnly = cnp('x', {
      tier: 'Admin',
      priority: 1,
      subject: ai,
      egress: [{ action: 'Accept', to: [{ pods: { namespaceSelector: ns('vector-db'), podSelector: {} } }] }],
    });
    expect(egress([set, podsOnly, denyAllNp], '198.51.100.9', 443)).toMatchObject({ allowed: false });
  });
});

describe('a cluster declared to run Calico', () => {
  const guard = cnp('guard', { tier: 'Admin', priority: 5, subject: ai, egress: [{ action: 'Deny', to: [toNamespace('vector-db')] }] });
  const oldGuard = anp('guard', { priority: 5, subject: ai, egress: [{ action: 'Deny', to: [toNamespace('vector-db')] }] });

  it('3.32 evaluates ClusterNetworkPolicy in kube-admin and kube-baseline, and enforces no AdminNetworkPolicy, saying why', () => {
    expect(egress([guard], undefined, undefined, undefined, '3.32')).toMatchObject({ allowed: false, tier: 'kube-admin', priority: 5 });
    const cluster = readCluster([...base, oldGuard], { calico: v('3.32.1') });
    expect(ask(cluster, 'ai/rag', 'vector-db/qdrant', 6333).egress).toMatchObject({ allowed: true, reason: 'no-policy' });
    expect(cluster.notes).toMatchObject([{ kind: 'not-enforced', object: { kind: 'AdminNetworkPolicy', name: 'guard' } }]);
    expect(cluster.notes[0].message).toContain('Calico 3.32 removed AdminNetworkPolicy and BaselineAdminNetworkPolicy');
  });

  it('3.29 to 3.31 evaluate AdminNetworkPolicy in adminnetworkpolicy, BaselineAdminNetworkPolicy from 3.30, and no ClusterNetworkPolicy', () => {
    expect(egress([oldGuard], undefined, undefined, undefined, '3.31')).toMatchObject({ allowed: false, tier: 'adminnetworkpolicy' });
    const cluster = readCluster([...base, guard], { calico: v('3.31') });
    expect(ask(cluster, 'ai/rag', 'vector-db/qdrant', 6333).egress).toMatchObject({ allowed: true });
    expect(cluster.notes[0]).toMatchObject({ kind: 'not-enforced', message: expect.stringContaining('does not serve ClusterNetworkPolicy') });
    const baseline = banp({ subject: ai, egress: [{ action: 'Deny', to: [toNamespace('vector-db')] }] });
    expect(egress([baseline], undefined, undefined, undefined, '3.30')).toMatchObject({ allowed: false, tier: 'baselineadminnetworkpolicy' });
    const v329 = readCluster([...base, baseline], { calico: v('3.29') });
    expect(ask(v329, 'ai/rag', 'vector-db/qdrant', 6333).egress).toMatchObject({ allowed: true });
    expect(v329.notes[0].message).toContain('BaselineAdminNetworkPolicy from 3.30');
  });

  it('the admin tier runs before a Calico tier of order 10000, which runs before default and the baseline tier', () => {
    const tier = calico('Tier', 'ai-egress', { order: 10000, defaultAction: 'Deny' });
    const own = calico('GlobalNetworkPolicy', 'ai-egress.allow', {
      tier: 'ai-egress',
      order: 1,
      selector: 'all()',
      types: ['Egress'],
      egress: [{ action: 'Allow' }],
    });
    expect(egress([tier, own, guard], undefined, undefined, undefined, '3.32')).toMatchObject({ allowed: false, tier: 'kube-admin' });
    const passing = cnp('guard', { tier: 'Admin', priority: 5, subject: ai, egress: [{ action: 'Pass', to: [toNamespace('vector-db')] }] });
    expect(egress([tier, own, passing], undefined, undefined, undefined, '3.32')).toMatchObject({ allowed: true, tier: 'ai-egress' });
    const baseline = cnp('base', { tier: 'Baseline', priority: 5, subject: ai, egress: [{ action: 'Deny', to: [toNamespace('vector-db')] }] });
    const passOn = calico('GlobalNetworkPolicy', 'ai-egress.pass', {
      tier: 'ai-egress',
      order: 1,
      selector: 'all()',
      types: ['Egress'],
      egress: [{ action: 'Pass' }],
    });
    expect(egress([tier, passOn, baseline], undefined, undefined, undefined, '3.32')).toMatchObject({ allowed: false, tier: 'kube-baseline' });
  });

  it('Calico 3.31 reads a namedPort as every protocol and port, and says so', () => {
    const named = anp('p', { priority: 1, subject: ai, egress: [{ action: 'Deny', to: [toNamespace('vector-db')], ports: [{ namedPort: 'http' }] }] });
    const cluster = readCluster([...base, named], { calico: v('3.31') });
    expect(ask(cluster, 'ai/rag', 'vector-db/qdrant', 80).egress).toMatchObject({ allowed: false });
    expect(ask(cluster, 'ai/rag', 'vector-db/qdrant', 53, 'UDP').egress).toMatchObject({ allowed: false });
    expect(cluster.notes).toMatchObject([{ kind: 'calico', field: 'spec.egress[0].ports' }]);
  });

  it('Calico drops an Accept with a nodes peer and makes a Deny or Pass with one deny everything', () => {
    const accept = cnp('a', { tier: 'Admin', priority: 1, subject: ai, egress: [{ action: 'Accept', to: [{ nodes: {} }, toNamespace('vector-db')] }] });
    expect(egress([accept, denyAllNp], undefined, undefined, undefined, '3.32')).toMatchObject({ allowed: false, tier: 'default' });
    const pass = cnp('a', { tier: 'Admin', priority: 1, subject: ai, egress: [{ action: 'Pass', to: [{ nodes: {} }] }] });
    const denied = egress([pass, allowAllNp], '203.0.113.1', 443, 'UDP', '3.32');
    expect(denied).toMatchObject({ allowed: false, tier: 'kube-admin', action: 'Deny' });
    expect(denied.message).toContain('Deny everything (Calico cannot convert its nodes peer)');
  });
});

describe('reports list what these kinds decide like any other rule', () => {
  it('verify egress lists the Admin Deny and the Accept', () => {
    const cluster = readCluster([
      ...base,
      cnp('guard', {
        tier: 'Admin',
        priority: 0,
        subject: ai,
        egress: [
          { name: 'metadata', action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }] },
          { action: 'Accept', to: [{ networks: ['203.0.113.0/24'] }], protocols: [{ tcp: { destinationPort: { number: 443 } } }] },
        ],
      }),
      denyAllNp,
    ]);
    const rag = egressReport(cluster).workloads.find((w) => w.endpoint === 'ai/rag')!;
    expect(rag.policies.map((p) => `${p.kind} ${p.name} ${p.tier}`)).toEqual(['ClusterNetworkPolicy guard Admin', 'KubernetesNetworkPolicy deny-all default']);
    expect(brief(rag.allowed)).toEqual(['203.0.113.0/24 TCP 443']);
    expect(brief(rag.denied.filter((d) => d.decidedBy.reason === 'rule'))).toEqual([
      '169.254.169.254/32 TCP 1-65535',
      '169.254.169.254/32 UDP 1-65535',
      '169.254.169.254/32 SCTP 1-65535',
    ]);
  });
});

describe('reports name classes of pods these kinds select', () => {
  it('an Accept to pods no manifest holds is listed as that class of pods', () => {
    const cluster = readCluster([
      ...base,
      cnp('x', {
        tier: 'Admin',
        priority: 1,
        subject: ai,
        egress: [{ action: 'Accept', to: [{ pods: { namespaceSelector: { matchLabels: { team: 'search' } }, podSelector: { matchLabels: { app: 'es' } } } }] }],
      }),
      denyAllNp,
    ]);
    const rag = egressReport(cluster).workloads.find((w) => w.endpoint === 'ai/rag')!;
    expect(brief(rag.allowed)).toEqual(['*{"app":"es"} TCP 1-65535', '*{"app":"es"} UDP 1-65535', '*{"app":"es"} SCTP 1-65535']);
    expect(rag.allowed[0].to).toMatchObject({ namespace: '*', namespaceLabels: { team: 'search' } });
  });

  it('a BaselineAdminNetworkPolicy beside Baseline ClusterNetworkPolicies is ordered after them, with a note', () => {
    const cluster = readCluster([
      ...base,
      banp({ subject: ai, egress: [{ action: 'Allow', to: [toNamespace('vector-db')] }] }),
      cnp('z', { tier: 'Baseline', priority: 999, subject: ai, egress: [{ action: 'Deny', to: [toNamespace('vector-db')] }] }),
    ]);
    expect(ask(cluster, 'ai/rag', 'vector-db/qdrant', 6333).egress).toMatchObject({ allowed: false, policy: 'z' });
    expect(cluster.notes).toMatchObject([{ kind: 'ambiguous', object: { kind: 'BaselineAdminNetworkPolicy', name: 'default' } }]);
  });
});

describe('manifests the API server would refuse are refused, naming the field', () => {
  const fails = (o: Obj, message: RegExp) => {
    expect(() => readCluster([...base, o])).toThrow(ManifestError);
    expect(() => readCluster([...base, o])).toThrow(message);
  };

  it('refuses a BaselineAdminNetworkPolicy not named default, a priority out of range, an unknown action, two fields in a peer, a wrong apiVersion', () => {
    fails(banp({ subject: ai }, 'mine'), /metadata\.name: must be "default"/);
    fails(cnp('x', { tier: 'Admin', priority: 1001, subject: ai }), /spec\.priority: must be an integer 0-1000/);
    fails(
      cnp('x', { tier: 'Admin', priority: 1, subject: ai, egress: [{ action: 'Allow', to: [ai] }] }),
      /spec\.egress\[0\]\.action: must be Accept, Deny, Pass, not "Allow"/,
    );
    fails(
      cnp('x', { tier: 'Admin', priority: 1, subject: ai, egress: [{ action: 'Deny', to: [{ ...ai, networks: ['10.0.0.0/8'] }] }] }),
      /exactly one field of a peer/,
    );
    fails(
      { ...cnp('x', { tier: 'Admin', priority: 1, subject: ai }), apiVersion: 'policy.networking.k8s.io/v1alpha1' },
      /served as policy\.networking\.k8s\.io\/v1alpha2/,
    );
    fails(cnp('x', { tier: 'Middle', priority: 1, subject: ai }), /spec\.tier: must be Admin or Baseline/);
  });

  it('reads a Calico release 3.29 or later, and nothing older', () => {
    expect(parseCalicoVersion('3.32.1')).toMatchObject({ major: 3, minor: 32 });
    expect(parseCalicoVersion('v3.29')).toMatchObject({ major: 3, minor: 29 });
    expect(parseCalicoVersion('3.28')).toBeUndefined();
    expect(parseCalicoVersion('latest')).toBeUndefined();
  });
});
