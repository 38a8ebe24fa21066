/**
 * The kinds of network policy: Kubernetes' NetworkPolicy, Calico's own policies (staged kinds
 * included), and the network-policy-api's cluster-wide ones.
 */

/** The apiVersion of Kubernetes' NetworkPolicy. https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/ */
export const NETWORKING_API_VERSION = 'networking.k8s.io/v1';

/** The apiVersion of Calico's resources. https://docs.tigera.io/calico/latest/reference/resources/ */
export const CALICO_API_VERSION = 'projectcalico.org/v3';

/**
 * Calico's policy kinds whose rules are written in Calico's syntax: NetworkPolicy,
 * GlobalNetworkPolicy and their staged twins, which Calico evaluates without enforcing
 * (https://docs.tigera.io/calico/latest/reference/resources/stagednetworkpolicy).
 */
export type CalicoPolicyKind = 'NetworkPolicy' | 'GlobalNetworkPolicy' | 'StagedNetworkPolicy' | 'StagedGlobalNetworkPolicy';

const CALICO_POLICY_KINDS: readonly CalicoPolicyKind[] = ['NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy'];

/** True for Calico's policy kinds of Calico rules (the apiVersion is the caller's to check). */
export function isCalicoPolicyKind(kind: unknown): kind is CalicoPolicyKind {
  return (CALICO_POLICY_KINDS as readonly unknown[]).includes(kind);
}

/**
 * Calico's staged kinds and the policy each previews: a StagedKubernetesNetworkPolicy holds a
 * Kubernetes NetworkPolicy's spec
 * (https://docs.tigera.io/calico/latest/reference/resources/stagedkubernetesnetworkpolicy).
 */
export const STAGED_POLICY_KINDS = {
  StagedNetworkPolicy: { apiVersion: CALICO_API_VERSION, kind: 'NetworkPolicy' },
  StagedGlobalNetworkPolicy: { apiVersion: CALICO_API_VERSION, kind: 'GlobalNetworkPolicy' },
  StagedKubernetesNetworkPolicy: { apiVersion: NETWORKING_API_VERSION, kind: 'NetworkPolicy' },
} as const;

/** A staged kind of Calico. */
export type StagedPolicyKind = keyof typeof STAGED_POLICY_KINDS;

/** True for a staged kind (the apiVersion, `projectcalico.org/v3`, is the caller's to check). */
export function isStagedPolicyKind(kind: unknown): kind is StagedPolicyKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(STAGED_POLICY_KINDS, kind);
}

/** The API group of the network-policy-api. https://network-policy-api.sigs.k8s.io/reference/spec/ */
export const NETWORK_POLICY_API_GROUP = 'policy.networking.k8s.io';

/** The cluster-wide policy kinds of the network-policy-api. */
export type ClusterPolicyKind = 'ClusterNetworkPolicy' | 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy';

/** The apiVersion each kind is served at (ClusterNetworkPolicy from v1alpha2, the other two at v1alpha1). */
export const CLUSTER_POLICY_API_VERSION: Readonly<Record<ClusterPolicyKind, string>> = {
  ClusterNetworkPolicy: `${NETWORK_POLICY_API_GROUP}/v1alpha2`,
  AdminNetworkPolicy: `${NETWORK_POLICY_API_GROUP}/v1alpha1`,
  BaselineAdminNetworkPolicy: `${NETWORK_POLICY_API_GROUP}/v1alpha1`,
};

/** True for the network-policy-api's cluster-wide kinds. */
export function isClusterPolicyKind(kind: unknown): kind is ClusterPolicyKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(CLUSTER_POLICY_API_VERSION, kind);
}
