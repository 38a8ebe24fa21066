/**
 * The published address ranges of the major clouds and CDNs: addresses that any of their
 * customers may hold, or that front many tenants at once (an object store's endpoints, a CDN's
 * edges). A destination declared by address inside one of them is not "our mirror" but whatever
 * the provider routes there today: an attacker's bucket sits on the same addresses as yours. The
 * intent asks a written reason for such a destination (lib/intent, `shared`), and proposes the
 * hostname proxy or a private endpoint instead.
 *
 * The data (`shared-ranges.json`) is written by `npm run refresh-ranges` (scripts/refresh-ranges.ts)
 * from each provider's official list, each source with the date it was retrieved; it is never
 * edited by hand. Until refreshed it holds no source.
 */
import data from './shared-ranges.json';
import { Cidr, cidr, cidrContains, formatCidr } from './ip';

/** One provider's published list, as retrieved. */
export interface SharedRangeSource {
  /** `aws`, `gcp`, `azure`, `oracle`, `cloudflare`, `fastly`, ... */
  readonly provider: string;
  /** What the list is, in a few words. */
  readonly what: string;
  /** The official URL it was downloaded from. */
  readonly url: string;
  /** When: an ISO date. */
  readonly retrieved: string;
  /** The ranges, merged into the fewest blocks. */
  readonly cidrs: readonly string[];
}

/** The published lists this repository holds (none until `npm run refresh-ranges` ran). */
export const SHARED_RANGE_SOURCES: readonly SharedRangeSource[] = data.sources;

/** Where a block lies inside a published shared range: the source, and the published block that holds it. */
export interface SharedRangeHit {
  readonly source: SharedRangeSource;
  readonly range: string;
}

/** The published range (of `sources`) that holds the block, if any; a block that only contains one is not inside it. */
export function sharedRangeOf(block: Cidr, sources: readonly SharedRangeSource[] = SHARED_RANGE_SOURCES): SharedRangeHit | undefined {
  for (const source of sources) {
    for (const text of source.cidrs) {
      const range = cidr(text);
      if (cidrContains(range, block)) return { source, range: formatCidr(range) };
    }
  }
  return undefined;
}
