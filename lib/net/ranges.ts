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
function familyRange(version: IpVersion): IpRange {
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

/** The addresses that lie in both `a` and `b`. */
export function intersectRanges(a: readonly IpRange[], b: readonly IpRange[]): IpRange[] {
  return subtractRanges(a, subtractRanges(a, b));
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

/** Number of bits needed to write a positive value. */
function bitLength(value: bigint): number {
  const hex = value.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0], 16)));
}

/** The fewest CIDR blocks whose union is exactly the range. */
export function rangeToCidrs(range: IpRange): Cidr[] {
  const bits = addressBits(range.version);
  const out: Cidr[] = [];
  let first = range.first;
  while (first <= range.last) {
    // The largest block that starts here (alignment) and still fits in the range.
    let size = first === 0n ? 1n << BigInt(bits) : first & -first;
    const room = range.last - first + 1n;
    while (size > room) size >>= 1n;
    out.push({ version: range.version, network: first, prefix: bits - bitLength(size) + 1 });
    first += size;
  }
  return out;
}

/** The fewest CIDR blocks whose union is exactly the union of the ranges, IPv4 first. */
export function rangesToCidrs(ranges: readonly IpRange[]): Cidr[] {
  return unionRanges(ranges).flatMap(rangeToCidrs);
}

/** How a block is best written: as itself, not at all, as itself less its holes, as its two halves, or as a smaller block inside it. */
interface Choice {
  readonly network: bigint;
  readonly prefix: number;
  /** CIDRs needed to name the addresses of the block that are not in the set. */
  readonly holes: number;
  /** CIDRs (blocks plus exceptions) the best writing names. */
  readonly cost: number;
  readonly kind: 'full' | 'empty' | 'carve' | 'split' | 'within';
  readonly parts?: readonly Choice[];
}

const EMPTY_CHOICE = (network: bigint, prefix: number): Choice => ({ network, prefix, holes: 1, cost: 0, kind: 'empty' });

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
    if (mine.length === 0) continue;
    // A block with exceptions names at least two CIDRs, so it cannot beat one plain block.
    const single = mine.length === 1 ? rangeToCidrs(mine[0]) : [];
    if (single.length === 1) out.push({ cidr: single[0], except: [] });
    else out.push(...chosen(version, mine));
  }
  return out;
}

/**
 * What `choose` and `write` make of one family's merged ranges, by the ranges, for the last
 * inputs seen: the verifier's listings ask again and again for the same sets (each workload's
 * catch-all Deny leaves the same complement), and choosing is thousands of BigInt steps for an
 * IPv6 set with a few dozen holes; building the key is a few. Started again once its keys pass
 * CHOSEN_LIMIT characters, so that it never grows with the input. What it holds is never changed
 * (readonly).
 */
const chosenByRanges = new Map<string, readonly CidrWithExcept[]>();
const CHOSEN_LIMIT = 1 << 20;
let chosenKeyChars = 0;

function chosen(version: IpVersion, ranges: readonly IpRange[]): readonly CidrWithExcept[] {
  const key = ranges.map((r) => `${r.first.toString(36)}-${r.last.toString(36)}`).join(',') + `/${version}`;
  let found = chosenByRanges.get(key);
  if (found === undefined) {
    const out: CidrWithExcept[] = [];
    write(version, choose(addressBits(version), 0n, 0, ranges, 0, ranges.length), ranges, out);
    if (chosenKeyChars + key.length > CHOSEN_LIMIT) {
      chosenByRanges.clear();
      chosenKeyChars = 0;
    }
    chosenByRanges.set(key, out);
    chosenKeyChars += key.length;
    found = out;
  }
  return found;
}

/**
 * Chooses how to write block `network/prefix`. `ranges` are sorted and disjoint, and
 * `ranges[lo..hi)` are exactly those that meet the block.
 */
function choose(bits: number, network: bigint, prefix: number, ranges: readonly IpRange[], lo: number, hi: number): Choice {
  if (lo === hi) return EMPTY_CHOICE(network, prefix);
  const last = network + (1n << BigInt(bits - prefix)) - 1n;
  const low = ranges[lo].first > network ? ranges[lo].first : network;
  const high = ranges[hi - 1].last < last ? ranges[hi - 1].last : last;
  if (hi - lo === 1 && low === network && high === last) return { network, prefix, holes: 0, cost: 1, kind: 'full' };
  // When the set lies in one half, carving here never pays: go straight to the smallest block holding it.
  const free = low === high ? 0 : bitLength(low ^ high);
  if (bits - free > prefix) {
    const inner = choose(bits, low & ~((1n << BigInt(free)) - 1n), bits - free, ranges, lo, hi);
    return { network, prefix, holes: inner.holes + bits - free - prefix, cost: inner.cost, kind: 'within', parts: [inner] };
  }
  const mid = network + (1n << BigInt(bits - prefix - 1));
  let split = lo;
  while (split < hi && ranges[split].last < mid) split++;
  const leftEnd = split < hi && ranges[split].first < mid ? split + 1 : split;
  const left = choose(bits, network, prefix + 1, ranges, lo, leftEnd);
  const right = choose(bits, mid, prefix + 1, ranges, split, hi);
  const holes = left.holes + right.holes;
  const plain = left.cost + right.cost;
  const carve = 1 + holes;
  return { network, prefix, holes, cost: Math.min(plain, carve), kind: carve < plain ? 'carve' : 'split', parts: [left, right] };
}

function write(version: IpVersion, choice: Choice, ranges: readonly IpRange[], out: CidrWithExcept[]): void {
  const cidr: Cidr = { version, network: choice.network, prefix: choice.prefix };
  switch (choice.kind) {
    case 'full':
      out.push({ cidr, except: [] });
      return;
    case 'carve':
      out.push({ cidr, except: rangesToCidrs(subtractRanges([cidrRange(cidr)], ranges)) });
      return;
    case 'split':
    case 'within':
      for (const part of choice.parts!) write(version, part, ranges, out);
      return;
    case 'empty':
      return;
  }
}
