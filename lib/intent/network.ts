/**
 * What the intent says about the cluster's own network, resolved: its address ranges (declared,
 * or its cloud's defaults) and the resolver of cluster names (where it runs, its domain, its fixed
 * ClusterIP in the Service range). One place for both, so the carve-outs of every allowed block,
 * the resolver's address and whatever else needs the cluster's ranges (the egress proxy's refused
 * destinations) read the same values.
 */
import { Cidr, ClusterRanges, Cloud, carvedBlocks, defaultClusterRanges, inStaticBand, parseCidr, parseIp, resolverIndex, staticServiceAddress } from '../net';
import { IntentIssue, IssuePath, IssueScope, PLATFORM, formatPath } from './issues';
import { AiAppIntent, ClusterNetwork, DnsResolverOptions, PlatformIntent } from './types';
import { DEFAULT_CLUSTER_DOMAIN, KUBE_DNS } from '../k8s';

/** The resolver's namespace when `dnsResolver.namespace` is not given. */
export const DEFAULT_DNS_NAMESPACE = 'ai-dns';

/** The cluster's DNS domain when `dnsResolver.clusterDomain` is not given: the kubelet's default `clusterDomain`. */
export { DEFAULT_CLUSTER_DOMAIN };

/**
 * The cluster's ranges: each declared field of `clusterNetwork`, else the cloud's default
 * (lib/net, `defaultClusterRanges`). Exported for every part that must tell the cluster's own
 * addresses from the outside world.
 */
export function clusterRangesOf(network: ClusterNetwork | undefined, cloud: Cloud = 'any'): ClusterRanges {
  const defaults = defaultClusterRanges(cloud);
  return {
    pods: network?.podCidrs ?? defaults.pods,
    services: network?.serviceCidrs ?? defaults.services,
    nodes: network?.nodeCidrs ?? defaults.nodes,
  };
}

/** The ranges of the intent of one cluster (see clusterIntents). */
export function intentClusterRanges(intent: PlatformIntent): ClusterRanges {
  return clusterRangesOf(intent.clusterNetwork, intent.cloud ?? 'any');
}

/**
 * The blocks carved out of every allowed block that contains them, for the intent of one cluster:
 * link-local addresses, its cloud's metadata endpoints, its pod, Service and node ranges.
 */
export function intentCarvedBlocks(intent: PlatformIntent): Cidr[] {
  return carvedBlocks(intent.cloud ?? 'any', intentClusterRanges(intent));
}

/** Whether an app resolves through the project's resolver (it declares no public names). */
export function usesResolver(app: AiAppIntent): boolean {
  return app.dns?.publicNames === undefined;
}

/** The resolver of cluster names, resolved for the intent of one cluster. */
export interface ResolverSettings {
  readonly namespace: string;
  readonly clusterDomain: string;
  /** Its Service's ClusterIP, which the apps' pods name as their only nameserver. */
  readonly clusterIp: string;
  /** Where the address came from: declared, or placed in a declared or default Service range. */
  readonly placement: 'declared' | 'declared-range' | 'default-range';
  /** The Service range it was placed in, when it was placed. */
  readonly serviceRange?: string;
  /** NodeLocal DNSCache addresses its lookups of kube-dns go to, and the kube-dns ClusterIP. */
  readonly nodeLocal: readonly string[];
  readonly kubeDnsClusterIp?: string;
}

/** The resolver's address, or why it cannot be placed. */
type Placement = { readonly settings: ResolverSettings } | { readonly path: IssuePath; readonly value: unknown; readonly message: string };

/** Where the resolver goes, given the intent's network, resolver settings and cloud. */
function placeResolver(options: DnsResolverOptions | undefined, network: ClusterNetwork | undefined, cloud: Cloud): Placement {
  const base = {
    namespace: options?.namespace ?? DEFAULT_DNS_NAMESPACE,
    clusterDomain: options?.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
    nodeLocal: options?.nodeLocal ?? [],
    ...(options?.kubeDnsClusterIp !== undefined ? { kubeDnsClusterIp: options.kubeDnsClusterIp } : {}),
  };
  const declaredRanges = network?.serviceCidrs;
  if (options?.clusterIp !== undefined) {
    const ip = parseIp(options.clusterIp);
    if (ip && declaredRanges && !declaredRanges.some((r) => rangeHolds(r, options.clusterIp!))) {
      return {
        path: ['dnsResolver', 'clusterIp'],
        value: options.clusterIp,
        message: `lies outside the cluster's Service ranges (${declaredRanges.join(', ')}), and the API server refuses a ClusterIP outside them; accepted: an address in one of them, best in its first addresses, which Kubernetes leaves to fixed ClusterIPs (KEP-3070), or no clusterIp (then placed there)`,
      };
    }
    return { settings: { ...base, clusterIp: options.clusterIp, placement: 'declared' } };
  }
  const ranges = declaredRanges ?? clusterRangesOf(undefined, cloud).services;
  const range = ranges[0];
  const placed = staticServiceAddress(range, resolverIndex(range));
  if ('problem' in placed) {
    return {
      path: declaredRanges ? ['clusterNetwork', 'serviceCidrs', 0] : ['dnsResolver', 'clusterIp'],
      value: declaredRanges ? range : undefined,
      message: `leaves no place for the resolver's fixed ClusterIP: ${placed.problem}; accepted: a Service range of /27 or more, or dnsResolver: { clusterIp: '...' } with a free address of the range`,
    };
  }
  return { settings: { ...base, clusterIp: placed.address, placement: declaredRanges ? 'declared-range' : 'default-range', serviceRange: range } };
}

function rangeHolds(range: string, address: string): boolean {
  const parsed = parseCidr(range);
  const ip = parseIp(address);
  if (!('cidr' in parsed) || !ip) return false;
  const { cidr } = parsed;
  if (cidr.version !== ip.version) return false;
  const host = BigInt((cidr.version === 4 ? 32 : 128) - cidr.prefix);
  return ip.value >> host === cidr.network >> host;
}

/** The resolver of the intent of one cluster; call it on an intent whose checks passed. */
export function resolverSettings(intent: PlatformIntent): ResolverSettings {
  const placed = placeResolver(intent.dnsResolver, intent.clusterNetwork, intent.cloud ?? 'any');
  if ('settings' in placed) return placed.settings;
  throw new Error(`${formatPath(placed.path)} ${placed.message}`);
}

/**
 * The resolver's problems, and a warning when a declared address lies outside the static band of
 * the declared Service range. Nothing when no app uses the resolver. (An address placed in a
 * default Service range is a default worth seeing: `resolverDefault`.)
 */
export function resolverIssues(
  apps: readonly AiAppIntent[],
  options: DnsResolverOptions | undefined,
  network: ClusterNetwork | undefined,
  cloud: Cloud,
  who: IssueScope = PLATFORM,
  prefix: IssuePath = [],
): IntentIssue[] {
  if (!apps.some(usesResolver)) return [];
  const placed = placeResolver(options, network, cloud);
  if (!('settings' in placed))
    return [{ severity: 'error', scope: who, path: [...prefix, ...placed.path], value: placed.value, code: 'resolver', message: placed.message }];
  const { settings } = placed;
  if (settings.placement === 'declared' && network?.serviceCidrs) {
    const ip = parseIp(settings.clusterIp)!;
    if (!network.serviceCidrs.some((r) => inStaticBand(r, ip))) {
      return [
        {
          severity: 'warning',
          scope: who,
          path: [...prefix, 'dnsResolver', 'clusterIp'],
          value: settings.clusterIp,
          code: 'resolver',
          message:
            "lies outside the first addresses of the Service range that Kubernetes leaves to fixed ClusterIPs (KEP-3070), so a Service created before it may already hold it; accepted: an address among the range's first 16 to 256, or no clusterIp (then placed there)",
        },
      ];
    }
  }
  return [];
}

/**
 * Where the resolver's address comes from a default Service range, in words for the synth
 * summary: the cluster's range may differ, and then the API server refuses the resolver's Service
 * and the AI apps resolve nothing. Undefined when nothing is placed by default.
 */
export function resolverDefault(intent: PlatformIntent): string | undefined {
  if (!intent.apps.some(usesResolver)) return undefined;
  const cloud = intent.cloud ?? 'any';
  const placed = placeResolver(intent.dnsResolver, intent.clusterNetwork, cloud);
  if (!('settings' in placed) || placed.settings.placement !== 'default-range') return undefined;
  const others = clusterRangesOf(undefined, cloud).services.filter((r) => r !== placed.settings.serviceRange);
  const alternatives = cloud !== 'any' && others.length ? `; its other default is ${others.join(', ')}` : '';
  return `${placed.settings.clusterIp}, in ${placed.settings.serviceRange}, the default Service range of cloud "${cloud}"${alternatives} (declare clusterNetwork.serviceCidrs where the cluster's differs: kubectl -n ${KUBE_DNS.namespace} get svc kube-dns shows an address of it)`;
}
