/**
 * Labels that Kubernetes and Calico put on objects themselves, which policies select on.
 */

/**
 * The label Kubernetes puts on every namespace, holding its name: how a policy selects a
 * namespace by name. https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name
 */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * The labels Calico adds to what its selectors see (libcalico-go `api/pkg/apis/projectcalico/v3`
 * LabelNamespace, LabelOrchestrator, LabelServiceAccount, and the name label of namespaces and
 * ServiceAccounts as their profiles carry it):
 * - `namespace` and `serviceAccount` on every workload endpoint: its namespace and ServiceAccount
 *   (a ServiceAccount's name only when under 63 characters, a label value's limit);
 * - `orchestrator: k8s` on every Kubernetes workload endpoint (libcalico-go
 *   workload_endpoint_default.go), which Calico's conversion of Kubernetes policies adds to every
 *   pod selector (conversion.go, k8sSelectorToCalico);
 * - `name` on every namespace and ServiceAccount, holding its name: "Select a specific service
 *   account by name using the `projectcalico.org/name` label"
 *   (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy, serviceAccountSelector);
 * - `createdBy: calico-kube-controllers` on every host endpoint calico-kube-controllers creates
 *   (pkg/controllers/node/controller.go, hepCreatedLabelKey).
 */
export const CALICO_LABEL = {
  namespace: 'projectcalico.org/namespace',
  orchestrator: 'projectcalico.org/orchestrator',
  serviceAccount: 'projectcalico.org/serviceaccount',
  name: 'projectcalico.org/name',
  createdBy: 'projectcalico.org/created-by',
} as const;

/** The value of `projectcalico.org/created-by` on the host endpoints calico-kube-controllers creates. */
export const CALICO_KUBE_CONTROLLERS = 'calico-kube-controllers';

/** The prefix of the labels Calico adds itself (`CALICO_LABEL`): a pod declares none of them. */
export const CALICO_LABEL_PREFIX = 'projectcalico.org/';

/**
 * The names of the profiles Calico makes of Kubernetes namespaces and ServiceAccounts,
 * `kns.<namespace>` and `ksa.<namespace>.<name>`, and the prefixes under which they give an item
 * the namespace's labels (`pcns.<key>`) and the ServiceAccount's (`pcsa.<key>`) (libcalico-go
 * `lib/backend/k8s/conversion/conversion.go`, NamespaceToProfile and ServiceAccountToProfile;
 * `lib/backend/syncersv1/updateprocessors/workloadendpointprocessor.go` drops a pod's own keys of
 * those prefixes).
 */
export const CALICO_PROFILE = {
  namespacePrefix: 'kns.',
  serviceAccountPrefix: 'ksa.',
  namespaceLabelPrefix: 'pcns.',
  serviceAccountLabelPrefix: 'pcsa.',
} as const;
