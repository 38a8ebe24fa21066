/**
 * The flavor-neutral plan of one app's policies: what it may send and receive, as peers and
 * ports. Both renderers (kubernetes.ts, calico.ts) write this plan and nothing else of the
 * intent's reach, so both flavors allow the same thing. Each destination kind says what it lets
 * the app reach (lib/intent/destinations); the plan adds DNS, ports and the app's clients.
 */
import { CREDENTIALS_REASON_ANNOTATION, INTERNET_REASON_ANNOTATION, KUBE_DNS } from '../conventions';
import {
  AiAppIntent,
  AllowList,
  Cloud,
  EgressProxyRoute,
  NetsPeer,
  PeerContext,
  PlannedBlock,
  PolicyPeer,
  PortSpec,
  Protocol,
  Scrape,
  destinationPeer,
  planBlock,
} from '../intent';

export type { PlannedBlock } from '../intent';

/** What a planned rule names: address blocks, or pods. */
export type Peer = PolicyPeer;

/** A protocol with a port or inclusive range. */
export interface PlannedPort {
  readonly protocol: Protocol;
  readonly from: number;
  readonly to: number;
}

/** Every one of the peers on every one of the ports. */
export interface PlannedRule {
  /** Never empty. */
  readonly peers: readonly Peer[];
  /** Never empty; may mix protocols (DNS is UDP and TCP 53). */
  readonly ports: readonly PlannedPort[];
  /** What the rule is for: the destination's own description, or which DNS; Calico keeps it as an annotation. */
  readonly description?: string;
}

/** What one app may send and receive, beyond which nothing is allowed. */
export interface AppPlan {
  /** The app's name and namespace: its policies select the pods of the app. */
  readonly name: string;
  readonly namespace: string;
  /** DNS first, then one rule per declared destination, in declaration order. */
  readonly egress: readonly PlannedRule[];
  /** The declared clients on the app's port over TCP, as one rule, then its scrapers on its metrics port; empty when there are none. */
  readonly ingress: readonly PlannedRule[];
}

const DNS_PORTS: readonly PlannedPort[] = [
  { protocol: 'UDP', from: 53, to: 53 },
  { protocol: 'TCP', from: 53, to: 53 },
];

/**
 * The plan of one app, with the platform's allow-lists to expand and its cloud, whose metadata
 * addresses are carved out of every allowed block (every cloud's when not given). An app with
 * hostname destinations needs its route to the egress proxy (egressProxyRoutes in lib/intent).
 */
export function planApp(app: AiAppIntent, allowLists: readonly AllowList[], cloud: Cloud = 'any', scrape?: Scrape, proxy?: EgressProxyRoute): AppPlan {
  return {
    name: app.name,
    namespace: app.namespace,
    egress: planEgress(app, { allowLists, cloud }, proxy),
    ingress: [...planIngress(app), ...planScrape(scrape)],
  };
}

/** The scrapers of the app's metrics (scrapeOf), on its metrics port, TCP. */
function planScrape(scrape: Scrape | undefined): PlannedRule[] {
  if (scrape === undefined) return [];
  const peers = scrape.scrapers.map((c): Peer => ({ kind: 'pods', namespace: c.namespace, podLabels: c.podLabels ?? {} }));
  return [{ peers, ports: [{ protocol: 'TCP', from: scrape.port, to: scrape.port }] }];
}

/**
 * DNS first (kube-dns, then NodeLocal DNSCache addresses and the kube-dns ClusterIP it answers on),
 * then each declared destination; names are reached through the egress proxy, on the app's own
 * port of it, in one rule where the first of them is declared.
 */
function planEgress(app: AiAppIntent, context: PeerContext, proxy: EgressProxyRoute | undefined): PlannedRule[] {
  const rules: PlannedRule[] = [];
  if (app.dns?.kubeDns !== false) {
    rules.push({ peers: [{ kind: 'pods', ...KUBE_DNS }], ports: DNS_PORTS, description: 'DNS (kube-dns)' });
  }
  const nodeLocal = app.dns?.nodeLocal ?? [];
  if (nodeLocal.length > 0) {
    rules.push({
      peers: [{ kind: 'nets', blocks: nodeLocal.map((a) => hostBlock(a, context.cloud)) }],
      ports: DNS_PORTS,
      description: 'DNS (NodeLocal DNSCache)',
    });
  }
  // NodeLocal DNSCache also answers on the kube-dns ClusterIP, in the host network (kube-proxy in
  // iptables mode), where no selector on the kube-dns pods matches: the addon's README allows it
  // as an ipBlock (kubernetes/kubernetes cluster/addons/dns/nodelocaldns/README.md).
  const clusterIp = app.dns?.kubeDnsClusterIp;
  if (nodeLocal.length > 0 && clusterIp !== undefined) {
    rules.push({
      peers: [{ kind: 'nets', blocks: [hostBlock(clusterIp, context.cloud)] }],
      ports: DNS_PORTS,
      description: 'DNS (kube-dns ClusterIP, answered by NodeLocal DNSCache)',
    });
  }
  let proxied = false;
  for (const d of app.egress) {
    const peer = destinationPeer(d, context);
    if (peer.kind !== 'proxy') {
      rules.push({ peers: [peer], ports: planPorts(d.ports, d.protocol ?? 'TCP'), description: d.description });
      continue;
    }
    if (proxied) continue;
    if (!proxy) throw new Error(`${app.namespace}/${app.name} declares host names and was planned without its route to the egress proxy`);
    proxied = true;
    rules.push({
      peers: [{ kind: 'pods', namespace: proxy.namespace, podLabels: proxy.podLabels }],
      ports: [{ protocol: 'TCP', from: proxy.port, to: proxy.port }],
      description: "egress proxy: the declared host names, on this app's own port",
    });
  }
  return rules;
}

/** One address as a block of its own. */
function hostBlock(address: string, cloud: Cloud): PlannedBlock {
  return planBlock(address.includes(':') ? `${address}/128` : `${address}/32`, cloud);
}

/** The declared clients (every pod of a namespace, or those with the labels) on the app's port, TCP. */
function planIngress(app: AiAppIntent): PlannedRule[] {
  const clients = app.ingress ?? [];
  if (clients.length === 0) return [];
  const peers = clients.map((c): Peer => ({ kind: 'pods', namespace: c.namespace, podLabels: c.podLabels ?? {} }));
  return [{ peers, ports: [{ protocol: 'TCP', from: app.port, to: app.port }] }];
}

/** Ports of one protocol, sorted, as inclusive ranges. */
function planPorts(ports: readonly PortSpec[], protocol: Protocol): PlannedPort[] {
  return ports
    .map((p) => (typeof p === 'number' ? { protocol, from: p, to: p } : { protocol, from: p.from, to: p.to }))
    .sort((a, b) => a.from - b.from || a.to - b.to);
}

/**
 * The annotations that keep the written reasons on the policy that allows what needs one, one
 * line per destination (`0.0.0.0/0: calls a public model API`): internet egress, and access to
 * a pod credential endpoint. None without such egress.
 */
export function reasonAnnotations(egress: readonly PlannedRule[]): Record<string, string> {
  const nets = egress.flatMap((r) => r.peers).flatMap((p) => (p.kind === 'nets' ? [p] : []));
  const lines = (reason: (p: NetsPeer) => string | undefined) =>
    nets.flatMap((p) => {
      const why = reason(p);
      return why ? [`${p.blocks.map((b) => b.cidr).join(', ')}: ${why}`] : [];
    });
  const internet = lines((p) => p.internetReason);
  const credentials = lines((p) => p.credentialsReason);
  return {
    ...(internet.length ? { [INTERNET_REASON_ANNOTATION]: internet.join('\n') } : {}),
    ...(credentials.length ? { [CREDENTIALS_REASON_ANNOTATION]: credentials.join('\n') } : {}),
  };
}
