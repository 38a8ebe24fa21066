/**
 * The DNS and relay reports look up manifests by name once per workload: a workload's own
 * manifest, the ConfigMap of a resolver's Corefile, the annotations of the policies that select
 * it. They read an index of the manifests built once per cluster (manifest-index.ts). These tests
 * state what each look-up finds, and that a report over n workloads reads the manifests, the
 * endpoints and the policies a number of times that grows with n, not with n².
 */
import { Cluster, describeDestination, dnsReport, relayReport } from '.';
import { ManifestIndex } from './manifest-index';
import { parseManifests } from './manifests';
import { Policy } from './policy';
import { calico, deployment, namespace, networkPolicy, readCluster, yamlOf } from '../../test/support/verify-builders';

type Obj = Record<string, unknown>;

const COREFILE = 'cluster.local:53 {\n    forward . /etc/resolv.conf\n}\n.:53 {\n    acl {\n        block\n    }\n}\n';

/** A CoreDNS Deployment in `ns` that reads its Corefile from the ConfigMap `configMap`. */
function resolver(ns: string, configMap: string): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'resolver', namespace: ns },
    spec: {
      selector: { matchLabels: { app: 'resolver' } },
      template: {
        metadata: { labels: { app: 'resolver' } },
        spec: {
          containers: [
            {
              name: 'coredns',
              image: 'registry.k8s.io/coredns/coredns:v1.12.1',
              args: ['-conf', '/etc/coredns/Corefile'],
              volumeMounts: [{ name: 'config', mountPath: '/etc/coredns' }],
            },
          ],
          volumes: [{ name: 'config', configMap: { name: configMap } }],
        },
      },
    },
  };
}

const configMap = (ns: string, name: string, corefile: string): Obj => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns },
  data: { Corefile: corefile },
});

/** Egress of `app=<app>` in `ns`: to the pods `app=<to>` of `toNs` on TCP 8000, and DNS to the resolver of `dns`. */
function egress(ns: string, app: string, to: { ns: string; app: string }, annotations: Record<string, string> = {}): Obj {
  const policy = networkPolicy(ns, `egress-${app}`, {
    podSelector: { matchLabels: { app } },
    policyTypes: ['Egress'],
    egress: [
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': to.ns } }, podSelector: { matchLabels: { app: to.app } } }],
        ports: [{ protocol: 'TCP', port: 8000 }],
      },
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns' } }, podSelector: { matchLabels: { app: 'resolver' } } }],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ],
  });
  return { ...policy, metadata: { ...(policy.metadata as Obj), annotations } };
}

/** The resolver's own policy: it sends DNS on to kube-dns only, so it is no relay. */
const resolverEgress = networkPolicy('dns', 'resolver-egress', {
  podSelector: { matchLabels: { app: 'resolver' } },
  policyTypes: ['Egress'],
  egress: [
    {
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ protocol: 'UDP', port: 53 }],
    },
  ],
});

describe('the manifests the DNS and relay reports look up', () => {
  it("judges a resolver by the Corefile of the ConfigMap its volume names, in the resolver's namespace, not a same-named one elsewhere nor an object of another kind", () => {
    const objects = [
      namespace('dns'),
      namespace('ai'),
      namespace('other'),
      // Same name, another namespace: forwards every name.
      configMap('other', 'corefile', '.:53 {\n    forward . 8.8.8.8\n}\n'),
      resolver('dns', 'corefile'),
      configMap('dns', 'corefile', COREFILE),
      // A Secret of the same name and namespace is not the ConfigMap.
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'corefile', namespace: 'dns' }, data: {} },
      deployment('ai', 'app', { app: 'app' }),
      egress('ai', 'app', { ns: 'ai', app: 'app' }),
      resolverEgress,
    ];
    const app = dnsReport(readCluster(objects)).workloads.find((w) => w.endpoint === 'ai/app')!;
    expect(app.resolvesOutside).toBe(false);
    // The class of pods the rule names, and the known pod it holds.
    expect(app.servers.map((s) => [describeDestination(s.to), s.answers, s.why])).toEqual([
      ['pods dns {app=resolver}', 'cluster-names', 'the replicas of dns/resolver: its Corefile sends on only cluster.local (to kube-dns) and refuses .'],
      ['pod dns/resolver', 'cluster-names', 'its Corefile sends on only cluster.local (to kube-dns) and refuses .'],
    ]);
    const swapped = objects.map((o) => (o === objects[4] ? resolver('dns', 'missing') : o));
    expect(dnsReport(readCluster(swapped)).workloads.find((w) => w.endpoint === 'ai/app')).toMatchObject({ resolvesOutside: true });
  });

  it("reads a resolver without metadata.namespace, and its ConfigMap, in the namespace 'default'; the first of two same-named ConfigMaps wins", () => {
    const unscoped = (o: Obj): Obj => ({ ...o, metadata: { name: (o.metadata as Obj).name } });
    const objects = [
      namespace('default'),
      namespace('ai'),
      unscoped(resolver('default', 'corefile')),
      unscoped(configMap('default', 'corefile', COREFILE)),
      configMap('default', 'corefile', '.:53 {\n    forward . 8.8.8.8\n}\n'),
    ];
    expect(dnsReport(readCluster(objects)).workloads.find((w) => w.endpoint === 'default/resolver')).toMatchObject({
      serves: { answers: 'cluster-names' },
      dnsPolicy: 'ClusterFirst',
    });
    const reversed = [objects[0], objects[1], objects[2], objects[4], objects[3]];
    expect(dnsReport(readCluster(reversed)).workloads.find((w) => w.endpoint === 'default/resolver')).toMatchObject({ serves: { answers: 'any-name' } });
  });

  const decoy = (ns: string, name: string): Obj => ({
    ...configMap(ns, name, ''),
    metadata: {
      name,
      namespace: ns,
      annotations: { 'secure-ai-egress/ungoverned-relay': 'pods db {app=store}: wrong', 'secure-ai-egress/public-dns': 'wrong' },
    },
  });

  it('shows the written reasons of the policies that select the sender, found by kind, name and namespace: an object of that name in another namespace, or of another name, adds none', () => {
    const objects = [
      namespace('dns'),
      namespace('ai'),
      namespace('db'),
      resolver('dns', 'corefile'),
      configMap('dns', 'corefile', COREFILE),
      resolverEgress,
      deployment('ai', 'app', { app: 'app' }),
      deployment('db', 'store', { app: 'store' }),
      // Read before the policy: the same name in another namespace, and another name in the same namespace; neither selects ai/app.
      decoy('db', 'egress-app'),
      decoy('ai', 'other'),
      egress(
        'ai',
        'app',
        { ns: 'db', app: 'store' },
        {
          'secure-ai-egress/ungoverned-relay': 'pods db {app=store}: the vector store',
          'secure-ai-egress/public-dns': 'names outside the cluster: resolves a partner API',
        },
      ),
    ];
    const cluster = readCluster(objects);
    // A reason names a class of pods, so the known pod of the class has none.
    expect(relayReport(cluster).map((r) => [r.from, describeDestination(r.to), r.reason])).toEqual([
      ['ai/app', 'pods db {app=store}', 'the vector store'],
      ['ai/app', 'pod db/store', undefined],
      ['dns/resolver', 'pods kube-system {k8s-app=kube-dns}', undefined],
    ]);
    expect(dnsReport(cluster).workloads.find((w) => w.endpoint === 'ai/app')).toMatchObject({ reason: 'resolves a partner API' });
  });
});

/** An array that counts the reads of its elements (as `find`, `filter` and `for...of` make them). */
function counting<T>(items: readonly T[]): { items: readonly T[]; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(items, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads += 1;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { items: proxy, reads: () => reads };
}

/** n namespaces, each with a sender confined for egress (to its store, and DNS to the resolver) and a store no policy confines. */
function platform(n: number): Obj[] {
  const objects: Obj[] = [namespace('dns'), resolver('dns', 'corefile'), configMap('dns', 'corefile', COREFILE), resolverEgress];
  for (let i = 0; i < n; i++) {
    const ns = `team-${i}`;
    objects.push(
      namespace(ns),
      deployment(ns, 'app', { app: 'app' }),
      deployment(ns, 'store', { app: 'store' }),
      egress(ns, 'app', { ns, app: 'store' }, { 'secure-ai-egress/ungoverned-relay': `pods ${ns} {app=store}: store ${i}` }),
    );
  }
  return objects;
}

/** The cluster of the objects with its manifests, endpoints and policies counting how often they are read. */
function instrumented(objects: Obj[]) {
  const read = readCluster(objects);
  const manifests = counting(read.manifests);
  let selects = 0;
  const policies = [...read.policies, ...read.staged].map((p): Policy => ({
    ...p,
    selects: (e) => {
      selects += 1;
      return p.selects(e);
    },
  }));
  const cluster = new Cluster(read.catalog, [...read.tiers.values()], policies, read.skipped, read.proxies, read.notes, manifests.items);
  const endpoints = counting(cluster.catalog.endpoints);
  Object.defineProperty(cluster.catalog, 'endpoints', { value: endpoints.items });
  const start = { manifests: manifests.reads(), endpoints: endpoints.reads(), selects };
  return {
    cluster,
    reads: () => ({ manifests: manifests.reads() - start.manifests, endpoints: endpoints.reads() - start.endpoints, selects: selects - start.selects }),
  };
}

describe('the DNS and relay reports at scale', () => {
  it.each([20, 60])(
    'read each manifest once, each endpoint a bounded number of times, and ask each relay only its own namespace’s policies (%i namespaces)',
    (n) => {
      const { cluster, reads } = instrumented(platform(n));
      const relays = relayReport(cluster);
      const dns = dnsReport(cluster);
      // The answers themselves: each store is a relay of its sender, with its reason; every sender asks the resolver, which answers cluster names only.
      expect(relays.filter((r) => r.to.type === 'pods' && r.reason?.startsWith('store '))).toHaveLength(n);
      expect(dns.workloads.filter((w) => w.endpoint.endsWith('/app') && !w.resolvesOutside)).toHaveLength(n);
      const count = reads();
      const manifests = cluster.manifests.length;
      const endpoints = cluster.endpoints.length;
      // The index reads each manifest once (each report is a pass over the endpoints, reading each a few times); searching per workload read them n times each.
      expect(count.manifests).toBe(manifests);
      expect(count.endpoints).toBeLessThanOrEqual(4 * endpoints);
      // Whether a store is confined asks the policies of its namespace and the global ones: one each, not the n of the cluster.
      expect(count.selects).toBeLessThanOrEqual(4 * relays.length);
    },
  );
});

// A reason is read from the policy that selects the sender, the object of its kind, namespace and
// name (lib/k8s ObjectRef), never from another object that shares its namespace and name: a
// ConfigMap, or a Calico NetworkPolicy (projectcalico.org/v3) beside a Kubernetes one
// (networking.k8s.io/v1), which the API serves as two objects.
describe('the written reasons of the policies that select a sender, matched by kind', () => {
  const reasons = { 'secure-ai-egress/ungoverned-relay': 'pods db {app=store}: wrong', 'secure-ai-egress/public-dns': 'names outside the cluster: wrong' };
  const base = [namespace('dns'), namespace('ai'), namespace('db'), resolver('dns', 'corefile'), configMap('dns', 'corefile', COREFILE), resolverEgress];
  const sender = [deployment('ai', 'app', { app: 'app' }), deployment('db', 'store', { app: 'store' })];
  const read = (...objects: Obj[]) => {
    const cluster = readCluster([...base, ...sender, ...objects]);
    return {
      relay: relayReport(cluster).find((r) => r.from === 'ai/app' && describeDestination(r.to) === 'pods db {app=store}')?.reason,
      dns: dnsReport(cluster).workloads.find((w) => w.endpoint === 'ai/app')?.reason,
    };
  };

  it('takes none from a ConfigMap of the same namespace and name as the policy', () => {
    const sameName = { ...configMap('ai', 'egress-app', ''), metadata: { name: 'egress-app', namespace: 'ai', annotations: reasons } };
    expect(read(sameName, egress('ai', 'app', { ns: 'db', app: 'store' }))).toEqual({ relay: undefined, dns: undefined });
  });

  it('takes none from a Calico NetworkPolicy of the same namespace and name as the Kubernetes one', () => {
    const twin = calico('NetworkPolicy', 'egress-app', { selector: "app == 'nothing'", types: ['Egress'], egress: [{ action: 'Allow' }] }, 'ai');
    const annotated = { ...twin, metadata: { ...(twin.metadata as Obj), annotations: reasons } };
    expect(read(annotated, egress('ai', 'app', { ns: 'db', app: 'store' }))).toEqual({ relay: undefined, dns: undefined });
  });

  it("finds the reasons of a policy written without metadata.namespace, which is in 'default' as its pods are", () => {
    const unscoped = (o: Obj): Obj => ({ ...o, metadata: { ...(o.metadata as Obj), namespace: undefined } });
    const cluster = readCluster([
      ...base,
      namespace('default'),
      unscoped(deployment('default', 'app', { app: 'app' })),
      deployment('db', 'store', { app: 'store' }),
      unscoped(
        egress(
          'default',
          'app',
          { ns: 'db', app: 'store' },
          { 'secure-ai-egress/ungoverned-relay': 'pods db {app=store}: the store', 'secure-ai-egress/public-dns': 'names outside the cluster: a partner API' },
        ),
      ),
    ]);
    expect(relayReport(cluster).find((r) => r.from === 'default/app' && describeDestination(r.to) === 'pods db {app=store}')?.reason).toBe('the store');
    expect(dnsReport(cluster).workloads.find((w) => w.endpoint === 'default/app')?.reason).toBe('a partner API');
  });

  it('reads the public-dns reason with the reason codec: the reason about names outside the cluster, not the annotation text whole', () => {
    const written = { 'secure-ai-egress/public-dns': 'names outside the cluster: a partner API\nsomething else: not this' };
    expect(read(egress('ai', 'app', { ns: 'db', app: 'store' }, written)).dns).toBe('a partner API');
  });
});

// A kind is unique only within its API group (https://kubernetes.io/docs/reference/using-api/#api-groups):
// a custom resource of another group may be called `ConfigMap` or `Deployment`, and is then another
// object than the built-in one of the same namespace and name. The DNS report reads the built-in
// ones only.
describe('the manifests the DNS report looks up, matched by API group and kind', () => {
  const shadow = (o: Obj, corefile?: string): Obj => ({
    ...o,
    apiVersion: 'evil.example.com/v1',
    ...(corefile === undefined ? {} : { data: { Corefile: corefile } }),
  });
  const answersOf = (objects: Obj[]) => dnsReport(readCluster(objects)).workloads.find((w) => w.endpoint === 'dns/resolver')?.serves?.answers;
  const base = [namespace('dns'), resolverEgress];

  it("reads the resolver's Corefile from the core ConfigMap, not a custom resource `kind: ConfigMap` of another group read before it", () => {
    const real = configMap('dns', 'corefile', '.:53 {\n    forward . 8.8.8.8\n}\n');
    const objects = [...base, shadow(configMap('dns', 'corefile', ''), COREFILE), resolver('dns', 'corefile'), real];
    expect(answersOf(objects)).toBe('any-name');
    expect(answersOf([...base, resolver('dns', 'corefile'), real])).toBe('any-name');
  });

  it('finds the apps/v1 Deployment of a workload, not a custom resource `kind: Deployment` of another group read before it', () => {
    const index = new ManifestIndex(parseManifests(yamlOf([shadow(resolver('dns', 'cluster-only')), resolver('dns', 'corefile')]), 'test.yaml'));
    expect(index.find({ kind: 'Deployment', namespace: 'dns', name: 'resolver' })?.object).toMatchObject({ apiVersion: 'apps/v1' });
    expect(
      new ManifestIndex(parseManifests(yamlOf([shadow(resolver('dns', 'cluster-only'))]), 'test.yaml')).find({
        kind: 'Deployment',
        namespace: 'dns',
        name: 'resolver',
      }),
    ).toBeUndefined();
  });

  it('finds an object of a kind it knows the group of, or of the group asked for, and nothing without an apiVersion', () => {
    const real = configMap('dns', 'corefile', COREFILE);
    const custom = shadow(configMap('dns', 'corefile', ''));
    const index = new ManifestIndex(parseManifests(yamlOf([custom, real, { ...configMap('dns', 'bare', COREFILE), apiVersion: undefined }]), 'test.yaml'));
    expect(index.find({ kind: 'ConfigMap', namespace: 'dns', name: 'corefile' })?.object).toMatchObject({ apiVersion: 'v1' });
    expect(index.find({ kind: 'ConfigMap', namespace: 'dns', name: 'corefile', group: 'evil.example.com' })?.object).toMatchObject({
      apiVersion: 'evil.example.com/v1',
    });
    expect(index.find({ kind: 'ConfigMap', namespace: 'dns', name: 'bare' })).toBeUndefined();
  });
});
