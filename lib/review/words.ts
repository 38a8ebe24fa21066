/**
 * How the review outputs (`verify diff`, the Markdown and HTML reports, `verify migrate`) word
 * the verifier's values where they differ from the verifier's own listings (lib/verify's
 * words.ts, whose other wordings they share): a Kubernetes NetworkPolicy named with its API group,
 * a rule after its policy, a class of pods by the labels of its namespaces, and what decided when
 * no rule did, as a reviewer reads it.
 */
import {
  ANY_NAMESPACE,
  DecidedBy,
  describeDestination,
  describeLabels,
  describePolicy,
  describeRuleNumber,
  describeTierOf,
  Destination,
  PolicyKind,
  PolicyRef,
  RuleId,
} from '../verify';

/** `NetworkPolicy (networking.k8s.io)`; Calico and network-policy-api kinds as they are. */
function reviewKind(kind: PolicyKind): string {
  return kind === 'KubernetesNetworkPolicy' ? 'NetworkPolicy (networking.k8s.io)' : kind;
}

/** A destination as the verifier words it, but a class of pods in any namespace: `pods namespaces {team=ml} {app=x}`. */
export function reviewDestination(d: Destination): string {
  if (d.type === 'pods' && !d.endpoint && d.namespace === ANY_NAMESPACE && (d.namespaceLabels || Object.keys(d.labels).length > 0)) {
    const labels = `{${describeLabels(d.labels, ',')}}`;
    return `pods ${d.namespaceLabels ? `namespaces {${describeLabels(d.namespaceLabels, ',')}}` : ANY_NAMESPACE} ${labels}`;
  }
  return describeDestination(d);
}

/** A rule after its policy: `NetworkPolicy (networking.k8s.io) ai/p rule 3 (tier default)`, and what it is for when its policy says. */
export function reviewRule(rule: RuleId): string {
  const what = rule.description ? `: ${rule.description}` : '';
  return `${reviewKind(rule.kind)} ${describePolicy(rule)} rule ${describeRuleNumber(rule)} (${describeTierOf(rule)})${what}`;
}

/** What decided a reach entry: the rule (see reviewRule), the profile, or no policy, with what that allows. */
export function reviewDecision(d: DecidedBy): string {
  if (d.reason === 'rule') return reviewRule(d.rule);
  return d.reason === 'profile' ? `every tier passed (${d.tier}): allowed by the profile` : `no ${d.direction} policy selects it (allowed by default)`;
}

/** A policy with its kind and tier: `NetworkPolicy (networking.k8s.io) ai/p (tier default)`. */
export function reviewPolicyRef(ref: PolicyRef): string {
  return `${reviewKind(ref.kind)} ${describePolicy(ref)} (${describeTierOf(ref)})`;
}
