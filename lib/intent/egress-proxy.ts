/**
 * The egress proxy as the intent determines it: where it runs, which port of it each app with
 * hostname destinations is given, and the environment that sends the app's HTTP and HTTPS there.
 * The proxy itself (its configuration, pods and policies) is lib/proxy; the plan (lib/policy)
 * lets each app reach the proxy on its own port and nowhere else by name.
 */
import { EGRESS_PROXY_NAME, appSelector } from '../conventions';
import { DEFAULT_CLUSTER_DOMAIN } from '../k8s';
import { cidr as parseCidr, formatCidr, podCredentialEndpoints } from '../net';
import { PeerContext, isAllowListDestination, isCidrDestination, isCredentialsDestination, isHostsDestination, isServiceDestination } from './destinations';
import { AiAppIntent, PlatformIntent } from './types';

/** The proxy's namespace when `egressProxy.namespace` is not given. */
const DEFAULT_EGRESS_PROXY_NAMESPACE = 'ai-egress-proxy';

/** Replicas of the proxy when `egressProxy.replicas` is not given: every app's names go through it, so one node's loss must not stop them. */
const DEFAULT_EGRESS_PROXY_REPLICAS = 2;

/**
 * The proxy's ports: the kubelet's probes connect to `probe`, where every request is refused; the
 * apps with hostname destinations, ordered by namespace then name, get `firstApp`, `firstApp + 1`
 * and so on, one each. 3128 is Squid's own default port (squid.conf.documented, http_port).
 */
export const EGRESS_PROXY_PORTS = { probe: 3128, firstApp: 3129 } as const;

/** The proxy's settings, with defaults resolved. */
export interface EgressProxySettings {
  readonly namespace: string;
  readonly replicas: number;
}

/** The intent's `egressProxy` with defaults. */
export function egressProxySettings(intent: Pick<PlatformIntent, 'egressProxy'>): EgressProxySettings {
  return {
    namespace: intent.egressProxy?.namespace ?? DEFAULT_EGRESS_PROXY_NAMESPACE,
    replicas: intent.egressProxy?.replicas ?? DEFAULT_EGRESS_PROXY_REPLICAS,
  };
}

/** Whether an app sends anything by name, through the proxy. */
export function usesEgressProxy(app: AiAppIntent): boolean {
  return app.egress.some(isHostsDestination);
}

/** Where an app reaches the proxy: its pods (namespace and labels) on the app's own port. */
export interface EgressProxyRoute {
  readonly app: string;
  readonly appNamespace: string;
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly port: number;
}

/** The route of every app with hostname destinations, ordered by namespace then name (their ports in that order). */
export function egressProxyRoutes(intent: Pick<PlatformIntent, 'apps' | 'egressProxy'>): EgressProxyRoute[] {
  const { namespace } = egressProxySettings(intent);
  return intent.apps
    .filter(usesEgressProxy)
    .map((a) => ({ app: a.name, appNamespace: a.namespace }))
    .sort((a, b) => (a.appNamespace === b.appNamespace ? compare(a.app, b.app) : compare(a.appNamespace, b.appNamespace)))
    .map((a, i) => ({ ...a, namespace, podLabels: appSelector(EGRESS_PROXY_NAME), port: EGRESS_PROXY_PORTS.firstApp + i }));
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The environment variables the proxy's environment sets, in both cases: clients differ in which they read. */
export const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'] as const;

/**
 * What never goes through the proxy: the pod itself, the cluster's services (`.svc`, and the
 * cluster's domain, `.cluster.local` unless `dnsResolver.clusterDomain` says another: their
 * policies allow them directly, and the proxy refuses cluster names), and each destination the
 * app reaches directly (in-cluster services by namespace, as `<service>.<namespace>` resolves;
 * blocks and pod credential endpoints by address, for the clients that read addresses and CIDRs
 * here).
 */
const alwaysDirect = (clusterDomain: string) => ['localhost', '127.0.0.1', '::1', '.svc', `.${clusterDomain.replace(/\.$/, '')}`];

/**
 * HTTPS_PROXY and HTTP_PROXY (and their lower-case forms) pointing at the app's port of the
 * proxy, and NO_PROXY for what the app reaches directly. A namespace is left out of NO_PROXY where
 * a declared name ends in it, so that name still goes through the proxy.
 */
export function proxyEnvironment(
  app: AiAppIntent,
  route: EgressProxyRoute,
  context: Pick<PeerContext, 'allowLists' | 'cloud'>,
  clusterDomain: string = DEFAULT_CLUSTER_DOMAIN,
): Record<string, string> {
  const url = `http://${EGRESS_PROXY_NAME}.${route.namespace}.svc:${route.port}`;
  const names = app.egress.filter(isHostsDestination).flatMap((d) => d.hosts.map((h) => h.toLowerCase().replace(/\.$/, '')));
  const direct = new Set(alwaysDirect(clusterDomain));
  for (const d of app.egress) {
    if (isServiceDestination(d) && !names.some((n) => n === d.namespace || n.endsWith(`.${d.namespace}`))) direct.add(`.${d.namespace}`);
    else if (isCidrDestination(d)) direct.add(formatCidr(parseCidr(d.cidr)));
    else if (isAllowListDestination(d))
      for (const c of context.allowLists.find((l) => l.name === d.allowList)?.cidrs ?? []) direct.add(formatCidr(parseCidr(c)));
    else if (isCredentialsDestination(d))
      for (const c of podCredentialEndpoints(context.cloud).find((e) => e.name === d.credentials)?.cidrs ?? []) direct.add(c);
  }
  const noProxy = [...direct].join(',');
  return { HTTPS_PROXY: url, https_proxy: url, HTTP_PROXY: url, http_proxy: url, NO_PROXY: noProxy, no_proxy: noProxy };
}
