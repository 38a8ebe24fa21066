/**
 * The checks of an intent that declares clusters. Each cluster's own fields are checked where
 * the cluster declares them (`clusters.prod-eu.cloud`): its shape (clusterSchema), the apps it
 * names, its allow-lists, a calico-flavor app on a cluster without Calico, its kube-dns ClusterIP.
 * Then what only the whole of one cluster shows (allow-lists used but not declared there,
 * metadata endpoints of its cloud, audit mixed with enforcement, callers and callees) is checked
 * for each cluster, on the apps that run there with the cluster's settings; an issue that arises
 * in some clusters only says in which (`ai-service.egress[0].cidr in cluster prod-us`), one that
 * arises in every cluster is reported once, as it would be without clusters.
 */
import {
  DeclaredList,
  allowListMetadata,
  allowListsDeclaredTwice,
  auditMixedWithEnforcement,
  networkSetProblems,
  destinationProblems,
  dnsAddressProblem,
  dnsMetadata,
  governedNamespaces,
  ownersWithoutTier,
} from './across';
import { consistencyIssues } from './consistency';
import { isCalicoApp } from './flavor';
import { isObject } from './fields';
import { didYouMean, fromZodIssues, IntentIssue, IssueCode, IssuePath, IssueScope, PLATFORM, appScope, clusterScope, formatScope } from './issues';
import { guardrailIssues } from './guardrail';
import { clusterSchema } from './schema';
import { envEndpointIssues, namespacesOf } from './env-endpoints';
import { Cloud, carvedBlocks } from '../net';
import { clusterGuardrail, clusterNetworkOf, clusterResolver, withoutCalico } from './clusters';
import { DEFAULT_CLUSTER_DOMAIN, DEFAULT_DNS_NAMESPACE, clusterRangesOf, resolverIssues, usesResolver } from './network';
import { AiAppIntent, ClusterIntent, ClusterNetwork, DnsResolverOptions, GuardrailKind } from './types';
import { isDns1123Label, CALICO_API_VERSION } from '../k8s';

/** The Application name when `argocd.name` is not given; with clusters, `<name>-<cluster>`. */
export const DEFAULT_ARGOCD_NAME = 'secure-ai-egress';

/** The namespace Argo CD runs in when `argocd.namespace` is not given. */
export const DEFAULT_ARGOCD_NAMESPACE = 'argocd';

/** What the platform declares, as validate.ts found it: the parts whose own fields are valid. */
export interface PlatformParts {
  readonly apps: readonly AiAppIntent[];
  readonly rawApps: readonly unknown[];
  readonly lists: readonly DeclaredList[];
  /** The name of every allow-list the platform declares, broken ones included. */
  readonly listNames: readonly string[];
  readonly cloud: Cloud;
  readonly platformAudit: boolean;
  /** `calico.owners` as declared (checked by the platform's schema). */
  readonly owners: unknown;
  /** `clusterNetwork` and `dnsResolver` as declared, when the platform's own fields are valid. */
  readonly clusterNetwork?: ClusterNetwork;
  readonly dnsResolver?: DnsResolverOptions;
  /** The platform's `calicoInstalled`, the default of each cluster's. */
  readonly calicoInstalled: boolean;
  /** The platform's `guardrail`, when it names a kind. */
  readonly guardrail?: GuardrailKind;
  /** The platform's `calicoVersion`, as declared. */
  readonly calicoVersion?: string;
}

/** Every issue of the clusters of an intent, given what its platform declares. */
export function clusterIssues(input: Readonly<Record<string, unknown>>, parts: PlatformParts): IntentIssue[] {
  const rawClusters = Array.isArray(input.clusters) ? input.clusters : [];
  const issues: IntentIssue[] = [];
  const valid: { cluster: ClusterIntent; label: IssuePath; who: IssueScope }[] = [];
  rawClusters.forEach((raw, index) => {
    const name = isObject(raw) && typeof raw.name === 'string' ? raw.name : undefined;
    const label: IssuePath = ['clusters', name !== undefined && isDns1123Label(name) ? name : index];
    const who = clusterScope(name ?? index);
    const checked = clusterSchema.safeParse(raw, { reportInput: true });
    if (checked.success) valid.push({ cluster: raw as ClusterIntent, label, who });
    else issues.push(...fromZodIssues(who, label, checked.error.issues));
  });
  issues.push(...clusterNamesDeclaredTwice(rawClusters));
  const argocd = isObject(input.argocd) ? input.argocd : undefined;
  if (argocd?.destination !== undefined) {
    issues.push({
      severity: 'error',
      scope: PLATFORM,
      path: ['argocd', 'destination'],
      value: argocd.destination,
      code: 'argocd',
      message:
        'is where the Application of dist/ goes without clusters, and this intent declares clusters, each applied where it says; accepted: no argocd.destination, and argocd: { destination } on a cluster whose Argo CD name is not its own (by default its name)',
    });
  }
  const applicationName = typeof argocd?.name === 'string' ? argocd.name : DEFAULT_ARGOCD_NAME;

  const shared: { cluster: string; issues: IntentIssue[] }[] = [];
  for (const { cluster, label, who } of valid) {
    issues.push(...ownIssues(cluster, label, who, parts));
    if (argocd !== undefined) issues.push(...applicationNameIssues(cluster, label, who, applicationName));
    shared.push({ cluster: cluster.name, issues: sharedIssues(cluster, parts) });
  }
  issues.push(...merged(shared));
  // The owners are the platform's: bound to nothing only when no cluster has a tier (a cluster
  // without calico apps, such as one without Calico, simply has no tier and no RBAC).
  issues.push(
    ...ownersWithoutTier(
      valid.flatMap((v) => appsOf(v.cluster, parts.apps)),
      parts.owners,
      valid.some((v) => clusterGuardrail(v.cluster, parts) === 'calico'),
    ),
  );
  issues.push(
    ...appsInNoCluster(
      parts.apps,
      valid.map((v) => v.cluster),
    ),
  );
  return issues;
}

/** The apps that run on a cluster: those it names, or every one. */
function appsOf(cluster: ClusterIntent, apps: readonly AiAppIntent[]): AiAppIntent[] {
  return cluster.apps === undefined ? [...apps] : apps.filter((a) => cluster.apps!.includes(a.name));
}

/** Whether an app uses NodeLocal DNSCache, and so the kube-dns ClusterIP. */
const usesNodeLocal = (app: AiAppIntent) => (app.dns?.nodeLocal ?? []).length > 0;

/** The issues of a cluster's own fields, at their own paths. */
function ownIssues(cluster: ClusterIntent, label: IssuePath, who: IssueScope, parts: PlatformParts): IntentIssue[] {
  const issues: IntentIssue[] = [];
  const error = (path: IssuePath, value: unknown, code: IssueCode, message: string): IntentIssue => ({
    severity: 'error',
    scope: who,
    path: [...label, ...path],
    value,
    code,
    message,
  });
  const declared = parts.rawApps.flatMap((a) => (isObject(a) && typeof a.name === 'string' ? [a.name] : []));
  (cluster.apps ?? []).forEach((name, i) => {
    if (!declared.includes(name)) {
      const near = didYouMean(name, declared);
      issues.push(
        error(
          ['apps', i],
          name,
          'cluster-apps',
          `is not an app of this intent; accepted: the name of an app declared in apps (${declared.join(', ')})${near ? `. Did you mean "${near}"?` : ''}`,
        ),
      );
    } else if (cluster.apps!.indexOf(name) !== i) {
      issues.push(error(['apps', i], name, 'declared-twice', 'is named twice; accepted: each app once'));
    }
  });
  const apps = appsOf(cluster, parts.apps);
  const cloud = cluster.cloud ?? parts.cloud;

  // The cluster's own calicoInstalled, or the platform's, which it takes when it declares none.
  if (cluster.calicoInstalled === false)
    issues.push(...calicoFlavorRefused(apps).map((message) => error(['calicoInstalled'], false, 'calico-missing', message)));
  else if (cluster.calicoInstalled === undefined && !parts.calicoInstalled)
    issues.push(
      ...calicoFlavorRefused(apps).map((message): IntentIssue => ({
        severity: 'error',
        scope: who,
        path: ['calicoInstalled'],
        value: false,
        code: 'calico-missing',
        message: `(taken by ${formatScope(who)}) ${message}`,
      })),
    );

  const noCalico = withoutCalico(cluster, parts);
  const guardrail = cluster.guardrail ?? parts.guardrail;
  const calicoVersion = cluster.calicoVersion ?? (noCalico ? undefined : parts.calicoVersion);
  issues.push(
    ...guardrailIssues({
      who,
      ...(guardrail ? { guardrail: { value: guardrail, path: cluster.guardrail ? [...label, 'guardrail'] : ['guardrail'] } } : {}),
      ...(calicoVersion !== undefined
        ? { calicoVersion: { value: calicoVersion, path: cluster.calicoVersion ? [...label, 'calicoVersion'] : ['calicoVersion'] } }
        : {}),
      ...(noCalico ? { withoutCalico: { path: cluster.calicoInstalled === false ? [...label, 'calicoInstalled'] : ['calicoInstalled'] } } : {}),
    }),
  );

  if (cluster.kubeDnsClusterIp !== undefined) {
    const resolverUsesCache = (parts.dnsResolver?.nodeLocal ?? []).length > 0 && apps.some(usesResolver);
    if (!apps.some(usesNodeLocal) && !resolverUsesCache) {
      issues.push(
        error(
          ['kubeDnsClusterIp'],
          cluster.kubeDnsClusterIp,
          'dns',
          `is used only with NodeLocal DNSCache, and neither the resolver of cluster names (dnsResolver.nodeLocal) nor an app of cluster ${cluster.name} with public names (dns.nodeLocal) uses it; accepted: no kubeDnsClusterIp, or dnsResolver: { nodeLocal: [...] } where the cluster runs the cache`,
        ),
      );
    }
    const metadata = dnsAddressProblem(cluster.kubeDnsClusterIp, cloud);
    if (metadata) issues.push(error(['kubeDnsClusterIp'], cluster.kubeDnsClusterIp, 'metadata-reachable', metadata));
  }

  const own: DeclaredList[] = (cluster.allowLists ?? []).map((list, j) => ({ list, path: [...label, 'allowLists', j] }));
  issues.push(...allowListsDeclaredTwice(own, who));
  for (const list of own) issues.push(...allowListMetadata(list, cloud, who));
  const used = new Set(apps.flatMap((a) => a.egress.flatMap((d) => ('allowList' in d && typeof d.allowList === 'string' ? [d.allowList] : []))));
  for (const { list, path } of own) {
    if (parts.listNames.includes(list.name) || used.has(list.name)) continue;
    const known = [...new Set([...parts.listNames, ...used])].sort();
    const near = didYouMean(list.name, known);
    issues.push({
      severity: 'error',
      scope: who,
      path: [...path, 'name'],
      value: list.name,
      code: 'allow-list-unused',
      message: `replaces no allow-list of the platform and no app of cluster ${cluster.name} uses it; accepted: the name of an allow-list declared in allowLists or used by an app there${known.length ? ` (${known.join(', ')})` : ''}${near ? `. Did you mean "${near}"?` : ''}`,
    });
  }
  return issues;
}

/** The Application of a cluster is named `<name>-<cluster>`: a DNS label, so it stays a valid label value where Argo CD tracks by label. */
function applicationNameIssues(cluster: ClusterIntent, label: IssuePath, who: IssueScope, applicationName: string): IntentIssue[] {
  const name = `${applicationName}-${cluster.name}`;
  if (name.length <= 63) return [];
  return [
    {
      severity: 'error',
      scope: who,
      path: [...label, 'name'],
      value: cluster.name,
      code: 'argocd',
      message: `makes its Argo CD Application name "${name}" (argocd.name, "-", the cluster's name) longer than 63 characters, which Argo CD's label tracking cannot carry; accepted: a shorter cluster name or argocd.name`,
    },
  ];
}

/**
 * The checks across the apps and allow-lists that the platform declares, as they are on one
 * cluster: its apps, its allow-lists and its cloud. Paths are those of the platform's fields.
 */
function sharedIssues(cluster: ClusterIntent, parts: PlatformParts): IntentIssue[] {
  const cloud = cluster.cloud ?? parts.cloud;
  const replaced = new Set((cluster.allowLists ?? []).map((l) => l.name));
  const apps = appsOf(cluster, parts.apps);
  const listNames = [...parts.listNames, ...replaced];
  const issues: IntentIssue[] = [];
  for (const list of parts.lists) if (!replaced.has(list.list.name)) issues.push(...allowListMetadata(list, cloud));
  const governed = governedNamespaces(apps, parts.dnsResolver?.namespace ?? DEFAULT_DNS_NAMESPACE);
  for (const app of apps) {
    issues.push(
      ...destinationProblems(app, listNames, cloud, governed, parts.dnsResolver?.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN),
      ...dnsMetadata(app, cloud, !(cluster.kubeDnsClusterIp !== undefined && usesNodeLocal(app))),
    );
  }
  issues.push(...auditMixedWithEnforcement(apps, parts.platformAudit));
  issues.push(...networkSetProblems(apps, listNames));
  issues.push(...consistencyIssues(apps));
  // The endpoints in the apps' environment, against this cluster's allow-lists and cloud.
  const own = cluster.allowLists ?? [];
  const allowLists = [
    ...parts.lists.map((l) => own.find((o) => o.name === l.list.name) ?? l.list),
    ...own.filter((o) => !parts.lists.some((l) => l.list.name === o.name)),
  ];
  const namespaces = namespacesOf(apps);
  const carved = carvedBlocks(cloud, clusterRangesOf(clusterNetworkOf(parts.clusterNetwork, cluster.clusterNetwork), cloud));
  for (const app of apps) issues.push(...envEndpointIssues(app, { allowLists, cloud, carved }, namespaces));
  // Where the cluster declares its own ranges or resolver address, the problem is its own; else the platform's.
  const ownNetwork = cluster.clusterNetwork?.serviceCidrs !== undefined || cluster.dnsResolverClusterIp !== undefined;
  issues.push(
    ...resolverIssues(
      apps,
      clusterResolver(parts.dnsResolver, cluster),
      clusterNetworkOf(parts.clusterNetwork, cluster.clusterNetwork),
      cloud,
      ownNetwork ? clusterScope(cluster.name) : PLATFORM,
      ownNetwork ? ['clusters', cluster.name] : [],
    ),
  );
  return issues;
}

/**
 * The issues of every cluster, each once: one that arises in every cluster as it is, one that
 * arises in some with the clusters where it does.
 */
function merged(perCluster: readonly { cluster: string; issues: readonly IntentIssue[] }[]): IntentIssue[] {
  const seen = new Map<string, { issue: IntentIssue; clusters: string[] }>();
  for (const { cluster, issues } of perCluster) {
    for (const issue of issues) {
      const key = JSON.stringify([issue.severity, issue.scope, issue.path, issue.value, issue.code, issue.message]);
      const entry = seen.get(key) ?? { issue, clusters: [] };
      if (!entry.clusters.includes(cluster)) entry.clusters.push(cluster);
      seen.set(key, entry);
    }
  }
  return [...seen.values()].map(({ issue, clusters }) => (clusters.length === perCluster.length ? issue : { ...issue, clusters }));
}

/** Cluster names declared twice: each names a folder of dist/ and an Application. */
function clusterNamesDeclaredTwice(rawClusters: readonly unknown[]): IntentIssue[] {
  const seen = new Set<string>();
  return rawClusters.flatMap((raw) => {
    if (!isObject(raw) || typeof raw.name !== 'string') return [];
    const name = raw.name;
    if (!seen.has(name)) {
      seen.add(name);
      return [];
    }
    return [
      {
        severity: 'error' as const,
        scope: clusterScope(name),
        path: ['clusters', name, 'name'],
        value: name,
        code: 'declared-twice' as const,
        message: 'is declared twice; accepted: one entry per cluster (it names the folder dist/<cluster>/)',
      },
    ];
  });
}

/** Apps that no cluster runs: checked, but written nowhere. */
function appsInNoCluster(apps: readonly AiAppIntent[], clusters: readonly ClusterIntent[]): IntentIssue[] {
  if (clusters.length === 0) return [];
  return apps
    .filter((a) => !clusters.some((c) => c.apps === undefined || c.apps.includes(a.name)))
    .map((a) => ({
      severity: 'warning' as const,
      scope: appScope(a.name),
      path: [a.name, 'name'],
      value: a.name,
      code: 'in-no-cluster' as const,
      message:
        'runs in no cluster: every cluster lists its apps and none names it, so it is checked but written nowhere; accepted: its name in the apps of a cluster, or a cluster without an apps list (every app runs there)',
    }));
}

/**
 * What is said of each app of the calico flavor on a cluster that does not serve Calico's API:
 * refused, never rendered as NetworkPolicies instead.
 */
export function calicoFlavorRefused(apps: readonly AiAppIntent[]): string[] {
  return apps
    .filter(isCalicoApp)
    .map(
      (app) =>
        `leaves out Calico's API (${CALICO_API_VERSION}, Calico 3.29 or later: not the managed Calico of AKS or GKE, which enforces Kubernetes NetworkPolicy only), and ${app.name} runs there with flavor "calico", whose policies are Calico's own objects (a tier no later NetworkPolicy can reopen), which such a cluster cannot apply; it is not rendered as NetworkPolicies instead; accepted: calicoInstalled: true where Calico serves ${CALICO_API_VERSION} (docs/calico.md, "Preflight"), a list of apps there without ${app.name}, or flavor: "kubernetes" on ${app.name}`,
    );
}
