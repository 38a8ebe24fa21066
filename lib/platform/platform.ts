import { App, Chart } from 'cdk8s';
import { AiAppIntent, AllowList, IntentIssue, PlatformIntent, assertValidIntent, isAudited, isCalicoApp } from '../intent';
import {
  AppPlan, CalicoAppPolicy, CalicoSettings, CredentialsUser, KubernetesAppPolicies, NamespaceDefaultDeny, StagedNamespaceDefaultDeny,
  addCalicoClusterPolicies, calicoSettings, planApp,
} from '../policy';
import { AiWorkload, RestrictedNamespace } from '../workload';
import { ChartName } from '../conventions';

/**
 * Every object the declared intent needs, in charts whose file names sort in apply order (and,
 * reversed, in delete order): `00-cluster` (Namespaces and, when an app uses the calico flavor
 * and the tier has owners, their RBAC), when an app uses the calico flavor `01-calico-tier` (the
 * tier and network sets) and `02-calico-global-policies`, then `10-policies-<namespace>`, then
 * `20-workloads-<namespace>`. The intent is validated first; on any error an IntentError lists
 * them all and no chart is created.
 */
export class SecureAiPlatform {
  readonly cluster: Chart;
  /** What the intent's check found worth a look but not wrong (see lib/intent/advice.ts, consistency.ts). */
  readonly warnings: readonly IntentIssue[];
  private readonly calico: CalicoSettings;

  constructor(app: App, readonly intent: PlatformIntent) {
    this.warnings = assertValidIntent(intent);
    this.calico = calicoSettings(intent);
    this.cluster = new Chart(app, ChartName.cluster, { disableResourceNameHashes: true });
    const byNamespace = new Map<string, AiAppIntent[]>();
    for (const a of intent.apps) byNamespace.set(a.namespace, [...(byNamespace.get(a.namespace) ?? []), a]);
    const namespaces = [...byNamespace.keys()].sort();
    const plans = new Map(intent.apps.map((a) => [a, planApp(a, intent.allowLists ?? [], intent.cloud ?? 'any')]));

    for (const ns of namespaces) new RestrictedNamespace(this.cluster, `namespace-${ns}`, ns);
    const calicoApps = intent.apps.filter(isCalicoApp);
    if (calicoApps.length > 0) {
      const allowLists = allowListsUsedBy(calicoApps.map((a) => plans.get(a)!), intent.allowLists ?? []);
      const chart = (name: string) => new Chart(app, name, { disableResourceNameHashes: true });
      const scopes = { cluster: this.cluster, tier: chart(ChartName.calicoTier), globalPolicies: chart(ChartName.calicoGlobalPolicies) };
      addCalicoClusterPolicies(scopes, { settings: this.calico, allowLists, credentialsUsers: credentialsUsersOf(plans.values()) });
    }

    for (const ns of namespaces) {
      const apps = byNamespace.get(ns)!;
      const policies = new Chart(app, ChartName.policies(ns), { disableResourceNameHashes: true });
      // Kept in calico namespaces too: it confines any other pod there. Staged only when every
      // app of the namespace is previewed, or it would deny them everything meanwhile.
      if (apps.every((a) => isAudited(a, intent.calico))) new StagedNamespaceDefaultDeny(policies, 'default-deny', ns);
      else new NamespaceDefaultDeny(policies, 'default-deny', ns);
      for (const a of apps) this.addPolicies(policies, a, plans.get(a)!);
      const workloads = new Chart(app, ChartName.workloads(ns), { disableResourceNameHashes: true });
      for (const a of apps) new AiWorkload(workloads, a.name, a);
    }
  }

  private addPolicies(chart: Chart, app: AiAppIntent, plan: AppPlan): void {
    if (isCalicoApp(app)) new CalicoAppPolicy(chart, app.name, { plan, settings: this.calico, staged: isAudited(app, this.intent.calico) });
    else new KubernetesAppPolicies(chart, app.name, { plan });
  }
}

/** The apps whose plans allow a pod credential endpoint: its addresses, and the ports declared there. */
function credentialsUsersOf(plans: Iterable<AppPlan>): CredentialsUser[] {
  return [...plans].flatMap((p) => p.egress.flatMap((rule) => rule.peers.flatMap((peer) => (peer.kind === 'nets' && peer.credentialsReason !== undefined
    ? [{ app: p.name, namespace: p.namespace, cidrs: peer.blocks.map((b) => b.cidr), ports: rule.ports }] : []))));
}

/** The allow-lists the given plans allow, once each, in declaration order. */
function allowListsUsedBy(plans: readonly AppPlan[], declared: readonly AllowList[]): AllowList[] {
  const used = new Set(plans.flatMap((p) => p.egress.flatMap((r) => r.peers)).flatMap((p) => (p.kind === 'nets' && p.allowList !== undefined ? [p.allowList] : [])));
  const seen = new Set<string>();
  return declared.filter((list) => used.has(list.name) && !seen.has(list.name) && seen.add(list.name));
}
