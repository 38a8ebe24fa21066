/**
 * The baseline: the same objects written with cdk8s-plus-27 directly, no project code.
 *
 * For each app a ServiceAccount, a Deployment (one container, probes, two emptyDirs), a Service,
 * an egress NetworkPolicy (DNS, one ipBlock peer per external block, one pod peer per in-cluster
 * destination) and an ingress NetworkPolicy; per namespace a Namespace and a default-deny
 * NetworkPolicy. What the project adds on top of this is its own cost: intent validation,
 * planning, hardening patches, the Calico objects. Rendered through plain `app.synth()`, either
 * into the project's files or into one chart (see `RawLayout`).
 */
import { App, Chart, Duration, Size, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';

/** A port or inclusive range of one protocol. */
export interface RawPort {
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  readonly from: number;
  readonly to: number;
}

/** One app, as plain numbers and strings. */
export interface RawApp {
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  readonly port: number;
  readonly ipBlocks: readonly { readonly cidr: string; readonly except: readonly string[]; readonly ports: readonly RawPort[] }[];
  readonly peers: readonly { readonly namespace: string; readonly labels: Readonly<Record<string, string>>; readonly ports: readonly RawPort[] }[];
  /** Who may call the app: every pod of a namespace, or those with the labels. */
  readonly clients: readonly { readonly namespace: string; readonly labels?: Readonly<Record<string, string>> }[];
}

function policyPort(p: RawPort): kplus.NetworkPolicyPort {
  const protocol = kplus.NetworkProtocol[p.protocol];
  return kplus.NetworkPolicyPort.of({ protocol, port: p.from, ...(p.to !== p.from ? { endPort: p.to } : {}) });
}

function namespaced(scope: Chart, id: string, namespace: string, labels: Record<string, string>): kplus.Pods {
  return kplus.Pods.select(scope, id, { labels, namespaces: kplus.Namespaces.select(scope, `${id}-ns`, { names: [namespace] }) });
}

function addApp(policies: Chart, workloads: Chart, app: RawApp): void {
  const labels = { 'app.kubernetes.io/name': app.name };
  const metadata = { name: app.name, namespace: app.namespace, labels };
  const serviceAccount = new kplus.ServiceAccount(workloads, `${app.name}-sa`, { metadata, automountToken: false });
  const deployment = new kplus.Deployment(workloads, `${app.name}-deployment`, {
    metadata,
    select: false,
    podMetadata: { labels },
    serviceAccount,
    automountServiceAccountToken: false,
    securityContext: { ensureNonRoot: true, user: 10001, group: 10001, fsGroup: 10001 },
  });
  deployment.select(kplus.LabelSelector.of({ labels }));
  const container = deployment.addContainer({
    name: 'server',
    image: app.image,
    ports: [{ number: app.port, name: 'http' }],
    securityContext: { ensureNonRoot: true, user: 10001, group: 10001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
    resources: {
      cpu: { request: kplus.Cpu.units(1), limit: kplus.Cpu.units(2) },
      memory: { request: Size.gibibytes(4), limit: Size.gibibytes(4) },
    },
    readiness: kplus.Probe.fromHttpGet('/health', { port: app.port }),
    liveness: kplus.Probe.fromHttpGet('/health', { port: app.port, initialDelaySeconds: Duration.seconds(30) }),
  });
  container.mount('/tmp', kplus.Volume.fromEmptyDir(workloads, `${app.name}-tmp`, 'tmp'));
  container.mount('/models', kplus.Volume.fromEmptyDir(workloads, `${app.name}-models`, 'model-cache'));
  const service = new kplus.Service(workloads, `${app.name}-service`, {
    metadata,
    ports: [{ name: 'http', port: app.port, targetPort: app.port }],
  });
  service.selectLabel('app.kubernetes.io/name', app.name);

  const selector = kplus.Pods.select(policies, `${app.name}-pods`, { labels });
  const egress = new kplus.NetworkPolicy(policies, `${app.name}-egress`, {
    metadata: { name: `${app.name}-egress`, namespace: app.namespace },
    selector,
    egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
  });
  egress.addEgressRule(namespaced(policies, `${app.name}-dns`, 'kube-system', { 'k8s-app': 'kube-dns' }), [
    kplus.NetworkPolicyPort.udp(53),
    kplus.NetworkPolicyPort.tcp(53),
  ]);
  app.ipBlocks.forEach((b, i) => {
    const id = `${app.name}-block-${i}`;
    const except = b.except.length ? [...b.except] : undefined;
    const block = b.cidr.includes(':')
      ? kplus.NetworkPolicyIpBlock.ipv6(policies, id, b.cidr, except)
      : kplus.NetworkPolicyIpBlock.ipv4(policies, id, b.cidr, except);
    egress.addEgressRule(block, b.ports.map(policyPort));
  });
  app.peers.forEach((p, i) => egress.addEgressRule(namespaced(policies, `${app.name}-peer-${i}`, p.namespace, { ...p.labels }), p.ports.map(policyPort)));

  const ingress = new kplus.NetworkPolicy(policies, `${app.name}-ingress`, {
    metadata: { name: `${app.name}-ingress`, namespace: app.namespace },
    selector,
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
  });
  app.clients.forEach((c, i) =>
    ingress.addIngressRule(
      c.labels
        ? namespaced(policies, `${app.name}-client-${i}`, c.namespace, { ...c.labels })
        : kplus.Namespaces.select(policies, `${app.name}-client-${i}`, { names: [c.namespace] }),
      [kplus.NetworkPolicyPort.tcp(app.port)],
    ),
  );
}

/** How the baseline spreads its objects over charts (each chart is one file). */
export type RawLayout = 'same-files' | 'one-chart';

/**
 * Builds the baseline app; `synth()` writes one file per chart into `outdir`.
 *
 * `same-files` writes the project's files: cluster objects, then policies and workloads per
 * namespace. `one-chart` puts every object in a single chart: cdk8s validates and resolves the
 * whole app once per chart, so this is the fastest plain cdk8s-plus-27 can render these objects.
 */
export function buildRawApp(outdir: string, apps: readonly RawApp[], layout: RawLayout = 'same-files'): App {
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  const chart = (id: string, namespace?: string) => new Chart(app, id, { disableResourceNameHashes: true, namespace });
  const single = layout === 'one-chart' ? chart('all') : undefined;
  const byNamespace = new Map<string, RawApp[]>();
  for (const a of apps) {
    const list = byNamespace.get(a.namespace);
    if (list) list.push(a);
    else byNamespace.set(a.namespace, [a]);
  }
  const namespaces = [...byNamespace.keys()].sort();
  const cluster = single ?? chart('00-cluster');
  for (const ns of namespaces) new kplus.Namespace(cluster, `namespace-${ns}`, { metadata: { name: ns } });
  for (const ns of namespaces) {
    const policies = single ?? chart(`10-policies-${ns}`, ns);
    new kplus.NetworkPolicy(policies, `${ns}-default-deny-all`, {
      metadata: { name: 'default-deny-all', namespace: ns },
      selector: kplus.Pods.all(policies, `${ns}-all-pods`),
      egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    const workloads = single ?? chart(`20-workloads-${ns}`, ns);
    for (const a of byNamespace.get(ns)!) addApp(policies, workloads, a);
  }
  return app;
}
