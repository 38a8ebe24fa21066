export { planApp, reasonAnnotations } from './plan';
export type { AppPlan, NetsPeer, Peer, PlannedBlock, PlannedPort, PlannedRule, PodsPeer } from './plan';
export { KubernetesAppPolicies, NamespaceDefaultDeny } from './kubernetes';
export type { KubernetesAppPoliciesProps, NamespaceDefaultDenyProps } from './kubernetes';
export {
  CalicoAppPolicy, CalicoName, addCalicoClusterPolicies, CalicoPolicyOrder, StagedNamespaceDefaultDeny, calicoSettings,
} from './calico';
export type { CalicoAppPolicyProps, CalicoClusterPoliciesProps, CalicoClusterScopes, CalicoSettings, CredentialsUser } from './calico';
export { TierOwnersRbac, tierOwnerName } from './tier-rbac';
export type { TierOwnersRbacProps } from './tier-rbac';
