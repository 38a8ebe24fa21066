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
const v6 = (first: bigint, last: bigint): IpRange => ({ version: 6, first, last });
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

  it('joins ranges of one version only, IPv4 first, however the versions are interleaved', () => {
    expect(unionRanges([v6(0n, 10n), v4(5n, 20n), v6(11n, 30n), v4(21n, 25n)])).toEqual([v4(5n, 25n), v6(0n, 30n)]);
    expect(unionRanges([v6(0n, 0n), v4(0n, 0n)])).toEqual([v4(0n, 0n), v6(0n, 0n)]);
  });

  it('subtracts only what lies inside, and only addresses of the same version', () => {
    expect(subtractRanges([v4(20n, 30n)], [v4(0n, 2n), v4(25n, 26n), v4(40n, 50n)])).toEqual([v4(20n, 24n), v4(27n, 30n)]);
    expect(subtractRanges([v4(5n, 10n), v4(20n, 30n)], [v4(0n, 2n)])).toEqual([v4(5n, 10n), v4(20n, 30n)]);
    const all4 = cidrRange(cidr('0.0.0.0/0'));
    expect(subtractRanges([all4], [cidrRange(cidr('::/0'))])).toEqual([all4]);
    expect(subtractRanges([all4, cidrRange(cidr('::/0'))], [all4])).toEqual([cidrRange(cidr('::/0'))]);
  });

  it('partitions one version without the boundaries of the other, and with none past its last address', () => {
    const whole4 = cidrRange(cidr('0.0.0.0/0'));
    expect(partitionFamily(4, [cidrRange(cidr('2001:db8::/32'))])).toEqual([whole4]);
    expect(partitionFamily(4, [cidrRange(cidr('255.255.255.0/24'))])).toEqual([v4(0n, whole4.last - 256n), v4(whole4.last - 255n, whole4.last)]);
    // Boundaries given in any order come out in address order, each piece starting where the last ended.
    const many = Array.from({ length: 40 }, (_, i) => v4(BigInt(1000 - i * 20), BigInt(1000 - i * 20 + 4)));
    const pieces = partitionFamily(4, many);
    expect(pieces).toHaveLength(81);
    pieces.forEach((p, i) => expect(p.first).toBe(i === 0 ? 0n : pieces[i - 1].last + 1n));
  });

  it('holds an address in a range from its first to its last address, both included, of its own version only', () => {
    const range = cidrRange(cidr('10.0.0.0/30'));
    const holds = (address: string) => rangeContainsIp(range, parseIp(address)!);
    expect(['10.0.0.0', '10.0.0.1', '10.0.0.3'].map(holds)).toEqual([true, true, true]);
    expect(['9.255.255.255', '10.0.0.4', '::a00:0', '::a00:1'].map(holds)).toEqual([false, false, false, false]);
  });
});

// compactCidrs writes a set of addresses as blocks with exceptions, block by block the writing
// that names the fewest CIDRs: the set exactly (never a wider one), of each version, and no longer
// than needed.
describe('the compact writing of a set of addresses', () => {
  const r = (text: string) => cidrRange(cidr(text));
  const written = (ranges: readonly IpRange[]) => compactCidrs(ranges).map((e) => [formatCidr(e.cidr), e.except.map(formatCidr)]);
  const anyRange = fc
    .tuple(fc.constantFrom(4 as const, 6 as const), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }))
    .map(([version, a, b]): IpRange => {
      const top = (1n << (version === 4 ? 32n : 128n)) - 1n;
      const [x, y] = [a & top, b & top];
      return { version, first: x < y ? x : y, last: x < y ? y : x };
    });

  it('names exactly the addresses of the set, of both versions, however wide its ranges', () => {
    fc.assert(
      fc.property(fc.array(anyRange, { maxLength: 6 }), (ranges) => {
        const covered = compactCidrs(ranges).flatMap(({ cidr: c, except }) => subtractRanges([cidrRange(c)], except.map(cidrRange)));
        expect(unionRanges(covered)).toEqual(unionRanges(ranges));
      }),
    );
  });

  it('writes blocks far apart as themselves, not as a wide block less what lies between', () => {
    expect(written([r('10.0.0.0/8'), r('200.0.0.0/8')])).toEqual([
      ['10.0.0.0/8', []],
      ['200.0.0.0/8', []],
    ]);
    expect(written([r('2001:db8::/48'), r('2001:db8:1::/48'), r('10.0.0.0/8')])).toEqual([
      ['10.0.0.0/8', []],
      ['2001:db8::/47', []],
    ]);
  });

  it('carves a hole out of the block around it when that names fewer CIDRs, in each version', () => {
    expect(written(subtractRanges([r('0.0.0.0/0')], [r('96.0.0.0/3')]))).toEqual([['0.0.0.0/0', ['96.0.0.0/3']]]);
    expect(written([...subtractRanges([r('::/0')], [r('fd00:ec2::254/128')]), ...subtractRanges([r('0.0.0.0/0')], [r('169.254.169.254/32')])])).toEqual([
      ['0.0.0.0/0', ['169.254.169.254/32']],
      ['::/0', ['fd00:ec2::254/128']],
    ]);
  });

  it('carves only the half that has the hole when the other half is a block apart', () => {
    expect(written([...subtractRanges([r('0.0.0.0/1')], [r('10.0.0.1/32')]), r('200.0.0.0/8')])).toEqual([
      ['0.0.0.0/1', ['10.0.0.1/32']],
      ['200.0.0.0/8', []],
    ]);
  });

  it('lists the blocks rather than carving when both name as many CIDRs', () => {
    // 0.0.0.0/1 except 10.0.0.0/8, and 128.0.0.0/2: three CIDRs, as 0.0.0.0/0 except 10.0.0.0/8 and 192.0.0.0/2 would be.
    expect(written([...subtractRanges([r('0.0.0.0/1')], [r('10.0.0.0/8')]), r('128.0.0.0/2')])).toEqual([
      ['0.0.0.0/1', ['10.0.0.0/8']],
      ['128.0.0.0/2', []],
    ]);
  });
});
