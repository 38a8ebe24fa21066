import { AiAppIntent, AllowList, ClusterIntent, ClusterNetwork, DnsResolverOptions, GuardrailKind, PlatformIntent } from './types';

/** What a cluster inherits from the platform: its guardrail, and whether Calico's API is served. */
interface PlatformDefaults {
  readonly guardrail?: GuardrailKind;
  readonly calicoInstalled: boolean;
}

/** Whether a cluster runs without Calico's API: its own calicoInstalled, else the platform's. */
export function withoutCalico(cluster: ClusterIntent, platform: PlatformDefaults): boolean {
  return cluster.calicoInstalled === undefined ? !platform.calicoInstalled : !cluster.calicoInstalled;
}

/**
 * The guardrail a cluster declares, or inherits from the platform; on a cluster without Calico,
 * ClusterNetworkPolicy unless told otherwise (undefined: as the cluster's apps decide, guardrailOf).
 */
export function clusterGuardrail(cluster: ClusterIntent, platform: PlatformDefaults): GuardrailKind | undefined {
  return cluster.guardrail ?? platform.guardrail ?? (withoutCalico(cluster, platform) ? 'ClusterNetworkPolicy' : undefined);
}

/** One cluster's share of an intent: what its folder of `dist/` is synthesized from. */
export interface ClusterTarget {
  /** The cluster's name, its folder under `dist/`; undefined when the intent declares no clusters. */
  readonly cluster?: string;
  /** The intent of that cluster alone, without `clusters`: what the platform renders and the tests check. */
  readonly intent: PlatformIntent;
}

/** Whether an intent declares clusters (then `dist/` holds a folder per cluster). */
export function declaresClusters(intent: PlatformIntent): boolean {
  return intent.clusters !== undefined;
}

/**
 * The intents to synthesize: without clusters the intent itself, for `dist/`; with clusters one
 * per cluster, in declaration order, for `dist/<cluster>/`. Resolve only an intent whose checks
 * passed (checkIntent): this takes names and fields as given.
 */
export function clusterIntents(intent: PlatformIntent): ClusterTarget[] {
  if (!declaresClusters(intent)) return [{ intent }];
  return (intent.clusters ?? []).map((cluster) => ({ cluster: cluster.name, intent: resolveCluster(intent, cluster) }));
}

/**
 * A cluster's intent: the platform's, with what the cluster declares laid over it. Its apps are
 * those it names (in the platform's order), each that uses NodeLocal DNSCache with the cluster's
 * kube-dns ClusterIP if it has one; its allow-lists the platform's, each replaced by the
 * cluster's of the same name, then those only the cluster declares; its cloud the cluster's,
 * else the platform's; its guardrail and Calico release its own, else the platform's (a cluster
 * without Calico gets a ClusterNetworkPolicy guardrail unless it declares another, and no Calico
 * release). Calico, metrics and egress proxy settings are the platform's. `clusters` and `argocd` are left out:
 * they say where the intent goes, not what a cluster runs.
 */
function resolveCluster(intent: PlatformIntent, cluster: ClusterIntent): PlatformIntent {
  const names = new Set(cluster.apps ?? intent.apps.map((a) => a.name));
  const apps = intent.apps.filter((a) => names.has(a.name)).map((a) => withClusterDns(a, cluster));
  const own = cluster.allowLists ?? [];
  const platformLists = intent.allowLists ?? [];
  const allowLists: AllowList[] = [
    ...platformLists.map((list) => own.find((o) => o.name === list.name) ?? list),
    ...own.filter((o) => !platformLists.some((p) => p.name === o.name)),
  ];
  const cloud = cluster.cloud ?? intent.cloud;
  const clusterNetwork = clusterNetworkOf(intent.clusterNetwork, cluster.clusterNetwork);
  const dnsResolver = clusterResolver(intent.dnsResolver, cluster);
  const platform = { guardrail: intent.guardrail, calicoInstalled: intent.calicoInstalled !== false };
  const guardrail = clusterGuardrail(cluster, platform);
  const calicoVersion = cluster.calicoVersion ?? (withoutCalico(cluster, platform) ? undefined : intent.calicoVersion);
  return {
    apps,
    ...(allowLists.length > 0 || intent.allowLists !== undefined ? { allowLists: dedupe(allowLists) } : {}),
    ...(cloud !== undefined ? { cloud } : {}),
    ...(intent.calico !== undefined ? { calico: intent.calico } : {}),
    ...(clusterNetwork !== undefined ? { clusterNetwork } : {}),
    ...(dnsResolver !== undefined ? { dnsResolver } : {}),
    ...(intent.egressProxy !== undefined ? { egressProxy: intent.egressProxy } : {}),
    ...(intent.metrics !== undefined ? { metrics: intent.metrics } : {}),
    ...(guardrail !== undefined ? { guardrail } : {}),
    ...(calicoVersion !== undefined ? { calicoVersion } : {}),
  };
}

/** The platform's ranges with each one the cluster declares laid over it. */
export function clusterNetworkOf(platform: ClusterNetwork | undefined, cluster: ClusterNetwork | undefined): ClusterNetwork | undefined {
  if (platform === undefined && cluster === undefined) return undefined;
  return { ...platform, ...cluster };
}

/** The platform's resolver with the cluster's ClusterIP, and its kube-dns ClusterIP where the resolver uses NodeLocal DNSCache. */
export function clusterResolver(platform: DnsResolverOptions | undefined, cluster: ClusterIntent): DnsResolverOptions | undefined {
  const kubeDns = cluster.kubeDnsClusterIp !== undefined && (platform?.nodeLocal ?? []).length > 0 ? { kubeDnsClusterIp: cluster.kubeDnsClusterIp } : {};
  const clusterIp = cluster.dnsResolverClusterIp !== undefined ? { clusterIp: cluster.dnsResolverClusterIp } : {};
  if (platform === undefined && Object.keys(clusterIp).length === 0) return undefined;
  return { ...platform, ...kubeDns, ...clusterIp };
}

/** The app with the cluster's kube-dns ClusterIP, where it uses NodeLocal DNSCache (with public names) and the cluster names one. */
function withClusterDns(app: AiAppIntent, cluster: ClusterIntent): AiAppIntent {
  if (cluster.kubeDnsClusterIp === undefined || (app.dns?.nodeLocal ?? []).length === 0) return app;
  return { ...app, dns: { ...app.dns, kubeDnsClusterIp: cluster.kubeDnsClusterIp } };
}

/** One entry per allow-list: a cluster's replacement stands for every platform entry of its name. */
function dedupe(lists: readonly AllowList[]): AllowList[] {
  return lists.filter((list, i) => lists.indexOf(list) === i);
}
