export { planApp } from './plan';
export type { AppPlan, PlannedRule } from './plan';
export { KubernetesAppPolicies, NamespaceDefaultDeny } from './kubernetes';
export type { KubernetesAppPoliciesProps, NamespaceDefaultDenyProps } from './kubernetes';
export { CalicoAppPolicy, addCalicoClusterPolicies, StagedNamespaceDefaultDeny, calicoSettings } from './calico';
export type { CalicoAppPolicyProps, CalicoSettings, CredentialsUser } from './calico';
export { ClusterGuardrail } from './cluster-guardrail';
export type { ClusterGuardrailProps } from './cluster-guardrail';
