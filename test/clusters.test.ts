/**
 * One intent for several clusters: what each cluster's intent is (clusterIntents), and what is
 * refused, each message naming the cluster and the field path.
 */
import { buildApp } from '../lib/app';
import { AiAppIntent, ClusterIntent, IntentError, PlatformIntent, checkIntent, clusterIntents, formatIssue, validateIntent } from '../lib/intent';
import { fleet, shipped } from './fixtures/intents';
import { sampleIntent } from './support/sample-intent';

/** An intent as main.ts might hand it over at run time, whatever its declared type says. */
const asIntent = (value: unknown) => value as PlatformIntent;
const intentOf = (target: ReturnType<typeof clusterIntents>[number]) => target.intent;
const withClusters = (intent: PlatformIntent, ...clusters: unknown[]): PlatformIntent => asIntent({ ...intent, clusters });
/** The printed lines of an intent's errors. */
const errorLines = (intent: PlatformIntent) => validateIntent(intent).map(formatIssue);
/** The printed lines of an intent's warnings. */
const warningLines = (intent: PlatformIntent) =>
  checkIntent(intent)
    .filter((i) => i.severity === 'warning')
    .map(formatIssue);

const llm = sampleIntent().apps[0];
const calicoApp: AiAppIntent = { ...llm, name: 'chat', namespace: 'ai-chat', flavor: 'calico' };
const nodeLocalApp: AiAppIntent = {
  ...llm,
  name: 'embedder',
  namespace: 'ai-embed',
  dns: { publicNames: { reason: 'resolves public model hubs by name' }, nodeLocal: ['169.254.20.10'], kubeDnsClusterIp: '10.96.0.10' },
};
const twoApps: PlatformIntent = {
  apps: [calicoApp, { ...nodeLocalApp, egress: [{ allowList: 'models', ports: [443] }] }],
  allowLists: [{ name: 'models', cidrs: ['203.0.113.10/32'] }],
};

describe('the intent of each cluster', () => {
  it('is the intent itself, for dist/, when the intent declares no clusters', () => {
    expect(clusterIntents(shipped)).toEqual([{ intent: shipped }]);
  });

  it('inherits everything from the platform when the cluster declares only its name', () => {
    const { clusters: _c, argocd: _a, ...platform } = shipped;
    expect(clusterIntents(withClusters(shipped, { name: 'prod-eu' }))).toEqual([{ cluster: 'prod-eu', intent: platform }]);
  });

  it("is one per cluster, in the order declared, each with its own cloud, or the platform's", () => {
    const targets = clusterIntents(asIntent({ ...twoApps, cloud: 'aws', clusters: [{ name: 'b', cloud: 'gcp' }, { name: 'a' }] }));
    expect(targets.map((t) => [t.cluster, t.intent.cloud])).toEqual([
      ['b', 'gcp'],
      ['a', 'aws'],
    ]);
  });

  it("runs the apps a cluster names, in the platform's order, and every app where it names none", () => {
    const [named, all] = clusterIntents(withClusters(twoApps, { name: 'edge', apps: ['embedder', 'chat'] }, { name: 'core' })).map(intentOf);
    expect(named.apps.map((a) => a.name)).toEqual(['chat', 'embedder']);
    expect(all.apps.map((a) => a.name)).toEqual(['chat', 'embedder']);
    const [one] = clusterIntents(withClusters(twoApps, { name: 'edge', apps: ['embedder'] })).map(intentOf);
    expect(one.apps.map((a) => a.name)).toEqual(['embedder']);
  });

  it('replaces the contents of an allow-list of the same name, keeps the others, and adds one only the cluster declares', () => {
    const intent = asIntent({
      ...twoApps,
      allowLists: [
        { name: 'models', cidrs: ['203.0.113.10/32'] },
        { name: 'store', cidrs: ['198.51.100.0/24'] },
      ],
      clusters: [
        {
          name: 'us',
          allowLists: [
            { name: 'models', cidrs: ['192.0.2.10/32'] },
            { name: 'extra', cidrs: ['192.0.2.64/26'] },
          ],
        },
      ],
    });
    expect(clusterIntents(intent)[0].intent.allowLists).toEqual([
      { name: 'models', cidrs: ['192.0.2.10/32'] },
      { name: 'store', cidrs: ['198.51.100.0/24'] },
      { name: 'extra', cidrs: ['192.0.2.64/26'] },
    ]);
  });

  it("gives the cluster's kube-dns ClusterIP to the apps that use NodeLocal DNSCache, and only to them", () => {
    const [cluster] = clusterIntents(withClusters(twoApps, { name: 'eks', kubeDnsClusterIp: '172.20.0.10' })).map(intentOf);
    expect(cluster.apps.map((a) => a.dns)).toEqual([undefined, { ...nodeLocalApp.dns, kubeDnsClusterIp: '172.20.0.10' }]);
    const [own] = clusterIntents(withClusters(twoApps, { name: 'gke' })).map(intentOf);
    expect(own.apps[1].dns?.kubeDnsClusterIp).toBe('10.96.0.10');
  });

  it('leaves out clusters and argocd: they say where the intent goes, not what a cluster runs', () => {
    expect(Object.keys(fleet)).toEqual(expect.arrayContaining(['clusters', 'argocd']));
    for (const { cluster, intent } of clusterIntents(fleet)) {
      // The edge cluster runs without Calico: its guardrail is a ClusterNetworkPolicy.
      expect(Object.keys(intent).sort()).toEqual(
        expect.arrayContaining(['allowLists', 'apps', 'calico', 'cloud', 'dnsResolver', ...(cluster === 'edge' ? ['guardrail'] : [])]),
      );
      expect(Object.keys(intent)).not.toEqual(expect.arrayContaining(['clusters']));
      expect(Object.keys(intent)).not.toEqual(expect.arrayContaining(['argocd']));
    }
  });

  it('are valid intents for every cluster of the fleet fixture, which is valid as a whole', () => {
    expect(validateIntent(fleet)).toEqual([]);
    for (const { intent } of clusterIntents(fleet)) expect(validateIntent(intent)).toEqual([]);
  });
});

describe('an intent with clusters is refused, with the cluster and the field path, when', () => {
  /** [case, intent, the line printed for the problem] */
  const refused: [string, PlatformIntent, string][] = [
    [
      'a cluster field is misspelled',
      withClusters(twoApps, { name: 'prod-eu', clod: 'gcp' }),
      'clusters.prod-eu.clod: "gcp" is not a field of a cluster; accepted: name, apps, allowLists, cloud, calicoInstalled, calicoVersion, guardrail, kubeDnsClusterIp, clusterNetwork, dnsResolverClusterIp, argocd. Did you mean "cloud"?',
    ],
    [
      "a cluster's cloud is misspelled",
      withClusters(twoApps, { name: 'prod-eu', cloud: 'azrue' }),
      'clusters.prod-eu.cloud: "azrue" is not a cloud this project knows the metadata endpoints of; accepted: "any", "aws", "gcp", "azure", "alibaba", "oracle", "ibm", "digitalocean", "hetzner", "openstack", "scaleway", "akamai", "tencent" ("any": all of them). Did you mean "azure"?',
    ],
    [
      'a cluster name is no DNS label',
      withClusters(twoApps, { name: 'Prod EU' }),
      'clusters[0].name: "Prod EU" is not a valid cluster name; accepted: a DNS-1123 label (lower-case letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters)',
    ],
    ['a cluster has no name', withClusters(twoApps, { cloud: 'aws' }), 'clusters[0].name is missing; accepted: a DNS-1123 label'],
    [
      'two clusters have one name',
      withClusters(twoApps, { name: 'prod' }, { name: 'prod', cloud: 'aws' }),
      'clusters.prod.name: "prod" is declared twice; accepted: one entry per cluster (it names the folder dist/<cluster>/)',
    ],
    [
      'the list of clusters is empty',
      withClusters(twoApps),
      'clusters: [] is empty; accepted: at least one cluster, or no clusters field (dist/ then holds the files of one cluster)',
    ],
    [
      'a cluster names an app that is not declared',
      withClusters(twoApps, { name: 'edge', apps: ['embeder'] }),
      'clusters.edge.apps[0]: "embeder" is not an app of this intent; accepted: the name of an app declared in apps (chat, embedder). Did you mean "embedder"?',
    ],
    [
      'a cluster names no app',
      withClusters(twoApps, { name: 'edge', apps: [] }),
      'clusters.edge.apps: [] is empty; accepted: at least one app name, or no apps field (then every app runs there)',
    ],
    [
      'an app of the calico flavor runs on a cluster without Calico',
      withClusters(twoApps, { name: 'edge', calicoInstalled: false }),
      'clusters.edge.calicoInstalled: false leaves out Calico\'s API (projectcalico.org/v3, Calico 3.29 or later: not the managed Calico of AKS or GKE, which enforces Kubernetes NetworkPolicy only), and chat runs there with flavor "calico", whose policies are Calico\'s own objects (a tier no later NetworkPolicy can reopen), which such a cluster cannot apply; it is not rendered as NetworkPolicies instead; accepted: calicoInstalled: true where Calico serves projectcalico.org/v3 (docs/calico.md, "Preflight"), a list of apps there without chat, or flavor: "kubernetes" on chat',
    ],
    [
      "a cluster's kube-dns ClusterIP is used by no app there",
      withClusters(twoApps, { name: 'edge', apps: ['chat'], kubeDnsClusterIp: '10.100.0.10' }),
      'clusters.edge.kubeDnsClusterIp: "10.100.0.10" is used only with NodeLocal DNSCache, and neither the resolver of cluster names (dnsResolver.nodeLocal) nor an app of cluster edge with public names (dns.nodeLocal) uses it; accepted: no kubeDnsClusterIp, or dnsResolver: { nodeLocal: [...] } where the cluster runs the cache',
    ],
    [
      "a cluster's kube-dns ClusterIP is a metadata address of its cloud",
      withClusters(twoApps, { name: 'gke', cloud: 'gcp', kubeDnsClusterIp: '169.254.169.252' }),
      'clusters.gke.kubeDnsClusterIp: "169.254.169.252" is the cloud metadata address 169.254.169.252/32 (the GKE metadata server), which is never reachable with cloud "gcp"; accepted: a block that holds no metadata or credential endpoint of the cloud',
    ],
    [
      "a cluster's allow-list holds a metadata address of its cloud",
      withClusters(twoApps, { name: 'azure', cloud: 'azure', allowLists: [{ name: 'models', cidrs: ['168.63.129.16/32'] }] }),
      'clusters.azure.allowLists[0].cidrs[0]: "168.63.129.16/32" is the cloud metadata address 168.63.129.16/32 (the Azure WireServer), which is never reachable with cloud "azure"; accepted: a block that holds no metadata or credential endpoint of the cloud',
    ],
    [
      "a cluster's allow-list replaces none and is used by no app there (a misspelled name)",
      withClusters(twoApps, { name: 'us', allowLists: [{ name: 'model', cidrs: ['192.0.2.10/32'] }] }),
      'clusters.us.allowLists[0].name: "model" replaces no allow-list of the platform and no app of cluster us uses it; accepted: the name of an allow-list declared in allowLists or used by an app there (models). Did you mean "models"?',
    ],
    [
      'a cluster declares one allow-list twice with different contents',
      withClusters(twoApps, {
        name: 'us',
        allowLists: [
          { name: 'models', cidrs: ['192.0.2.10/32'] },
          { name: 'models', cidrs: ['192.0.2.11/32'] },
        ],
      }),
      'clusters.us.allowLists[1].name: "models" is declared twice with different contents; accepted: one declaration per allow-list name',
    ],
    [
      "a cluster's allow-list is internet-sized",
      withClusters(twoApps, { name: 'us', allowLists: [{ name: 'models', cidrs: ['0.0.0.0/0'] }] }),
      'clusters.us.allowLists[0].cidrs[0]: "0.0.0.0/0" opens egress to the internet',
    ],
    [
      "a destination is a metadata address of one cluster's cloud only: the path says which cluster",
      asIntent({
        apps: [{ ...llm, egress: [{ cidr: '169.254.169.252/32', ports: [80] }] }],
        cloud: 'aws',
        clusters: [{ name: 'eks' }, { name: 'gke', cloud: 'gcp' }],
      }),
      'llm.egress[0].cidr in cluster gke: "169.254.169.252/32" is the cloud metadata address 169.254.169.252/32 (the GKE metadata server), which is never reachable with cloud "gcp"',
    ],
    [
      "a platform allow-list holds a metadata address of some clusters' clouds",
      asIntent({
        apps: [{ ...llm, egress: [{ allowList: 'cgnat', ports: [80] }] }],
        allowLists: [{ name: 'cgnat', cidrs: ['100.100.100.200/32'] }],
        cloud: 'aws',
        clusters: [{ name: 'a', cloud: 'alibaba' }, { name: 'b' }, { name: 'c', cloud: 'alibaba' }],
      }),
      'allowLists[0].cidrs[0] in clusters a, c: "100.100.100.200/32" is the cloud metadata address 100.100.100.200/32 (the Alibaba Cloud ECS metadata service), which is never reachable with cloud "alibaba"',
    ],
    [
      'an allow-list is declared for one cluster only, and an app uses it in another',
      asIntent({
        apps: [{ ...llm, egress: [{ allowList: 'regional', ports: [443] }] }],
        clusters: [{ name: 'eu', allowLists: [{ name: 'regional', cidrs: ['192.0.2.0/24'] }] }, { name: 'us' }],
      }),
      'llm.egress[0].allowList in cluster us: "regional" names no declared allow-list; accepted: a name declared in allowLists (none is declared)',
    ],
    [
      'argocd.destination is set for an intent with clusters',
      asIntent({ ...twoApps, clusters: [{ name: 'eu' }], argocd: { repoURL: 'https://git.example.com/p.git', destination: { name: 'eu' } } }),
      'argocd.destination: {"name":"eu"} is where the Application of dist/ goes without clusters, and this intent declares clusters, each applied where it says; accepted: no argocd.destination, and argocd: { destination } on a cluster whose Argo CD name is not its own (by default its name)',
    ],
    [
      "a cluster's Argo CD destination names the cluster twice",
      withClusters(twoApps, { name: 'eu', argocd: { destination: { name: 'eu', server: 'https://eu.example.com' } } }),
      'clusters.eu.argocd.destination: {"server":"https://eu.example.com","name":"eu"} names the cluster twice; accepted: one of server and name, e.g. { name: "prod-eu" }',
    ],
    [
      "a cluster's Argo CD server is no URL",
      withClusters(twoApps, { name: 'eu', argocd: { destination: { server: 'eu.example.com' } } }),
      'clusters.eu.argocd.destination.server: "eu.example.com" is not a URL; accepted: the URL of the cluster\'s API server, e.g. "https://kubernetes.default.svc" (the cluster Argo CD runs in)',
    ],
    [
      "a cluster's Application name would pass 63 characters",
      asIntent({ ...twoApps, clusters: [{ name: 'c'.repeat(50) }], argocd: { repoURL: 'https://git.example.com/p.git' } }),
      `clusters.${'c'.repeat(50)}.name: "${'c'.repeat(50)}" makes its Argo CD Application name "secure-ai-egress-${'c'.repeat(50)}" (argocd.name, "-", the cluster's name) longer than 63 characters`,
    ],
  ];

  it.each(refused)('%s', (_, intent, line) => {
    expect(errorLines(intent)).toContainEqual(expect.stringContaining(line));
  });

  it('reports a problem that arises in every cluster once, as it would be without clusters', () => {
    const intent = asIntent({ apps: [{ ...llm, egress: [{ allowList: 'missing', ports: [443] }] }], clusters: [{ name: 'a' }, { name: 'b' }] });
    const lines = errorLines(intent).filter((l) => l.includes('egress[0].allowList'));
    expect(lines).toEqual([expect.stringMatching(/^llm\.egress\[0\]\.allowList: "missing" names no declared allow-list/)]);
    expect(lines).toEqual(errorLines(asIntent({ apps: intent.apps })));
  });

  it('checks callers and callees on each cluster with the apps that run there', () => {
    const callee: AiAppIntent = { ...llm, name: 'db', namespace: 'ai-db', port: 5432, egress: [] };
    const caller: AiAppIntent = { ...llm, name: 'app', egress: [{ namespace: 'ai-db', podLabels: { 'app.kubernetes.io/name': 'db' }, ports: [5432] }] };
    const intent = asIntent({ apps: [caller, callee], clusters: [{ name: 'full' }, { name: 'alone', apps: ['app'] }] });
    // Where the callee does not run, its namespace is no longer one the intent governs there.
    expect(errorLines(intent)).toEqual([
      expect.stringMatching(/^db\.ingress in cluster full: \[\] does not admit ai\/app/),
      expect.stringMatching(/^app\.egress\[0\]\.namespace in cluster alone: "ai-db" is a namespace this intent does not govern/),
    ]);
  });

  it("refuses an intent with clusters where one cluster is expected, rather than render every app with the platform's settings", () => {
    expect(() => buildApp('/never-written', fleet)).toThrow(IntentError);
    expect(() => buildApp('/never-written', fleet)).toThrow(
      /clusters: \["prod-eu","prod-us","edge"\] are each rendered on their own, into dist\/<cluster>\/, and this renders one cluster; accepted: the intent of one cluster, from clusterIntents\(intent\)/,
    );
  });

  it('warns about an app that runs in no cluster: it is checked but written nowhere', () => {
    const intent = withClusters(twoApps, { name: 'edge', apps: ['embedder'] });
    expect(warningLines(intent)).toContain(
      'chat.name: "chat" runs in no cluster: every cluster lists its apps and none names it, so it is checked but written nowhere; accepted: its name in the apps of a cluster, or a cluster without an apps list (every app runs there)',
    );
    expect(errorLines(intent)).toEqual([]);
  });

  it('accepts a cluster entry with only a name, and the fields each cluster may change', () => {
    const cluster: ClusterIntent = {
      name: 'us',
      apps: ['embedder'],
      cloud: 'aws',
      calicoInstalled: false,
      kubeDnsClusterIp: '172.20.0.10',
      allowLists: [{ name: 'models', cidrs: ['192.0.2.10/32'] }],
      argocd: { destination: { server: 'https://us.example.com:6443' } },
    };
    expect(errorLines(withClusters(twoApps, { name: 'eu' }, cluster))).toEqual([]);
  });
});
