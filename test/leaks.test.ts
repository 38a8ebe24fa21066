/**
 * The findings of "Close the leaks" that the generator closes, each reproduced on the manifests it
 * names and shown refused or denied: DNS to resolvers of any name, selectors a NetworkSet or an
 * automatic HostEndpoint can join, internet-sized blocks that reach link-local metadata and the
 * cluster itself, and relays through namespaces nobody governs.
 */
import { PlatformIntent, checkIntent, sharedRangeProblem } from '../lib/intent';
import { SharedRangeSource } from '../lib/net';
import { Selector, dnsReport, egressReport, query, relayReport } from '../lib/verify';
import { buildGraph, leakNotes, renderHtml, renderMarkdown } from '../lib/review';
import { hosts, shipped } from './fixtures/intents';
import { readManifests } from '../lib/testing';
import { sampleIntent } from './support/sample-intent';
import { synthesized } from './support/synth';
import { readCluster } from './support/verify-builders';

const objectsOf = (intent: PlatformIntent) => synthesized(intent, readManifests).map((m) => m.object);

describe('DNS is no tunnel', () => {
  const objects = objectsOf(shipped);
  const cluster = readCluster(objects);

  it.each(shipped.apps.map((a) => `${a.namespace}/${a.name}`))(
    '%s may send DNS to the resolver of cluster names only, not to kube-dns nor a public resolver',
    (id) => {
      expect(query(cluster, id, 'ai-dns/dns-resolver', 53, 'UDP').egress.allowed).toBe(true);
      for (const to of ['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888']) expect(query(cluster, id, to, 53, 'UDP').allowed).toBe(false);
      const kubeDns = readCluster([
        ...objects,
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, spec: { containers: [] } },
      ]);
      expect(query(kubeDns, id, 'kube-system/coredns', 53, 'UDP').egress.allowed).toBe(false);
    },
  );

  it('is reported per app by the verifier from the Corefile and the pods: cluster names only, and kube-dns (which forwards any name) for an app that declares public names, with its reason', () => {
    const report = dnsReport(cluster);
    for (const a of shipped.apps)
      expect(report.workloads.find((w) => w.endpoint === `${a.namespace}/${a.name}`)).toMatchObject({ resolvesOutside: false, dnsPolicy: 'None' });
    const open = {
      ...shipped,
      apps: shipped.apps.map((a) => (a.name === 'embeddings' ? { ...a, dns: { publicNames: { reason: 'calls a public reranking API by name' } } } : a)),
    };
    const embeddings = dnsReport(readCluster(objectsOf(open))).workloads.find((w) => w.endpoint === 'ai-embeddings/embeddings')!;
    expect(embeddings).toMatchObject({
      resolvesOutside: true,
      dnsPolicy: 'ClusterFirst',
      reason: 'calls a public reranking API by name',
    });
    expect(embeddings.servers.map((s) => s.answers)).toEqual(['any-name']);
  });

  it('sees a resolver whose Corefile forwards every name as one that resolves names outside the cluster', () => {
    const forwarding = objects.map((o) => (o.kind === 'ConfigMap' ? { ...o, data: { Corefile: '.:53 {\n    forward . /etc/resolv.conf\n}\n' } } : o));
    const report = dnsReport(readCluster(forwarding));
    expect(report.workloads.find((w) => w.endpoint === 'ai-application/ai-service')).toMatchObject({ resolvesOutside: true });
  });
});

describe('selectors only pods can match (calico flavor)', () => {
  const objects = objectsOf(shipped);
  const own = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'ai-egress.ai-service')!;
  const rules: { destination?: { selector?: string; namespaceSelector?: string } }[] = own.spec.egress;

  it("matches no NetworkSet that copies a peer's labels: a NetworkSet carries its labels and its namespace's, never projectcalico.org/orchestrator", () => {
    const vectorDb = rules.find((r) => r.destination?.namespaceSelector === "kubernetes.io/metadata.name == 'vector-db'")!.destination!;
    const selector = new Selector(vectorDb.selector!);
    const networkSet = new Map([
      ['app', 'qdrant'],
      ['projectcalico.org/namespace', 'vector-db'],
    ]);
    expect(selector.test(networkSet)).toBe(false);
    expect(selector.test(new Map([...networkSet, ['projectcalico.org/orchestrator', 'k8s']]))).toBe(true);
  });

  it("matches no automatic HostEndpoint that copies a node's allow-list label: calico-kube-controllers marks each one", () => {
    const list = rules.find((r) => r.destination?.namespaceSelector === 'global()')!.destination!;
    const selector = new Selector(list.selector!);
    const label = ['secure-ai-egress/allow-list', 'model-registry'] as const;
    expect(selector.test(new Map([label]))).toBe(true);
    expect(selector.test(new Map([label, ['projectcalico.org/created-by', 'calico-kube-controllers']]))).toBe(false);
  });
});

describe('internet-sized blocks carve out link-local, every cloud metadata address and the cluster itself', () => {
  const internet = {
    egress: [
      { cidr: '0.0.0.0/0', ports: [443], internet: { reason: 'calls a hosted model API' } },
      { cidr: '::/0', ports: [443], internet: { reason: 'calls a hosted model API' } },
    ],
  };
  /** Every cloud's link-local and fd00::/8 metadata addresses (cloud any), and other link-local addresses. */
  const everyCloud = ['169.254.42.42', 'fd00:42::42', 'fd00:a9fe:a9fe::1', '169.254.0.23', 'fd00:c1::a9fe:a9fe', 'fd00:ec2::254', '169.254.1.1', 'fe80::1'];
  /** With cloud aws, AWS's, and link-local addresses whatever the cloud. */
  const aws = ['169.254.169.254', 'fd00:ec2::254', '169.254.42.42', '169.254.0.23', 'fe80::1'];

  it.each([
    ['kubernetes', {}, everyCloud],
    [
      'kubernetes',
      { cloud: 'aws' as const, clusterNetwork: { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['172.20.0.0/16'], nodeCidrs: ['192.168.0.0/16'] } },
      aws,
    ],
    ['calico', { clusterNetwork: { podCidrs: ['10.244.0.0/16', 'fd00:10:244::/56'], serviceCidrs: ['10.96.0.0/12'], nodeCidrs: ['10.0.0.0/16'] } }, everyCloud],
  ] as const)('in the %s flavor (%o)', (flavor, platform, unreachable) => {
    const intent: PlatformIntent = sampleIntent({ ...internet, flavor }, platform);
    const cluster = readCluster(objectsOf(intent));
    expect(query(cluster, 'ai/llm', '8.8.8.8', 443).allowed).toBe(true);
    expect(query(cluster, 'ai/llm', '2001:4860:4860::8888', 443).allowed).toBe(true);
    const ranges = intent.clusterNetwork ?? { podCidrs: ['10.0.0.0/8'], serviceCidrs: ['10.96.0.0/12'], nodeCidrs: ['192.168.0.0/16'] };
    const inside = [...(ranges.podCidrs ?? []), ...(ranges.serviceCidrs ?? []), ...(ranges.nodeCidrs ?? [])].map((c) =>
      c
        .replace(/\/\d+$/, '')
        .replace(/::$/, '::5')
        .replace(/\.0$/, '.5'),
    );
    for (const to of [...unreachable, ...inside]) expect([to, query(cluster, 'ai/llm', to, 443).allowed]).toEqual([to, false]);
  });
});

describe("the egress proxy refuses the cluster's own ranges as it refuses metadata", () => {
  it("on GKE, whose default Service range is public address space, neither the proxy's policy nor Squid lets a name resolve into it", () => {
    const intent: PlatformIntent = { ...hosts, cloud: 'gcp' };
    const objects = objectsOf(intent);
    const cluster = readCluster(objects);
    const proxy = 'ai-egress-proxy/egress-proxy';
    expect(query(cluster, proxy, '8.8.8.8', 443).allowed).toBe(true);
    for (const to of ['34.118.224.5', '169.254.169.254', '169.254.1.1']) expect([to, query(cluster, proxy, to, 443).allowed]).toEqual([to, false]);
    const conf = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'egress-proxy')!.data['squid.conf'] as string;
    expect(conf).toContain('34.118.224.0/20');
    // Declared ranges replace the defaults.
    const declared = objectsOf({ ...intent, clusterNetwork: { serviceCidrs: ['34.118.0.0/20'] } });
    expect(declared.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'egress-proxy')!.data['squid.conf']).toContain('34.118.0.0/20');
  });
});

describe('relays', () => {
  it('refuses an in-cluster destination in a namespace the intent does not govern without a reason, and accepts it with one', () => {
    const relay = { namespace: 'vector-db', podLabels: { app: 'qdrant' }, ports: [6333] };
    expect(checkIntent(sampleIntent({ egress: [relay] })).filter((i) => i.severity === 'error')).toEqual([
      expect.objectContaining({
        path: ['llm', 'egress', 0, 'namespace'],
        value: 'vector-db',
        message: expect.stringMatching(/is a namespace this intent does not govern/),
      }),
    ]);
    expect(checkIntent(sampleIntent({ egress: [{ ...relay, ungoverned: { reason: 'run by the data team' } }] })).filter((i) => i.severity === 'error')).toEqual(
      [],
    );
  });

  it('shows the shipped vector-db destination as an ungoverned relay in the verifier, with its reason', () => {
    const relays = relayReport(readCluster(objectsOf(shipped))).filter((r) => r.from === 'ai-application/ai-service');
    expect(relays).toEqual([
      expect.objectContaining({
        to: expect.objectContaining({ namespace: 'vector-db' }),
        protocol: 'TCP',
        reason: expect.stringMatching(/^Qdrant is run by the data team/),
      }),
    ]);
  });

  it('are listed by the Markdown and HTML reports, with the apps that can resolve names outside the cluster', () => {
    const cluster = readCluster(objectsOf(shipped));
    const notes = leakNotes(cluster);
    expect(notes).toEqual({
      dns: [],
      clusterNamesOnly: 2,
      relays: [expect.objectContaining({ from: 'ai-application/ai-service', to: 'pods vector-db {app=qdrant}', ports: 'TCP 6333' })],
    });
    const md = renderMarkdown(buildGraph(cluster, egressReport(cluster)), 'r', undefined, notes);
    expect(md).toContain(
      '## Names outside the cluster, and ungoverned relays\n\n2 workloads resolve cluster names only; none can resolve names outside the cluster.',
    );
    expect(md).toMatch(/\| ai-application\/ai-service \| pods vector-db \{app=qdrant\} \| TCP 6333 \| Qdrant is run by the data team/);
    expect(renderHtml(buildGraph(cluster, egressReport(cluster)), 'r', undefined, notes)).toContain('<table id="relays">');
  });

  it('asks a written reason for a block inside a published shared range, proposing the hostname proxy or a private endpoint', () => {
    const source: SharedRangeSource = {
      provider: 'aws',
      what: 'AWS public IP address ranges',
      url: 'https://ip-ranges.amazonaws.com/ip-ranges.json',
      retrieved: '2026-01-01',
      cidrs: ['52.216.0.0/15'],
    };
    expect(sharedRangeProblem('52.216.10.0/24', [source], "shared: { reason: '...' }")).toMatch(
      /^lies inside 52\.216\.0\.0\/15, published by aws \(AWS public IP address ranges, retrieved 2026-01-01\).*accepted: the service by its hostname through the egress proxy, a private endpoint .* or shared: \{ reason: '\.\.\.' \}/,
    );
    expect(sharedRangeProblem('203.0.113.10/32', [source], 'x')).toBeUndefined();
    expect(sharedRangeProblem('52.0.0.0/8', [source], 'x')).toBeUndefined();
  });
});
