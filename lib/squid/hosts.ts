/**
 * Host names as Squid's destination ACLs match them, and the sets of names they stand for.
 */

/**
 * A set of names: one `exact` name; every name exactly one `label` below `parent` (what
 * `*.hf.co` means in the intent: `cdn.hf.co`, not `hf.co`, not `a.b.hf.co`); every name `deep`,
 * two labels or more, below `parent`; or a `subtree`, `parent` and every name below it (what
 * Squid's `dstdomain .hf.co` means).
 */
export type HostPattern =
  | { readonly kind: 'exact'; readonly name: string }
  | { readonly kind: 'label'; readonly parent: string }
  | { readonly kind: 'deep'; readonly parent: string }
  | { readonly kind: 'subtree'; readonly parent: string };

/** The pattern as written in the intent and in reports: `api.openai.com`, `*.hf.co`, `*.*.hf.co` (two labels or more), `.hf.co` (and hf.co). */
export function formatHostPattern(p: HostPattern): string {
  switch (p.kind) {
    case 'exact':
      return p.name;
    case 'label':
      return `*.${p.parent}`;
    case 'deep':
      return `*.*.${p.parent}`;
    case 'subtree':
      return `.${p.parent}`;
  }
}

/** The pattern a text of formatHostPattern (or of the intent: `api.openai.com`, `*.hf.co`) stands for; lower-cased, without a trailing dot. */
export function parseHostPattern(text: string): HostPattern {
  const name = text.toLowerCase().replace(/\.$/, '');
  if (name.startsWith('*.*.')) return { kind: 'deep', parent: name.slice(4) };
  if (name.startsWith('*.')) return { kind: 'label', parent: name.slice(2) };
  if (name.startsWith('.')) return { kind: 'subtree', parent: name.slice(1) };
  return { kind: 'exact', name };
}

/** The name one label up: `hf.co` for `cdn.hf.co`; undefined for a single label. */
function parentOf(name: string): string | undefined {
  const dot = name.indexOf('.');
  return dot < 0 ? undefined : name.slice(dot + 1);
}

/** `name` lies strictly below `parent`. */
const below = (name: string, parent: string) => name.endsWith(`.${parent}`);

/** Whether a concrete name (lower case, no trailing dot) is in the set. */
export function hostMatches(p: HostPattern, name: string): boolean {
  switch (p.kind) {
    case 'exact':
      return name === p.name;
    case 'label':
      return parentOf(name) === p.parent;
    case 'deep':
      return below(name, p.parent) && parentOf(name) !== p.parent;
    case 'subtree':
      return name === p.parent || below(name, p.parent);
  }
}

/** Whether every name of `inner` is a name of `outer`. */
export function hostCovers(outer: HostPattern, inner: HostPattern): boolean {
  switch (inner.kind) {
    case 'exact':
      return hostMatches(outer, inner.name);
    case 'label':
      // Every name one label below inner.parent: outer holds them all if it holds a fresh one of them.
      return outer.kind !== 'exact' && hostMatches(outer, `*.${inner.parent}`);
    case 'deep':
      return (outer.kind === 'deep' || outer.kind === 'subtree') && (outer.parent === inner.parent || below(inner.parent, outer.parent));
    case 'subtree':
      return outer.kind === 'subtree'
        ? inner.parent === outer.parent || below(inner.parent, outer.parent)
        : outer.kind === 'deep' && below(inner.parent, outer.parent) && parentOf(inner.parent) !== outer.parent;
  }
}

/** Orders patterns by their name read from the top-level label down, then exact before wider. */
export function compareHostPatterns(a: HostPattern, b: HostPattern): number {
  const key = (p: HostPattern) => `${(p.kind === 'exact' ? p.name : p.parent).split('.').reverse().join('.')}\u0000${KINDS.indexOf(p.kind)}`;
  const x = key(a);
  const y = key(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const KINDS: readonly HostPattern['kind'][] = ['exact', 'label', 'deep', 'subtree'];
