import {
  ask,
  autoHostEndpoints,
  calico,
  readCluster,
  deployment,
  hostEndpoint,
  namespace,
  node,
  PODS_ONLY,
  pod,
  shippedCalicoApp,
} from '../../test/support/verify-builders';

type Obj = Record<string, unknown>;

/** A NetworkSet of a namespace, with labels. */
const networkSet = (ns: string, name: string, labels: Record<string, string>, nets: string[]): Obj => calico('NetworkSet', name, { nets }, ns, labels);

/** Everything, as a NetworkSet holds it in the issue: two halves, since a /0 is not what Felix programs. */
const EVERY_IPV4 = ['0.0.0.0/1', '128.0.0.0/1'];

const shipped = (selectsOnlyPods: boolean, ...extra: Obj[]) => readCluster([...shippedCalicoApp({ selectsOnlyPods }), ...extra]);
const allowed = (objects: ReturnType<typeof readCluster>, from: string, to: string, port: number) => ask(objects, from, to, port).allowed;

describe('namespaced NetworkSets, which Calico gives their namespace labels (updateprocessors/networksetprocessor.go)', () => {
  const wide = networkSet('vector-db', 'everything', { app: 'qdrant' }, EVERY_IPV4);

  it('a NetworkSet labelled app: qdrant in vector-db joins the rule for the vector database: ai-service may send anywhere on 6333', () => {
    const answer = ask(shipped(false, wide), 'ai-application/ai-service', '8.8.8.8', 6333);
    expect(answer.allowed).toBe(true);
    expect(answer.egress).toMatchObject({ tier: 'ai-egress', kind: 'NetworkPolicy', policy: 'ai-application/ai-egress.ai-service', rule: 4, action: 'Allow' });
  });

  it('a pod selector that asks for pods (projectcalico.org/orchestrator) is not joined by that NetworkSet', () => {
    expect(allowed(shipped(true, wide), 'ai-application/ai-service', '8.8.8.8', 6333)).toBe(false);
  });

  it('a NetworkSet in ai-gateway, whatever its labels, lets outside addresses call ai-service on 8000 through the namespace-only peer', () => {
    const callers = networkSet('ai-gateway', 'callers', {}, ['198.18.0.0/15']);
    expect(allowed(shipped(false, callers), '198.18.0.7', 'ai-application/ai-service', 8000)).toBe(true);
    expect(allowed(shipped(true, callers), '198.18.0.7', 'ai-application/ai-service', 8000)).toBe(false);
  });

  it("counts a NetworkSet's own pcns. labels as its namespace's, as Felix does (its own labels come before its profile's): one in any namespace can claim to be in vector-db", () => {
    const claims = networkSet('elsewhere', 'claims', { app: 'qdrant', 'pcns.kubernetes.io/metadata.name': 'vector-db' }, EVERY_IPV4);
    expect(allowed(shipped(false, claims), 'ai-application/ai-service', '8.8.8.8', 6333)).toBe(true);
  });

  it('matches a NetworkSet that carries projectcalico.org/orchestrator itself: Calico forbids only projectcalico.org/namespace on network sets', () => {
    const forged = networkSet('vector-db', 'forged', { app: 'qdrant', 'projectcalico.org/orchestrator': 'k8s' }, EVERY_IPV4);
    expect(allowed(shipped(true, forged), 'ai-application/ai-service', '8.8.8.8', 6333)).toBe(true);
  });

  it('drops the pcns. and pcsa. labels a pod declares (updateprocessors/workloadendpointprocessor.go): a pod cannot claim another namespace', () => {
    const impostor = pod('elsewhere', 'claims', { app: 'qdrant', 'pcns.kubernetes.io/metadata.name': 'vector-db' }, { ip: '10.9.0.9' });
    expect(allowed(shipped(false, impostor), 'ai-application/ai-service', '10.9.0.9', 6333)).toBe(false);
    const real = pod('vector-db', 'qdrant', { app: 'qdrant' }, { ip: '10.9.0.10' });
    expect(allowed(shipped(false, real), 'ai-application/ai-service', '10.9.0.10', 6333)).toBe(true);
  });

  it("refuses the label projectcalico.org/namespace on a network set, as Calico's validator does", () => {
    expect(() => readCluster([networkSet('a', 's', { 'projectcalico.org/namespace': 'b' }, ['10.0.0.0/8'])])).toThrow(
      /NetworkSet a\/s.*metadata\.labels\["projectcalico.org\/namespace"\]: projectcalico.org\/namespace is not a valid label name/,
    );
  });

  it('a rule without namespaceSelector in a namespaced policy sees only the network sets of its namespace; namespaceSelector all() sees every namespaced one, not global ones', () => {
    const objects = [
      namespace('a'),
      deployment('a', 'app', { app: 'x' }),
      networkSet('a', 'mine', { role: 'db' }, ['192.0.2.1/32']),
      networkSet('b', 'theirs', { role: 'db' }, ['192.0.2.2/32']),
      calico('GlobalNetworkSet', 'global', { nets: ['192.0.2.3/32'] }, undefined, { role: 'db' }),
    ];
    const policy = (destination: Obj) =>
      calico('NetworkPolicy', 'p', { selector: "app == 'x'", types: ['Egress'], egress: [{ action: 'Allow', destination }] }, 'a');
    const own = readCluster([...objects, policy({ selector: "role == 'db'" })]);
    expect(['192.0.2.1', '192.0.2.2', '192.0.2.3'].map((ip) => allowed(own, 'a/app', ip, 80))).toEqual([true, false, false]);
    const all = readCluster([...objects, policy({ selector: "role == 'db'", namespaceSelector: 'all()' })]);
    expect(['192.0.2.1', '192.0.2.2', '192.0.2.3'].map((ip) => allowed(all, 'a/app', ip, 80))).toEqual([true, true, false]);
    const global = readCluster([...objects, policy({ selector: "role == 'db'", namespaceSelector: 'global()' })]);
    expect(['192.0.2.1', '192.0.2.2', '192.0.2.3'].map((ip) => allowed(global, 'a/app', ip, 80))).toEqual([false, false, true]);
  });
});

describe('HostEndpoints, which global() matches like a GlobalNetworkSet (updateprocessors/hostendpointprocessor.go, rules.go)', () => {
  const labelled = { 'secure-ai-egress/allow-list': 'model-registry' };

  it('a HostEndpoint labelled with the allow-list joins it: ai-service may send to its expected IPs on 443', () => {
    const hep = hostEndpoint('joiner', labelled, ['8.8.8.8', '2001:db8::8']);
    expect(allowed(shipped(false, hep), 'ai-application/ai-service', '8.8.8.8', 443)).toBe(true);
    expect(allowed(shipped(false, hep), 'ai-application/ai-service', '2001:db8::8', 443)).toBe(true);
    expect(allowed(shipped(false, hep), 'ai-application/ai-service', '8.8.4.4', 443)).toBe(false);
  });

  it('an automatic HostEndpoint copies its Node labels: labelling a node with the allow-list opens its addresses, unless the rule leaves out what calico-kube-controllers made', () => {
    const labelledNode = node('gpu-node-7', labelled, ['10.0.7.7'], { 'projectcalico.org/IPv4VXLANTunnelAddr': '10.244.7.1' });
    for (const ip of ['10.0.7.7', '10.244.7.1']) {
      expect(allowed(shipped(false, labelledNode, autoHostEndpoints()), 'ai-application/ai-service', ip, 443)).toBe(true);
      expect(allowed(shipped(true, labelledNode, autoHostEndpoints()), 'ai-application/ai-service', ip, 443)).toBe(false);
    }
  });

  it('makes no host endpoint of a Node unless the KubeControllersConfiguration named default turns them on', () => {
    const labelledNode = node('gpu-node-7', labelled, ['10.0.7.7']);
    expect(allowed(shipped(false, labelledNode), 'ai-application/ai-service', '10.0.7.7', 443)).toBe(false);
    const other = { ...(autoHostEndpoints() as { metadata: Obj }), metadata: { name: 'not-default' } };
    expect(allowed(shipped(false, labelledNode, other), 'ai-application/ai-service', '10.0.7.7', 443)).toBe(false);
  });

  it("adds a template's labels over the node's, with only the node addresses inside the template's interfaceCIDRs", () => {
    const template = { generateName: 'private', nodeSelector: "pool == 'gpu'", interfaceCIDRs: ['10.0.0.0/16'], labels: labelled };
    const objects = [
      node('n1', { pool: 'gpu' }, ['10.0.7.7', '192.168.7.7']),
      calico('KubeControllersConfiguration', 'default', {
        controllers: { node: { hostEndpoint: { autoCreate: 'Enabled', createDefaultHostEndpoint: 'Disabled', templates: [template] } } },
      }),
    ];
    const c = shipped(false, ...objects);
    expect(allowed(c, 'ai-application/ai-service', '10.0.7.7', 443)).toBe(true);
    expect(allowed(c, 'ai-application/ai-service', '192.168.7.7', 443)).toBe(false);
    expect(c.catalog.networkSets.filter((s) => s.kind === 'HostEndpoint').map((s) => s.id)).toEqual(['n1-private-auto-hep']);
  });

  it("is not seen by a namespaced rule selector; but with the profile kns.<namespace> it carries that namespace's labels and joins a pod peer of it", () => {
    const plain = hostEndpoint('plain', { app: 'qdrant' }, ['8.8.8.8']);
    expect(allowed(shipped(false, plain), 'ai-application/ai-service', '8.8.8.8', 6333)).toBe(false);
    const profiled = hostEndpoint('profiled', { app: 'qdrant' }, ['8.8.8.8'], ['kns.vector-db']);
    expect(allowed(shipped(false, profiled), 'ai-application/ai-service', '8.8.8.8', 6333)).toBe(true);
  });

  it('may carry any label at all, projectcalico.org/orchestrator included, so a pods-only selector does not keep out a HostEndpoint made to look like pods', () => {
    const forged = hostEndpoint('forged', { app: 'qdrant', 'pcns.kubernetes.io/metadata.name': 'vector-db', 'projectcalico.org/orchestrator': 'k8s' }, [
      '8.8.8.8',
    ]);
    expect(allowed(shipped(true, forged), 'ai-application/ai-service', '8.8.8.8', 6333)).toBe(true);
    expect(PODS_ONLY).toBe("projectcalico.org/orchestrator == 'k8s'");
  });

  it('reads a Profile of the manifests for the labels it applies', () => {
    const profiled = hostEndpoint('profiled', {}, ['8.8.8.8'], ['registry']);
    const profile = calico('Profile', 'registry', { labelsToApply: { 'secure-ai-egress/allow-list': 'model-registry' } });
    expect(allowed(shipped(false, profiled, profile), 'ai-application/ai-service', '8.8.8.8', 443)).toBe(true);
  });

  it('refuses an expected IP that is not an address', () => {
    expect(() => readCluster([hostEndpoint('h', {}, ['10.0.0.0/8'])])).toThrow(/HostEndpoint h.*spec\.expectedIPs\[0\]: "10.0.0.0\/8" is not an IP address/);
  });
});
