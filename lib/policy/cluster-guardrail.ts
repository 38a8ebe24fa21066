import { Construct } from 'constructs';
import {
  AdminNetworkPolicy,
  AdminNetworkPolicySpecEgressAction,
  AdminNetworkPolicySpecEgressPorts,
} from '../../imports/npapi-adminnetworkpolicy-policy.networking.k8s.io';
import {
  ClusterNetworkPolicy,
  ClusterNetworkPolicySpecEgressAction,
  ClusterNetworkPolicySpecEgressProtocols,
  ClusterNetworkPolicySpecIngressAction,
  ClusterNetworkPolicySpecTier,
} from '../../imports/npapi-clusternetworkpolicy-policy.networking.k8s.io';
import { Cloud } from '../intent';
import { metadataCidrs, metadataNat64Cidrs } from '../net';
import { GOVERNED_NAMESPACE_LABEL, SyncWave, appSelector, pruneLast } from '../conventions';
import type { CredentialsUser } from './calico';
import type { PlannedPort } from '../intent';
import { NAMESPACE_NAME_LABEL } from '../k8s';

/**
 * The cluster-wide guardrail written in the Kubernetes network-policy-api, for clusters that
 * serve it: ClusterNetworkPolicy (`policy.networking.k8s.io/v1alpha2`) or AdminNetworkPolicy
 * (`v1alpha1`). Its scope is the namespaces this project writes, selected by the label only it
 * puts on them (`secure-ai-egress/governed: "true"`), never the whole cluster.
 *
 * Semantics, from the API's Go types (kubernetes-sigs/network-policy-api, v0.2.0
 * `apis/v1alpha2/clusternetworkpolicy_types.go`, v0.1.7 `apis/v1alpha1/adminnetworkpolicy_types.go`):
 * the Admin tier runs before every NetworkPolicy, policies by priority (lower first), rules in
 * order; Deny and Accept end evaluation, Pass skips the rest of the Admin tier and leaves the
 * connection to the NetworkPolicies; the Baseline tier runs only for pods no NetworkPolicy
 * selects in that direction. On Calico the Admin tier is `kube-admin` (3.32) or
 * `adminnetworkpolicy` (3.29 to 3.31), order 1000, before the project's own tier.
 *
 * What it writes, in this order:
 * 1. `<tier>.pod-credentials.<namespace>.<app>` (Admin, priority 0), one per app allowed a pod
 *    credential endpoint: its pods (namespace by name, the app's label), Pass to the endpoint's
 *    addresses on the declared ports, so the app's own policies decide there. The API selects no
 *    ServiceAccount: a pod that copies the app's labels in its namespace is passed on too, and its
 *    NetworkPolicies (by labels alone) or the calico flavor's policy (by ServiceAccount) decide.
 * 2. `<tier>.deny-cloud-metadata` (Admin, priority 1): every governed pod, Deny egress to every
 *    metadata and credential address of the cloud, and each IPv4 one in its NAT64 form
 *    (64:ff9b::/96), on every protocol and port. Before any Accept
 *    of a cluster admin's at a higher priority number, so no admin-tier Accept of a wide block
 *    reopens metadata.
 * 3. With ClusterNetworkPolicy, `<tier>.namespace-defaults` (Baseline, priority 1000): every
 *    governed pod, Deny egress to every pod and address, and ingress from every pod. Reached only
 *    for a pod no NetworkPolicy selects in that direction: the namespace's `default-deny-all`
 *    (which stays) selects every pod, so this is what still holds if it is deleted. v1alpha2 has
 *    no ingress peer for addresses outside the cluster, so their ingress stays the NetworkPolicy's
 *    to deny. Priority 1000: the cluster admins' own Baseline policies come first.
 *    AdminNetworkPolicy gets no such default: its Baseline kind, BaselineAdminNetworkPolicy, is
 *    one object per cluster (named `default`), which the cluster admins own.
 *
 * Names carry the tier's name as their prefix (`ai-egress.`), the project's prefix for the
 * objects it writes cluster-wide.
 */

/** Priorities in the Admin and Baseline tiers; lower runs first. */
const GuardrailPriority = { credentials: 0, metadata: 1, namespaceDefaults: 1000 } as const;

/** The network-policy-api allows at most 25 CIDRs in one peer (ClusterNetworkPolicyEgressPeer.Networks). */
const NETWORKS_PER_PEER = 25;

export interface ClusterGuardrailProps {
  /** Which kind to write. */
  readonly kind: 'ClusterNetworkPolicy' | 'AdminNetworkPolicy';
  /** The prefix of the objects' names: the project's tier name. */
  readonly prefix: string;
  /** Whose metadata and credential endpoints are denied. */
  readonly cloud: Cloud;
  /** The apps allowed a pod credential endpoint. */
  readonly credentialsUsers: readonly CredentialsUser[];
}

const governed = { matchLabels: { [GOVERNED_NAMESPACE_LABEL]: 'true' } };

/** The peers that hold some CIDRs, at most 25 a peer. */
function networks(cidrs: readonly string[]): { networks: string[] }[] {
  const peers: { networks: string[] }[] = [];
  for (let i = 0; i < cidrs.length; i += NETWORKS_PER_PEER) peers.push({ networks: cidrs.slice(i, i + NETWORKS_PER_PEER) });
  return peers;
}

/** v1alpha2 protocols: a number or a range (start below end) per port. */
function protocols(ports: readonly PlannedPort[]): ClusterNetworkPolicySpecEgressProtocols[] {
  return ports.map((p) => {
    const destinationPort = p.from === p.to ? { number: p.from } : { range: { start: p.from, end: p.to } };
    return p.protocol === 'TCP' ? { tcp: { destinationPort } } : p.protocol === 'UDP' ? { udp: { destinationPort } } : { sctp: { destinationPort } };
  });
}

/** v1alpha1 ports: a portNumber or a portRange, with its protocol. */
function adminPorts(ports: readonly PlannedPort[]): AdminNetworkPolicySpecEgressPorts[] {
  return ports.map((p) =>
    p.from === p.to ? { portNumber: { protocol: p.protocol, port: p.from } } : { portRange: { protocol: p.protocol, start: p.from, end: p.to } },
  );
}

/** The pods of one app: its namespace by name, its name label. */
function appPods(user: CredentialsUser) {
  return { pods: { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: user.namespace } }, podSelector: { matchLabels: appSelector(user.app) } } };
}

/** The cluster-wide guardrail as ClusterNetworkPolicies or AdminNetworkPolicies (see the module's doc). */
export class ClusterGuardrail extends Construct {
  constructor(scope: Construct, id: string, props: ClusterGuardrailProps) {
    super(scope, id);
    // The NAT64 forms too (RFC 6052, 64:ff9b::/96): a translator on the path sends them to the
    // IPv4 address (see nat64Rules in calico.ts). 15 addresses and 8 forms with cloud 'any', so
    // one peer (25 at most) still holds them all.
    const metadata = [...metadataCidrs(props.cloud), ...metadataNat64Cidrs(props.cloud)];
    const annotations = pruneLast(SyncWave.globalPolicy);
    const names = {
      credentials: (u: CredentialsUser) => `${props.prefix}.pod-credentials.${u.namespace}.${u.app}`,
      metadata: `${props.prefix}.deny-cloud-metadata`,
      defaults: `${props.prefix}.namespace-defaults`,
    };
    const passRule = 'pass-declared-credentials-to-the-app-policy';
    const denyRule = 'deny-cloud-metadata-and-credentials';
    if (props.kind === 'ClusterNetworkPolicy') {
      for (const u of props.credentialsUsers) {
        new ClusterNetworkPolicy(this, `credentials-${u.namespace}-${u.app}`, {
          metadata: { name: names.credentials(u), annotations },
          spec: {
            tier: ClusterNetworkPolicySpecTier.ADMIN,
            priority: GuardrailPriority.credentials,
            subject: appPods(u),
            egress: [{ name: passRule, action: ClusterNetworkPolicySpecEgressAction.PASS, to: networks(u.cidrs), protocols: protocols(u.ports) }],
          },
        });
      }
      new ClusterNetworkPolicy(this, 'metadata', {
        metadata: { name: names.metadata, annotations },
        spec: {
          tier: ClusterNetworkPolicySpecTier.ADMIN,
          priority: GuardrailPriority.metadata,
          subject: { namespaces: governed },
          egress: [{ name: denyRule, action: ClusterNetworkPolicySpecEgressAction.DENY, to: networks(metadata) }],
        },
      });
      new ClusterNetworkPolicy(this, 'namespace-defaults', {
        metadata: { name: names.defaults, annotations },
        spec: {
          tier: ClusterNetworkPolicySpecTier.BASELINE,
          priority: GuardrailPriority.namespaceDefaults,
          subject: { namespaces: governed },
          egress: [
            {
              name: 'deny-egress-no-networkpolicy-allows',
              action: ClusterNetworkPolicySpecEgressAction.DENY,
              to: [{ namespaces: {} }, { networks: ['0.0.0.0/0', '::/0'] }],
            },
          ],
          ingress: [{ name: 'deny-ingress-from-pods-no-networkpolicy-allows', action: ClusterNetworkPolicySpecIngressAction.DENY, from: [{ namespaces: {} }] }],
        },
      });
      return;
    }
    for (const u of props.credentialsUsers) {
      new AdminNetworkPolicy(this, `credentials-${u.namespace}-${u.app}`, {
        metadata: { name: names.credentials(u), annotations },
        spec: {
          priority: GuardrailPriority.credentials,
          subject: appPods(u),
          egress: [{ name: passRule, action: AdminNetworkPolicySpecEgressAction.PASS, to: networks(u.cidrs), ports: adminPorts(u.ports) }],
        },
      });
    }
    new AdminNetworkPolicy(this, 'metadata', {
      metadata: { name: names.metadata, annotations },
      spec: {
        priority: GuardrailPriority.metadata,
        subject: { namespaces: governed },
        egress: [{ name: denyRule, action: AdminNetworkPolicySpecEgressAction.DENY, to: networks(metadata) }],
      },
    });
  }
}
