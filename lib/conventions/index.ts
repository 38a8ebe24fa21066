/**
 * Names, labels, annotations, apply order and well-known in-cluster addresses that every part
 * writing or checking manifests shares, in one place so the intent's checks, the renderers, the
 * workloads, the tests and the README agree.
 *
 * A leaf: it imports nothing of the project, so any folder may use it without pointing back up.
 * The cloud metadata addresses are network values and live in lib/net (metadata.ts), which the
 * verifier may import too.
 */
import { DOMAIN } from './domain';

export { DOMAIN } from './domain';
export {
  CREDENTIALS_REASON_ANNOTATION,
  INTERNET_REASON_ANNOTATION,
  PUBLIC_DNS_REASON_ANNOTATION,
  PUBLIC_NAMES_SUBJECT,
  SHARED_RANGE_REASON_ANNOTATION,
  UNGOVERNED_REASON_ANNOTATION,
  formatReasons,
  podsSubject,
  reasonFor,
} from './reasons';
export type { WrittenReason } from './reasons';
export { RULE_DESCRIPTIONS_ANNOTATION, formatRuleDescriptions, ruleDescriptionsOf } from './rule-descriptions';
export type { RuleDescription } from './rule-descriptions';

/** Pod label carried by every protected AI workload; Calico's guardrail selects on it. */
export const PROTECTED_LABEL = `${DOMAIN}/protected`;

/** Annotation that says what a Calico rule or a network set is for. */
export const DESCRIPTION_ANNOTATION = `${DOMAIN}/description`;

/** Label carried by the GlobalNetworkSet of a shared allow-list; Calico policies select the set by it. */
export const ALLOW_LIST_LABEL = `${DOMAIN}/allow-list`;

/** Label carried by the GlobalNetworkSet a cidr destination is rendered as (its `networkSet`); the app's policy selects the set by it. */
export const NETWORK_SET_LABEL = `${DOMAIN}/network-set`;

/**
 * Numeric identity every AI container runs as: Pod Security `restricted` needs non-root, and a
 * numeric id lets the kubelet verify it before starting the container.
 */
export const RUN_AS = { user: 10001, group: 10001, fsGroup: 10001 } as const;

/** The label that names the app a pod belongs to; the Deployment, Service and policies select on it. */
export const APP_NAME_LABEL = 'app.kubernetes.io/name';

/**
 * Which policy objects an app's policies are written as: Kubernetes NetworkPolicies
 * (`networking.k8s.io/v1`), or Calico policies (`projectcalico.org/v3`) in a tier of their own. The
 * intent declares it per app (`flavor`); the review reads it back from which policies decide a
 * workload's reach.
 */
export const FLAVORS = ['kubernetes', 'calico'] as const;

/** One of `FLAVORS`. */
export type Flavor = (typeof FLAVORS)[number];

/** The labels of an app's pods. */
export function appLabels(app: string): Record<string, string> {
  return {
    [APP_NAME_LABEL]: app,
    'app.kubernetes.io/part-of': 'ai-platform',
    'app.kubernetes.io/managed-by': 'cdk8s',
    [PROTECTED_LABEL]: 'true',
  };
}

/** The label that selects an app's pods. */
export function appSelector(app: string): Record<string, string> {
  return { [APP_NAME_LABEL]: app };
}

/**
 * The ServiceAccount an app's pods run as: named for the app. The Calico flavor's per-app policy
 * selects it as well as the pods' labels, so a pod that only copies the labels gets nothing.
 */
export function serviceAccountName(app: string): string {
  return app;
}

/**
 * The resolver of cluster names the project runs for the AI apps: the name of its Deployment,
 * Service, ServiceAccount, ConfigMap and policies, and the value of its pods' name label.
 */
export const DNS_RESOLVER_NAME = 'dns-resolver';

/**
 * The names of the Calico tier's own policies, after the tier's prefix (`ai-egress.`): the
 * cloud-metadata guardrail and the closing Deny (GlobalNetworkPolicies), and the Pass of a
 * namespace whose apps are all in audit mode (a NetworkPolicy in that namespace). An app's own
 * policy is `<tier>.<app>`, so no app takes one of these names (lib/intent refuses them).
 */
export const TIER_POLICY_NAMES = {
  guardrail: 'deny-cloud-metadata',
  passToKubernetes: 'pass-to-kubernetes-policies',
  denyUndeclared: 'deny-undeclared-pods',
} as const;

/**
 * Label this project puts on every Namespace it writes (the AI apps', the resolver's, the egress
 * proxy's): the cluster-wide guardrail, the tier's closing Deny and the admission policy select
 * these namespaces by it. Only whoever may update Namespace objects can set or remove it, never a
 * pod's author.
 */
export const GOVERNED_NAMESPACE_LABEL = `${DOMAIN}/governed`;

/**
 * The egress proxy's name: its Deployment, Service, ServiceAccount and policies, and the
 * `app.kubernetes.io/name` label of its pods, in the proxy's own namespace (lib/proxy).
 */
export const EGRESS_PROXY_NAME = 'egress-proxy';

/**
 * The lowest wave a release before PruneLast=true wrote: -4 (every `argocd.argoproj.io/sync-wave`
 * in the history of dist/ is between -4 and 1). gitops-engine prunes an
 * object in a wave taken from the waves of the objects it prunes (their own, swapped end for end:
 * pkg/sync/sync_context.go, getSyncTasks, "symmetric swap on prune waves"), so nothing written by
 * such a release is pruned before wave -4.
 */
export const EARLIEST_WAVE_BEFORE_PRUNE_LAST = -4;

/**
 * Argo CD sync waves, in apply order. The file names of dist/ sort in the same order, so
 * `kubectl apply -f dist` and Argo CD agree: nothing runs before the policy that confines it.
 *
 * Every object that confines (the tier and its policies, the guardrail of either kind, each
 * namespace's default deny, the admission policy: `pruneLast`) is applied below
 * EARLIEST_WAVE_BEFORE_PRUNE_LAST, with the Namespaces, RBAC and network sets it needs before
 * it. On the first sync over objects of an earlier release, which carry no PruneLast=true, the
 * successor of each confining object it prunes (a renamed tier's, a guardrail of the other kind)
 * is then in force before gitops-engine prunes anything; from then on PruneLast=true keeps every
 * confining object until the sync's last wave. Workloads and the platform's services keep their
 * waves: after every policy.
 */
export const SyncWave = {
  namespace: -8,
  /**
   * The ClusterRole and binding of the tier's owners: before the tier's policies, the Pass ones
   * included. In one wave Argo CD applies kinds in its order (Namespace, NetworkPolicy, ...,
   * ClusterRole, ...) and custom resources last (gitops-engine pkg/sync/sync_tasks.go, kindOrder),
   * and it matches the kind alone: a Calico NetworkPolicy is applied with Kubernetes'
   * NetworkPolicies, before ClusterRoles. So the RBAC goes a wave before the Pass policies.
   */
  tierOwners: -8,
  /** The admission policy that binds each app's name label to its ServiceAccount: before any pod (with the tier owners' RBAC, which follows it in the cluster's file). */
  admissionPolicy: -8,
  /** The Calico tier: a wave before any policy in it (Calico refuses a policy of a tier that does not exist). */
  tier: -8,
  networkSet: -7,
  /**
   * The tier's Pass policies (namespaced: one per kubernetes-flavor app, one per namespace in audit
   * mode): a wave before the tier's closing Deny, `deny-undeclared-pods`, which selects every pod
   * of the governed namespaces, so that on a running cluster the pods they hand on to the default
   * tier are passed before that Deny could take them. Argo CD applies a wave only once the one
   * before is applied and healthy; a Pass policy these replace (a renamed tier's) is pruned only
   * after them: in the sync's last wave (`pruneLast`), or, written by a release before
   * PruneLast=true, in wave EARLIEST_WAVE_BEFORE_PRUNE_LAST or later.
   */
  tierPass: -7,
  globalPolicy: -6,
  policy: -5,
  /** Services the AI apps depend on (the DNS resolver, the egress proxy): after every policy, before any app that uses them. */
  platformService: 0,
  workload: 1,
} as const;

/** Argo CD's annotation of an object's sync wave (gitops-engine pkg/sync/common/types.go, AnnotationSyncWave). */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
/** Argo CD's annotation of an object's sync options, comma-separated (pkg/sync/common/types.go, AnnotationSyncOptions). */
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';

/** The Argo CD annotation for a wave. */
export function syncWave(wave: number): Record<string, string> {
  return { [SYNC_WAVE_ANNOTATION]: String(wave) };
}

/**
 * The annotations of an object that confines: its wave, and `PruneLast=true`. When a sync prunes
 * it, gitops-engine moves the prune to one wave after the sync's highest ("for pruneLast tasks,
 * modify the wave to sync phase last wave of tasks + 1", pkg/sync/sync_context.go, getSyncTasks),
 * so its successor and everything else of the folder is applied, and healthy, before it goes. The
 * option is read from the live object (`HasAnnotationOption(task.liveObj, ...)`): it protects the
 * next change once this folder has been synced; the waves below EARLIEST_WAVE_BEFORE_PRUNE_LAST
 * protect the first. The tier carries it too: Calico deletes a tier only once no policy names it
 * (libcalico-go lib/clientv3/tier.go: "Cannot delete a non-empty tier"; Calico 3.32 holds it with
 * a finalizer), and a tier pruned in an earlier wave than its policies would stall the sync.
 */
export function pruneLast(wave: number): Record<string, string> {
  return { ...syncWave(wave), [SYNC_OPTIONS_ANNOTATION]: 'PruneLast=true' };
}

/**
 * Chart ids, which cdk8s uses as file names in dist/; their order is the apply order, and
 * their reverse order a delete order: `kubectl delete -f` deletes a file's objects in the order
 * they are written, so the Tier has a file of its own, deleted after the policies in it (Calico
 * refuses to delete a tier that still holds policies).
 */
export const ChartName = {
  /** Namespaces, and the RBAC of the tier's owners. */
  cluster: '00-cluster',
  /** The Calico tier and the allow-lists' GlobalNetworkSets. */
  calicoTier: '01-calico-tier',
  /**
   * The tier's policies for every governed namespace: first the hand-over to Kubernetes policies
   * (the Pass policies of kubernetes-flavor apps and of namespaces in audit mode, namespaced), then
   * the GlobalNetworkPolicies: the metadata guardrail and the closing Deny, which the Pass policies
   * precede in apply order as in sync waves (SyncWave.tierPass).
   */
  calicoGlobalPolicies: '02-calico-global-policies',
  /** The guardrail as ClusterNetworkPolicies or AdminNetworkPolicies (the network-policy-api), when the intent writes it so. */
  clusterGuardrail: '03-cluster-guardrail',
  /** The DNS resolver of cluster names, its policies and its admission policy's neighbours: a platform service, before the apps' files. */
  dnsResolver: '05-dns-resolver',
  /** The egress proxy of the apps' hostname destinations: its policies, configuration and pods (lib/proxy). */
  egressProxy: '06-egress-proxy',
  policies: (namespace: string) => `10-policies-${namespace}`,
  workloads: (namespace: string) => `20-workloads-${namespace}`,
} as const;
