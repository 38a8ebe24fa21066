/**
 * Labels as the selectors see them, and the common face of Kubernetes label selectors and
 * Calico selector expressions.
 */

/** A label set. A Map, so that keys such as `constructor` are just keys. */
export type LabelMap = ReadonlyMap<string, string>;

/** Something that decides whether a label set matches, and can suggest label sets that do. */
export interface LabelMatcher {
  /** True when the labels match. */
  test(labels: LabelMap): boolean;
  /** A label that every match carries with one of these values, for index look-ups. */
  readonly hint?: LabelHint;
  /** Identifies what it matches: two matchers with one key match alike (for remembering results). */
  readonly key: string;
  /** Small label sets that match, one per way of matching, for synthesizing representative pods. */
  witnesses(): LabelMap[];
}

/** A key that every matching label set carries, with one of the listed values. */
export interface LabelHint {
  readonly key: string;
  readonly values: readonly string[];
}

/** Placeholder value of a label whose presence, not value, is what a selector asks for. */
export const ANY_VALUE = '*';

/** Labels as a plain object with sorted keys, for output. */
export function labelsToObject(labels: LabelMap): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...labels.keys()].sort()) out[k] = labels.get(k)!;
  return out;
}

/** Joins two witnesses; undefined when they disagree on a value. */
function mergeLabels(a: LabelMap, b: LabelMap): LabelMap | undefined {
  const out = new Map(a);
  for (const [k, v] of b) {
    const mine = out.get(k);
    if (mine === undefined || mine === ANY_VALUE) out.set(k, v);
    else if (v !== ANY_VALUE && v !== mine) return undefined;
  }
  return out;
}

/** Every combination of one witness from each list, without contradictions, at most `limit`. */
export function crossWitnesses(lists: readonly (readonly LabelMap[])[], limit = 16): LabelMap[] {
  let acc: LabelMap[] = [new Map()];
  for (const list of lists) {
    const next: LabelMap[] = [];
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
export function labelsKey(labels: LabelMap): string {
  return JSON.stringify(labelsToObject(labels));
}
