import { adviceFor, imagesAdvice } from './advice';
import { apiRuleIssues } from './api-rules';
import { envEndpointIssues, namespacesOf } from './env-endpoints';
import { DEFAULT_ARGOCD_NAMESPACE, calicoFlavorRefused, clusterIssues } from './cluster-checks';
import { consistencyIssues } from './consistency';
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
  egressProxyProblems,
  generatedNameClashes,
  ownersWithoutTier,
  platformNamespacesShared,
  validCloud,
} from './across';
import { isCredentialsDestination } from './destinations';
import { egressProxySettings } from './egress-proxy';
import { declaredGuardrail, guardrailIssues } from './guardrail';
import { Cloud, carvedBlocks } from '../net';
import { isObject } from './fields';
import { fromZodIssues, IntentError, IntentIssue, IssuePath, IssueScope, PLATFORM, appScope } from './issues';
import { allowListSchema, appSchema, platformSchema } from './schema';
import { DEFAULT_CLUSTER_DOMAIN, DEFAULT_DNS_NAMESPACE, clusterRangesOf, resolverIssues } from './network';
import { AiAppIntent, AllowList, ClusterNetwork, DnsResolverOptions, PlatformIntent } from './types';

/**
 * Checks an intent as data, whatever `main.ts` handed over: shape and values (schema.ts), then
 * what only the whole intent can tell: allow-lists that are used but not declared, names used
 * twice, audit mixed with enforcement in one namespace, tier owners without a tier, callers and callees that do not agree
 * (consistency.ts), and what the images must support (advice.ts).
 *
 * Returns every issue of the run, errors and warnings; errors first within each app. Each app is
 * checked on its own, so one app's problems never hide another's; the checks across apps take
 * the apps whose own fields are valid. With clusters, those checks are made for each cluster, on
 * what runs there (cluster-checks.ts), and each issue says in which clusters it arises.
 */
export function checkIntent(input: unknown): IntentIssue[] {
  if (!isObject(input)) {
    const accepted =
      'accepted: an object { apps: [...], allowLists?: [...], cloud?: ..., calico?: {...}, guardrail?: ..., calicoVersion?: ..., clusters?: [...], argocd?: {...}, egressProxy?: {...} }';
    return [
      {
        severity: 'error',
        scope: PLATFORM,
        path: ['intent'],
        value: input,
        code: 'not-an-intent',
        message: `${input === undefined ? 'is missing' : 'is not an intent'}; ${accepted}`,
      },
    ];
  }
  const issues: IntentIssue[] = [];
  const platform = platformSchema.safeParse(input, { reportInput: true });
  if (!platform.success) issues.push(...fromZodIssues(PLATFORM, [], platform.error.issues));
  const clusters = input.clusters !== undefined;

  // A cloud that is not valid was reported above; the checks below then deny every cloud's endpoints.
  const cloud: Cloud = validCloud(input.cloud) ?? 'any';
  const rawLists = Array.isArray(input.allowLists) ? input.allowLists : [];
  const lists: DeclaredList[] = [];
  rawLists.forEach((raw, index) => {
    const checked = allowListSchema.safeParse(raw, { reportInput: true });
    if (checked.success) lists.push({ list: raw as AllowList, path: ['allowLists', index] });
    else issues.push(...fromZodIssues(PLATFORM, ['allowLists', index], checked.error.issues));
  });
  if (!clusters) for (const list of lists) issues.push(...allowListMetadata(list, cloud));
  issues.push(...allowListsDeclaredTwice(lists));

  const rawApps = Array.isArray(input.apps) ? input.apps : [];
  const apps: AiAppIntent[] = [];
  rawApps.forEach((raw, index) => {
    const named = isObject(raw) && typeof raw.name === 'string' && raw.name !== '' ? raw.name : undefined;
    const checked = appSchema.safeParse(raw, { reportInput: true });
    if (checked.success) {
      apps.push(raw as AiAppIntent);
      issues.push(...apiRuleIssues(raw as AiAppIntent));
    } else issues.push(...fromZodIssues(appScope(named ?? index), named !== undefined ? [named] : ['apps', index], checked.error.issues));
  });
  // A list with a broken entry is still declared: its uses are not reported as well.
  const listNames = rawLists.flatMap((l) => (isObject(l) && typeof l.name === 'string' ? [l.name] : []));
  const platformAudit = isObject(input.calico) && input.calico.audit === true;
  const owners = isObject(input.calico) ? input.calico.owners : undefined;
  const guardrail = declaredGuardrail(input.guardrail);
  const calicoVersion = typeof input.calicoVersion === 'string' ? input.calicoVersion : undefined;
  if (!clusters) {
    issues.push(
      ...guardrailIssues({
        who: PLATFORM,
        ...(guardrail ? { guardrail: { value: guardrail, path: ['guardrail'] } } : {}),
        ...(calicoVersion !== undefined ? { calicoVersion: { value: calicoVersion, path: ['calicoVersion'] } } : {}),
        ...(input.calicoInstalled === false ? { withoutCalico: { path: ['calicoInstalled'] } } : {}),
      }),
    );
    const governed = governedNamespaces(apps, resolverNamespaceOf(input.dnsResolver));
    const clusterDomain = clusterDomainOf(input.dnsResolver);
    for (const app of apps)
      issues.push(...destinationProblems(app, listNames, cloud, governed, clusterDomain), ...dnsMetadata(app, cloud), ...credentialsDeclaredTwice(app));
    const network = platform.success ? (input.clusterNetwork as ClusterNetwork | undefined) : undefined;
    const context = { allowLists: lists.map((l) => l.list), cloud, carved: carvedBlocks(cloud, clusterRangesOf(network, cloud)) };
    const namespaces = namespacesOf(apps);
    for (const app of apps) issues.push(...envEndpointIssues(app, context, namespaces));
    issues.push(...namesDeclaredTwice(rawApps));
    issues.push(...auditMixedWithEnforcement(apps, platformAudit));
    issues.push(...networkSetProblems(apps, listNames));
    issues.push(...consistencyIssues(apps));
    issues.push(...ownersWithoutTier(apps, owners, guardrail === 'calico'));
    if (platform.success) {
      const resolver = input.dnsResolver as DnsResolverOptions | undefined;
      issues.push(...resolverIssues(apps, resolver, network, cloud), ...resolverDnsMetadata(resolver, cloud));
    }
    if (input.calicoInstalled === false)
      issues.push(
        ...calicoFlavorRefused(apps).map((message): IntentIssue => ({
          severity: 'error',
          scope: PLATFORM,
          path: ['calicoInstalled'],
          value: false,
          code: 'calico-missing',
          message,
        })),
      );
  } else {
    for (const app of apps) issues.push(...credentialsDeclaredTwice(app));
    issues.push(...namesDeclaredTwice(rawApps));
    const network = platform.success ? (input.clusterNetwork as ClusterNetwork | undefined) : undefined;
    const resolver = platform.success ? (input.dnsResolver as DnsResolverOptions | undefined) : undefined;
    if (platform.success) issues.push(...resolverDnsMetadata(resolver, cloud));
    issues.push(
      ...clusterIssues(input, {
        apps,
        rawApps,
        lists,
        listNames,
        cloud,
        platformAudit,
        owners,
        calicoInstalled: input.calicoInstalled !== false,
        clusterNetwork: network,
        dnsResolver: resolver,
        guardrail,
        calicoVersion,
      }),
    );
  }
  issues.push(...deployerNamespaceIssues(input, apps));
  // A namespace that is not valid was reported above; the default's is then the one apps may not use.
  const proxyNamespace = egressProxySettings({ egressProxy: validEgressProxy(input.egressProxy) }).namespace;
  for (const app of apps) issues.push(...egressProxyProblems(app, proxyNamespace));
  const resolverNamespace = resolverNamespaceOf(input.dnsResolver);
  for (const app of apps) issues.push(...generatedNameClashes(app, resolverNamespace));
  issues.push(...platformNamespacesShared(resolverNamespace, proxyNamespace, isObject(input.dnsResolver) && input.dnsResolver.namespace !== undefined));
  for (const app of apps) issues.push(...adviceFor(app));
  issues.push(...imagesAdvice(apps));
  return issues;
}

/**
 * The namespaces of whoever applies dist/ and writes the tier: Argo CD's (`argocd.namespace`, when
 * the intent declares Argo CD) and those of the tier owners' ServiceAccounts. An app, the resolver
 * or the proxy there would give that namespace a default deny, Pod Security restricted and the
 * tier's deny of undeclared pods: Argo CD could then reach neither the API server nor the
 * repository, and could not even apply the fix.
 */
function deployerNamespaceIssues(input: Record<string, unknown>, apps: readonly AiAppIntent[]): IntentIssue[] {
  const deployers = new Map<string, string>();
  for (const sa of isObject(input.calico) && isObject(input.calico.owners) && Array.isArray(input.calico.owners.serviceAccounts)
    ? input.calico.owners.serviceAccounts
    : [])
    if (typeof sa === 'string' && sa.includes('/'))
      deployers.set(sa.slice(0, sa.indexOf('/')), `the namespace of ${sa}, an owner of the Calico tier (calico.owners.serviceAccounts)`);
  if (isObject(input.argocd)) {
    const namespace = typeof input.argocd.namespace === 'string' ? input.argocd.namespace : DEFAULT_ARGOCD_NAMESPACE;
    deployers.set(namespace, 'the namespace Argo CD runs in (argocd.namespace)');
  }
  const issue = (scope: IntentIssue['scope'], path: IssuePath, namespace: string): IntentIssue[] => {
    const whose = deployers.get(namespace);
    if (whose === undefined) return [];
    return [
      {
        severity: 'error',
        scope,
        path,
        value: namespace,
        code: 'namespace',
        message: `is ${whose}, which applies dist/: dist/ would give it a default deny, Pod Security restricted and a deny of every pod it does not declare, and cut off what applies it, the fix included; accepted: a namespace of this project's own, which dist/ creates and governs, e.g. "ai-apps"`,
      },
    ];
  };
  const out = apps.flatMap((a) => issue(appScope(a.name), [a.name, 'namespace'], a.namespace));
  for (const key of ['dnsResolver', 'egressProxy'] as const) {
    const settings = input[key];
    if (isObject(settings) && typeof settings.namespace === 'string') out.push(...issue(PLATFORM, [key, 'namespace'], settings.namespace));
  }
  return out;
}

/** The egress proxy settings when their namespace is a string, for the checks that need it. */
function validEgressProxy(value: unknown): { namespace?: string } | undefined {
  return isObject(value) && typeof value.namespace === 'string' ? { namespace: value.namespace } : undefined;
}

/** The errors of an intent (empty when it can be rendered). */
export function validateIntent(intent: PlatformIntent): IntentIssue[] {
  return checkIntent(intent).filter((i) => i.severity === 'error');
}

/**
 * Throws an IntentError with every error when there is any; returns the warnings otherwise. What
 * it lets through is rendered as one cluster, so an intent that declares clusters is refused as
 * well, rather than rendered with every app and the platform's settings: render each cluster's
 * intent (clusterIntents) instead, as npm run synth does.
 */
export function assertValidIntent(intent: PlatformIntent): IntentIssue[] {
  const issues = checkIntent(intent);
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) throw new IntentError(errors);
  if (intent.clusters !== undefined) {
    throw new IntentError([
      {
        severity: 'error',
        scope: PLATFORM,
        path: ['clusters'],
        value: intent.clusters.map((c) => c.name),
        code: 'clusters',
        message:
          'are each rendered on their own, into dist/<cluster>/, and this renders one cluster; accepted: the intent of one cluster, from clusterIntents(intent) (lib/intent), as npm run synth renders them',
      },
    ]);
  }
  return issues.filter((i) => i.severity === 'warning');
}

/**
 * A pod credential endpoint declared twice by one app: the Calico guardrail denies the app all but
 * one protocol and its ports there, so they are declared once.
 */
function credentialsDeclaredTwice(app: AiAppIntent): IntentIssue[] {
  const seen = new Set<string>();
  return app.egress.flatMap((d, i) => {
    if (!isCredentialsDestination(d)) return [];
    if (!seen.has(d.credentials)) {
      seen.add(d.credentials);
      return [];
    }
    return [
      {
        severity: 'error' as const,
        scope: appScope(app.name),
        path: [app.name, 'egress', i, 'credentials'],
        value: d.credentials,
        code: 'declared-twice' as const,
        message: 'is declared a second time; accepted: one credentials destination per endpoint, with all its ports, of one protocol',
      },
    ];
  });
}

/** The cluster's domain as declared (a wrong one is reported by the schema), or the default. */
function clusterDomainOf(resolver: unknown): string {
  return isObject(resolver) && typeof resolver.clusterDomain === 'string' ? resolver.clusterDomain : DEFAULT_CLUSTER_DOMAIN;
}

/** The resolver's namespace as declared, or the default. */
function resolverNamespaceOf(resolver: unknown): string {
  return isObject(resolver) && typeof resolver.namespace === 'string' ? resolver.namespace : DEFAULT_DNS_NAMESPACE;
}

/** NodeLocal and kube-dns addresses of the resolver that are metadata endpoints of the cloud. */
function resolverDnsMetadata(resolver: DnsResolverOptions | undefined, cloud: Cloud, who: IssueScope = PLATFORM): IntentIssue[] {
  const addresses: [IssuePath, string][] = [
    ...(resolver?.nodeLocal ?? []).map((a, i): [IssuePath, string] => [['dnsResolver', 'nodeLocal', i], a]),
    ...(resolver?.kubeDnsClusterIp ? [[['dnsResolver', 'kubeDnsClusterIp'], resolver.kubeDnsClusterIp] as [IssuePath, string]] : []),
  ];
  return addresses.flatMap(([path, address]) => {
    const message = dnsAddressProblem(address, cloud);
    return message ? [{ severity: 'error' as const, scope: who, path, value: address, code: 'metadata-reachable' as const, message }] : [];
  });
}

function namesDeclaredTwice(rawApps: readonly unknown[]): IntentIssue[] {
  const seen = new Set<string>();
  const issues: IntentIssue[] = [];
  for (const raw of rawApps) {
    if (!isObject(raw) || typeof raw.name !== 'string') continue;
    if (seen.has(raw.name)) {
      issues.push({
        severity: 'error',
        scope: appScope(raw.name),
        path: [raw.name, 'name'],
        value: raw.name,
        code: 'declared-twice',
        message: 'is declared twice; accepted: one app per name (apps in different namespaces still need different names)',
      });
    }
    seen.add(raw.name);
  }
  return issues;
}
