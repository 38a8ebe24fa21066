import fc from 'fast-check';
import {
  cidr,
  cidrRange,
  compactCidrs,
  formatCidr,
  intersectRanges,
  IpRange,
  parseIp,
  partitionFamily,
  rangeContainsIp,
  rangesToCidrs,
  subtractRanges,
  unionRanges,
} from '.';

const v4 = (first: bigint, last: bigint): IpRange => ({ version: 4, first, last });
const addresses = (ranges: readonly IpRange[]): Set<bigint> => {
  const out = new Set<bigint>();
  for (const r of ranges) for (let a = r.first; a <= r.last; a++) out.add(a);
  return out;
};
const small = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 40 })), { maxLength: 6 })
  .map((pairs) => pairs.map(([a, n]) => v4(BigInt(a), BigInt(Math.min(a + n, 300)))));

describe('IP range arithmetic (lib/net/ranges)', () => {
  it('turns a range into the fewest CIDR blocks and back', () => {
    expect(rangesToCidrs([v4(0n, 255n)]).map(formatCidr)).toEqual(['0.0.0.0/24']);
    expect(rangesToCidrs([v4(1n, 6n)]).map(formatCidr)).toEqual(['0.0.0.1/32', '0.0.0.2/31', '0.0.0.4/31', '0.0.0.6/32']);
  });

  it('CIDR merge round-trips: the blocks cover exactly the union of the ranges', () => {
    fc.assert(
      fc.property(small, (ranges) => {
        const blocks = rangesToCidrs(ranges);
        expect(addresses(blocks.map(cidrRange))).toEqual(addresses(ranges));
        expect(rangesToCidrs(blocks.map(cidrRange))).toEqual(blocks);
      }),
    );
  });

  it('except carves addresses out: the compact form names the same addresses', () => {
    fc.assert(
      fc.property(small, (ranges) => {
        const within = (r: IpRange): IpRange[] => (r.version === 4 ? [r] : []);
        const compact = compactCidrs(ranges.flatMap(within));
        const covered = compact.flatMap(({ cidr: c, except }) => subtractRanges([cidrRange(c)], except.map(cidrRange)));
        expect(unionRanges(covered)).toEqual(unionRanges(ranges));
      }),
    );
  });

  it('intersects exactly: the addresses in both', () => {
    fc.assert(
      fc.property(small, small, (a, b) => {
        const inB = addresses(b);
        expect(addresses(intersectRanges(a, b))).toEqual(new Set([...addresses(a)].filter((x) => inB.has(x))));
      }),
    );
  });

  it('writes all of IPv4 but one address as 0.0.0.0/0 except that address', () => {
    const metadata = cidrRange(cidr('169.254.169.254/32'));
    const rest = subtractRanges([cidrRange(cidr('0.0.0.0/0'))], [metadata]);
    expect(compactCidrs(rest).map((e) => [formatCidr(e.cidr), e.except.map(formatCidr)])).toEqual([['0.0.0.0/0', ['169.254.169.254/32']]]);
  });

  it('partitions a family at every boundary so each piece is wholly in or out of each range', () => {
    const a = cidrRange(cidr('10.0.0.0/8'));
    const b = cidrRange(cidr('10.1.0.0/16'));
    const pieces = partitionFamily(4, [a, b]);
    expect(pieces[0].first).toBe(0n);
    expect(pieces[pieces.length - 1].last).toBe((1n << 32n) - 1n);
    for (const p of pieces) for (const r of [a, b]) expect(p.last < r.first || p.first > r.last || (p.first >= r.first && p.last <= r.last)).toBe(true);
    expect(pieces).toHaveLength(5);
  });

  it('holds an address in a range from its first to its last address, both included, of its own version only', () => {
    const range = cidrRange(cidr('10.0.0.0/30'));
    const holds = (address: string) => rangeContainsIp(range, parseIp(address)!);
    expect(['10.0.0.0', '10.0.0.1', '10.0.0.3'].map(holds)).toEqual([true, true, true]);
    expect(['9.255.255.255', '10.0.0.4', '::a00:0', '::a00:1'].map(holds)).toEqual([false, false, false, false]);
  });
});
