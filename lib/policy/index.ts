export { planApp, planContext, planResolver } from './plan';
export type { AppPlan, PlanContext, PlannedRule } from './plan';
export { KubernetesAppPolicies, NamespaceDefaultDeny } from './kubernetes';
export type { KubernetesAppPoliciesProps, NamespaceDefaultDenyProps } from './kubernetes';
export { CalicoAppPolicy, addCalicoClusterPolicies, StagedNamespaceDefaultDeny, calicoSettings } from './calico';
export type { CalicoAppPolicyProps, CalicoSettings, CredentialsUser } from './calico';
export { AppIdentityPolicy } from './identity';
export type { AppIdentityPolicyProps } from './identity';
