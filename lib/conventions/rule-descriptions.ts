/**
 * The rule-descriptions annotation: what each rule of a Kubernetes NetworkPolicy is for, since
 * its rules have no metadata of their own (a Calico rule keeps its description in its own
 * `metadata.annotations`, `DESCRIPTION_ANNOTATION`, as plain text). The kubernetes renderer
 * writes it (lib/policy); the verifier reads it from any manifests and shows it beside the rule
 * that decided (lib/verify). This module is the one that writes and reads its text.
 *
 * One line per described rule: the rule's direction and index, `: `, and what it is for.
 *
 *     egress[1]: model registry mirror
 *     egress[3]: DNS (kube-dns)
 */
import { DOMAIN } from './domain';

/** Annotation of a Kubernetes NetworkPolicy that says what each of its rules is for. */
export const RULE_DESCRIPTIONS_ANNOTATION = `${DOMAIN}/rule-descriptions`;

/** What one rule of a NetworkPolicy is for: the rule by its list (`egress`, `ingress`) and its index there. */
export interface RuleDescription {
  readonly direction: 'egress' | 'ingress';
  readonly index: number;
  readonly description: string;
}

/** A description as one line holds it: each run of white space (line breaks too) one space, none at either end. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The text of the annotation: a line per rule, in the order given; a description is written on
 * one line (see oneLine), and one that is empty there is left out.
 */
export function formatRuleDescriptions(descriptions: readonly RuleDescription[]): string {
  return descriptions
    .map((d) => ({ ...d, description: oneLine(d.description) }))
    .filter((d) => d.description !== '')
    .map((d) => `${d.direction}[${d.index}]: ${d.description}`)
    .join('\n');
}

const LINE = /^(egress|ingress)\[(\d+)\]:\s*(.+)$/;

/** The descriptions an annotation's text holds; a line of another form says nothing, and text that is not a string holds none. */
function parseRuleDescriptions(text: unknown): RuleDescription[] {
  if (typeof text !== 'string') return [];
  return text.split('\n').flatMap((line) => {
    const match = LINE.exec(oneLine(line));
    return match ? [{ direction: match[1] as RuleDescription['direction'], index: Number(match[2]), description: match[3] }] : [];
  });
}

/** The rule descriptions an object's `metadata.annotations` give (none when they give none). */
export function ruleDescriptionsOf(annotations: unknown): RuleDescription[] {
  const text = typeof annotations === 'object' && annotations !== null ? (annotations as Record<string, unknown>)[RULE_DESCRIPTIONS_ANNOTATION] : undefined;
  return parseRuleDescriptions(text);
}
