/**
 * The flavor-neutral plan of one app's policies: what it may send and receive, as peers and
 * ports. Both renderers (kubernetes.ts, calico.ts) write this plan and nothing else of the
 * intent's reach, so both flavors allow the same thing. Each destination kind says what it lets
 * the app reach (lib/intent/destinations); the plan adds DNS, ports and the app's clients.
 */
import {
  APP_NAME_LABEL,
  CREDENTIALS_REASON_ANNOTATION,
  DNS_RESOLVER_NAME,
  INTERNET_REASON_ANNOTATION,
  PUBLIC_DNS_REASON_ANNOTATION,
  SHARED_RANGE_REASON_ANNOTATION,
  UNGOVERNED_REASON_ANNOTATION,
  serviceAccountName,
  formatReasons,
  podsSubject,
  PUBLIC_NAMES_SUBJECT,
  WrittenReason,
} from '../conventions';
import {
  AiAppIntent,
  AppPlan,
  EgressProxyRoute,
  NetsPeer,
  PeerContext,
  PlannedBlock,
  PlannedPort,
  PlannedRule,
  PlatformIntent,
  PolicyPeer,
  PortSpec,
  Protocol,
  ResolverSettings,
  Scrape,
  destinationPeer,
  intentCarvedBlocks,
  planBlock,
  podsPeer,
  resolverSettings,
  usesResolver,
} from '../intent';
import type { Cidr } from '../net';
import { KUBE_DNS } from '../k8s';

/** What the plan of every app of one cluster's intent reads besides the app: computed once. */
export interface PlanContext extends PeerContext {
  /** The resolver of cluster names, when some app uses it. */
  readonly resolver?: ResolverSettings;
}

/** The context of the intent of one cluster (whose checks passed). */
export function planContext(intent: PlatformIntent): PlanContext {
  return {
    allowLists: intent.allowLists ?? [],
    cloud: intent.cloud ?? 'any',
    carved: intentCarvedBlocks(intent),
    apps: intent.apps.map((a) => ({ name: a.name, namespace: a.namespace })),
    ...(intent.apps.some(usesResolver) ? { resolver: resolverSettings(intent) } : {}),
  };
}

const DNS_PORTS: readonly PlannedPort[] = [
  { protocol: 'UDP', from: 53, to: 53 },
  { protocol: 'TCP', from: 53, to: 53 },
];

/**
 * The plan of one app in the intent of one cluster (`planContext`: the allow-lists to expand, the
 * blocks carved out of every allowed block, the declared apps, the resolver of cluster names). An
 * app with hostname destinations needs its route to the egress proxy (egressProxyRoutes in lib/intent).
 */
export function planApp(app: AiAppIntent, context: PlanContext, scrape?: Scrape, proxy?: EgressProxyRoute): AppPlan {
  const reason = app.dns?.publicNames?.reason;
  return {
    name: app.name,
    namespace: app.namespace,
    egress: planEgress(app, context, proxy),
    ingress: [...planIngress(app, context), ...planScrape(scrape)],
    ...(reason !== undefined ? { reasons: { [PUBLIC_DNS_REASON_ANNOTATION]: formatReasons([{ about: [PUBLIC_NAMES_SUBJECT], why: reason }]) } } : {}),
  };
}

/** The scrapers of the app's metrics (scrapeOf), on its metrics port, TCP. */
function planScrape(scrape: Scrape | undefined): PlannedRule[] {
  if (scrape === undefined) return [];
  const peers = scrape.scrapers.map((c): PolicyPeer => ({ kind: 'pods', namespace: c.namespace, podLabels: c.podLabels ?? {} }));
  return [{ peers, ports: [{ protocol: 'TCP', from: scrape.port, to: scrape.port }] }];
}

/** The labels of the resolver's pods, which the apps' DNS rule selects. */
function resolverPeer(resolver: ResolverSettings): PolicyPeer {
  return {
    kind: 'pods',
    namespace: resolver.namespace,
    podLabels: { [APP_NAME_LABEL]: DNS_RESOLVER_NAME },
    serviceAccount: serviceAccountName(DNS_RESOLVER_NAME),
  };
}

/** kube-dns, NodeLocal DNSCache addresses and the kube-dns ClusterIP they answer on: where DNS of every name goes. */
function kubeDnsRules(
  dns: { kubeDns?: boolean; nodeLocal?: readonly string[]; kubeDnsClusterIp?: string },
  carved: readonly Cidr[],
  /** Why kube-dns, a namespace this intent does not govern, may be sent to: it is a relay of names. */
  why: string,
): PlannedRule[] {
  const rules: PlannedRule[] = [];
  if (dns.kubeDns !== false) {
    rules.push({ peers: [{ kind: 'pods', ...KUBE_DNS, ungovernedReason: why }], ports: DNS_PORTS, description: 'DNS (kube-dns)' });
  }
  const nodeLocal = dns.nodeLocal ?? [];
  if (nodeLocal.length > 0) {
    rules.push({
      peers: [{ kind: 'nets', blocks: nodeLocal.map((a) => hostBlock(a, carved)) }],
      ports: DNS_PORTS,
      description: 'DNS (NodeLocal DNSCache)',
    });
  }
  // NodeLocal DNSCache also answers on the kube-dns ClusterIP, in the host network (kube-proxy in
  // iptables mode), where no selector on the kube-dns pods matches: the addon's README allows it
  // as an ipBlock (kubernetes/kubernetes cluster/addons/dns/nodelocaldns/README.md).
  if (nodeLocal.length > 0 && dns.kubeDnsClusterIp !== undefined) {
    rules.push({
      peers: [{ kind: 'nets', blocks: [hostBlock(dns.kubeDnsClusterIp, carved)] }],
      ports: DNS_PORTS,
      description: 'DNS (kube-dns ClusterIP, answered by NodeLocal DNSCache)',
    });
  }
  return rules;
}

/**
 * DNS first, then each declared destination. DNS goes to the resolver of cluster names, or, for an
 * app that declares public names, to kube-dns (and NodeLocal DNSCache where declared). Names are
 * reached through the egress proxy, on the app's own port of it, in one rule where the first of
 * them is declared: the proxy resolves them, never the app.
 */
function planEgress(app: AiAppIntent, context: PlanContext, proxy: EgressProxyRoute | undefined): PlannedRule[] {
  const rules: PlannedRule[] = [];
  if (usesResolver(app)) {
    if (!context.resolver) throw new Error(`${app.namespace}/${app.name} resolves through the resolver of cluster names, which the context lacks`);
    rules.push({ peers: [resolverPeer(context.resolver)], ports: DNS_PORTS, description: 'DNS (cluster names only: the resolver of cluster names)' });
  } else {
    rules.push(
      ...kubeDnsRules(
        app.dns ?? {},
        context.carved,
        `the cluster's DNS, which resolves names outside the cluster for this app: ${app.dns?.publicNames?.reason ?? ''}`,
      ),
    );
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
function hostBlock(address: string, carved: readonly Cidr[]): PlannedBlock {
  return planBlock(address.includes(':') ? `${address}/128` : `${address}/32`, carved);
}

/**
 * The plan of the resolver of cluster names: it may send DNS to kube-dns only (through NodeLocal
 * DNSCache where declared), and admits DNS from the namespaces of the apps that use it.
 */
export function planResolver(resolver: ResolverSettings, namespaces: readonly string[], context: PlanContext): AppPlan {
  return {
    name: DNS_RESOLVER_NAME,
    namespace: resolver.namespace,
    egress: kubeDnsRules(
      { nodeLocal: resolver.nodeLocal, kubeDnsClusterIp: resolver.kubeDnsClusterIp },
      context.carved,
      `the cluster's DNS: the resolver sends it only names of ${resolver.clusterDomain}`,
    ),
    ingress:
      namespaces.length === 0
        ? []
        : [
            {
              peers: namespaces.map((namespace): PolicyPeer => ({ kind: 'pods', namespace, podLabels: {} })),
              ports: DNS_PORTS,
              description: 'DNS from the AI apps',
            },
          ],
  };
}

/**
 * The declared clients (every pod of a namespace, or those with the labels) on the app's port, TCP;
 * a client whose labels name a declared app is that app's ServiceAccount too.
 */
function planIngress(app: AiAppIntent, context: PlanContext): PlannedRule[] {
  const clients = app.ingress ?? [];
  if (clients.length === 0) return [];
  const peers = clients.map((c): PolicyPeer => podsPeer(c.namespace, c.podLabels ?? {}, context.apps));
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
export function reasonAnnotations(plan: AppPlan): Record<string, string> {
  const nets = plan.egress.flatMap((r) => r.peers).flatMap((p) => (p.kind === 'nets' ? [p] : []));
  const lines = (reason: (p: NetsPeer) => string | undefined): WrittenReason[] =>
    nets.flatMap((p) => {
      const why = reason(p);
      return why ? [{ about: p.blocks.map((b) => b.cidr), why }] : [];
    });
  const internet = lines((p) => p.internetReason);
  const credentials = lines((p) => p.credentialsReason);
  const shared = lines((p) => p.sharedReason);
  const relays = plan.egress
    .flatMap((r) => r.peers)
    .flatMap((p): WrittenReason[] =>
      p.kind === 'pods' && p.ungovernedReason !== undefined ? [{ about: [podsSubject(p.namespace, p.podLabels)], why: p.ungovernedReason }] : [],
    );
  return {
    ...(internet.length ? { [INTERNET_REASON_ANNOTATION]: formatReasons(internet) } : {}),
    ...(credentials.length ? { [CREDENTIALS_REASON_ANNOTATION]: formatReasons(credentials) } : {}),
    ...(shared.length ? { [SHARED_RANGE_REASON_ANNOTATION]: formatReasons(shared) } : {}),
    ...(relays.length ? { [UNGOVERNED_REASON_ANNOTATION]: formatReasons(relays) } : {}),
    ...plan.reasons,
  };
}
