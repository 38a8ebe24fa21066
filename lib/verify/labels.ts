/**
 * Labels as the selectors see them, and the common face of Kubernetes label selectors and
 * Calico selector expressions.
 */

/** A label set. A Map, so that keys such as `constructor` are just keys. */
export type Labels = ReadonlyMap<string, string>;

/** Something that decides whether a label set matches, and can suggest label sets that do. */
export interface LabelMatcher {
  /** True when the labels match. */
  test(labels: Labels): boolean;
  /** A label that every match carries with one of these values, for index look-ups. */
  readonly hint?: LabelHint;
  /** Identifies what it matches: two matchers with one key match alike (for remembering results). */
  readonly key: string;
  /** Small label sets that match, one per way of matching, for synthesizing representative pods. */
  witnesses(): Labels[];
}

/** A key that every matching label set carries, with one of the listed values. */
export interface LabelHint {
  readonly key: string;
  readonly values: readonly string[];
}

/** Placeholder value of a label whose presence, not value, is what a selector asks for. */
export const ANY_VALUE = '*';

/**
 * The limits the API server puts on labels (k8s.io/apimachinery `pkg/util/validation`
 * IsQualifiedName, IsValidLabelValue, IsDNS1123Subdomain): a key is a name of at most 63
 * characters (alphanumerics, `-`, `_`, `.`, beginning and ending alphanumeric), optionally after
 * a prefix and `/` that is a DNS subdomain of at most 253 characters; a value is empty or such a
 * name, at most 63 characters. Objects that break them never exist in a cluster, so the verifier
 * refuses them rather than let a selector match a label no pod can carry.
 */
export const LABEL_LIMITS = { name: 63, prefix: 253, value: 63 } as const;

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** What is wrong with a label key, or undefined when the API server accepts it. */
export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'has more than one "/"; accepted: an optional DNS subdomain prefix and "/", then a name';
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined) {
    if (prefix === '') return 'has an empty prefix before "/"';
    if (prefix.length > LABEL_LIMITS.prefix) return `has a prefix of ${prefix.length} characters; accepted: at most ${LABEL_LIMITS.prefix}`;
    if (!DNS1123_SUBDOMAIN.test(prefix)) return `has the prefix ${JSON.stringify(prefix)}, which is not a DNS subdomain (lowercase alphanumerics, "-" and ".")`;
  }
  if (name === '') return 'has an empty name';
  if (name.length > LABEL_LIMITS.name) return `has a name part of ${name.length} characters; accepted: at most ${LABEL_LIMITS.name}`;
  if (!QUALIFIED_NAME.test(name)) return 'has a name part that is not alphanumerics, "-", "_" and ".", beginning and ending alphanumeric';
  return undefined;
}

/** What is wrong with a label value, or undefined when the API server accepts it. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > LABEL_LIMITS.value) return `is ${value.length} characters long; accepted: at most ${LABEL_LIMITS.value}`;
  if (value !== '' && !QUALIFIED_NAME.test(value)) return 'is not empty or alphanumerics, "-", "_" and ".", beginning and ending alphanumeric';
  return undefined;
}

/** Labels as a plain object with sorted keys, for output. */
export function labelsToObject(labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...labels.keys()].sort()) out[k] = labels.get(k)!;
  return out;
}

/** Joins two witnesses; undefined when they disagree on a value. */
function mergeLabels(a: Labels, b: Labels): Labels | undefined {
  const out = new Map(a);
  for (const [k, v] of b) {
    const mine = out.get(k);
    if (mine === undefined || mine === ANY_VALUE) out.set(k, v);
    else if (v !== ANY_VALUE && v !== mine) return undefined;
  }
  return out;
}

/** Every combination of one witness from each list, without contradictions, at most `limit`. */
export function crossWitnesses(lists: readonly (readonly Labels[])[], limit = 16): Labels[] {
  let acc: Labels[] = [new Map()];
  for (const list of lists) {
    const next: Labels[] = [];
    for (const a of acc) {
      for (const b of list) {
        const m = mergeLabels(a, b);
        if (m && next.length < limit) next.push(m);
      }
    }
    acc = next;
  }
  return acc;
}

/** A stable text key for a label set. */
export function labelsKey(labels: Labels): string {
  return JSON.stringify(labelsToObject(labels));
}
