export { planApp, planContext, planResolver, resolverPeer } from './plan';
export type { AppPlan, PlanContext } from './plan';
export { KubernetesAppPolicies, NamespaceDefaultDeny } from './kubernetes';
export type { KubernetesAppPoliciesProps, NamespaceDefaultDenyProps } from './kubernetes';
export { CalicoAppPolicy, addCalicoClusterPolicies, StagedNamespaceDefaultDeny, calicoSettings } from './calico';
export type { CalicoAppPolicyProps, CalicoSettings, CredentialsUser } from './calico';
export { APP_IDENTITY_CEL, APP_IDENTITY_POLICY_NAME, AppIdentityPolicy, appIdentityValidation } from './identity';
export type { AppIdentityPolicyProps } from './identity';
