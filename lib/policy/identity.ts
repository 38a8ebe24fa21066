import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { APP_NAME_LABEL, DOMAIN, GOVERNED_NAMESPACE_LABEL, SyncWave, pruneLast, serviceAccountName } from '../conventions';
import { WORKLOADS, WorkloadKind, podTemplatePath } from '../k8s';

/** The apps whose name label the admission policy binds to their ServiceAccount. */
export interface AppIdentityPolicyProps {
  /** The declared apps (and platform services), by namespace and name. */
  readonly apps: readonly { readonly name: string; readonly namespace: string }[];
}

/** The name of the policy and of its binding. */
const APP_IDENTITY_POLICY_NAME = `${DOMAIN}-app-identity`;

/**
 * Subresources through which a pod's labels change besides `pods` itself: pods/status, whose
 * update resets the pod's spec, deletionTimestamp and ownerReferences and keeps the labels it is
 * sent (kubernetes/kubernetes pkg/registry/core/pod/strategy.go, podStatusStrategy
 * PrepareForUpdate and GetResetFields). An admission rule on `pods` does not match a subresource
 * ("pods/*" or its name is needed: admissionregistration.k8s.io/v1 RuleWithOperations.resources).
 */
const LABEL_SUBRESOURCES: Readonly<Record<string, readonly string[]>> = { pods: ['pods/status'] };

/** The kinds whose pods (or pod templates) are checked (every workload kind), by API group. */
const MATCHED = [...new Set(WORKLOADS.map((w) => w.group))].map((group) => ({
  apiGroups: [group],
  apiVersions: [...new Set(WORKLOADS.filter((w) => w.group === group).map((w) => w.version))],
  resources: WORKLOADS.filter((w) => w.group === group).flatMap((w) => [w.resource, ...(LABEL_SUBRESOURCES[w.resource] ?? [])]),
}));

/** The pod template of a kind as a CEL path: `object.spec.template`; a Pod is its own. */
const template = (kind: WorkloadKind) => ['object', ...podTemplatePath(kind)].join('.');

/** The pod spec and metadata of the object: a Pod's own, a CronJob's job template's, every other kind's template's. */
const POD = {
  spec: `object.kind == 'Pod' ? object.spec : object.kind == 'CronJob' ? ${template('CronJob')}.spec : ${template('Deployment')}.spec`,
  metadata: `object.kind == 'Pod' ? object.metadata : object.kind == 'CronJob' ? (has(${template('CronJob')}.metadata) ? ${template('CronJob')}.metadata : {}) : (has(${template('Deployment')}.metadata) ? ${template('Deployment')}.metadata : {})`,
};

/**
 * The CEL variables and validation of the policy. Variables are evaluated in order and read as
 * `variables.<name>`; a pod spec without `serviceAccountName` runs as `default` (its deprecated
 * alias `serviceAccount` counted, which the API server copies into it).
 */
const APP_IDENTITY_CEL = {
  variables: [
    { name: 'podSpec', expression: POD.spec },
    { name: 'podMetadata', expression: POD.metadata },
    {
      name: 'app',
      expression: `has(variables.podMetadata.labels) && '${APP_NAME_LABEL}' in variables.podMetadata.labels ? variables.podMetadata.labels['${APP_NAME_LABEL}'] : ''`,
    },
    {
      name: 'serviceAccount',
      expression:
        "has(variables.podSpec.serviceAccountName) && variables.podSpec.serviceAccountName != '' ? variables.podSpec.serviceAccountName : has(variables.podSpec.serviceAccount) && variables.podSpec.serviceAccount != '' ? variables.podSpec.serviceAccount : 'default'",
    },
  ],
} as const;

/**
 * The validation: an app's name label in its namespace comes with the app's ServiceAccount. The
 * declared apps are a CEL map literal, `'namespace/app': 'serviceaccount'`.
 */
function appIdentityValidation(apps: AppIdentityPolicyProps['apps']): { expression: string; messageExpression: string; reason: string } {
  const accounts = [...new Map(apps.map((a) => [`${a.namespace}/${a.name}`, serviceAccountName(a.name)]))]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, sa]) => `'${key}': '${sa}'`)
    .join(', ');
  const key = "request.namespace + '/' + variables.app";
  return {
    expression: `!((${key}) in {${accounts}}) || {${accounts}}[${key}] == variables.serviceAccount`,
    messageExpression: `'a pod labelled ${APP_NAME_LABEL}=' + variables.app + ' in namespace ' + request.namespace + ' runs as the ServiceAccount ' + {${accounts}}[${key}] + ', whose network policy it would share, not as ' + variables.serviceAccount`,
    reason: 'Forbidden',
  };
}

/**
 * An admission policy that binds each app's name label to its ServiceAccount in the namespaces
 * this project writes: a pod (or the pod template of a controller) labelled
 * `app.kubernetes.io/name: <app>` in the namespace of a declared app `<app>` must run as the
 * ServiceAccount `<app>`. The Calico flavor's policies select the app by label and ServiceAccount,
 * so a pod with the labels and another ServiceAccount gets nothing from them, and is denied by the
 * tier's closing policy; the kubernetes flavor selects by labels alone (NetworkPolicy has no other
 * way), and the Services of every app do too. This policy keeps such a pod from being created at
 * all, in both flavors: it cannot share the app's policy, nor a share of its traffic through its
 * Service.
 *
 * A ValidatingAdmissionPolicy and its binding, `admissionregistration.k8s.io/v1` (GA in Kubernetes
 * 1.30; https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/): the
 * API server evaluates the CEL expressions below on every create and update of the matched
 * resources in namespaces labelled `secure-ai-egress/governed: "true"`, and denies on `false`
 * (`validationActions: [Deny]`); `failurePolicy: Fail` denies too when an expression cannot be
 * evaluated. Pods are matched as well as controllers, so a pod created by any controller (or by
 * hand) is checked, and a controller's template is refused before it creates any.
 *
 * What it cannot stop: whoever may create pods in the namespace may still name the app's
 * ServiceAccount (Kubernetes has no permission to use a ServiceAccount), and so act as the app.
 */
export class AppIdentityPolicy extends Construct {
  constructor(scope: Construct, id: string, props: AppIdentityPolicyProps) {
    super(scope, id);
    const annotations = pruneLast(SyncWave.admissionPolicy);
    new ApiObject(this, 'Policy', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: APP_IDENTITY_POLICY_NAME, annotations },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          namespaceSelector: { matchLabels: { [GOVERNED_NAMESPACE_LABEL]: 'true' } },
          resourceRules: MATCHED.map((r) => ({ ...r, operations: ['CREATE', 'UPDATE'] })),
        },
        variables: APP_IDENTITY_CEL.variables.map((v) => ({ ...v })),
        validations: [appIdentityValidation(props.apps)],
      },
    });
    new ApiObject(this, 'Binding', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: APP_IDENTITY_POLICY_NAME, annotations },
      spec: { policyName: APP_IDENTITY_POLICY_NAME, validationActions: ['Deny'] },
    });
  }
}
