/**
 * Facts of Kubernetes and Calico that every part writing or reading manifests shares: the
 * protocols, the names and labels the API server accepts, the labels Kubernetes and Calico set,
 * the kinds that run pods and where each holds its pod template, the kinds of network policy, and
 * how an object is named. Not this project's own names (those are lib/conventions).
 *
 * A leaf: it imports nothing of the project, so the intent, the renderers, the verifier and the
 * checks all read the same facts, and the verifier still imports nothing of the generator.
 */
export { PROTOCOLS, PROTOCOL_NUMBERS, isProtocol, protocolsText } from './protocols';
export type { Protocol } from './protocols';
export { NAME_LIMITS, isDns1123Label, isDns1123Subdomain, isLabelKey, isLabelValue, isPortName, labelKeyProblem, labelValueProblem } from './names';
export { CALICO_KUBE_CONTROLLERS, CALICO_LABEL, CALICO_LABEL_PREFIX, CALICO_PROFILE, NAMESPACE_NAME_LABEL } from './labels';
export { WORKLOADS, isWorkloadKind, podTemplateOf, podTemplatePath } from './workloads';
export type { WorkloadKind } from './workloads';
export {
  CALICO_API_VERSION,
  CLUSTER_POLICY_API_VERSION,
  NETWORKING_API_VERSION,
  NETWORK_POLICY_API_GROUP,
  STAGED_POLICY_KINDS,
  isCalicoPolicyKind,
  isClusterPolicyKind,
  isStagedPolicyKind,
} from './policies';
export type { CalicoPolicyKind, ClusterPolicyKind, StagedPolicyKind } from './policies';
export { formatObjectRef, objectRefOf } from './object-ref';
export { DEFAULT_CLUSTER_DOMAIN, KUBE_DNS } from './cluster-dns';
export { reservedNamespace } from './namespaces';
export { POD_SECURITY_MODES, podSecurityLabel, podSecurityVersionLabel } from './pod-security';
export type { ObjectRef } from './object-ref';
