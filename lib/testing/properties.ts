/**
 * What holds for the synthesized manifests of any valid intent, as checks that list what is
 * wrong (empty when it holds). main.test.ts states them of whatever main.ts declares, over
 * dist/; the tool's test/user-test.test.ts states them of every fixture intent, and shows each
 * can fail.
 *
 * Reach is read by the verifier (lib/verify), which reads YAML only, and compared with what
 * the intent declares as oracle.ts reads it, egress and ingress alike; addresses and the clouds'
 * metadata addresses are the oracle's too, never lib/net's. Probe pods stand for the
 * clients an intent declares, and for pods it does not, so that the receiver's side can be
 * asked about too.
 */
import { stringify } from 'yaml';
import { ALLOW_LIST_LABEL, GOVERNED_NAMESPACE_LABEL } from '../conventions';
import { AiAppIntent, CALICO_TIER_ORDERS, PlatformIntent, Protocol, guardrailOf } from '../intent';
import { formatBytes, parseQuantity } from '../quantity';
import { Finding, RuleName, blockProblems, checkManifests, namespacePodSecurityProblems, enforceStaged } from '../checks';
import {
  Cluster,
  Destination,
  Manifest as VerifierManifest,
  Ports,
  Selector,
  buildCluster,
  describeDestination,
  describeProtocolPorts,
  describeDecision,
  egressReport,
  parseCalicoVersion,
  parseManifests,
  VerifyOptions,
  query,
  readManifestFiles,
  workloadDns,
  workloadEgress,
  workloadIngress,
} from '../verify';
import { diffWorkload } from '../review';
import { K8sObject, ManifestDocument, readManifests } from './manifests';
import { View, admits, egressAllows, isAuditedApp, metadataAddresses, metadataNat64Addresses, reachMismatch } from './oracle';
import { CALICO_API_VERSION, CALICO_LABEL, KUBE_DNS, NETWORKING_API_VERSION, isCalicoPolicyKind, isWorkloadKind } from '../k8s';

/** A namespace no intent is expected to declare: probes there stand for "anyone else". */
const ELSEWHERE = 'secure-ai-egress-probe';

/** A probe pod: a client class an intent may or may not admit. */
interface Probe {
  readonly id: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The synthesized manifests of an intent, read as files and as the verifier sees them. */
export interface Synthesized {
  readonly intent: PlatformIntent;
  readonly manifests: readonly ManifestDocument[];
  /** dist/ plus probe pods, as a cluster would enforce it (Staged policies enforce nothing). */
  readonly cluster: Cluster;
  /** The same with every Staged policy enforced: what audit mode previews (built when first asked for). */
  readonly previewed: Cluster;
  /** dist/ with every namespaced policy taken away (what a namespace's admins can delete): the cluster-wide objects alone (built when first asked for). */
  readonly clusterWide: Cluster;
  /** The manifests read, with the probes: what `cluster` is built from, for checks that add objects. */
  readonly read: readonly VerifierManifest[];
  readonly probes: readonly Probe[];
  /**
   * Per calico-flavor app, a pod with the app's labels running as the namespace's `default`
   * ServiceAccount: a workload relabelled to look like the app.
   */
  readonly impostors: ReadonlyMap<string, Probe>;
}

/** Probe pods for the clients of every app, pods like them elsewhere, and DNS servers real and decoy. */
function probesOf(intent: PlatformIntent): Probe[] {
  const classes = new Map<string, Omit<Probe, 'id'>>();
  const add = (namespace: string, labels: Readonly<Record<string, string>>) => classes.set(JSON.stringify([namespace, labels]), { namespace, labels });
  for (const app of intent.apps) {
    const scrapers = app.metrics === undefined ? [] : (app.metrics.scrapers ?? intent.metrics?.scrapers ?? []);
    for (const client of [...(app.ingress ?? []), ...scrapers]) {
      const labels = client.podLabels ?? {};
      add(client.namespace, labels);
      add(ELSEWHERE, labels);
      if (Object.keys(labels).length > 0) add(client.namespace, {});
    }
  }
  add(KUBE_DNS.namespace, KUBE_DNS.podLabels);
  add(ELSEWHERE, KUBE_DNS.podLabels);
  return [...classes.values()].map((c, i) => ({ ...c, id: `${c.namespace}/probe-${i}` }));
}

function probeYaml(probes: readonly Probe[]): string {
  return probes
    .map((p) =>
      stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: p.id.split('/')[1], namespace: p.namespace, labels: p.labels },
        spec: { containers: [{ name: 'probe', image: 'busybox:1.36' }] },
      }),
    )
    .join('---\n');
}

/** Per calico-flavor app, an impostor: its pods' labels (read from its Deployment), the `default` ServiceAccount. */
function impostorsOf(intent: PlatformIntent, manifests: readonly ManifestDocument[]): Map<string, Probe> {
  const impostors = new Map<string, Probe>();
  for (const app of intent.apps.filter((a) => a.flavor === 'calico')) {
    const deployment = manifests
      .map((m) => m.object)
      .find((o) => o.kind === 'Deployment' && o.metadata.namespace === app.namespace && o.metadata.name === app.name);
    const labels = deployment?.spec?.template?.metadata?.labels;
    if (labels) impostors.set(id(app), { id: `${app.namespace}/impostor-${app.name}`, namespace: app.namespace, labels });
  }
  return impostors;
}

/** Reads a folder of synthesized manifests, with probes and impostors, for the checks below. */
export function readSynthesized(intent: PlatformIntent, dir: string): Synthesized {
  const probes = probesOf(intent);
  const manifests = readManifests(dir);
  const impostors = impostorsOf(intent, manifests);
  const read = [...readManifestFiles([dir]), ...parseManifests(probeYaml([...probes, ...impostors.values()]), 'probes.yaml')];
  // As the cluster the intent declares enforces them: which kinds of the network-policy-api, in which tiers.
  const calico = intent.calicoVersion === undefined ? undefined : parseCalicoVersion(intent.calicoVersion);
  const options: VerifyOptions = calico ? { calico } : {};
  let previewed: Cluster | undefined;
  let clusterWide: Cluster | undefined;
  return {
    intent,
    manifests,
    cluster: buildCluster(read, options),
    read,
    get previewed() {
      previewed ??= buildCluster(read.map(enforceStaged), options);
      return previewed;
    },
    get clusterWide() {
      // The tier's Pass policies stay: deleting one only hands its pods to the tier's closing
      // Deny, so keeping them is the harder case for the guardrail to hold alone.
      clusterWide ??= buildCluster(
        read.filter((m) => !isNamespacedPolicy(m) || isPassOnly(m.object as K8sObject)),
        options,
      );
      return clusterWide;
    },
    probes,
    impostors,
  };
}

/** A policy that lives in a namespace, of either flavor, enforced or staged. */
function isNamespacedPolicy(m: VerifierManifest): boolean {
  return m.object.metadata.namespace !== undefined && /NetworkPolicy$/.test(m.object.kind);
}

/**
 * A Calico NetworkPolicy whose every rule, in both directions, is a Pass: it decides nothing and
 * hands the pods it selects on to the next tier (the tier's `<tier>.<app>` of a kubernetes-flavor
 * app, and `<tier>.pass-to-kubernetes-policies` of a namespace in audit mode).
 */
function isPassOnly(o: K8sObject): boolean {
  if (o.apiVersion !== CALICO_API_VERSION || o.kind !== 'NetworkPolicy') return false;
  const rules: K8sObject[] = [...(o.spec?.ingress ?? []), ...(o.spec?.egress ?? [])];
  return rules.length > 0 && rules.every((r) => r.action === 'Pass');
}

const id = (app: AiAppIntent) => `${app.namespace}/${app.name}`;
const objects = (s: Synthesized) => s.manifests.map((m) => m.object);
const audited = (s: Synthesized, app: AiAppIntent) => isAuditedApp(app, s.intent);
/** The cluster in which an app's own policies decide: as enforced, or as previewed when audited. */
export const decidingCluster = (s: Synthesized, app: AiAppIntent) => (audited(s, app) ? s.previewed : s.cluster);

/**
 * Every Calico tier of the manifests runs after the admin tier (order 1000: AdminNetworkPolicies
 * or ClusterNetworkPolicies decide first) and before `default` (order 1000000: Kubernetes
 * NetworkPolicies cannot reopen it), and denies what its policies leave undecided.
 */
export function tierProblems(s: Synthesized): string[] {
  return objects(s)
    .filter((o) => o.kind === 'Tier')
    .flatMap((tier) => {
      const { order, defaultAction } = tier.spec ?? {};
      return [
        ...(typeof order === 'number' && order > CALICO_TIER_ORDERS.admin && order < CALICO_TIER_ORDERS.default
          ? []
          : [
              `Tier ${tier.metadata.name} has order ${order}, not after the admin tier (${CALICO_TIER_ORDERS.admin}) and before default (${CALICO_TIER_ORDERS.default})`,
            ]),
        ...(defaultAction === 'Deny' ? [] : [`Tier ${tier.metadata.name} has defaultAction ${defaultAction}, not Deny`]),
      ];
    });
}

/** The namespace enforces, audits and warns on Pod Security Standards `restricted`. */
export function podSecurityProblems(s: Synthesized, namespace: string): string[] {
  return namespacePodSecurityProblems(objects(s), namespace);
}

/** How `findingsOf` reads the manifests: as written, or with the cluster-wide policies taken away (what each namespace's own policies do alone). */
export type FindingsView = 'as written' | 'namespaced policies alone';

const checked = new Map<FindingsView, WeakMap<Synthesized, readonly Finding[]>>([
  ['as written', new WeakMap()],
  ['namespaced policies alone', new WeakMap()],
]);

/** A policy that no namespace holds: Calico's global kinds, the network-policy-api's. */
const isClusterWidePolicy = (o: K8sObject) => o.metadata.namespace === undefined && /NetworkPolicy$/.test(o.kind);

/**
 * What lib/checks finds in the synthesized manifests (`checkManifests`, the rules the cdk8s
 * validation plugin reports, for the intent's cloud): the messages of one rule, about one
 * namespace (`ai`) or workload (`ai/llm`) when given; none when the rule holds. lib/checks
 * states each rule once (a namespace's default deny, DNS only to kube-dns or single addresses,
 * cloud metadata out of reach, blocks carved out and with reasons, Pod Security); tests ask it
 * here rather than restate it. With `namespaced policies alone`, the cluster-wide policies (the
 * Calico tier's global ones, a ClusterNetworkPolicy or AdminNetworkPolicy) are taken away first:
 * what holds without them, as when a cluster admin deletes them. Manifests the checks cannot read
 * are a finding of every rule, so that no rule passes for want of reading them.
 */
export function findingsOf(s: Synthesized, rule: RuleName, about?: string, view: FindingsView = 'as written'): string[] {
  const cache = checked.get(view)!;
  let findings = cache.get(s);
  if (findings === undefined) {
    const manifests = s.manifests
      .filter((m) => view === 'as written' || !isClusterWidePolicy(m.object))
      .map((m) => ({ object: m.object, source: { file: m.file, document: m.index + 1 } }));
    findings = checkManifests(manifests, { cloud: s.intent.cloud ?? 'any' }).findings;
    cache.set(s, findings);
  }
  const where = (f: Finding) => (f.object.kind === 'Namespace' ? f.object.name : `${f.object.namespace}/${f.object.name}`);
  return findings.filter((f) => f.rule === 'manifests-readable' || (f.rule === rule && (about === undefined || where(f) === about))).map((f) => f.message);
}

/**
 * Whether a policy is a namespace's default deny: every pod of the namespace (`podSelector: {}`),
 * both directions, no rule. The Kubernetes NetworkPolicy enforced, or its staged twin
 * (StagedKubernetesNetworkPolicy, `stagedAction: Set`).
 */
function defaultDenyIn(o: K8sObject, namespace: string): 'enforced' | 'staged' | undefined {
  if (o.metadata.namespace !== namespace) return undefined;
  const enforced = o.apiVersion === NETWORKING_API_VERSION && o.kind === 'NetworkPolicy';
  const staged = o.kind === 'StagedKubernetesNetworkPolicy' && (o.spec?.stagedAction ?? 'Set') === 'Set';
  if (!enforced && !staged) return undefined;
  const { podSelector, policyTypes, ingress, egress } = o.spec ?? {};
  const everyPod = podSelector !== undefined && Object.keys(podSelector.matchLabels ?? {}).length === 0 && (podSelector.matchExpressions ?? []).length === 0;
  const both = Array.isArray(policyTypes) && policyTypes.includes('Ingress') && policyTypes.includes('Egress');
  const noRule = (ingress ?? []).length === 0 && (egress ?? []).length === 0;
  return everyPod && both && noRule ? (enforced ? 'enforced' : 'staged') : undefined;
}

/**
 * A namespace's default deny is staged where, and only where, every app in it is in audit mode
 * (the oracle's reading of the intent), and enforced everywhere else: enforced where every app is
 * previewed, it would deny them everything while their own policies enforce nothing; staged beside
 * an enforced app, it would leave that namespace open to any pod. Every namespace the manifests
 * write a Namespace for is asked, the platform services' too, which hold no app and so are never
 * previewed. (lib/checks' namespace-default-deny rule asks whether the deny holds once the staged
 * policies are enforced; this asks which of the two is written.)
 */
export function stagedDefaultDenyProblems(s: Synthesized): string[] {
  const namespaces = objects(s)
    .filter((o) => o.kind === 'Namespace')
    .map((o) => o.metadata.name)
    .sort();
  return namespaces.flatMap((ns) => {
    const apps = s.intent.apps.filter((a) => a.namespace === ns);
    const previewed = apps.length > 0 && apps.every((a) => audited(s, a));
    const written = new Set(objects(s).map((o) => defaultDenyIn(o, ns)));
    const what = written.has('enforced') ? (written.has('staged') ? 'enforced and staged' : 'enforced') : written.has('staged') ? 'staged only' : 'missing';
    if (previewed && what !== 'staged only')
      return [
        `namespace ${ns}: every app in it is in audit mode (${apps.map((a) => a.name).join(', ')}), and its default deny is ${what}, not staged only: enforced, it denies them everything while their own policies are only staged`,
      ];
    if (!previewed && what !== 'enforced') {
      const enforced = apps.filter((a) => !audited(s, a)).map((a) => a.name);
      return [
        `namespace ${ns}: its default deny is ${what}, not enforced alone, and not every app in it is in audit mode (enforced: ${enforced.length ? enforced.join(', ') : 'none declared there'}): a pod no policy names there may send anywhere`,
      ];
    }
    return [];
  });
}

/** The Argo CD sync wave of an object: its annotation, 0 without one (Argo CD's default). */
const syncWaveOf = (o: K8sObject) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);

/**
 * No pod starts, in a namespace the project writes, before the default deny of its namespace (enforced, or staged where audit mode
 * previews it, as `stagedDefaultDenyProblems` requires), in either way dist/ is applied: every
 * object that runs pods (a Pod, or a kind of lib/k8s WORKLOADS) comes after that deny
 * - in `kubectl apply -f <folder>` order: files by name (kubectl walks a folder in lexical order,
 *   filepath.Walk), then documents in file order, each object applied in turn;
 * - in Argo CD order, in a later sync wave: Argo CD applies a whole wave, then waits for it to be
 *   healthy before the next ("it orders the resources ... the wave they are in (lower values first),
 *   by kind, by name", argo-cd docs, Sync Phases and Waves), so a deny and a workload of one wave
 *   are sent together, and the workload's pods could be scheduled first.
 * Kubernetes itself only promises that a pod created after the network plugin handled a policy
 * is isolated before it starts ("Pod lifecycle", kubernetes.io, Network Policies): the order is what
 * dist/ can give; the plugin's delay is docs/security-model.md's.
 */
export function startOrderProblems(s: Synthesized): string[] {
  const problems: string[] = [];
  // The namespaces the project writes (its Namespaces carry the governed label); another chart's beside it are that chart's.
  const governed = new Set(
    objects(s)
      .filter((o) => o.kind === 'Namespace' && o.metadata.labels?.[GOVERNED_NAMESPACE_LABEL] === 'true')
      .map((o) => o.metadata.name),
  );
  s.manifests.forEach((m, at) => {
    const o = m.object;
    if (!isWorkloadKind(o.kind) || o.metadata.namespace === undefined || !governed.has(o.metadata.namespace)) return;
    const ns = o.metadata.namespace;
    const what = `${o.kind} ${ns}/${o.metadata.name}`;
    const denies = s.manifests.map((d, i) => ({ d, i })).filter(({ d }) => defaultDenyIn(d.object, ns) !== undefined);
    if (denies.length === 0) {
      problems.push(`${what} runs pods in namespace ${ns}, which has no default deny`);
      return;
    }
    if (!denies.some(({ i }) => i < at))
      problems.push(
        `${what} (${m.file}, document ${m.index + 1}) comes before its namespace's default deny in kubectl apply -f order (files by name, then documents): its pods may start unconfined`,
      );
    const firstWave = Math.min(...denies.map(({ d }) => syncWaveOf(d.object)));
    if (syncWaveOf(o) <= firstWave)
      problems.push(
        `${what} is in sync wave ${syncWaveOf(o)}, not after its namespace's default deny (wave ${firstWave}): Argo CD applies a wave whole before it waits for health, so its pods may start unconfined`,
      );
  });
  return problems;
}

/** Ports on which to ask about metadata: the usual ones, and a high one. */
const METADATA_PORTS = [80, 443, 8080, 65535];

/** A packet to ask about: an address, a port, a protocol. */
export interface Packet {
  readonly to: string;
  readonly port: number;
  readonly protocol: Protocol;
}

/**
 * The packets from the app to a metadata or credential endpoint of the intent's cloud (every
 * cloud's by default) that it must not send: every address, and each IPv4 one in its NAT64 form
 * too (64:ff9b::/96, RFC 6052), over TCP and UDP, on the usual ports
 * and a high one, but a pod credential endpoint the app declares, on the ports and protocol it
 * declares it on (the oracle's own table of the clouds' addresses, and its reading of the intent).
 */
export function metadataPackets(s: Synthesized, app: AiAppIntent): Packet[] {
  return [...metadataAddresses(s.intent), ...metadataNat64Addresses(s.intent)].flatMap((to) =>
    (['TCP', 'UDP'] as const).flatMap((protocol) =>
      METADATA_PORTS.filter((port) => !egressAllows({ app }, s.intent, to, port, protocol)).map((port) => ({ to, port, protocol })),
    ),
  );
}

/**
 * The packets of `metadataPackets` the app may send, enforced or previewed (none, when it holds):
 * the oracle's reading, which knows the ports and protocol the intent declares a pod credential
 * endpoint on. What the manifests alone tell of metadata is lib/checks' rule `metadata-denied`
 * (`findingsOf`).
 */
export function metadataReached(s: Synthesized, app: AiAppIntent): string[] {
  return metadataPackets(s, app).flatMap(({ to, port, protocol }) =>
    [s.cluster, s.previewed]
      .filter((c) => query(c, id(app), to, port, protocol).allowed)
      .map((c) => `${id(app)} may reach ${to} ${protocol} ${port}${c === s.previewed ? ' (previewed)' : ''}`),
  );
}

/** The view in which an app's own policies decide: as enforced, or as previewed when audited. */
const decidingView = (s: Synthesized, app: AiAppIntent): View => (audited(s, app) ? 'previewed' : 'enforced');

/**
 * The app resolves names outside the cluster only when it declares public names, as the verifier
 * reads the manifests (lib/verify dns.ts: every DNS server its egress allows, judged by its
 * Corefile); then the verifier shows the written reason too.
 */
export function externalDnsProblems(s: Synthesized, app: AiAppIntent): string[] {
  const cluster = decidingCluster(s, app);
  const endpoint = cluster.endpoint(id(app));
  if (!endpoint) return [`${id(app)} is not a workload of the manifests`];
  const dns = workloadDns(cluster, endpoint, { clusterDomain: s.intent.dnsResolver?.clusterDomain });
  const declared = app.dns?.publicNames !== undefined;
  const open = dns.servers.filter((server) => server.answers === 'any-name').map((server) => `${describeDestination(server.to)} (${server.why})`);
  if (!declared) return open.map((o) => `${id(app)} can resolve names outside the cluster through ${o}`);
  return [
    ...(dns.resolvesOutside ? [] : [`${id(app)} declares public names and cannot resolve them`]),
    ...(dns.reason?.includes(app.dns?.publicNames?.reason ?? '')
      ? []
      : [`${id(app)}: the verifier shows no reason for its public names (${JSON.stringify(dns.reason)})`]),
  ];
}

/** The app may send exactly to its declared destinations plus DNS (verifier's egress report against the declaration). */
export function egressProblems(s: Synthesized, app: AiAppIntent): string[] {
  const egress = egressReport(decidingCluster(s, app)).workloads.find((w) => w.endpoint === id(app));
  if (!egress) return [`${id(app)} is not a workload of the manifests`];
  if (!egress.isolated) return [`${id(app)} is not isolated for egress: no policy confines it`];
  return reachMismatch(app, s.intent, egress, decidingView(s, app)).map((c) => `${c.change}: ${c.protocol} ${c.ports} ${c.to}`);
}

/** Allowed entries as lines of protocol, ports and peer: what a view allows, whatever decided. */
function allowedLines(entries: readonly { readonly protocol: Protocol; readonly ports: Ports; readonly peer: Destination }[]): string[] {
  return [...new Set(entries.map((e) => `${describeProtocolPorts([e])} ${describeDestination(e.peer)}`))].sort();
}

/**
 * The two readings of audit mode agree for the app: the previewed cluster (each Staged policy
 * read as the policy it previews) and the verifier's staged view of the enforced cluster allow
 * the same egress and ingress. They may differ only where a staged policy has an enforced twin or
 * is a Delete, which this project never renders.
 */
export function stagedViewProblems(s: Synthesized, app: AiAppIntent): string[] {
  const endpoint = s.cluster.endpoint(id(app))!;
  const previewedEndpoint = s.previewed.endpoint(id(app))!;
  const egress = egressReport(s.cluster).workloads.find((w) => w.endpoint === id(app))!;
  const previewedEgress = egressReport(s.previewed).workloads.find((w) => w.endpoint === id(app))!;
  const ingress = workloadIngress(s.cluster, endpoint);
  const previewedIngress = workloadIngress(s.previewed, previewedEndpoint);
  const lines = {
    egress: [
      allowedLines((egress.whenStagedEnforced ?? egress).allowed.map((e) => ({ ...e, peer: e.to }))),
      allowedLines(previewedEgress.allowed.map((e) => ({ ...e, peer: e.to }))),
    ],
    ingress: [
      allowedLines((ingress.whenStagedEnforced ?? ingress).allowed.map((e) => ({ ...e, peer: e.from }))),
      allowedLines(previewedIngress.allowed.map((e) => ({ ...e, peer: e.from }))),
    ],
  };
  return Object.entries(lines).flatMap(([direction, [staged, previewed]]) => [
    ...staged.filter((l) => !previewed.includes(l)).map((l) => `${id(app)} ${direction}: the staged view allows ${l}, the previewed cluster does not`),
    ...previewed.filter((l) => !staged.includes(l)).map((l) => `${id(app)} ${direction}: the previewed cluster allows ${l}, the staged view does not`),
  ]);
}

/**
 * The app admits exactly its declared clients, on its port over TCP: asked of every probe and
 * every other app, on its port, the port above it, and UDP.
 */
export function ingressProblems(s: Synthesized, app: AiAppIntent): string[] {
  const cluster = decidingCluster(s, app);
  const sources = [
    ...s.probes,
    ...s.intent.apps
      .filter((a) => a !== app)
      .map((a) => ({ id: id(a), namespace: a.namespace, labels: podLabels(s, a), serviceAccount: deploymentOf(s, a)?.spec.template.spec.serviceAccountName })),
  ];
  const other = app.port === 65535 ? app.port - 1 : app.port + 1;
  const metricsPort = app.metrics?.port;
  return sources.flatMap((from) =>
    (
      [
        [app.port, 'TCP'],
        [other, 'TCP'],
        [app.port, 'UDP'],
        ...(metricsPort !== undefined && metricsPort !== app.port ? ([[metricsPort, 'TCP']] as const) : []),
      ] as const
    ).flatMap(([port, protocol]) => {
      const admitted = query(cluster, from.id, id(app), port, protocol).ingress.allowed;
      const declared = admits(app, s.intent, from, port, protocol, decidingView(s, app));
      return admitted === declared
        ? []
        : [`${from.id} -> ${id(app)} ${protocol} ${port}: ${admitted ? 'admitted' : 'refused'}, declared ${declared ? 'admitted' : 'refused'}`];
    }),
  );
}

/** The labels the pods of an app carry, read from its Deployment. */
function podLabels(s: Synthesized, app: AiAppIntent): Record<string, string> {
  const deployment = objects(s).find((o) => o.kind === 'Deployment' && o.metadata.namespace === app.namespace && o.metadata.name === app.name);
  return deployment?.spec.template.metadata.labels ?? {};
}

/**
 * Calico's Log rules log only what is denied, as `calico.log` says: each Log rule is followed
 * right away by a Deny with the same match; ingress is logged only with 'denied', nothing with
 * 'none', and otherwise every egress Deny is logged.
 */
export function logProblems(s: Synthesized): string[] {
  const log = s.intent.calico?.log ?? 'denied-egress';
  const problems: string[] = [];
  for (const policy of objects(s).filter((o) => o.apiVersion === CALICO_API_VERSION && isCalicoPolicyKind(o.kind))) {
    const where = `${policy.kind} ${policy.metadata.namespace ? `${policy.metadata.namespace}/` : ''}${policy.metadata.name}`;
    for (const direction of ['egress', 'ingress'] as const) {
      const rules: K8sObject[] = policy.spec?.[direction] ?? [];
      const match = (r: K8sObject) => JSON.stringify({ ...r, action: undefined, metadata: undefined });
      rules.forEach((rule, i) => {
        const next = rules[i + 1];
        if (rule.action === 'Log') {
          if (next?.action !== 'Deny' || match(next) !== match(rule)) problems.push(`${where} ${direction}[${i}] logs what the next rule does not deny`);
          if (log === 'none' || (direction === 'ingress' && log !== 'denied')) problems.push(`${where} ${direction}[${i}] logs although calico.log is ${log}`);
        }
        const logged = rules[i - 1]?.action === 'Log' && match(rules[i - 1]) === match(rule);
        const wanted = log === 'denied' || (log === 'denied-egress' && direction === 'egress');
        if (rule.action === 'Deny' && wanted && !logged) problems.push(`${where} ${direction}[${i}] denies without logging although calico.log is ${log}`);
      });
    }
  }
  return problems;
}

/** A subject of a ClusterRoleBinding as one string: `User alice`, `ServiceAccount argocd/argocd-application-controller`. */
const subjectKey = (subject: K8sObject) => `${subject.kind} ${subject.kind === 'ServiceAccount' ? `${subject.namespace}/` : ''}${subject.name}`;

/** Whether some rule grants `verb` on `resource` (of projectcalico.org) for an object named `name` (for `create`, of any name). */
function grants(rules: readonly K8sObject[], resource: string, verb: string, name: string | undefined): boolean {
  return rules.some(
    (r) =>
      (r.apiGroups ?? []).includes('projectcalico.org') &&
      (r.resources ?? []).includes(resource) &&
      (r.verbs ?? []).includes(verb) &&
      (r.resourceNames === undefined || r.resourceNames.length === 0 || (name !== undefined && r.resourceNames.includes(name))),
  );
}

const TIERED_KINDS = ['networkpolicies', 'globalnetworkpolicies', 'stagednetworkpolicies', 'stagedglobalnetworkpolicies'];
const WRITE_VERBS = ['create', 'update', 'patch', 'delete'];

/**
 * The RBAC of the tier owners: every ClusterRoleBinding of the manifests binds only owners the
 * intent declares, and with `calico.owners`, each owner is bound to rules that let it get and
 * write the tier and write (create, update, patch, delete) every kind of Calico policy in it,
 * through both the real resources and Calico's `tier.<kind>` pseudo-resources named `<tier>.*`,
 * and create and write the GlobalNetworkSets the manifests hold; no rule grants a tier
 * pseudo-resource beyond that tier, nor GlobalNetworkSets the manifests do not hold (none at all
 * when they hold none).
 */
export function tierOwnerProblems(s: Synthesized): string[] {
  const owners = s.intent.calico?.owners;
  const declared = new Set([
    ...(owners?.users ?? []).map((u) => `User ${u}`),
    ...(owners?.groups ?? []).map((g) => `Group ${g}`),
    ...(owners?.serviceAccounts ?? []).map((sa) => `ServiceAccount ${sa}`),
  ]);
  const roles = objects(s).filter((o) => o.kind === 'ClusterRole');
  const bindings = objects(s).filter((o) => o.kind === 'ClusterRoleBinding');
  const problems = bindings.flatMap((b) =>
    (b.subjects ?? [])
      .map(subjectKey)
      .filter((k: string) => !declared.has(k))
      .map((k: string) => `ClusterRoleBinding ${b.metadata.name} binds ${k}, whom the intent does not name as a tier owner`),
  );
  for (const tier of objects(s)
    .filter((o) => o.kind === 'Tier')
    .map((o) => o.metadata.name)) {
    for (const role of roles) {
      for (const rule of role.rules ?? []) {
        const tiered = (rule.resources ?? []).filter((r: string) => r.startsWith('tier.'));
        if (tiered.length && (!rule.resourceNames?.length || rule.resourceNames.some((n: string) => !n.startsWith(`${tier}.`)))) {
          problems.push(
            `ClusterRole ${role.metadata.name} grants ${tiered.join(', ')} beyond tier ${tier}: resourceNames ${JSON.stringify(rule.resourceNames)}`,
          );
        }
      }
    }
    for (const owner of declared) {
      const rules = bindings
        .filter((b) => (b.subjects ?? []).map(subjectKey).includes(owner) && b.roleRef?.kind === 'ClusterRole')
        .flatMap((b) => roles.filter((r) => r.metadata.name === b.roleRef.name).flatMap((r) => r.rules ?? []));
      const missing = [
        ...(grants(rules, 'tiers', 'get', tier) ? [] : [`get tiers/${tier}`]),
        ...(grants(rules, 'tiers', 'create', undefined) ? [] : ['create tiers']),
        ...['update', 'patch', 'delete'].filter((v) => !grants(rules, 'tiers', v, tier)).map((v) => `${v} tiers/${tier}`),
        ...TIERED_KINDS.flatMap((kind) =>
          WRITE_VERBS.flatMap((verb) => [
            ...(grants(rules, `tier.${kind}`, verb, `${tier}.*`) ? [] : [`${verb} tier.${kind}/${tier}.*`]),
            ...(grants(rules, kind, verb, verb === 'create' ? undefined : `${tier}.x`) ? [] : [`${verb} ${kind}`]),
          ]),
        ),
      ];
      const sets = objects(s)
        .filter((o) => o.kind === 'GlobalNetworkSet')
        .map((o) => o.metadata.name);
      missing.push(
        ...(sets.length && !grants(rules, 'globalnetworksets', 'create', undefined) ? ['create globalnetworksets'] : []),
        ...sets.flatMap((set) =>
          ['get', 'update', 'patch'].filter((v) => !grants(rules, 'globalnetworksets', v, set)).map((v) => `${v} globalnetworksets/${set}`),
        ),
      );
      if (missing.length) problems.push(`${owner} may not ${missing.join(', ')}`);
    }
  }
  const sets = objects(s)
    .filter((o) => o.kind === 'GlobalNetworkSet')
    .map((o) => o.metadata.name);
  for (const role of roles) {
    for (const rule of role.rules ?? []) {
      if (!(rule.resources ?? []).includes('globalnetworksets')) continue;
      const beyond: string[] = rule.resourceNames?.length ? rule.resourceNames.filter((n: string) => !sets.includes(n)) : sets.length ? [] : ['any'];
      if (beyond.length) problems.push(`ClusterRole ${role.metadata.name} grants GlobalNetworkSets that dist/ does not hold: ${beyond.join(', ')}`);
    }
  }
  return problems;
}

/** Calico's namespaced policy kinds. */
const CALICO_APP_POLICIES = ['NetworkPolicy', 'StagedNetworkPolicy'];

/**
 * Every namespaced Calico policy that selects a calico-flavor app's pods (but a Pass policy of a
 * namespace in audit mode, which selects all of its pods and decides nothing) also selects its
 * ServiceAccount by name (`projectcalico.org/name == '<sa>'`, the ServiceAccount its Deployment
 * runs as), and there is at least one; and a pod that copies the app's labels but runs as another
 * ServiceAccount may send nothing at all.
 */
export function serviceAccountProblems(s: Synthesized, app: AiAppIntent): string[] {
  if (app.flavor !== 'calico') return [];
  const deployment = deploymentOf(s, app);
  if (!deployment) return [`${id(app)} has no Deployment`];
  const sa: string = deployment.spec.template.spec.serviceAccountName ?? 'default';
  const labels = new Map(Object.entries(podLabels(s, app)));
  const selecting = objects(s).filter(
    (o) =>
      o.apiVersion === CALICO_API_VERSION &&
      CALICO_APP_POLICIES.includes(o.kind) &&
      !isPassOnly(o) &&
      o.metadata.namespace === app.namespace &&
      new Selector(o.spec?.selector ?? '').test(labels),
  );
  const expected = `${CALICO_LABEL.name} == '${sa}'`;
  const problems =
    selecting.length === 0
      ? [`${id(app)}: no Calico policy of its namespace selects its pods`]
      : selecting
          .filter((p) => p.spec.serviceAccountSelector !== expected)
          .map(
            (p) =>
              `${p.kind} ${p.metadata.namespace}/${p.metadata.name} selects the pods of ${id(app)} with serviceAccountSelector ${JSON.stringify(p.spec.serviceAccountSelector)}, not ${JSON.stringify(expected)}`,
          );
  const impostor = s.impostors.get(id(app));
  if (!impostor) return [...problems, `${id(app)}: no impostor to ask about`];
  const egress = egressReport(decidingCluster(s, app)).workloads.find((w) => w.endpoint === impostor.id);
  const reached = (egress?.allowed ?? []).map(
    (e) => `${impostor.id}, with the labels of ${id(app)} and the default ServiceAccount, may reach ${describeDestination(e.to)} ${describeProtocolPorts([e])}`,
  );
  return [...problems, ...reached];
}

/** The Deployment of an app, as synthesized. */
function deploymentOf(s: Synthesized, app: AiAppIntent): K8sObject | undefined {
  return objects(s).find((o) => o.kind === 'Deployment' && o.metadata.namespace === app.namespace && o.metadata.name === app.name);
}

/** The app's pod spec and containers, or a problem saying there is none. */
function podOf(s: Synthesized, app: AiAppIntent): { pod: K8sObject; containers: K8sObject[] } | string {
  const pod = deploymentOf(s, app)?.spec?.template?.spec;
  return pod ? { pod, containers: [...(pod.initContainers ?? []), ...(pod.containers ?? [])] } : `${id(app)} has no Deployment`;
}

interface EmptyDir {
  readonly name: string;
  readonly sizeLimit?: string;
  readonly memory: boolean;
}

function emptyDirs(pod: K8sObject): EmptyDir[] {
  return (pod.volumes ?? [])
    .filter((v: K8sObject) => v.emptyDir)
    .map((v: K8sObject) => ({ name: v.name, sizeLimit: v.emptyDir.sizeLimit, memory: v.emptyDir.medium === 'Memory' }));
}

/** `path` is `root` or lies below it. */
const under = (path: string, root: string) => path === root || path.startsWith(root.endsWith('/') ? root : `${root}/`);

/**
 * Every container has a startup probe whose budget covers the app's (its `startupSeconds`, or at
 * least 10 minutes with GPUs and 5 without), and readiness and liveness probes, which Kubernetes
 * runs only once it has succeeded; the rollout's progress deadline outlasts the budget.
 */
export function startupProblems(s: Synthesized, app: AiAppIntent): string[] {
  const found = podOf(s, app);
  if (typeof found === 'string') return [found];
  const wanted = app.startupSeconds ?? ((app.gpus ?? 0) > 0 ? 600 : 300);
  const problems = found.containers.flatMap((c) => {
    const startup = c.startupProbe;
    if (!startup) return [`${id(app)}: container ${c.name} has no startupProbe`];
    const budget = (startup.failureThreshold ?? 3) * (startup.periodSeconds ?? 10);
    return [
      ...(budget < wanted ? [`${id(app)}: container ${c.name} may take ${budget} s to start, not the ${wanted} s it needs`] : []),
      ...['readinessProbe', 'livenessProbe'].filter((p) => !c[p]).map((p) => `${id(app)}: container ${c.name} has no ${p}`),
    ];
  });
  const deadline = deploymentOf(s, app)!.spec.progressDeadlineSeconds ?? 600;
  if (deadline <= wanted) problems.push(`${id(app)}: progressDeadlineSeconds ${deadline} ends before the ${wanted} s startup budget`);
  return problems;
}

/**
 * Every container has a USER, so that getpass.getuser() needs no passwd entry, and a HOME on a
 * writable disk emptyDir it mounts (the root filesystem is read-only).
 */
export function userProblems(s: Synthesized, app: AiAppIntent): string[] {
  const found = podOf(s, app);
  if (typeof found === 'string') return [found];
  const disks = emptyDirs(found.pod)
    .filter((v) => !v.memory)
    .map((v) => v.name);
  return found.containers.flatMap((c) => {
    const env = new Map<string, string>((c.env ?? []).map((e: { name: string; value?: string }) => [e.name, e.value ?? '']));
    const home = env.get('HOME');
    const writable = (c.volumeMounts ?? []).filter((m: K8sObject) => disks.includes(m.name) && !m.readOnly).map((m: K8sObject) => m.mountPath as string);
    return [
      ...(env.get('USER') ? [] : [`${id(app)}: container ${c.name} has no USER`]),
      ...(home === undefined
        ? [`${id(app)}: container ${c.name} has no HOME`]
        : writable.some((root: string) => under(home, root))
          ? []
          : [`${id(app)}: container ${c.name} has HOME ${home} outside its writable volumes (${writable.join(', ')})`]),
    ];
  });
}

/**
 * An app with GPUs requests and limits exactly its GPUs, has `/dev/shm` in memory with a size
 * limit, and, unless it declares its own tolerations, tolerates the `nvidia.com/gpu` NoSchedule
 * taint whatever its value. An app without GPUs requests none.
 */
export function gpuProblems(s: Synthesized, app: AiAppIntent): string[] {
  const found = podOf(s, app);
  if (typeof found === 'string') return [found];
  const gpus = app.gpus ?? 0;
  const problems = found.containers.flatMap((c) =>
    (['requests', 'limits'] as const)
      .filter((k) => Number(c.resources?.[k]?.['nvidia.com/gpu'] ?? 0) !== gpus)
      .map((k) => `${id(app)}: container ${c.name} ${k} ${c.resources?.[k]?.['nvidia.com/gpu'] ?? 'no'} nvidia.com/gpu, not ${gpus}`),
  );
  if (gpus === 0) return problems;
  const shm = emptyDirs(found.pod)
    .filter((v) => v.memory && v.sizeLimit !== undefined)
    .map((v) => v.name);
  const server = found.pod.containers[0];
  if (!(server.volumeMounts ?? []).some((m: K8sObject) => m.mountPath === '/dev/shm' && shm.includes(m.name)))
    problems.push(`${id(app)}: has GPUs but no sized memory emptyDir at /dev/shm`);
  const tolerates = (found.pod.tolerations ?? []).some(
    (t: K8sObject) => t.operator === 'Exists' && (t.key === undefined || t.key === 'nvidia.com/gpu') && (t.effect === undefined || t.effect === 'NoSchedule'),
  );
  if (app.tolerations === undefined && !tolerates) problems.push(`${id(app)}: has GPUs but does not tolerate the nvidia.com/gpu:NoSchedule taint`);
  return problems;
}

/**
 * Every emptyDir has a size limit, and the pod requests and is limited to at least the
 * ephemeral storage its disk emptyDirs may fill, so the scheduler picks a node with that much
 * disk and the kubelet does not evict it for using what it declared.
 */
export function storageProblems(s: Synthesized, app: AiAppIntent): string[] {
  const found = podOf(s, app);
  if (typeof found === 'string') return [found];
  const volumes = emptyDirs(found.pod);
  const problems = volumes.filter((v) => v.sizeLimit === undefined).map((v) => `${id(app)}: emptyDir ${v.name} has no sizeLimit`);
  const disk = volumes.filter((v) => !v.memory && v.sizeLimit !== undefined).reduce((sum, v) => sum + parseQuantity(v.sizeLimit!)!, 0);
  for (const kind of ['requests', 'limits'] as const) {
    const declared = found.pod.containers.reduce(
      (sum: number, c: K8sObject) => sum + (parseQuantity(c.resources?.[kind]?.['ephemeral-storage'] ?? '0') ?? 0),
      0,
    );
    if (declared < disk) problems.push(`${id(app)}: ephemeral-storage ${kind} ${formatBytes(declared)} do not cover its disk emptyDirs, ${formatBytes(disk)}`);
  }
  return problems;
}

/** The prefix of the names of the project's cluster-wide objects: the Calico tier's name. */
const prefixOf = (intent: PlatformIntent) => intent.calico?.tier ?? 'ai-egress';

/**
 * The cluster-wide guardrail, when the intent writes one (`guardrail`, or the Calico tier's), is
 * what denies cloud metadata, and it holds alone: with every namespaced policy taken away (a
 * namespace's admins can delete them), every app is still denied every metadata and credential
 * packet, but those it declares, by the guardrail's own deny (a ClusterNetworkPolicy or
 * AdminNetworkPolicy, or the Calico GlobalNetworkPolicy, `<tier>.deny-cloud-metadata`). And it
 * takes no pod of a namespace the intent does not own.
 */
export function guardrailProblems(s: Synthesized): string[] {
  const kind = guardrailOf(s.intent);
  if (kind === undefined) return [];
  const written = kind === 'calico' ? 'GlobalNetworkPolicy' : kind;
  const name = `${prefixOf(s.intent)}.deny-cloud-metadata`;
  const problems: string[] = [];
  for (const app of s.intent.apps) {
    for (const { to, port, protocol } of metadataPackets(s, app)) {
      const egress = query(s.clusterWide, id(app), to, port, protocol).egress;
      const d = egress.decision;
      if (egress.allowed)
        problems.push(`${id(app)} may reach ${to} ${protocol} ${port} once its namespace's policies are deleted: the guardrail does not hold alone`);
      else if (d?.reason !== 'rule' || d.rule.kind !== written || d.rule.name !== name)
        problems.push(`${id(app)} -> ${to} ${protocol} ${port} is denied by ${JSON.stringify(d)}, not by the guardrail, ${written} ${name}`);
    }
  }
  for (const probe of s.probes.filter((p) => p.namespace === ELSEWHERE)) {
    const endpoint = s.cluster.endpoint(probe.id)!;
    for (const direction of ['ingress', 'egress'] as const) {
      const mine = s.cluster
        .plans(endpoint, direction)
        .flatMap((plan) => plan.policies.map((p) => p.policy.ref))
        .filter((ref) => ref.kind === written && ref.name.startsWith(`${prefixOf(s.intent)}.`));
      if (mine.length > 0)
        problems.push(`${probe.id}, in a namespace the intent does not own, is taken by ${mine.map((r) => `${r.kind} ${r.name}`).join(', ')} (${direction})`);
    }
  }
  return problems;
}

/**
 * What someone who is not a tier owner can add to join the selectors of an app's rules, as Calico
 * reads them: for every pod peer of its egress and every client it admits, a NetworkSet in the
 * peer's namespace carrying the peer's labels; for every pod peer and allow-list, a Node carrying
 * those labels (which calico-kube-controllers makes an automatic HostEndpoint of, enabled here).
 * Each holds every address, so that whatever a selector lets them into shows.
 */
function joinersYaml(intent: PlatformIntent): string {
  const peers = new Map<string, { namespace: string; labels: Readonly<Record<string, string>> }>();
  const allowLists = new Set<string>();
  for (const app of intent.apps) {
    if (app.dns?.kubeDns !== false)
      peers.set(JSON.stringify([KUBE_DNS.namespace, KUBE_DNS.podLabels]), { namespace: KUBE_DNS.namespace, labels: KUBE_DNS.podLabels });
    for (const d of app.egress) {
      if ('allowList' in d) allowLists.add(d.allowList);
      else if ('namespace' in d && typeof d.namespace === 'string') {
        const labels = ('podLabels' in d ? (d.podLabels as Record<string, string> | undefined) : undefined) ?? {};
        peers.set(JSON.stringify([d.namespace, labels]), { namespace: d.namespace, labels });
      }
    }
    for (const c of app.ingress ?? []) peers.set(JSON.stringify([c.namespace, c.podLabels ?? {}]), { namespace: c.namespace, labels: c.podLabels ?? {} });
  }
  const everything = ['0.0.0.0/1', '128.0.0.0/1', '::/1', '8000::/1'];
  const objects = [
    {
      apiVersion: CALICO_API_VERSION,
      kind: 'KubeControllersConfiguration',
      metadata: { name: 'default' },
      spec: { controllers: { node: { hostEndpoint: { autoCreate: 'Enabled' } } } },
    },
    ...[...peers.values()].flatMap((p, i) => [
      {
        apiVersion: CALICO_API_VERSION,
        kind: 'NetworkSet',
        metadata: { name: `joiner-${i}`, namespace: p.namespace, labels: p.labels },
        spec: { nets: everything },
      },
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: `joiner-${i}`, labels: p.labels },
        status: { addresses: [{ type: 'InternalIP', address: `192.0.2.${i + 1}` }] },
      },
    ]),
    ...[...allowLists].map((list, i) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: `allow-list-joiner-${i}`, labels: { [ALLOW_LIST_LABEL]: list } },
      status: {
        addresses: [
          { type: 'InternalIP', address: `198.18.0.${i + 1}` },
          { type: 'InternalIP', address: `2001:db8:18::${i + 1}` },
        ],
      },
    })),
  ];
  return objects.map((o) => stringify(o)).join('---\n');
}

/**
 * A NetworkSet or a HostEndpoint that carries the labels of an app's peers changes no reach: with
 * the joiners of `joinersYaml` added, every app may send to and be reached from exactly what it
 * was before (in the view that decides it: enforced, or previewed when audited). The calico
 * renderer meets it once its selectors name pods only (`projectcalico.org/orchestrator == 'k8s'`)
 * and its allow-lists the project's sets only (issue 18, item 2).
 */
export function joinerProblems(s: Synthesized): string[] {
  const joined = [...s.read, ...parseManifests(joinersYaml(s.intent), 'joiners.yaml')];
  const joinedClusters = { cluster: buildCluster(joined), previewed: buildCluster(joined.map(enforceStaged)) };
  return s.intent.apps.flatMap((app) => {
    const before = decidingCluster(s, app);
    const after = audited(s, app) ? joinedClusters.previewed : joinedClusters.cluster;
    const reach = (c: Cluster) => {
      const endpoint = c.endpoint(id(app))!;
      return { egress: workloadEgress(c, endpoint).allowed, ingress: workloadIngress(c, endpoint).allowed };
    };
    const was = reach(before);
    const now = reach(after);
    return (['egress', 'ingress'] as const).flatMap((direction) =>
      diffWorkload(was[direction], now[direction])
        .filter((c) => c.change === 'added')
        .map(
          (c) =>
            `${id(app)} ${direction}, joined by a NetworkSet or HostEndpoint with its peers' labels: ${describeProtocolPorts([c])} ${c.peers.map((d) => describeDestination(d)).join(', ')}, ${describeDecision(c.after!)}`,
        ),
    );
  });
}

/** Every finding of every check of main.test.ts, for every app and namespace of the intent. */
export function allProblems(s: Synthesized): string[] {
  const namespaces = [...new Set(s.intent.apps.map((a) => a.namespace))];
  return [
    ...namespaces.flatMap((ns) => [...findingsOf(s, 'namespace-default-deny', ns), ...podSecurityProblems(s, ns)]),
    ...stagedDefaultDenyProblems(s),
    ...startOrderProblems(s),
    ...blockProblems(objects(s), s.intent.cloud).map((p) => p.message),
    ...guardrailProblems(s),
    ...tierProblems(s),
    ...tierOwnerProblems(s),
    ...logProblems(s),
    ...s.intent.apps.flatMap((a) => [
      ...metadataReached(s, a),
      ...findingsOf(s, 'metadata-denied', id(a)),
      ...findingsOf(s, 'dns-only-to-kube-dns', id(a)),
      ...externalDnsProblems(s, a),
      ...egressProblems(s, a),
      ...ingressProblems(s, a),
      ...serviceAccountProblems(s, a),
      ...stagedViewProblems(s, a),
    ]),
    ...s.intent.apps.flatMap((a) => [...startupProblems(s, a), ...userProblems(s, a), ...gpuProblems(s, a), ...storageProblems(s, a)]),
  ];
}
