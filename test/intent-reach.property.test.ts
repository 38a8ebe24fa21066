/**
 * Random valid intents, synthesized and read by the verifier: what it says each app may send, and
 * who may call it, equals what the intent declares, as the independent oracle reads it
 * (test/support/oracle.ts: the intent alone, its own table of the clouds' metadata addresses,
 * BigInt intervals and Node's net.BlockList, never lib/net, lib/policy or a renderer's output).
 *
 * The intents: up to six apps in up to three namespaces (often several in one), both flavors,
 * audit per app and platform-wide (a namespace is audited whole, as the intent requires), every
 * cloud, shared allow-lists (IPv4 and IPv6, blocks around metadata addresses), internet egress
 * with its reason (blocks shorter than /8), the EKS Pod Identity opt-in where the cloud has it,
 * DNS options (the resolver of cluster names, or public names through kube-dns, off with NodeLocal
 * DNSCache and the kube-dns ClusterIP, IPv6 NodeLocal addresses), the cluster's ranges (declared,
 * or the cloud's defaults, carved out of every wide block), pods of other namespaces, and ingress clients with and without labels, among them
 * apps of the intent that call each other (so the rule that a caller's destination naming an
 * app's pods needs that app's ingress to admit it holds, and is broken on purpose in the last
 * property).
 *
 * What audit mode means here: the verifier reads Staged policies but never enforces them, so in
 * the cluster as it runs an audited app is confined by the enforced metadata guardrail alone (it
 * may send anything but to its cloud's metadata addresses, the credential endpoint it declares
 * excepted, and it admits every caller), and with its Staged policies enforced (the preview) it
 * reaches exactly what it declares. Both are asked.
 *
 * Where an app's own policies decide, the reach matchers (lib/testing) must agree too, given the
 * oracle's declaration as main.test.ts gives it (`toReachExactly` with `declaredDestinations`):
 * that found a class of pods narrower than a declared one (more labels, named by another rule)
 * reported as not expected, fixed in lib/testing/reach.ts with an example in
 * lib/testing/matchers.test.ts.
 *
 * Besides reach, every allowed block of the manifests carves out the cloud's metadata (the rule of
 * lib/checks that main.test.ts states of dist/, through lib/checks' blockProblems):
 * in Calico policies the guardrail denies metadata first, so a dropped carve-out there changes no
 * reach.
 *
 * The intent-equals-reach property was seen to fail, within the local runs, with each of these
 * mutations of the production code, one at a time (the message it gave in brackets):
 * - lib/policy/kubernetes.ts: an ipBlock without its `except` (a dropped carve-out) [added: TCP 1
 *   cidr 0.0.0.0/0, in an intent with no calico app, where no guardrail backs it up];
 * - lib/policy/kubernetes.ts: `endPort: p.to + 1` (a port range widened by one) [added: TCP 1-3
 *   cidr 169.254.170.23/32];
 * - lib/policy/calico.ts: ranges written `${p.from}:${p.to + 1}` [added: TCP 1-3 pods db {app=x}];
 * - lib/policy/kubernetes.ts: ingress peers without their `podSelector` [db/probe-2 -> ai-a/app-0
 *   TCP 1: admitted, declared refused];
 * - lib/policy/calico.ts: ingress sources without their `selector` [the same];
 * - lib/policy/calico.ts: no `serviceAccountSelector` on the per-app policy [impostor-app-0 added:
 *   TCP 53 pods kube-system {k8s-app=kube-dns}];
 * - lib/policy/kubernetes.ts: TCP written as UDP (a swapped protocol) [removed: TCP 53 cidr fd00::10];
 * - lib/policy/calico.ts: the guardrail's Deny of a credential user's other ports with
 *   `notPorts: ['1:65535']` (no port left to deny) [an audited app added: TCP all ports cidr
 *   0.0.0.0/0 except ..., the credential endpoint no longer excepted];
 * - lib/policy/plan.ts: the kube-dns ClusterIP left out of NodeLocal DNS [removed: UDP 53 cidr 10.96.0.10];
 * - lib/policy/plan.ts: DNS on UDP only [removed: TCP 53 pods kube-system {k8s-app=kube-dns}];
 * - lib/platform/platform.ts: an audited namespace's default deny enforced [an audited app
 *   removed: TCP all ports cidr 0.0.0.0/0 except the cloud's metadata];
 * - lib/net/metadata.ts: the GKE metadata server (169.254.169.252) left out of the table [added:
 *   TCP 1 cidr 0.0.0.0/0 except ..., without 169.254.169.252/32].
 * The carve-out check failed with lib/policy/calico.ts writing `nets` rules without `notNets`
 * [NetworkPolicy ai-a/ai-egress.app-0 allows ::/0 without carving out fd00:ec2::23]; an
 * allow-list's rule without them turned it red in two of three local runs. The oracle's own
 * reading of addresses failed its property with the halves of an IPv4 tail swapped in
 * test/support/oracle.ts [counterexample ::1, spelled ::0.0.0.1], and `declaredDestinations`
 * without its carve-outs failed the matchers' comparison [removed: TCP 1 cidr fd00:ec2::23/128, ...].
 */
import fc from 'fast-check';
import { BlockList, isIP } from 'net';
import { stringify } from 'yaml';
import {
  AiAppIntent,
  AllowList,
  CalicoOptions,
  ClusterNetwork,
  DnsIntent,
  EgressDestination,
  IngressClient,
  PlatformIntent,
  PortSpec,
  Protocol,
  validateIntent,
} from '../lib/intent';
import { blockProblems } from '../lib/checks';
import { CLOUDS, cidr, formatCidr } from '../lib/net';
import { flowChangeJson } from '../lib/review';
import {
  admits,
  ManifestDocument,
  CLOUD_SPEC,
  credentialAddresses,
  declaredDestinations,
  egressAllows,
  expectedEntries,
  formatAddress,
  isAuditedApp,
  metadataAddresses,
  metadataNat64Addresses,
  parseAddress,
  PodClass,
  reachDifferences,
  reachMismatch,
  readSynthesized,
  Sender,
  SPEC_CLOUDS,
  View,
} from '../lib/testing';
import { Cluster, egressReport, query } from '../lib/verify';
import { runs } from './support/runs';
import { synthesized } from './support/synth';

const APP_NAMESPACES = ['ai-a', 'ai-b', 'ai-c'];
/** Namespaces no app is declared in: pods there stand for the services apps call, and for their clients. */
const PEER_NAMESPACES = ['db', 'gw'];
const PEER_LABELS: readonly Readonly<Record<string, string>>[] = [{ app: 'x' }, { app: 'y' }, { app: 'x', tier: 'web' }];
const APP_NAME_LABEL = 'app.kubernetes.io/name';

/** A pod per peer namespace and label set (and one without labels), so packets to each class can be asked about. */
const PEERS: readonly (PodClass & { id: string })[] = PEER_NAMESPACES.flatMap((namespace) =>
  [...PEER_LABELS, {}].map((labels, i) => ({ id: `${namespace}/peer-${i}`, namespace, labels })),
);
const PEER_YAML = PEERS.map((p) =>
  stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.id.split('/')[1], namespace: p.namespace, labels: p.labels },
    spec: { containers: [{ name: 'peer', image: 'busybox:1.36' }] },
  }),
).join('---\n');

// ---------------------------------------------------------------------------------------------
// Generators.

function blockText(version: 4 | 6, value: bigint, prefix: number): string {
  const bits = version === 4 ? 32 : 128;
  const size = 1n << BigInt(bits - prefix);
  return `${formatAddress({ version, value: value - (value % size) })}/${prefix}`;
}

const v4 = (min: number) => fc.tuple(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), fc.integer({ min, max: 32 })).map(([v, p]) => blockText(4, v, p));
const v6 = (min: number) => fc.tuple(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min, max: 128 })).map(([v, p]) => blockText(6, v, p));
/** Blocks around metadata addresses of every cloud, so that carving them out is exercised. */
const aroundMetadata = fc.constantFrom(
  '169.254.0.0/16',
  '169.254.169.0/24',
  '169.254.170.0/24',
  '169.0.0.0/8',
  '100.64.0.0/10',
  '168.63.0.0/16',
  'fd00:ec2::/64',
  'fd20:ce::/32',
  'fe80::/64',
);
/** Blocks that need no written reason: /8 or longer. */
const narrowBlock = fc.oneof({ weight: 2, arbitrary: v4(8) }, { weight: 1, arbitrary: v6(8) }, { weight: 2, arbitrary: aroundMetadata });
/** Blocks shorter than /8: the internet in all but name. */
const shorterThan8 = (b: string) => Number(b.split('/')[1]) < 8;
const internetBlock = fc.oneof(fc.constantFrom('0.0.0.0/0', '::/0'), v4(0).filter(shorterThan8), v6(0).filter(shorterThan8));

const portSpec: fc.Arbitrary<PortSpec> = fc.oneof(
  fc.constantFrom(1, 53, 443, 65535),
  fc.integer({ min: 1, max: 65535 }),
  fc
    .tuple(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 0, max: 2000 }))
    .map(([from, len]) => ({ from: Math.min(from, 65535 - len), to: Math.min(from, 65535 - len) + len })),
);
const rangeOf = (p: PortSpec) => (typeof p === 'number' ? { from: p, to: p } : p);
const within = (p: PortSpec, q: PortSpec) => rangeOf(q).from <= rangeOf(p).from && rangeOf(p).to <= rangeOf(q).to;
// Each port once: a port listed twice, or inside a range of the same destination, is refused (lib/intent/api-rules.ts).
const ports = fc.array(portSpec, { minLength: 1, maxLength: 3 }).filter((list) => list.every((p, j) => list.every((q, k) => k === j || !within(p, q))));
const protocol = fc.option(fc.constantFrom<Protocol>('TCP', 'UDP', 'SCTP'), { nil: undefined });
const withProtocol = <T extends object>(d: T, p: Protocol | undefined) => (p === undefined ? d : { ...d, protocol: p });

/** A destination other than another app of the intent; credentials only where the cloud has them (dropped later otherwise). */
function destination(lists: readonly string[]): fc.Arbitrary<EgressDestination> {
  const kinds: fc.Arbitrary<EgressDestination>[] = [
    fc.tuple(narrowBlock, ports, protocol, fc.boolean()).map(([cidr, p, proto, reason]) =>
      withProtocol(
        {
          cidr,
          ports: p,
          ...(reason ? { internet: { reason: 'a wide block, on purpose' } } : {}),
        },
        proto,
      ),
    ),
    fc
      .tuple(internetBlock, ports, protocol)
      .map(([cidr, p, proto]) => withProtocol({ cidr, ports: p, internet: { reason: 'calls a hosted model API' } }, proto)),
    fc
      .tuple(fc.constantFrom(...PEER_NAMESPACES), fc.constantFrom(...PEER_LABELS), ports, protocol)
      .map(([namespace, podLabels, p, proto]) =>
        withProtocol({ namespace, podLabels, ports: p, ungoverned: { reason: 'a peer namespace of another team' } }, proto),
      ),
    fc
      .tuple(ports, protocol)
      .map(([p, proto]) => withProtocol({ credentials: 'eks-pod-identity', ports: p, reason: 'reads weights from S3 with its own role' }, proto)),
  ];
  if (lists.length) {
    kinds.push(fc.tuple(fc.constantFrom(...lists), ports, protocol).map(([allowList, p, proto]) => withProtocol({ allowList, ports: p }, proto)));
  }
  return fc.oneof(...kinds);
}

const client: fc.Arbitrary<IngressClient> = fc.oneof(
  fc.constantFrom(...PEER_NAMESPACES, ...APP_NAMESPACES).map((namespace) => ({ namespace })),
  fc.tuple(fc.constantFrom(...PEER_NAMESPACES), fc.constantFrom(...PEER_LABELS)).map(([namespace, podLabels]) => ({ namespace, podLabels })),
);

const publicNames = { reason: 'resolves public names' };

/** The resolver of cluster names (no dns), or public names through kube-dns and NodeLocal DNSCache. */
const dns: fc.Arbitrary<DnsIntent | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant({ publicNames }),
  fc.constant({ publicNames, kubeDns: true }),
  fc
    .tuple(
      fc.boolean(),
      fc.subarray(['169.254.20.10', '169.254.25.10', 'fd00::10', 'fe80::a'], { minLength: 1 }),
      fc.constantFrom('10.96.0.10', '172.20.0.10', 'fd00:10:96::a'),
    )
    .map(([kubeDns, nodeLocal, kubeDnsClusterIp]) => ({ publicNames, ...(kubeDns ? {} : { kubeDns: false }), nodeLocal, kubeDnsClusterIp })),
);

/** The cluster's ranges: the defaults of its cloud, or declared (pods and nodes that some random blocks hold, a Service range). */
const clusterNetwork: fc.Arbitrary<ClusterNetwork | undefined> = fc.option(
  fc.record(
    {
      podCidrs: fc.constantFrom(['10.244.0.0/16'], ['192.168.0.0/16', 'fd00:10:244::/56']),
      serviceCidrs: fc.constantFrom(['10.96.0.0/12'], ['172.20.0.0/16', 'fd00:10:96::/108']),
      nodeCidrs: fc.constantFrom(['10.0.0.0/16'], ['100.64.0.0/10']),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);

interface AppDraft {
  readonly namespace: number;
  readonly flavor: 'kubernetes' | 'calico';
  /** Whether a calico app states its audit mode when the platform's already says it. */
  readonly statesAudit: boolean;
  readonly port: number;
  readonly egress: readonly EgressDestination[];
  readonly ingress: readonly IngressClient[];
  readonly dns: DnsIntent | undefined;
  /**
   * Apps of the intent (by index) this one calls on their port (with more ports, and over another
   * protocol, which the intent warns about), and whether they admit it by its labels or its whole namespace.
   */
  readonly calls: readonly { readonly callee: number; readonly byLabels: boolean; readonly more?: PortSpec; readonly protocol?: Protocol }[];
}

const draft = (lists: readonly string[]): fc.Arbitrary<AppDraft> =>
  fc.record({
    namespace: fc.integer({ min: 0, max: APP_NAMESPACES.length - 1 }),
    flavor: fc.constantFrom('kubernetes' as const, 'calico' as const),
    statesAudit: fc.boolean(),
    port: fc.oneof(fc.constantFrom(1, 8000, 8080, 65535), fc.integer({ min: 1, max: 65535 })),
    egress: fc.array(destination(lists), { maxLength: 4 }),
    ingress: fc.array(client, { maxLength: 3 }),
    dns,
    calls: fc.array(fc.record({ callee: fc.nat({ max: 7 }), byLabels: fc.boolean(), more: portSpec, protocol }, { requiredKeys: ['callee', 'byLabels'] }), {
      maxLength: 2,
    }),
  });

const calicoOptions: fc.Arbitrary<CalicoOptions | undefined> = fc.option(
  fc.record(
    {
      audit: fc.boolean(),
      log: fc.constantFrom('denied-egress' as const, 'denied' as const, 'none' as const),
      tier: fc.constantFrom('ai-egress', 'guard'),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);

const allowLists: fc.Arbitrary<AllowList[]> = fc
  // Each block once per list: a block twice is refused (its GlobalNetworkSet's nets are a set).
  .array(fc.uniqueArray(narrowBlock, { minLength: 1, maxLength: 3, selector: (b) => formatCidr(cidr(b)) }), { maxLength: 2 })
  .map((lists) => lists.map((cidrs, i) => ({ name: `list-${i}`, cidrs })));

/**
 * A valid intent by construction: audit decided per namespace (audited namespaces hold calico apps
 * only), credentials only where the cloud has them and once per app, and every call to an app of
 * the intent admitted by that app's ingress.
 */
const intentArb: fc.Arbitrary<PlatformIntent> = fc
  .record({
    lists: allowLists,
    // Every cloud; the default and those with a pod credential endpoint more often.
    cloud: fc.oneof(fc.constant(undefined), fc.constantFrom('aws' as const, 'any' as const), fc.constantFrom(...CLOUDS)),
    // Intents without any calico app, where no guardrail backs the Kubernetes policies up, as often as the others.
    flavors: fc.constantFrom('kubernetes' as const, 'calico' as const, 'mixed' as const),
    calico: calicoOptions,
    network: clusterNetwork,
    auditedNamespaces: fc.array(fc.boolean(), { minLength: APP_NAMESPACES.length, maxLength: APP_NAMESPACES.length }),
  })
  .chain((p) =>
    fc.array(draft(p.lists.map((l) => l.name)), { minLength: 1, maxLength: 6 }).map((drafts): PlatformIntent => {
      const platformAudit = p.calico?.audit ?? false;
      const hasCredentialEndpoint = p.cloud === undefined || p.cloud === 'any' || Object.keys(CLOUD_SPEC[p.cloud].credentials).length > 0;
      const apps = drafts.map((d, i): AiAppIntent => {
        const audited = p.flavors !== 'kubernetes' && p.auditedNamespaces[d.namespace];
        const flavor = audited ? 'calico' : p.flavors === 'mixed' ? d.flavor : p.flavors;
        // An audited namespace previews every app in it, an enforced one none; an app states it when the platform says otherwise.
        const audit = flavor === 'calico' && (platformAudit !== audited || d.statesAudit) ? audited : undefined;
        const firstCredentials = d.egress.findIndex((e) => 'credentials' in e);
        const egress = d.egress.filter((e, j) => !('credentials' in e) || (hasCredentialEndpoint && j === firstCredentials));
        return {
          name: `app-${i}`,
          namespace: APP_NAMESPACES[d.namespace],
          image: 'ghcr.io/example/server:1.0.0',
          port: d.port,
          flavor,
          ...(audit === undefined ? {} : { audit }),
          egress,
          ...(d.ingress.length ? { ingress: d.ingress } : {}),
          ...(d.dns ? { dns: d.dns } : {}),
        };
      });
      const calls = drafts.flatMap((d, i) => d.calls.map((c) => ({ ...c, caller: i, callee: c.callee % apps.length })));
      const withCalls = apps.map((app, i): AiAppIntent => {
        const out = calls
          .filter((c) => c.caller === i)
          .map(({ callee, more, protocol: proto }): EgressDestination =>
            withProtocol(
              {
                namespace: apps[callee].namespace,
                podLabels: { [APP_NAME_LABEL]: apps[callee].name },
                // Each port once (a port listed twice is refused): `more` alone where it holds the callee's port.
                ports: more === undefined ? [apps[callee].port] : within(apps[callee].port, more) ? [more] : [apps[callee].port, more],
              },
              proto,
            ),
          );
        const into = calls
          .filter((c) => c.callee === i)
          .map((c): IngressClient =>
            c.byLabels
              ? { namespace: apps[c.caller].namespace, podLabels: { [APP_NAME_LABEL]: apps[c.caller].name } }
              : { namespace: apps[c.caller].namespace },
          );
        const ingress = [...(app.ingress ?? []), ...into];
        return { ...app, egress: [...app.egress, ...out], ...(ingress.length ? { ingress } : {}) };
      });
      return {
        apps: withCalls,
        allowLists: p.lists,
        ...(p.cloud ? { cloud: p.cloud } : {}),
        ...(p.calico ? { calico: p.calico } : {}),
        ...(p.network ? { clusterNetwork: p.network } : {}),
      };
    }),
  );

// ---------------------------------------------------------------------------------------------
// The checks of one intent.

const id = (app: AiAppIntent) => `${app.namespace}/${app.name}`;

/** The labels an app's pods carry, read from its Deployment. */
function podLabels(manifests: readonly ManifestDocument[], app: AiAppIntent): Record<string, string> {
  const deployment = manifests.find(
    (m) => m.object.kind === 'Deployment' && m.object.metadata.namespace === app.namespace && m.object.metadata.name === app.name,
  );
  if (!deployment) throw new Error(`${id(app)} has no Deployment`);
  return deployment.object.spec.template.metadata.labels;
}

/** A pseudo-random sequence from a drawn seed, so a replayed seed asks the same packets. */
function sequence(seed: number): () => number {
  let n = seed;
  return () => (n = (n * 1103515245 + 12345) % 2147483648);
}

/** Every difference between the verifier and the oracle for one intent, as lines. */
function differences(intent: PlatformIntent, seed: number): string[] {
  const s = synthesized(intent, (dist) => readSynthesized(intent, dist), { 'peers.yaml': PEER_YAML });
  const views: [View, Cluster][] = [['enforced', s.cluster]];
  if (intent.apps.some((a) => isAuditedApp(a, intent))) views.push(['previewed', s.previewed]);
  const problems: string[] = [];
  const impostors = intent.apps.filter((a) => a.flavor === 'calico').map((app) => ({ app, ...s.impostors.get(id(app))! }));
  const sources: (PodClass & { id: string })[] = [
    ...s.probes,
    ...PEERS,
    ...impostors,
    ...intent.apps.map((a) => ({ id: id(a), namespace: a.namespace, labels: podLabels(s.manifests, a), serviceAccount: a.name })),
  ];
  for (const [view, cluster] of views) {
    const report = egressReport(cluster);
    const senders: (Sender & { id: string })[] = [
      ...intent.apps.map((app) => ({ app, id: id(app) })),
      ...impostors.map((i) => ({ app: i.app, impostor: true, id: i.id })),
    ];
    for (const sender of senders) {
      const egress = report.workloads.find((w) => w.endpoint === sender.id);
      if (!egress) {
        problems.push(`${view}: ${sender.id} is no workload of the manifests`);
        continue;
      }
      problems.push(...reachMismatch(sender, intent, egress, view).map((d) => `${view}: ${sender.id} ${d.change}: ${d.protocol} ${d.ports} ${d.to}`));
      // What main.test.ts asks of dist/: the reach matchers' comparison with the oracle's declaration, where the app's own policies decide.
      if (!sender.impostor && (view === 'previewed' || !isAuditedApp(sender.app, intent))) {
        problems.push(
          ...reachDifferences(expectedEntries(declaredDestinations(sender.app, intent)), egress)
            .map(flowChangeJson)
            .map((c) => `${view}: ${sender.id} (as the reach matchers see it) ${c.change}: ${c.protocol} ${c.ports} ${c.to}`),
        );
      }
    }
    for (const app of intent.apps) {
      const other = app.port === 65535 ? 65534 : app.port + 1;
      for (const from of sources.filter((f) => f.id !== id(app))) {
        for (const [port, proto] of [
          [app.port, 'TCP'],
          [other, 'TCP'],
          [app.port, 'UDP'],
        ] as const) {
          const admitted = query(cluster, from.id, id(app), port, proto).ingress.allowed;
          const declared = admits(app, intent, from, port, proto, view);
          const says = (yes: boolean) => (yes ? 'admitted' : 'refused');
          if (admitted !== declared) problems.push(`${view}: ${from.id} -> ${id(app)} ${proto} ${port}: ${says(admitted)}, declared ${says(declared)}`);
        }
      }
    }
  }
  problems.push(...sampledPackets(intent, s.cluster, seed));
  problems.push(
    ...blockProblems(
      s.manifests.map((m) => m.object),
      intent.cloud,
    ).map((p) => p.message),
  );
  return problems;
}

/**
 * Single packets, in the cluster as it runs: inside, at the edges of and just outside every
 * destination, on its ports and next to them, over its protocol and another; every cloud's
 * metadata addresses inside its blocks; DNS to public resolvers and the declared servers.
 */
function sampledPackets(intent: PlatformIntent, cluster: Cluster, seed: number): string[] {
  const next = sequence(seed);
  const problems: string[] = [];
  const ask = (app: AiAppIntent, to: string | (PodClass & { id: string }), port: number, proto: Protocol) => {
    const target = typeof to === 'string' ? to : to.id;
    const allowed = query(cluster, id(app), target, port, proto).egress.allowed;
    const declared = egressAllows({ app }, intent, typeof to === 'string' ? to : to, port, proto);
    const says = (yes: boolean) => (yes ? 'allowed' : 'denied');
    if (allowed !== declared) problems.push(`packet ${id(app)} -> ${target} ${proto} ${port}: ${says(allowed)}, declared ${says(declared)}`);
  };
  const everyMetadata = metadataAddresses({}).map(parseAddress);
  for (const app of intent.apps) {
    for (const d of app.egress) {
      const proto = d.protocol ?? 'TCP';
      const other: Protocol = proto === 'TCP' ? 'UDP' : 'TCP';
      const spec = d.ports[next() % d.ports.length];
      const range = typeof spec === 'number' ? { from: spec, to: spec } : spec;
      const inside = range.from + (next() % (range.to - range.from + 1));
      const outside = range.to < 65535 ? range.to + 1 : range.from - 1;
      if ('namespace' in d) {
        for (const peer of PEERS.filter((p) => p.namespace === d.namespace)) for (const port of [inside, outside]) ask(app, peer, port, proto);
        continue;
      }
      const asBlock = (a: string) => (a.includes(':') ? `${a}/128` : `${a}/32`);
      let texts: readonly string[];
      if ('cidr' in d) texts = [d.cidr];
      else if ('allowList' in d) texts = intent.allowLists!.find((l) => l.name === d.allowList)!.cidrs;
      else if ('credentials' in d) texts = credentialAddresses(intent, d.credentials).map(asBlock);
      else continue; // names go through the egress proxy: test/hosts-reach.test.ts and test/squid-run.test.ts
      for (const text of texts) {
        const [address, prefix] = text.split('/');
        const { version, value } = parseAddress(address);
        const bits = version === 4 ? 32n : 128n;
        const size = 1n << (bits - BigInt(prefix));
        const last = value + size - 1n;
        const samples = [value, last, value + ((BigInt(next()) * BigInt(next())) % size), value - 1n, last + 1n].filter((v) => v >= 0n && v < 1n << bits);
        for (const v of samples) {
          const to = formatAddress({ version, value: v });
          for (const port of [inside, outside]) ask(app, to, port, proto);
        }
        ask(app, formatAddress({ version, value }), inside, other);
        // The metadata addresses of every cloud inside the block: carved out for the intent's cloud, or not.
        for (const m of everyMetadata.filter((a) => a.version === version && a.value >= value && a.value <= last)) ask(app, formatAddress(m), inside, proto);
      }
    }
    for (const server of ['8.8.8.8', '2001:4860:4860::8888', ...(app.dns?.nodeLocal ?? []), ...(app.dns?.kubeDnsClusterIp ? [app.dns.kubeDnsClusterIp] : [])]) {
      for (const proto of ['UDP', 'TCP'] as const) ask(app, server, 53, proto);
    }
  }
  return problems;
}

describe('the oracle reads addresses as Node does', () => {
  const group = (v: bigint, i: number) => ((v >> BigInt(112 - 16 * i)) & 0xffffn).toString(16);
  const spellings = (v: bigint): string[] => {
    const groups = Array.from({ length: 8 }, (_, i) => group(v, i));
    const low = Number(v & 0xffffffffn);
    return [
      groups.join(':'),
      groups.map((g) => g.padStart(4, '0')).join(':'),
      `${groups.slice(0, 6).join(':')}:${[24, 16, 8, 0].map((s) => (low >>> s) & 0xff).join('.')}`,
      new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1),
    ];
  };

  it('every spelling of an IPv6 address (zeros padded or compressed, an IPv4 tail) as its value, written as the URL parser writes it', () => {
    const groups = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(groups, (gs) => {
        const value = gs.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
        for (const text of spellings(value)) {
          const read = parseAddress(text);
          expect({ text, value: read.value, written: formatAddress(read) }).toEqual({
            text,
            value,
            written: new URL(`http://[${text}]/`).hostname.slice(1, -1),
          });
          const list = new BlockList();
          list.addAddress(text, 'ipv6');
          expect(list.check(formatAddress(read), 'ipv6')).toBe(true);
        }
      }),
      { numRuns: runs(200) },
    );
  });

  it('IPv4 addresses as their value, and back', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), (value) => {
        const text = formatAddress({ version: 4, value });
        expect(parseAddress(text)).toEqual({ version: 4, value });
        expect(isIP(text)).toBe(4);
      }),
      { numRuns: runs(200) },
    );
  });
});

/**
 * Found by a fresh seed (1514620811): an allow-list holding a block inside link-local addresses
 * beside a wide block that carves all of link-local out. The calico flavor's rule on the set
 * carved the declared block out whole; it now has a rule of its own (shadowedBlocks in
 * lib/policy/calico.ts).
 */
const linkLocalBesideWideBlock: PlatformIntent = {
  apps: [
    {
      name: 'app-0',
      namespace: 'ai-a',
      image: 'ghcr.io/example/server:1.0.0',
      port: 1,
      flavor: 'calico',
      audit: false,
      egress: [{ allowList: 'list-0', ports: [1] }],
      dns: { publicNames: { reason: 'resolves public names' }, kubeDns: true },
    },
  ],
  allowLists: [{ name: 'list-0', cidrs: ['169.254.169.0/24', '20ce:9ad6:fcd5:9333:e000::/69', '169.0.0.0/8'] }],
  cloud: 'any',
  calico: { audit: true, log: 'denied', tier: 'guard' },
  clusterNetwork: { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['172.20.0.0/16', 'fd00:10:96::/108'], nodeCidrs: ['100.64.0.0/10'] },
};

describe('random intents: the verifier agrees with the declaration (property-based)', () => {
  it('knows the metadata addresses of every cloud the intent accepts', () => {
    expect([...SPEC_CLOUDS, 'any'].sort()).toEqual([...CLOUDS].sort());
  });

  it("names each cloud's own metadata and credential addresses, and their NAT64 forms, whichever cloud was asked before", () => {
    const spec = (clouds: readonly string[]) =>
      [...new Set(clouds.flatMap((c) => [...CLOUD_SPEC[c].metadata, ...Object.values(CLOUD_SPEC[c].credentials).flat()]))].sort();
    // Every cloud, then every one again in the other order: the oracle keeps each cloud's list once made.
    for (const cloud of [...SPEC_CLOUDS, 'any', undefined, ...[...SPEC_CLOUDS].reverse()] as (PlatformIntent['cloud'] | undefined)[]) {
      const expected = spec(cloud === undefined || cloud === 'any' ? SPEC_CLOUDS : [cloud]);
      const addresses = metadataAddresses({ cloud });
      expect([...addresses].sort()).toEqual(expected);
      expect(metadataNat64Addresses({ cloud })).toEqual(addresses.filter((a) => !a.includes(':')).map((a) => `64:ff9b::${a}`));
      // A list the caller changes is its own.
      addresses.pop();
      expect(metadataAddresses({ cloud })).toHaveLength(expected.length);
    }
  });

  it(
    'for every app and every impostor of a calico app, in both flavors, enforced and previewed: exact egress, ingress from every client and non-client, ' +
      'and sampled packets',
    () => {
      fc.assert(
        fc.property(intentArb, fc.nat(), (intent, seed) => {
          expect(validateIntent(intent)).toEqual([]);
          expect(differences(intent, seed)).toEqual([]);
        }),
        // Each case synthesizes and verifies a whole intent (about 0.15 s of CPU); every run draws new ones.
        { numRuns: runs(6), examples: [[linkLocalBesideWideBlock, 0]] },
      );
    },
  );

  it('refuses an intent once an app stops admitting a caller of the intent that sends to it on its port', () => {
    /** A caller's destination naming an app of the intent on the port it serves, over TCP: the callee must admit the caller. */
    const servedCall = (intent: PlatformIntent) =>
      intent.apps.flatMap((caller) =>
        caller.egress.flatMap((d) => {
          const callee = 'namespace' in d ? intent.apps.find((a) => a.namespace === d.namespace && a.name === d.podLabels[APP_NAME_LABEL]) : undefined;
          const served =
            callee &&
            (d.protocol ?? 'TCP') === 'TCP' &&
            d.ports.some((p) => (typeof p === 'number' ? p === callee.port : p.from <= callee.port && callee.port <= p.to));
          return served ? [{ caller, callee }] : [];
        }),
      )[0];
    fc.assert(
      fc.property(
        intentArb.filter((i) => servedCall(i) !== undefined),
        (intent) => {
          const { caller, callee } = servedCall(intent);
          const admitsCaller = (c: IngressClient) =>
            c.namespace === caller.namespace && Object.entries(c.podLabels ?? {}).every(([k, v]) => k === APP_NAME_LABEL && v === caller.name);
          const broken: PlatformIntent = {
            ...intent,
            apps: intent.apps.map((a) => (a === callee ? { ...a, ingress: (a.ingress ?? []).filter((c) => !admitsCaller(c)) } : a)),
          };
          expect(validateIntent(intent)).toEqual([]);
          expect(validateIntent(broken)).toContainEqual(
            expect.objectContaining({ severity: 'error', scope: { kind: 'app', app: callee.name }, path: [callee.name, 'ingress'], code: 'not-admitted' }),
          );
        },
      ),
      { numRuns: runs(10) },
    );
  });
});
