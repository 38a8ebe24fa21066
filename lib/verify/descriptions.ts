/**
 * What a rule is for, as the manifests say it, shown beside the rule that decided: a Calico rule's
 * own `metadata.annotations` (`secure-ai-egress/description`), and for a Kubernetes NetworkPolicy,
 * whose rules have no metadata, the policy's `secure-ai-egress/rule-descriptions` annotation, a
 * line per rule (`egress[1]: model registry mirror`). This project writes both (lib/conventions
 * names them); the verifier reads them from any manifests, and shows nothing where there are none.
 */

import { DESCRIPTION_ANNOTATION, RULE_DESCRIPTIONS_ANNOTATION } from '../conventions';

/** The descriptions of a NetworkPolicy's rules, by `<direction>[<index>]`, from its annotation. */
export function kubernetesRuleDescriptions(annotations: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const text = typeof annotations === 'object' && annotations !== null ? (annotations as Record<string, unknown>)[RULE_DESCRIPTIONS_ANNOTATION] : undefined;
  if (typeof text !== 'string') return out;
  for (const line of text.split('\n')) {
    const match = /^((?:egress|ingress)\[\d+\]):\s*(.+)$/.exec(line.trim());
    if (match) out.set(match[1], match[2]);
  }
  return out;
}

/** The description of a Calico rule, from its own metadata. */
export function calicoRuleDescription(rule: unknown): string | undefined {
  const metadata = typeof rule === 'object' && rule !== null ? (rule as Record<string, unknown>).metadata : undefined;
  const annotations = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>).annotations : undefined;
  const text = typeof annotations === 'object' && annotations !== null ? (annotations as Record<string, unknown>)[DESCRIPTION_ANNOTATION] : undefined;
  return typeof text === 'string' && text.trim() !== '' ? text : undefined;
}
