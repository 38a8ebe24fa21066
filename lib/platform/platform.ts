import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import {
  AiAppIntent,
  AllowList,
  IntentIssue,
  PlatformIntent,
  assertValidIntent,
  egressProxyRoutes,
  egressProxySettings,
  formatWarnings,
  guardrailOf,
  isAudited,
  isCalicoApp,
  proxyEnvironment,
  scrapeOf,
  usesResolver,
  AppPlan,
} from '../intent';
import {
  CalicoAppPolicy,
  CalicoPassToKubernetes,
  CalicoSettings,
  ClusterGuardrail,
  CredentialsUser,
  KubernetesAppPolicies,
  NamespaceDefaultDeny,
  StagedNamespaceDefaultDeny,
  AppIdentityPolicy,
  addCalicoClusterPolicies,
  calicoSettings,
  planApp,
  planContext,
  planResolver,
} from '../policy';
import { EgressProxy } from '../proxy';
import { validateObject } from '../validate';
import { AiWorkload, DnsResolver, RestrictedNamespace } from '../workload';
import { ChartName, DNS_RESOLVER_NAME, EGRESS_PROXY_NAME } from '../conventions';
import { DeferredChart } from './deferred-chart';

export interface SecureAiPlatformProps {
  /**
   * The declared intent: the AI apps, the only places each may send data, and the platform's
   * settings (lib/intent/types.ts). It is checked first, as data: on any problem an IntentError
   * lists them all, and nothing is created.
   */
  readonly intent: PlatformIntent;
  /**
   * Print the intent's warnings (what its check found worth a look but not wrong) on standard
   * error when the platform is constructed, as `npm run synth` prints them in its summary, so a
   * team's own cdk8s app shows them too. `buildApp` (lib/app), whose synthesis prints them in the
   * summary, turns it off. @default true
   */
  readonly printWarnings?: boolean;
  /**
   * Check every object the platform creates against its schema (lib/validate) when the app is
   * synthesized: `app.synth()` then fails with one line per problem, as cdk8s reports the
   * validation of any construct.
   * @default true (lib/app turns it off: lib/synth validates the files it writes instead)
   */
  readonly validateSchemas?: boolean;
}

/**
 * The props of a platform whose namespace charts are made only when each is written (`buildApp`
 * of lib/app gives them for `npm run synth` and the benchmark; the package's users construct the
 * platform with `SecureAiPlatformProps` and write it with `app.synth()`).
 *
 * In an App, each namespace's charts (its policies, its workloads) are made when the chart is
 * about to be written, each a `DeferredChart` that `synthesize` (lib/synth) fills, writes and lets
 * go, so that the synthesis never holds the constructs of every app at once (at 10,000 apps they
 * were most of its memory). Every chart of the platform is then a DeferredChart, released once
 * written. cdk8s's `app.synth()` refuses such an app (its charts are not made yet) rather than
 * write them empty. Schema validation is lib/synth's, of the written files: `validateSchemas`
 * would read every object of the platform at once.
 */
export interface DeferredPlatformProps extends SecureAiPlatformProps {
  readonly deferCharts: true;
  readonly validateSchemas: false;
}

function isDeferred(props: SecureAiPlatformProps): props is DeferredPlatformProps {
  return (props as Partial<DeferredPlatformProps>).deferCharts === true;
}

/** The closest Chart at or above a construct, if any. */
function enclosingChart(c: IConstruct): Chart | undefined {
  return [...c.node.scopes].reverse().find((s): s is Chart => Chart.isChart(s));
}

/**
 * Every object the declared intent needs, in apply order (and, reversed, delete order):
 * Namespaces and, when an app uses the calico flavor and the tier has owners, their RBAC; then,
 * with the calico flavor, the tier and network sets, then the tier's Pass policies and global policies; then, when an
 * app declares host names, the egress proxy (its policies, then its pods); then per namespace its
 * policies (the default deny first), then its workloads. Every object also carries its Argo CD
 * sync wave.
 *
 * A cdk8s construct like any other, `(scope, id, props)`:
 * - in an App (`new SecureAiPlatform(app, 'ai', { intent })`), each part is a chart of the App, so
 *   each becomes a file whose name sorts in apply order (`00-cluster`, `01-calico-tier`,
 *   `02-calico-global-policies`, `06-egress-proxy`, `10-policies-<namespace>`,
 *   `20-workloads-<namespace>`): what
 *   `main.ts` and `npm run synth` write to dist/;
 * - in a Chart of your own (`new SecureAiPlatform(chart, 'ai', { intent })`), every object goes
 *   into that chart, in the same order. The chart must not set a `namespace`: the platform's
 *   objects name their own, and its cluster-scoped ones must have none.
 */
export class SecureAiPlatform extends Construct {
  readonly intent: PlatformIntent;
  /** What the intent's check found worth a look but not wrong (see lib/intent/advice.ts, consistency.ts). */
  readonly warnings: readonly IntentIssue[];
  /** Where the objects went, in apply order: the charts it made in an App, or its own parts inside your chart. */
  readonly parts: readonly Construct[];
  private readonly calico: CalicoSettings;

  constructor(scope: Construct, id: string, props: SecureAiPlatformProps) {
    // Both checks come first, so that a refused intent or chart adds nothing to the app.
    const warnings = assertValidIntent(props.intent);
    const chart = enclosingChart(scope);
    const deferCharts = isDeferred(props);
    if (deferCharts && (chart !== undefined || props.validateSchemas !== false)) {
      throw new Error(
        `SecureAiPlatform ${id}: deferCharts is set ${chart !== undefined ? `inside the chart ${chart.node.path}` : 'with validateSchemas'}; accepted: deferCharts in an App, with validateSchemas: false (lib/synth validates the written files)`,
      );
    }
    if (chart?.namespace !== undefined) {
      throw new Error(
        `SecureAiPlatform ${id}: its chart ${chart.node.path} sets namespace "${chart.namespace}" on every object it holds; accepted: a chart without a namespace, or the App itself (the platform's objects name their own namespaces, and its Namespaces, tier and global policies are cluster-scoped)`,
      );
    }
    super(scope, id);
    const { intent } = props;
    this.intent = intent;
    this.warnings = warnings;
    if (props.printWarnings !== false && warnings.length > 0) process.stderr.write(`SecureAiPlatform ${id}: ${formatWarnings(warnings)}`);
    this.calico = calicoSettings(intent);

    // In an App, parts are charts of the App itself: a chart's file is named after its path, and a
    // path of more than one part gets a hash (cdk8s Names.toDnsLabel). A part given its `build`
    // is made by it: at once, or when its chart is written (deferCharts).
    const root = scope.node.root;
    const parts: Construct[] = [];
    const chartProps = { disableResourceNameHashes: true };
    const part = (name: string, build?: (scope: Construct) => void): Construct => {
      const made = chart ? new Construct(this, name) : deferCharts ? new DeferredChart(root, name, chartProps, build) : new Chart(root, name, chartProps);
      parts.push(made);
      if (!deferCharts) build?.(made);
      return made;
    };

    const byNamespace = new Map<string, AiAppIntent[]>();
    for (const a of intent.apps) byNamespace.set(a.namespace, [...(byNamespace.get(a.namespace) ?? []), a]);
    const namespaces = [...byNamespace.keys()].sort();
    const context = planContext(intent);
    const proxy = egressProxySettings(intent);
    const routes = egressProxyRoutes(intent);
    const routeByApp = new Map<string, (typeof routes)[number]>();
    for (const r of routes) if (!routeByApp.has(`${r.appNamespace}/${r.app}`)) routeByApp.set(`${r.appNamespace}/${r.app}`, r);
    const routeOf = (a: AiAppIntent) => routeByApp.get(`${a.namespace}/${a.name}`);
    const plans = new Map(intent.apps.map((a) => [a, planApp(a, context, scrapeOf(a, intent), routeOf(a))]));
    const resolver = context.resolver;

    const cluster = part(ChartName.cluster);
    const owned = [...namespaces, ...(resolver ? [resolver.namespace] : []), ...(routes.length > 0 ? [proxy.namespace] : [])].sort();
    for (const ns of owned) new RestrictedNamespace(cluster, `namespace-${ns}`, { name: ns });
    new AppIdentityPolicy(cluster, 'app-identity', {
      apps: [
        ...intent.apps.map((a) => ({ name: a.name, namespace: a.namespace })),
        ...(resolver ? [{ name: DNS_RESOLVER_NAME, namespace: resolver.namespace }] : []),
        ...(routes.length > 0 ? [{ name: EGRESS_PROXY_NAME, namespace: proxy.namespace }] : []),
      ],
    });
    const calicoApps = intent.apps.filter(isCalicoApp);
    const guardrail = guardrailOf(intent);
    const credentialsUsers = credentialsUsersOf(plans.values());
    // Where the tier exists, it closes with a Deny for every pod of the governed namespaces that is
    // no kubernetes-flavor app: the platform services' own policies are then in the tier too.
    const inTier = calicoApps.length > 0 || guardrail === 'calico';
    /** A namespace whose apps are all in audit mode: its default deny staged, its pods passed on whole. */
    const previewed = (ns: string) => byNamespace.get(ns)!.every((a) => isAudited(a, intent.calico));
    if (inTier) {
      const allowLists = allowListsUsedBy(
        calicoApps.map((a) => plans.get(a)!),
        intent.allowLists ?? [],
      );
      const scopes = { cluster, tier: part(ChartName.calicoTier), globalPolicies: part(ChartName.calicoGlobalPolicies) };
      const networkSets = networkSetsOf(calicoApps.map((a) => plans.get(a)!));
      // The tier's Pass policies, before its global ones in the file and a wave before them
      // (SyncWave.tierPass): the closing Deny selects every pod of the governed namespaces, and
      // must never take one of these before its Pass exists. Per namespace, its own Pass when it is
      // previewed, then one per kubernetes-flavor app, whose Kubernetes NetworkPolicies then decide.
      for (const ns of namespaces) {
        if (previewed(ns)) new CalicoPassToKubernetes(scopes.globalPolicies, `namespace-pass-${ns}`, { settings: this.calico, namespace: ns });
        for (const a of byNamespace.get(ns)!.filter((x) => !isCalicoApp(x)))
          new CalicoPassToKubernetes(scopes.globalPolicies, `app-pass-${a.name}`, { settings: this.calico, namespace: ns, app: a.name });
      }
      addCalicoClusterPolicies(scopes, {
        settings: this.calico,
        allowLists,
        networkSets,
        credentialsUsers,
        guardrail: guardrail === 'calico',
      });
    }
    // The guardrail in the network-policy-api: after the Namespaces whose label it selects, before any policy of theirs.
    if (guardrail === 'ClusterNetworkPolicy' || guardrail === 'AdminNetworkPolicy') {
      new ClusterGuardrail(part(ChartName.clusterGuardrail), 'guardrail', {
        kind: guardrail,
        prefix: this.calico.tier,
        cloud: intent.cloud ?? 'any',
        credentialsUsers,
      });
    }

    // The resolver of cluster names, a platform service: its default deny and its own policy
    // (in the tier when it exists), then its pods, in a file before the apps' files.
    if (resolver) {
      const dns = part(ChartName.dnsResolver);
      new NamespaceDefaultDeny(dns, 'dns-default-deny', { namespace: resolver.namespace });
      const clients = [...new Set(intent.apps.filter(usesResolver).map((a) => a.namespace))].sort();
      const plan = planResolver(resolver, clients, context);
      if (inTier) new CalicoAppPolicy(dns, 'dns-policy', { plan, settings: this.calico, staged: false });
      else new KubernetesAppPolicies(dns, 'dns-policy', { plan });
      new DnsResolver(dns, 'dns-resolver', { settings: resolver });
    }
    // The proxy, its policies first, before every namespace's policies and workloads: the apps that
    // send by name find it running (its own wave comes after every policy, before any app).
    if (routes.length > 0) {
      new EgressProxy(part(ChartName.egressProxy), 'egress-proxy', {
        settings: proxy,
        routes,
        apps: intent.apps,
        carved: context.carved,
        ...(inTier ? { calico: this.calico } : {}),
      });
    }

    // Every namespace's policies before any workload, as the files sort: one chart, or a single
    // file of the whole App (YamlOutputType.FILE_PER_APP), then holds them in apply order too.
    // Each plan is let go once its policies are made: with deferCharts, the plans of the namespaces
    // not written yet are all that is held of them.
    for (const ns of namespaces) {
      part(ChartName.policies(ns), (policies) => {
        // Kept in calico namespaces too: it confines any other pod there. Staged only when every
        // app of the namespace is in audit mode, or it would deny them everything meanwhile. (Where
        // the tier exists, its Pass policies for the namespace are in the tier's chart.)
        if (previewed(ns)) new StagedNamespaceDefaultDeny(policies, 'default-deny', { namespace: ns });
        else new NamespaceDefaultDeny(policies, 'default-deny', { namespace: ns });
        for (const a of byNamespace.get(ns)!) {
          this.addPolicies(policies, a, plans.get(a)!);
          plans.delete(a);
        }
      });
    }
    for (const ns of namespaces) {
      part(ChartName.workloads(ns), (workloads) => {
        for (const a of byNamespace.get(ns)!) {
          const route = routeOf(a);
          new AiWorkload(workloads, a.name, a, {
            resolver,
            scrape: scrapeOf(a, intent),
            ...(route ? { env: proxyEnvironment(a, route, context, intent.dnsResolver?.clusterDomain) } : {}),
          });
        }
      });
    }
    this.parts = parts;

    if (props.validateSchemas ?? true) {
      this.node.addValidation({
        validate: () =>
          parts
            .flatMap((p) => p.node.findAll())
            .filter((c) => ApiObject.isApiObject(c))
            .flatMap((o) => {
              const json: unknown = o.toJson();
              const { kind, metadata } = json as { kind?: string; metadata?: { name?: string; namespace?: string } };
              return validateObject(json).map(
                (problem) => `${String(kind)} ${metadata?.namespace ? `${metadata.namespace}/` : ''}${String(metadata?.name)}: ${problem}`,
              );
            }),
      });
    }
  }

  /** The app's own policies (a kubernetes-flavor app's Pass in the tier, where the tier exists, is in the tier's chart). */
  private addPolicies(scope: Construct, app: AiAppIntent, plan: AppPlan): void {
    if (isCalicoApp(app)) new CalicoAppPolicy(scope, app.name, { plan, settings: this.calico, staged: isAudited(app, this.intent.calico) });
    else new KubernetesAppPolicies(scope, app.name, { plan });
  }
}

/** The apps whose plans allow a pod credential endpoint: its addresses, and the ports declared there. */
function credentialsUsersOf(plans: Iterable<AppPlan>): CredentialsUser[] {
  return [...plans].flatMap((p) =>
    p.egress.flatMap((rule) =>
      rule.peers.flatMap((peer) =>
        peer.kind === 'nets' && peer.credentialsReason !== undefined
          ? [{ app: p.name, namespace: p.namespace, cidrs: peer.blocks.map((b) => b.cidr), ports: rule.ports }]
          : [],
      ),
    ),
  );
}

/** The blocks the given plans declare as network sets of their own (a cidr destination's `networkSet`), once per name, in declaration order. */
function networkSetsOf(plans: readonly AppPlan[]): AllowList[] {
  const sets = new Map<string, AllowList>();
  for (const rule of plans.flatMap((p) => p.egress)) {
    for (const peer of rule.peers) {
      if (peer.kind !== 'nets' || peer.networkSet === undefined || sets.has(peer.networkSet)) continue;
      sets.set(peer.networkSet, {
        name: peer.networkSet,
        cidrs: peer.blocks.map((b) => b.cidr),
        ...(rule.description ? { description: rule.description } : {}),
      });
    }
  }
  return [...sets.values()];
}

/** The allow-lists the given plans allow, once each, in declaration order. */
function allowListsUsedBy(plans: readonly AppPlan[], declared: readonly AllowList[]): AllowList[] {
  const used = new Set(
    plans.flatMap((p) => p.egress.flatMap((r) => r.peers)).flatMap((p) => (p.kind === 'nets' && p.allowList !== undefined ? [p.allowList] : [])),
  );
  const seen = new Set<string>();
  return declared.filter((list) => used.has(list.name) && !seen.has(list.name) && seen.add(list.name));
}
