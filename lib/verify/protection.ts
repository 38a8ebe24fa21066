/**
 * What keeps a workload's reach from being widened by people who may write neither its policies
 * nor its tier, read from its reach in one direction: whether its denials come before the
 * `default` tier, and whether its allows are bound to its ServiceAccount. A reach that stays the
 * same while either is lost (an app moved from the calico flavor to the kubernetes one) is
 * weaker, and the review says so.
 */

import { Cluster } from './cluster';
import { Endpoint } from './endpoints';
import { Policy, PolicyRef } from './policy';
import { DirectionReach } from './workload';

/** The protections of a workload's reach in one direction. */
export interface Protection {
  /**
   * Nothing it is denied is denied only at the default tier or after it (DirectionReach.reopenable):
   * no Kubernetes NetworkPolicy of its namespace, which the built-in `edit` role may write, can
   * allow it more.
   */
  readonly beforeDefaultTier: boolean;
  /**
   * Every rule that allows it something belongs to a policy that does not select a pod with its
   * labels running as another ServiceAccount: whoever may create pods in its namespace cannot get
   * its reach by copying its labels. False when something is allowed with no rule (no policy, or
   * the profile).
   */
  readonly boundToServiceAccount: boolean;
}

/** A ServiceAccount name no selector can name by equality: Kubernetes names never hold `~`. */
const ANOTHER_SERVICE_ACCOUNT = '~another';

const byRef = new WeakMap<Cluster, Map<string, Policy>>();

const refKey = (ref: PolicyRef) => [ref.kind, ref.namespace ?? '', ref.name].join('\u0000');

/** The enforced policy a rule of a decision belongs to. */
function policyOf(cluster: Cluster, ref: PolicyRef): Policy | undefined {
  let map = byRef.get(cluster);
  if (!map) {
    map = new Map(cluster.policies.map((p) => [refKey(p.ref), p]));
    byRef.set(cluster, map);
  }
  return map.get(refKey(ref));
}

/** The protections of a known endpoint's enforced reach in one direction (as directionReach computes it). */
export function protectionOf(cluster: Cluster, endpoint: Endpoint, reach: DirectionReach): Protection {
  const impostor = cluster.catalog.phantom(endpoint.namespace, endpoint.labels, ANOTHER_SERVICE_ACCOUNT);
  const bound = reach.allowed.every((e) => {
    if (e.decidedBy.reason !== 'rule') return false;
    const policy = policyOf(cluster, e.decidedBy.rule);
    return policy !== undefined && !policy.selects(impostor);
  });
  return { beforeDefaultTier: !reach.reopenable, boundToServiceAccount: bound };
}
