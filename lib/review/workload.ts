/**
 * What the review says about a workload as a whole, read from its reach.
 */

import { DecidedBy } from '../verify';
import { isCalicoPolicyKind } from '../k8s';
import { Flavor } from '../conventions';

/** Any view of a workload's reach: egress or ingress, enforced or once staged policies are enforced. */
interface Decided {
  readonly allowed: readonly { readonly decidedBy: DecidedBy }[];
  readonly denied: readonly { readonly decidedBy: DecidedBy }[];
}

/**
 * `calico` when an Allow rule of a Calico policy (not a Kubernetes or network-policy-api one) outside the default tier decides some of the
 * workload's reach in one of the given views, `kubernetes` otherwise. Pass the staged view too:
 * a calico app in audit mode is decided only by its staged Calico policy, which enforces nothing
 * yet, and is still a calico app.
 */
export function flavorOf(views: readonly Decided[]): Flavor {
  const calico = views.some((v) =>
    [...v.allowed, ...v.denied].some((e) => {
      const d = e.decidedBy;
      return d.reason === 'rule' && d.action === 'Allow' && d.rule.tier !== 'default' && isCalicoPolicyKind(d.rule.kind);
    }),
  );
  return calico ? 'calico' : 'kubernetes';
}
