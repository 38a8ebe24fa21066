import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { TierOwners } from '../intent';
import { SyncWave, syncWave } from '../conventions';

/**
 * RBAC that lets the declared owners, and only through this binding, write the Calico tier, its
 * policies and the network sets its policies allow, following Calico's "Configure RBAC for tiered
 * policies" (https://docs.tigera.io/calico/latest/network-policy/policy-tiers/rbac-tiered-policies).
 *
 * Calico authorizes a Calico (Staged)(Global)NetworkPolicy request twice: the request's verb on
 * the real resource (ordinary RBAC), and, for the tier the policy is in, `get` on `tiers/<tier>`
 * plus the same verb on the pseudo-resource `tier.<resource>` named `<tier>.*` or
 * `<tier>.<policy>` (apiserver/pkg/registry/projectcalico/authorizer/authorizer.go; with the
 * native v3 CRDs of 3.32 the admission webhook makes the same check on writes). The operator's
 * `calico-tiered-policy-passthrough` ClusterRole already grants every authenticated user the real
 * resources (tigera/operator pkg/render/apiserver.go), so the tier is guarded by the
 * pseudo-resources alone; the real ones are granted here too, for installs without it and for
 * reads in native CRD mode, where ordinary RBAC decides.
 *
 * Verbs include `patch`: `kubectl apply` and server-side apply (Argo CD's `ServerSideApply=true`)
 * send it, and the tier check passes the request's verb through. Kubernetes RBAC cannot restrict
 * `create` by name ("the name of the new object may not be known at authorization time",
 * https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources), so
 * creating a Tier or a GlobalNetworkSet is granted by kind; updating and deleting them is
 * granted for this tier's and these sets' names only. The owners must create both once (the
 * first `kubectl apply -f dist/` or Argo CD sync), so `create` stays, and with it a residual
 * risk: an owner may create other Tiers (empty ones: writing policies into them takes their own
 * `tier.*` grants, which this role does not give) and other GlobalNetworkSets, whose labels may
 * match a selector of any tier's policies and so widen them. The owners are trusted with the
 * cluster's egress policy; docs/calico.md says so. Without allow-lists the role grants no
 * GlobalNetworkSet at all.
 *
 * StagedKubernetesNetworkPolicy (audit mode's staged `default-deny-all`) is not granted: it is not
 * a policy of this tier. Calico places it in the `default` tier, like the Kubernetes
 * NetworkPolicies beside it (with the native v3 CRDs of 3.32 the admission webhook checks
 * `tier.stagedkubernetesnetworkpolicies` named `default.*`, webhooks/pkg/rbac/rbac.go), so
 * writing it is a right on the default tier and the app namespaces, which whoever applies dist/
 * needs for those NetworkPolicies anyway, and which this role, confined to its tier, leaves out.
 */

const CALICO_GROUP = 'projectcalico.org';

/** The Calico policy kinds a tier holds, as RBAC resources. */
const POLICY_RESOURCES = ['networkpolicies', 'globalnetworkpolicies', 'stagednetworkpolicies', 'stagedglobalnetworkpolicies'];

/** Verbs to read and write an object, `patch` included. */
const READ_WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

export interface TierOwnersRbacProps {
  readonly tier: string;
  readonly owners: TierOwners;
  /** The GlobalNetworkSets the tier's policies select (the shared allow-lists). */
  readonly networkSets: readonly string[];
}

/** The names of the ClusterRole and ClusterRoleBinding of a tier's owners. */
function tierOwnerName(tier: string): string {
  return `${tier}-tier-owner`;
}

/** The ClusterRole that may write the tier, and the ClusterRoleBinding that gives it to the owners. */
export class TierOwnersRbac extends Construct {
  constructor(scope: Construct, id: string, props: TierOwnersRbacProps) {
    super(scope, id);
    const { tier, owners, networkSets } = props;
    const name = tierOwnerName(tier);
    const metadata = { name, annotations: syncWave(SyncWave.tierOwners) };
    new k8s.KubeClusterRole(this, 'Role', {
      metadata,
      rules: [
        // "To access Calico policy in a tier, the user requires "get" access to that tier."
        { apiGroups: [CALICO_GROUP], resources: ['tiers'], resourceNames: [tier], verbs: ['get', 'update', 'patch', 'delete'] },
        { apiGroups: [CALICO_GROUP], resources: ['tiers'], verbs: ['create'] },
        // `<tier>.*`: "any policy of the specified kind within the named tier".
        { apiGroups: [CALICO_GROUP], resources: POLICY_RESOURCES.map((r) => `tier.${r}`), resourceNames: [`${tier}.*`], verbs: READ_WRITE },
        { apiGroups: [CALICO_GROUP], resources: POLICY_RESOURCES, verbs: READ_WRITE },
        // Without allow-lists the tier's policies select no network set: nothing to create.
        ...(networkSets.length
          ? [
              { apiGroups: [CALICO_GROUP], resources: ['globalnetworksets'], verbs: ['create'] },
              { apiGroups: [CALICO_GROUP], resources: ['globalnetworksets'], resourceNames: [...networkSets], verbs: ['get', 'update', 'patch', 'delete'] },
            ]
          : []),
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'Binding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [
        ...(owners.users ?? []).map((user) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user })),
        ...(owners.groups ?? []).map((group) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group })),
        ...(owners.serviceAccounts ?? []).map((sa) => {
          const [namespace, account] = sa.split('/');
          return { kind: 'ServiceAccount', namespace, name: account };
        }),
      ],
    });
  }
}
