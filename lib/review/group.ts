/** Grouping the review's rows: by a key, and decisions by what they are (graph.ts, readers.ts, the formatters). */
import { DecidedBy, decisionKey } from '../verify';

/** The distinct decisions of some edges, in order of first appearance. */
export function distinctDecisions(list: readonly DecidedBy[]): DecidedBy[] {
  return [...new Map(list.map((d) => [decisionKey(d), d])).values()];
}

/** Groups items by a key, keeping their order. */
export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
