/**
 * How the reports (Markdown and HTML) write the values of the reach graph: an edge's protocols
 * and ports, what decided it, when it holds, and a workload's audit mode. The graph holds values
 * only; these are its words, used by both reports.
 */

import { describeProtocolPorts, PolicyRef, RuleId } from '../verify';
import { reviewDecision, reviewPolicyRef } from './words';
import { ReachEdge, viewOf, WorkloadNode } from './graph';
import { distinctDecisions } from './group';

/** `TCP 443, UDP 53`, or `4 flows` for an edge that stands for several. */
export function describeFlows(e: ReachEdge): string {
  const count = e.count ?? 1;
  return count > 1 ? `${count} flows` : describeProtocolPorts(e.flows);
}

/**
 * What decided an edge: the rule; the rules of one policy (`GlobalNetworkPolicy g (tier t) rules
 * 1, 3, 5`); or `several rules (see the table)`.
 */
export function describeDecisions(e: ReachEdge): string {
  const list = distinctDecisions(e.decisions);
  if (list.length === 1) return reviewDecision(list[0]);
  const rules = list.flatMap((d) => (d.reason === 'rule' ? [d.rule] : []));
  const first = rules[0];
  const samePolicy = (r: RuleId) => r.kind === first.kind && r.tier === first.tier && r.namespace === first.namespace && r.name === first.name;
  if (rules.length === list.length && rules.every(samePolicy))
    return `${reviewPolicyRef(first)} rules ${rules
      .map((r) => r.index)
      .sort((a, b) => a - b)
      .join(', ')}`;
  return 'several rules (see the table)';
}

/** When an edge holds: `today`, or `once the staged policies are enforced`. */
export function describeWhen(e: ReachEdge): string {
  return viewOf(e) === 'enforced' ? 'today' : 'once the staged policies are enforced';
}

/** An edge's verdict in words, with when it holds: `allowed`, `denied`, `allowed once the staged policies are enforced`. */
export function describeVerdict(e: ReachEdge): string {
  const verdict = e.verdict === 'allow' ? 'allowed' : 'denied';
  return viewOf(e) === 'enforced' ? verdict : `${verdict} ${describeWhen(e)}`;
}

/** True when staged policies concern the workload's egress: it is in audit mode. */
export function inAuditMode(w: WorkloadNode): boolean {
  return (w.staged?.length ?? 0) > 0;
}

function policies(list: readonly PolicyRef[]): string {
  return list.map((p) => reviewPolicyRef(p)).join(', ');
}

/**
 * What a report says of an audited workload: which policies are staged, what is enforced today,
 * and what enforcing would do. Undefined for a workload that is not audited.
 */
export function describeAudit(w: WorkloadNode): string | undefined {
  if (!inAuditMode(w)) return undefined;
  const enforced = w.enforced ?? [];
  const today = enforced.length
    ? `Enforced today: ${policies(enforced)}; whatever they do not decide is allowed.`
    : 'Enforced today: no egress policy, so it may send anywhere.';
  return `Audit mode: ${policies(w.staged ?? [])} ${(w.staged ?? []).length === 1 ? 'is' : 'are'} staged, not enforced. ${today} Flows marked "once the staged policies are enforced" are what it would reach then; the staged policies would deny everything else.`;
}
