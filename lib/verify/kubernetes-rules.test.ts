import { ask, brief, readCluster, namespace, networkPolicy, pod } from '../../test/support/verify-builders';
import { workloadEgress } from './egress';
import { CompiledRule, KUBERNETES_POLICY_ORDER, Reach } from './policy';

// A NetworkPolicy rule as the verifier evaluates it (kubernetes.ts, KubeRule): which ports and
// peers it matches, and which destinations the egress listing finds for it.
const egressOnly = (spec: Record<string, unknown>): Record<string, unknown> => ({ policyTypes: ['Egress'], ...spec });
const base = [
  namespace('ai', { team: 'ml' }),
  namespace('vector-db', { team: 'data' }),
  pod('ai', 'rag', { app: 'rag' }),
  pod(
    'vector-db',
    'qdrant',
    { app: 'qdrant' },
    {
      ports: [
        { name: 'http', containerPort: 6333 },
        { name: 'grpc', containerPort: 6334 },
        { name: 'dns', containerPort: 5353, protocol: 'UDP' },
      ],
    },
  ),
  pod('vector-db', 'cache', { app: 'cache' }),
];
const ragEgress = (...egress: Record<string, unknown>[]) =>
  readCluster([...base, networkPolicy('ai', 'p', egressOnly({ podSelector: { matchLabels: { app: 'rag' } }, egress }))]);
const listing = (...egress: Record<string, unknown>[]) => {
  const c = ragEgress(...egress);
  return brief(workloadEgress(c, c.endpoint('ai/rag')!).allowed);
};

describe('a NetworkPolicy rule port', () => {
  it('by name matches only the port of that name and protocol on the destination pod', () => {
    const c = ragEgress({ ports: [{ port: 'http' }] });
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 6333).allowed).toBe(true);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 6334).allowed).toBe(false);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 5353, 'UDP').allowed).toBe(false);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 'http').allowed).toBe(true);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 'grpc').allowed).toBe(false);
  });

  it('by name needs the pod port to have the rule protocol too', () => {
    const c = ragEgress({ ports: [{ port: 'dns', protocol: 'TCP' }] });
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 5353, 'TCP').allowed).toBe(false);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 5353, 'UDP').allowed).toBe(false);
  });

  it('with a protocol and no port matches every port of that protocol only', () => {
    const c = ragEgress({ ports: [{ protocol: 'UDP' }] });
    expect(ask(c, 'ai/rag', '203.0.113.10', 53, 'UDP').allowed).toBe(true);
    expect(ask(c, 'ai/rag', '203.0.113.10', 65535, 'UDP').allowed).toBe(true);
    expect(ask(c, 'ai/rag', '203.0.113.10', 53, 'TCP').allowed).toBe(false);
  });
});

describe('the egress listing of a NetworkPolicy rule', () => {
  it('to an empty podSelector lists every pod of the policy namespace', () => {
    expect(listing({ to: [{ podSelector: {} }], ports: [{ port: 80 }] })).toEqual(['ai{} TCP 80']);
  });

  it('to a namespaceSelector and a podSelector lists the pods of the matching namespaces by their labels, and the pod that is there', () => {
    expect(
      listing({ to: [{ namespaceSelector: { matchLabels: { team: 'data' } }, podSelector: { matchLabels: { app: 'qdrant' } } }], ports: [{ port: 6333 }] }),
    ).toEqual(['vector-db{"app":"qdrant"} TCP 6333', 'vector-db{"app":"qdrant"}=vector-db/qdrant TCP 6333']);
  });

  it('to an ipBlock lists the block without its exceptions', () => {
    expect(listing({ to: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }], ports: [{ port: 443 }] })).toEqual([
      '203.0.113.0/25 TCP 443',
    ]);
  });

  it('to pods of a namespace that has none lists the pods it would reach, by their labels', () => {
    const rule = {
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
    };
    expect(listing({ ...rule, ports: [{ port: 53, protocol: 'UDP' }] })).toEqual(['kube-system{"k8s-app":"kube-dns"} UDP 53']);
  });

  it('to a namespaceSelector no namespace matches yet lists the pods of a namespace that comes to match', () => {
    expect(listing({ to: [{ namespaceSelector: { matchLabels: { team: 'nobody' } } }], ports: [{ port: 80 }] })).toEqual(['*{} TCP 80']);
  });

  it('on a named port lists it by name for pods whose ports are unknown, of that protocol only', () => {
    const to = [{ namespaceSelector: { matchLabels: { team: 'nobody' } } }];
    expect(listing({ to, ports: [{ port: 'http' }] })).toEqual(['*{} TCP http']);
    expect(listing({ to, ports: [{ port: 'dns', protocol: 'UDP' }] })).toEqual(['*{} UDP dns']);
    expect(listing({ to, ports: [{ port: 'http' }, { port: 'metrics', protocol: 'UDP' }] })).toEqual(['*{} TCP http', '*{} UDP metrics']);
  });
});

describe('a StagedKubernetesNetworkPolicy', () => {
  it('is read like a NetworkPolicy but enforces nothing', () => {
    const staged = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'StagedKubernetesNetworkPolicy',
      metadata: { name: 'deny', namespace: 'ai' },
      spec: egressOnly({ podSelector: {} }),
    };
    const c = readCluster([...base, staged]);
    expect(ask(c, 'ai/rag', '203.0.113.10', 443).allowed).toBe(true);
    const enforced = readCluster([...base, networkPolicy('ai', 'deny', egressOnly({ podSelector: {} }))]);
    expect(ask(enforced, 'ai/rag', '203.0.113.10', 443).allowed).toBe(false);
  });
});

// The parts of a rule the listings and the decision read apart from matching (policy.ts,
// CompiledRule): whether it matches everything, its ports and port names, the blocks and pods of
// each side. An egress rule's peers are on the destination side, an ingress rule's on the source.
describe('the parts of a NetworkPolicy rule', () => {
  const withQdrantIp = [...base.slice(0, 3), pod('vector-db', 'qdrant', { app: 'qdrant' }, { ip: '10.1.0.5', ports: [{ name: 'http', containerPort: 6333 }] })];
  const egressRule = (rule: Record<string, unknown>, objects = base): CompiledRule =>
    readCluster([...objects, networkPolicy('ai', 'p', egressOnly({ podSelector: { matchLabels: { app: 'rag' } }, egress: [rule] }))]).policies[0].rules
      .egress[0];
  const ingressRule = (rule: Record<string, unknown>): CompiledRule =>
    readCluster([...base, networkPolicy('ai', 'p', { policyTypes: ['Ingress'], podSelector: {}, ingress: [rule] })]).policies[0].rules.ingress[0];
  const ids = (reach: Reach) => (reach.kind === 'some' ? reach.candidates.map((e) => e.id).sort() : reach.kind);

  it('matches everything only without peers and without ports', () => {
    expect(egressRule({}).matchesEverything).toBe(true);
    expect(egressRule({ ports: [{ port: 443 }] }).matchesEverything).toBe(false);
    expect(egressRule({ to: [{ podSelector: {} }] }).matchesEverything).toBe(false);
  });

  it('names its numeric ports and ranges apart from its port names; a protocol-only port is neither', () => {
    const r = egressRule({ ports: [{ port: 80, endPort: 90 }, { port: 'http' }, { protocol: 'UDP' }, { port: 443, protocol: 'UDP' }] });
    expect(r.ports).toEqual([
      { from: 80, to: 90 },
      { from: 443, to: 443 },
    ]);
    expect(r.portNames).toEqual(['http']);
  });

  it('tests the blocks of its ipBlock peers, cidr and exceptions, on the peers side only', () => {
    const r = egressRule({ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }, { podSelector: {} }] });
    expect(r.nets('destination')).toEqual([
      { version: 4, first: 10n << 24n, last: (11n << 24n) - 1n },
      { version: 4, first: (10n << 24n) | (1n << 16n), last: ((10n << 24n) | (2n << 16n)) - 1n },
    ]);
    expect(r.nets('source')).toEqual([]);
    expect(ingressRule({ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }).nets('destination')).toEqual([]);
    expect(ingressRule({ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }).nets('source')).toHaveLength(1);
  });

  it('reaches every peer alike without peers, and pod by pod when a port name depends on the pod', () => {
    expect(ids(egressRule({}).reach('destination'))).toBe('uniform');
    expect(ids(egressRule({ ports: [{ port: 443 }] }).reach('destination'))).toBe('uniform');
    expect(ids(egressRule({ ports: [{ port: 'http' }] }).reach('destination'))).toEqual(['ai/rag', 'vector-db/cache', 'vector-db/qdrant']);
  });

  it('reaches through an ipBlock the pods with a known address, and none when no pod has one', () => {
    expect(ids(egressRule({ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }, withQdrantIp).reach('destination'))).toEqual(['vector-db/qdrant']);
    expect(ids(egressRule({ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }).reach('destination'))).toBe('none');
  });

  it('reaches the pods its selectors can match: of the policy namespace for a podSelector, of the namespaces a namespaceSelector picks', () => {
    expect(ids(egressRule({ to: [{ podSelector: {} }] }).reach('destination'))).toEqual(['ai/rag']);
    expect(ids(egressRule({ to: [{ namespaceSelector: { matchLabels: { team: 'data' } } }] }).reach('destination'))).toEqual([
      'vector-db/cache',
      'vector-db/qdrant',
    ]);
    expect(
      ids(egressRule({ to: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['ml'] }] } }] }).reach('destination')),
    ).toEqual(['vector-db/cache', 'vector-db/qdrant']);
    expect(
      ids(
        egressRule({
          to: [{ namespaceSelector: { matchLabels: { team: 'data' } }, podSelector: { matchLabels: { app: 'qdrant' } } }, { podSelector: {} }],
        }).reach('destination'),
      ),
    ).toEqual(['ai/rag', 'vector-db/qdrant']);
    expect(ids(egressRule({ to: [{ namespaceSelector: { matchLabels: { team: 'nobody' } } }] }).reach('destination'))).toBe('none');
  });

  it('reaches by each rule its own namespaces, however many rules of the cluster select namespaces', () => {
    const c = readCluster([
      ...base,
      networkPolicy(
        'ai',
        'p',
        egressOnly({
          podSelector: {},
          egress: [{ to: [{ namespaceSelector: { matchLabels: { team: 'data' } } }] }, { to: [{ namespaceSelector: { matchLabels: { team: 'ml' } } }] }],
        }),
      ),
    ]);
    const [data, ml] = c.policies[0].rules.egress;
    expect(ids(data.reach('destination'))).toEqual(['vector-db/cache', 'vector-db/qdrant']);
    expect(ids(ml.reach('destination'))).toEqual(['ai/rag']);
  });

  it('puts no condition, block or imagined pod on the side away from its peers', () => {
    const r = egressRule({ to: [{ podSelector: { matchLabels: { app: 'x' } } }] });
    expect(ids(r.reach('source'))).toBe('uniform');
    expect(r.phantoms('source')).toEqual([]);
    expect(r.phantoms('destination').map((e) => `${e.namespace.name} ${JSON.stringify(Object.fromEntries(e.labels))}`)).toEqual(['ai {"app":"x"}']);
    expect(r.sets('destination')).toEqual([]);
    const ingress = ingressRule({ from: [{ podSelector: { matchLabels: { app: 'x' } } }] });
    expect(ids(ingress.reach('destination'))).toBe('uniform');
    expect(ingress.phantoms('destination')).toEqual([]);
    expect(ingress.phantoms('source')).toHaveLength(1);
  });
});

describe('a NetworkPolicy as a policy', () => {
  const staged = (spec: Record<string, unknown>) => ({
    apiVersion: 'projectcalico.org/v3',
    kind: 'StagedKubernetesNetworkPolicy',
    metadata: { name: 'staged', namespace: 'ai' },
    spec: egressOnly({ podSelector: {}, ...spec }),
  });

  it('sits in the default tier at the order Calico gives Kubernetes policies, sorted by namespace and knp.default. name', () => {
    const [p] = readCluster([networkPolicy('ai', 'p', egressOnly({ podSelector: {} }))]).policies;
    expect(p).toMatchObject({
      ref: { kind: 'KubernetesNetworkPolicy', namespace: 'ai', name: 'p', tier: 'default' },
      order: KUBERNETES_POLICY_ORDER,
      staged: false,
    });
    expect(p.sortName).toBe('ai/knp.default.p');
    expect('stagedAction' in p).toBe(false);
  });

  // https://docs.tigera.io/calico/latest/reference/resources/stagedkubernetesnetworkpolicy: stagedAction Set (the default) or Delete.
  it('staged, says what enforcing it would do: Set by default, or Delete', () => {
    const policyOf = (spec: Record<string, unknown>) => readCluster([staged(spec)]).staged[0];
    expect(policyOf({})).toMatchObject({ staged: true, stagedAction: 'Set' });
    expect(policyOf({ stagedAction: 'Delete' })).toMatchObject({ staged: true, stagedAction: 'Delete' });
  });
});

// The rule as the review prints it (`verify query`, the ruleText of an answer): each port by
// protocol and number, range or name; each peer by its block and exceptions, or its namespaces
// and pods, the policy's namespace when the peer names none.
describe('a NetworkPolicy rule in words', () => {
  it('says its ports and each peer, or any port and anywhere when it names none', () => {
    const c = readCluster([
      networkPolicy('ai', 'p', {
        policyTypes: ['Egress', 'Ingress'],
        podSelector: {},
        egress: [
          {},
          {
            to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.0.0/16'] } }, { ipBlock: { cidr: '203.0.113.0/24' } }],
            ports: [{ port: 443 }, { port: 8000, endPort: 8080, protocol: 'UDP' }, { port: 'http' }, { protocol: 'SCTP' }],
          },
          {
            to: [
              { podSelector: { matchLabels: { app: 'qdrant' } } },
              { podSelector: {} },
              { namespaceSelector: {} },
              { namespaceSelector: { matchLabels: { team: 'data' } }, podSelector: { matchLabels: { app: 'qdrant' } } },
            ],
          },
        ],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'data' } }, podSelector: {} }] }],
      }),
    ]);
    const { egress, ingress } = c.policies[0].rules;
    expect([...egress, ...ingress].map((r) => r.describe())).toEqual([
      'Allow any port to anywhere',
      'Allow TCP 443, UDP 8000-8080, TCP http, SCTP any port to ipBlock 10.0.0.0/8 except 10.1.0.0/16, 10.2.0.0/16; or ipBlock 203.0.113.0/24',
      'Allow any port to namespace ai, pods app=qdrant; or namespace ai, pods all; or all namespaces, pods all; or namespaces team=data, pods app=qdrant',
      'Allow any port from namespaces team=data, pods all',
    ]);
  });
});

// Found by mutation testing kubernetes.ts:320-368 (docs/mutation-testing.md): which pods a
// NetworkPolicy applies to, as the cluster asks it of a pod it finds by no index (a representative
// pod, one a flow log names); its directions as written; its namespace when the manifest has none.
describe('a NetworkPolicy, what it applies to', () => {
  it('selects the pods of its own namespace that match every requirement of its podSelector', () => {
    const c = readCluster([
      namespace('ai'),
      namespace('web'),
      pod('ai', 'rag', { app: 'rag' }),
      pod('ai', 'rag-gpu', { app: 'rag', gpu: 'a100' }),
      pod('web', 'rag-gpu', { app: 'rag', gpu: 'a100' }),
      networkPolicy(
        'ai',
        'p',
        egressOnly({ podSelector: { matchLabels: { app: 'rag' }, matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }, egress: [] }),
      ),
    ]);
    const [p] = c.policies;
    expect(['ai/rag', 'ai/rag-gpu', 'web/rag-gpu'].map((id) => `${id}: ${p.selects(c.endpoint(id)!)}`)).toEqual([
      'ai/rag: false',
      'ai/rag-gpu: true',
      'web/rag-gpu: false',
    ]);
  });

  // https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/ (policyTypes).
  it('isolates the directions its policyTypes name, and only those', () => {
    const types = (policyTypes: string[]) => readCluster([networkPolicy('ai', 'p', { podSelector: {}, policyTypes })]).policies[0].types;
    expect(types(['Ingress'])).toEqual({ ingress: true, egress: false });
    expect(types(['Egress'])).toEqual({ ingress: false, egress: true });
    expect(types(['Ingress', 'Egress'])).toEqual({ ingress: true, egress: true });
  });

  // A namespaced object without metadata.namespace goes to the namespace `default` (kubectl apply
  // without -n; https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/).
  it('without a namespace is in the namespace default', () => {
    const c = readCluster([
      pod('default', 'web', {}),
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p' }, spec: egressOnly({ podSelector: {} }) },
    ]);
    const [p] = c.policies;
    expect(p.ref.namespace).toBe('default');
    expect(p.selects(c.endpoint('default/web')!)).toBe(true);
  });
});
