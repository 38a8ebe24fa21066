/**
 * What a rule is for, as the manifests say it, shown beside the rule that decided: a Calico rule's
 * own `metadata.annotations` (`secure-ai-egress/description`), and for a Kubernetes NetworkPolicy,
 * whose rules have no metadata, the policy's `secure-ai-egress/rule-descriptions` annotation, a
 * line per rule (`egress[1]: model registry mirror`). This project writes both (lib/conventions
 * names them, and its rule-descriptions.ts is the one codec of the second); the verifier reads them
 * from any manifests, and shows nothing where there are none.
 */

import { DESCRIPTION_ANNOTATION, ruleDescriptionsOf } from '../conventions';
import type { Direction } from './policy';

/** What each rule of a NetworkPolicy is for, by its direction and index, from the policy's annotation (read by lib/conventions' codec). */
export function kubernetesRuleDescriptions(annotations: unknown): (direction: Direction, index: number) => string | undefined {
  const described = ruleDescriptionsOf(annotations);
  return (direction, index) => described.find((d) => d.direction === direction && d.index === index)?.description;
}

/** The description of a Calico rule, from its own metadata. */
export function calicoRuleDescription(rule: unknown): string | undefined {
  const metadata = typeof rule === 'object' && rule !== null ? (rule as Record<string, unknown>).metadata : undefined;
  const annotations = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>).annotations : undefined;
  const text = typeof annotations === 'object' && annotations !== null ? (annotations as Record<string, unknown>)[DESCRIPTION_ANNOTATION] : undefined;
  return typeof text === 'string' && text.trim() !== '' ? text : undefined;
}
