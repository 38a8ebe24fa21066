import { App, Chart } from 'cdk8s';
import { AiAppIntent, PlatformIntent, assertValidIntent } from '../intent';
import { planEgress } from '../policy/plan';
import { KubernetesAppPolicies, NamespaceDefaultDeny } from '../policy/kubernetes';
import { AiWorkload, RestrictedNamespace } from '../workload';
import { ChartName } from './conventions';

/**
 * Every object the declared intent needs, in charts whose file names sort in apply order:
 * `00-cluster` (Namespaces and cluster-wide policy), `10-policies-<namespace>`, then
 * `20-workloads-<namespace>`. The intent is validated first; on any problem an IntentError
 * lists them all and no chart is created.
 */
export class SecureAiPlatform {
  readonly cluster: Chart;

  constructor(app: App, readonly intent: PlatformIntent) {
    assertValidIntent(intent);
    this.cluster = new Chart(app, ChartName.cluster, { disableResourceNameHashes: true });
    const byNamespace = new Map<string, AiAppIntent[]>();
    for (const a of intent.apps) byNamespace.set(a.namespace, [...(byNamespace.get(a.namespace) ?? []), a]);
    const namespaces = [...byNamespace.keys()].sort();

    for (const ns of namespaces) new RestrictedNamespace(this.cluster, `namespace-${ns}`, ns);

    for (const ns of namespaces) {
      const apps = byNamespace.get(ns)!;
      const policies = new Chart(app, ChartName.policies(ns), { disableResourceNameHashes: true });
      new NamespaceDefaultDeny(policies, 'default-deny', ns);
      for (const a of apps) this.addPolicies(policies, a);
      const workloads = new Chart(app, ChartName.workloads(ns), { disableResourceNameHashes: true });
      for (const a of apps) new AiWorkload(workloads, a.name, a);
    }
  }

  private addPolicies(chart: Chart, app: AiAppIntent): void {
    const egress = planEgress(app, this.intent.allowLists ?? []);
    new KubernetesAppPolicies(chart, app.name, { app, egress });
  }
}
