/**
 * What the review says about a workload as a whole, read from its egress report.
 */

import { WorkloadEgress } from '../verify';

/**
 * `calico` when an Allow rule of a Calico policy outside the default tier decides some of the
 * workload's egress, `kubernetes` otherwise. Staged policies decide nothing, so they do not count.
 */
export function flavorOf(w: WorkloadEgress): string {
  const calico = [...w.allowed, ...w.denied].some((e) => {
    const d = e.decidedBy;
    return d.reason === 'rule' && d.action === 'Allow' && d.rule.tier !== 'default' && d.rule.kind !== 'KubernetesNetworkPolicy';
  });
  return calico ? 'calico' : 'kubernetes';
}
