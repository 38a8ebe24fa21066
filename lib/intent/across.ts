/**
 * Checks across the apps and allow-lists of one rendered intent: what only they together show
 * (allow-lists used but not declared or declared twice, metadata endpoints of the cloud, audit
 * mixed with enforcement in a namespace, tier owners of a tier nothing uses). validate.ts makes them for an intent without clusters,
 * cluster-checks.ts for each cluster's share of one.
 */
import { checkDestination, isCidrDestination, isHostsDestination } from './destinations';
import { PROXY_VARIABLES, usesEgressProxy } from './egress-proxy';
import { CLOUDS, Cloud, SHARED_RANGE_SOURCES, SharedRangeSource } from '../net';
import { metadataProblem, sharedRangeProblem } from './fields';
import { isAudited, isCalicoApp } from './flavor';
import { IntentIssue, IssuePath, IssueScope, PLATFORM, appScope, formatPath } from './issues';
import { AiAppIntent, AllowList } from './types';
import { DEFAULT_CLUSTER_DOMAIN } from '../k8s';
import { TIER_POLICY_NAMES } from '../conventions';

/** The cloud, when it is one this project knows. */
export function validCloud(value: unknown): Cloud | undefined {
  return (CLOUDS as readonly unknown[]).includes(value) ? (value as Cloud) : undefined;
}

/** An allow-list whose own fields are valid, and where it was declared (`allowLists[0]`, `clusters.prod-eu.allowLists[1]`). */
export interface DeclaredList {
  readonly list: AllowList;
  readonly path: IssuePath;
}

/** Allow-lists of one name with different contents, among one set of declarations (the platform's, or one cluster's). */
export function allowListsDeclaredTwice(lists: readonly DeclaredList[], scope: IssueScope = PLATFORM): IntentIssue[] {
  const contents = new Map<string, string>();
  const issues: IntentIssue[] = [];
  for (const { list, path } of lists) {
    const these = [...list.cidrs].sort().join(',');
    const earlier = contents.get(list.name);
    if (earlier !== undefined && earlier !== these) {
      issues.push({
        severity: 'error',
        scope,
        path: [...path, 'name'],
        value: list.name,
        code: 'declared-twice',
        message: 'is declared twice with different contents; accepted: one declaration per allow-list name',
      });
    }
    contents.set(list.name, these);
  }
  return issues;
}

/**
 * Blocks of an allow-list that are, or lie inside, a metadata endpoint of the cloud, and those that
 * lie inside a published shared range without the list's written reason.
 */
export function allowListMetadata(
  { list, path }: DeclaredList,
  cloud: Cloud,
  scope: IssueScope = PLATFORM,
  sharedRanges: readonly SharedRangeSource[] = SHARED_RANGE_SOURCES,
): IntentIssue[] {
  return list.cidrs.flatMap((c, i) => {
    const message = metadataProblem(c, cloud);
    const shared = list.shared === undefined ? sharedRangeProblem(c, sharedRanges, `shared: { reason: '...' } on allow-list ${list.name}`) : undefined;
    const at: IssuePath = [...path, 'cidrs', i];
    return [
      ...(message ? [{ severity: 'error' as const, scope, path: at, value: c, code: 'metadata-reachable' as const, message }] : []),
      ...(shared ? [{ severity: 'error' as const, scope, path: at, value: c, code: 'shared-range' as const, message: shared }] : []),
    ];
  });
}

/** The metadata problem of one DNS address, if it is a metadata endpoint of the cloud. */
export function dnsAddressProblem(address: string, cloud: Cloud): string | undefined {
  return metadataProblem(address.includes(':') ? `${address}/128` : `${address}/32`, cloud);
}

/**
 * DNS addresses (NodeLocal, the kube-dns ClusterIP) that are metadata endpoints of the cloud: DNS
 * on port 53 to them would be allowed. `ownClusterIp: false` leaves out the app's own ClusterIP,
 * where a cluster replaces it (the cluster's is checked where the cluster declares it).
 */
export function dnsMetadata(app: AiAppIntent, cloud: Cloud, ownClusterIp = true): IntentIssue[] {
  const addresses: [IssuePath, string][] = [
    ...(app.dns?.nodeLocal ?? []).map((a, i): [IssuePath, string] => [['dns', 'nodeLocal', i], a]),
    ...(app.dns?.kubeDnsClusterIp && ownClusterIp ? [[['dns', 'kubeDnsClusterIp'], app.dns.kubeDnsClusterIp] as [IssuePath, string]] : []),
  ];
  return addresses.flatMap(([field, address]) => {
    const message = dnsAddressProblem(address, cloud);
    return message
      ? [{ severity: 'error' as const, scope: appScope(app.name), path: [app.name, ...field], value: address, code: 'metadata-reachable' as const, message }]
      : [];
  });
}

/** The namespaces an intent's apps govern: theirs, and the resolver's when one of them uses it. */
export function governedNamespaces(apps: readonly AiAppIntent[], resolverNamespace: string): string[] {
  return [...new Set([...apps.map((a) => a.namespace), ...(apps.some((a) => a.dns?.publicNames === undefined) ? [resolverNamespace] : [])])].sort();
}

/**
 * What only the rest of the intent shows about each destination of an app (allow-lists that are
 * not declared, metadata endpoints of the cloud, namespaces it does not govern, published shared
 * ranges).
 */
export function destinationProblems(
  app: AiAppIntent,
  listNames: readonly string[],
  cloud: Cloud,
  governed: readonly string[],
  clusterDomain: string = DEFAULT_CLUSTER_DOMAIN,
  sharedRanges: readonly SharedRangeSource[] = SHARED_RANGE_SOURCES,
): IntentIssue[] {
  const declared = { allowLists: sortedNames(listNames), cloud, governed, sharedRanges, clusterDomain };
  return app.egress.flatMap((d, i) =>
    checkDestination(d, declared).map((p) => ({
      severity: 'error' as const,
      scope: appScope(app.name),
      path: [app.name, 'egress', i, p.field, ...(p.index !== undefined ? [p.index] : [])],
      value: p.value,
      code: 'destination' as const,
      message: p.message,
    })),
  );
}

/** The names once each, sorted, made once per list: every app's destinations are checked against the same list. */
const sortedLists = new WeakMap<readonly string[], readonly string[]>();

function sortedNames(names: readonly string[]): readonly string[] {
  let sorted = sortedLists.get(names);
  if (!sorted) sortedLists.set(names, (sorted = [...new Set(names)].sort()));
  return sorted;
}

/**
 * The `networkSet` of cidr destinations: a Calico GlobalNetworkSet, so only for calico-flavor
 * apps; not an allow-list's name (those are GlobalNetworkSets too); and one block per name,
 * which destinations of several apps may share.
 */
export function networkSetProblems(apps: readonly AiAppIntent[], listNames: readonly string[]): IntentIssue[] {
  // The allow-lists' names indexed once: a look-up per destination, not a walk of the list.
  const lists = new Set(listNames);
  const blocks = new Map<string, { cidr: string; where: IssuePath }>();
  const issues: IntentIssue[] = [];
  for (const app of apps) {
    app.egress.forEach((d, i) => {
      if (!isCidrDestination(d) || d.networkSet === undefined) return;
      const path = [app.name, 'egress', i, 'networkSet'];
      const error = (message: string) => issues.push({ severity: 'error', scope: appScope(app.name), path, value: d.networkSet, code: 'network-set', message });
      if (!isCalicoApp(app)) {
        error(
          'names a Calico GlobalNetworkSet, and this app renders Kubernetes NetworkPolicies, which have no network sets; accepted: networkSet on a destination of an app with flavor: "calico", or no networkSet (Calico names flows to the block by any network set that holds it, an allow-list\'s for one)',
        );
        return;
      }
      if (lists.has(d.networkSet)) {
        error(
          `is the name of a declared allow-list; both are GlobalNetworkSets, which share one set of names; accepted: another name, or { allowList: "${d.networkSet}" } to use the allow-list`,
        );
        return;
      }
      const earlier = blocks.get(d.networkSet);
      if (earlier && earlier.cidr !== d.cidr)
        error(
          `names the network set of ${earlier.cidr} (${formatPath(earlier.where)}) for ${d.cidr}; accepted: one block per network set name, so another name here`,
        );
      else if (!earlier) blocks.set(d.networkSet, { cidr: d.cidr, where: path });
    });
  }
  return issues;
}

/**
 * The namespace's default deny is enforced unless every app in it is in audit mode, so one audited
 * app beside enforced ones would be cut off instead of audited.
 */
export function auditMixedWithEnforcement(apps: readonly AiAppIntent[], platformAudit: boolean): IntentIssue[] {
  const audited = (a: AiAppIntent) => isAudited(a, { audit: platformAudit });
  const modes = new Map<string, Set<boolean>>();
  for (const a of apps) modes.set(a.namespace, (modes.get(a.namespace) ?? new Set()).add(audited(a)));
  return apps
    .filter((a) => audited(a) && modes.get(a.namespace)!.size === 2)
    .map((a) => ({
      severity: 'error' as const,
      scope: appScope(a.name),
      path: [a.name, 'audit'],
      value: true,
      code: 'audit-mixed' as const,
      message: `previews this app while other apps of namespace "${a.namespace}" are enforced, so the namespace's default deny would block it; accepted: audit on every app of the namespace, or on none`,
    }));
}

/**
 * Tier owners declared where no app uses the calico flavor: dist/ then has no tier, and their
 * RBAC, written with the tier, is left out (lib/policy/calico.ts), so the owners are bound to
 * nothing. A warning: the owners may be meant for apps not switched to calico yet.
 */
export function ownersWithoutTier(apps: readonly AiAppIntent[], owners: unknown, calicoGuardrail = false): IntentIssue[] {
  if (owners === undefined || calicoGuardrail || apps.some(isCalicoApp)) return [];
  return [
    {
      severity: 'warning',
      scope: PLATFORM,
      path: ['calico', 'owners'],
      value: owners,
      code: 'owners-without-tier',
      message:
        'names who may write the Calico tier, and no app uses flavor "calico" and no guardrail is "calico", so dist/ has no tier and no RBAC for them is written; accepted: flavor: "calico" on the apps the tier should confine, guardrail: "calico", or no calico.owners',
    },
  ];
}

/**
 * What an app that sends by name must leave to the egress proxy: its namespace (the proxy's own
 * namespace holds the proxy alone, so that its policies and Pod Security are the proxy's) and the
 * proxy variables of its environment (set to its port of the proxy). An app always has DNS, which
 * finds the proxy's Service: the schema refuses one without.
 */
export function egressProxyProblems(app: AiAppIntent, proxyNamespace: string): IntentIssue[] {
  const issues: IntentIssue[] = [];
  const error = (path: IssuePath, value: unknown, message: string): IntentIssue => ({
    severity: 'error',
    scope: appScope(app.name),
    path: [app.name, ...path],
    value,
    code: 'egress-proxy',
    message,
  });
  if (app.namespace === proxyNamespace)
    issues.push(
      error(
        ['namespace'],
        app.namespace,
        "is the egress proxy's namespace, which holds the proxy alone; accepted: another namespace, or egressProxy: { namespace: '...' } elsewhere",
      ),
    );
  if (!usesEgressProxy(app)) return issues;
  const first = app.egress.findIndex(isHostsDestination);
  for (const name of PROXY_VARIABLES.filter((v) => app.env?.[v] !== undefined)) {
    issues.push(
      error(
        ['env', name],
        app.env![name],
        `is set by the egress proxy for an app with host names (egress[${first}]): HTTPS_PROXY and HTTP_PROXY to the app's port of the proxy, NO_PROXY to the cluster and the app's direct destinations; accepted: no ${name} in env`,
      ),
    );
  }
  return issues;
}

/** Why an app may not take the name of each of the tier's own policies. */
const TIER_NAME_CLASH: Readonly<Record<string, string>> = {
  [TIER_POLICY_NAMES.passToKubernetes]:
    "the Pass policy the tier writes in a namespace whose apps are all in audit mode (a Calico NetworkPolicy of that name in the namespace), and this app's own policy would bear the same name in its namespace: Calico reads a StagedNetworkPolicy as the preview of the enforced policy of its namespace and name (so an audited app would preview replacing the Pass, and enforcing the preview would remove it)",
  [TIER_POLICY_NAMES.guardrail]:
    "the tier's cloud-metadata guardrail (a GlobalNetworkPolicy), and this app's own policy would bear the same name in the tier, so flow logs and kubectl get would show two policies of one name deciding differently",
  [TIER_POLICY_NAMES.denyUndeclared]:
    "the tier's closing Deny (a GlobalNetworkPolicy), and this app's own policy would bear the same name in the tier, so flow logs and kubectl get would show two policies of one name deciding differently",
};

/**
 * Names that two generated objects would share. Within one namespace every generated name is the
 * app's (`<app>-egress`, `<app>-ingress`, `<tier>.<app>`, its ServiceAccount, Deployment and
 * Service) or the namespace's (`default-deny-all`, `<tier>.pass-to-kubernetes-policies`), and app
 * names are unique across the intent (validate.ts); what is left is an app named like one of the
 * tier's own policies (`<tier>.<name>`), and an app in a platform service's namespace, whose
 * Namespace, default deny and policies that service writes already. The egress proxy's namespace is
 * refused with the proxy's checks (egressProxyProblems); the resolver's here.
 */
export function generatedNameClashes(app: AiAppIntent, resolverNamespace: string): IntentIssue[] {
  const issues: IntentIssue[] = [];
  const clash = TIER_NAME_CLASH[app.name];
  if (clash !== undefined)
    issues.push({
      severity: 'error',
      scope: appScope(app.name),
      path: [app.name, 'name'],
      value: app.name,
      code: 'name-clash',
      message: `is the name of ${clash}; accepted: another app name than the tier's own policies' (${Object.values(TIER_POLICY_NAMES).join(', ')})`,
    });
  if (app.name === KUBERNETES_DEFAULT_SERVICE_ACCOUNT)
    issues.push({
      severity: 'error',
      scope: appScope(app.name),
      path: [app.name, 'name'],
      value: app.name,
      code: 'name-clash',
      message:
        "is the name of the ServiceAccount Kubernetes creates in every namespace, which every pod that names none runs as (https://kubernetes.io/docs/concepts/security/service-accounts/), and an app's pods run as a ServiceAccount of the app's name, their identity in its Calico policy and in the admission policy: any pod of the namespace with the app's label would be the app; accepted: another app name",
    });
  if (app.namespace === resolverNamespace)
    issues.push({
      severity: 'error',
      scope: appScope(app.name),
      path: [app.name, 'namespace'],
      value: app.namespace,
      code: 'name-clash',
      message:
        "is the namespace of the resolver of cluster names, which holds the resolver alone: its Namespace, default deny (enforced, whatever the app's audit) and policies are the resolver's, and the app's would be written beside them a second time; accepted: another namespace, or dnsResolver: { namespace: '...' } elsewhere",
    });
  return issues;
}

/** The ServiceAccount every namespace has, which pods that name none run as. */
const KUBERNETES_DEFAULT_SERVICE_ACCOUNT = 'default';

/** The resolver and the egress proxy in one namespace: each writes its Namespace and its default deny there. */
export function platformNamespacesShared(resolverNamespace: string, proxyNamespace: string, declared: boolean): IntentIssue[] {
  if (resolverNamespace !== proxyNamespace) return [];
  return [
    {
      severity: 'error',
      scope: PLATFORM,
      path: declared ? ['dnsResolver', 'namespace'] : ['egressProxy', 'namespace'],
      value: resolverNamespace,
      code: 'name-clash',
      message:
        "is both the resolver's namespace and the egress proxy's, and each holds its service alone (its Namespace, default deny and policies); accepted: two different namespaces for dnsResolver.namespace and egressProxy.namespace",
    },
  ];
}
