/**
 * Sets of addresses as sorted runs, and the way back to CIDR blocks.
 *
 * The verifier splits address space at every boundary a policy mentions, evaluates one address
 * per piece, and merges the pieces that share a verdict back into the fewest blocks a reviewer
 * has to read.
 */

import { addressBits, Cidr, IpAddress, IpVersion, lastAddress } from './ip';

/** A run of consecutive addresses of one family, both ends included. */
export interface IpRange {
  readonly version: IpVersion;
  readonly first: bigint;
  readonly last: bigint;
}

/** A block and the blocks carved out of it, as in a Kubernetes ipBlock. */
export interface CidrWithExcept {
  readonly cidr: Cidr;
  readonly except: readonly Cidr[];
}

/** The addresses of a block as a range. */
export function cidrRange(block: Cidr): IpRange {
  return { version: block.version, first: block.network, last: lastAddress(block) };
}

/** Every address of a family: 0.0.0.0/0 or ::/0. */
export function familyRange(version: IpVersion): IpRange {
  return { version, first: 0n, last: (1n << BigInt(addressBits(version))) - 1n };
}

/** True when the address lies in the range. */
export function rangeContainsIp(range: IpRange, ip: IpAddress): boolean {
  return range.version === ip.version && range.first <= ip.value && ip.value <= range.last;
}

function compareRanges(a: IpRange, b: IpRange): number {
  if (a.version !== b.version) return a.version - b.version;
  if (a.first !== b.first) return a.first < b.first ? -1 : 1;
  return a.last === b.last ? 0 : a.last < b.last ? -1 : 1;
}

/** Sorts ranges (IPv4 first) and joins those that overlap or touch. */
export function unionRanges(ranges: readonly IpRange[]): IpRange[] {
  const sorted = [...ranges].sort(compareRanges);
  const out: IpRange[] = [];
  for (const r of sorted) {
    const prev = out[out.length - 1];
    if (prev && prev.version === r.version && r.first <= prev.last + 1n) {
      if (r.last > prev.last) out[out.length - 1] = { ...prev, last: r.last };
    } else {
      out.push(r);
    }
  }
  return out;
}

/** The addresses of `from` that are not in `minus`. */
export function subtractRanges(from: readonly IpRange[], minus: readonly IpRange[]): IpRange[] {
  const cuts = unionRanges(minus);
  const out: IpRange[] = [];
  for (const r of unionRanges(from)) {
    let first = r.first;
    for (const c of cuts) {
      if (c.version !== r.version || c.last < first || c.first > r.last) continue;
      if (c.first > first) out.push({ version: r.version, first, last: c.first - 1n });
      first = c.last + 1n;
      if (first > r.last) break;
    }
    if (first <= r.last) out.push({ version: r.version, first, last: r.last });
  }
  return out;
}

/**
 * Splits a family's whole space into the pieces between the boundaries of the given ranges, so
 * that each piece lies wholly inside or wholly outside every one of them.
 */
export function partitionFamily(version: IpVersion, ranges: readonly IpRange[]): IpRange[] {
  const whole = familyRange(version);
  const starts = new Set<bigint>([0n]);
  for (const r of ranges) {
    if (r.version !== version) continue;
    starts.add(r.first);
    if (r.last < whole.last) starts.add(r.last + 1n);
  }
  const sorted = [...starts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted.map((first, i) => ({ version, first, last: i + 1 < sorted.length ? sorted[i + 1] - 1n : whole.last }));
}

/** The fewest CIDR blocks whose union is exactly the range. */
export function rangeToCidrs(range: IpRange): Cidr[] {
  const bits = addressBits(range.version);
  const out: Cidr[] = [];
  let first = range.first;
  while (first <= range.last) {
    let prefix = bits;
    while (prefix > 0) {
      const size = 1n << BigInt(bits - prefix + 1);
      if (first % size !== 0n || first + size - 1n > range.last) break;
      prefix--;
    }
    out.push({ version: range.version, network: first, prefix });
    first += 1n << BigInt(bits - prefix);
  }
  return out;
}

/** The fewest CIDR blocks whose union is exactly the union of the ranges, IPv4 first. */
export function rangesToCidrs(ranges: readonly IpRange[]): Cidr[] {
  return unionRanges(ranges).flatMap(rangeToCidrs);
}

interface Cover {
  readonly inside: Cidr[];
  readonly outside: Cidr[];
  readonly best: CidrWithExcept[];
}

const cost = (list: readonly CidrWithExcept[]): number => list.reduce((n, e) => n + 1 + e.except.length, 0);

/**
 * Writes the union of the ranges as blocks with exceptions, choosing per block whichever of
 * "list the pieces" or "the block except its holes" names fewer CIDRs in all: `0.0.0.0/0` less
 * the metadata address reads as one block with one exception instead of 32 blocks.
 */
export function compactCidrs(ranges: readonly IpRange[]): CidrWithExcept[] {
  const merged = unionRanges(ranges);
  const out: CidrWithExcept[] = [];
  for (const version of [4, 6] as const) {
    const mine = merged.filter((r) => r.version === version);
    if (mine.length > 0) out.push(...cover({ version, network: 0n, prefix: 0 }, mine).best);
  }
  return out;
}

function cover(block: Cidr, ranges: readonly IpRange[]): Cover {
  const whole = cidrRange(block);
  const inBlock = ranges.filter((r) => r.last >= whole.first && r.first <= whole.last);
  if (inBlock.length === 0) return { inside: [], outside: [block], best: [] };
  if (inBlock.length === 1 && inBlock[0].first <= whole.first && inBlock[0].last >= whole.last) {
    return { inside: [block], outside: [], best: [{ cidr: block, except: [] }] };
  }
  const childPrefix = block.prefix + 1;
  const half = 1n << BigInt(addressBits(block.version) - childPrefix);
  const left = cover({ version: block.version, network: block.network, prefix: childPrefix }, inBlock);
  const right = cover({ version: block.version, network: block.network + half, prefix: childPrefix }, inBlock);
  const inside = [...left.inside, ...right.inside];
  const outside = [...left.outside, ...right.outside];
  const split = [...left.best, ...right.best];
  const carved = [{ cidr: block, except: outside }];
  return { inside, outside, best: cost(carved) < cost(split) ? carved : split };
}
