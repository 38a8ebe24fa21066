/**
 * lib/net checked against Node's own IP handling, an implementation that shares no code with it:
 * `net.isIP` decides what is an address, the WHATWG URL parser (`new URL('http://[v6]/')`)
 * writes IPv6 canonically (RFC 5952: the first of the longest runs of two or more zero groups
 * becomes `::`, hex in lower case), and `net.BlockList` decides whether an address lies in a
 * block or a range. Addresses reach Node written by `plainText` below, never by lib/net.
 *
 * BlockList lets an IPv4 rule match an IPv4-mapped IPv6 address and back; lib/net keeps the
 * families apart. So each BlockList here holds rules of one family and is asked about addresses
 * of that family only.
 *
 * Mutations of lib/net tried, each of which turned this file red:
 * - formatIp: the last of two equally long zero runs written as `::` instead of the first (`>=`)
 * - formatIp: a single zero group written as `::` (`bestLen = 0`); hex digits in upper case
 * - parseIp: IPv4 octets with a leading zero accepted; IPv6 groups of five digits accepted;
 *   `::` standing for no group at all accepted (`missing < 0`)
 * - parseIp: the embedded IPv4 tail put in the wrong bits
 * - cidrContainsIp, cidrContains: the mask one bit short
 * - lastAddress: one bit short
 * - unionRanges: touching ranges left apart
 * - subtractRanges: the address just before a cut left out
 * - rangeToCidrs: blocks one bit too long
 * - compactCidrs: carving chosen where it names more CIDRs than listing the blocks
 * - partitionFamily: a piece ending one address after a range does
 */
import { BlockList, isIP } from 'net';
import fc from 'fast-check';
import { runs } from '../../test/support/runs';
import {
  Cidr,
  IpRange,
  IpVersion,
  cidrContains,
  cidrContainsIp,
  cidrRange,
  compactCidrs,
  formatIp,
  lastAddress,
  parseCidr,
  parseCidrLenient,
  parseIp,
  partitionFamily,
  rangeToCidrs,
  rangesToCidrs,
  subtractRanges,
  unionRanges,
} from '.';

/**
 * The local counts are already in the thousands, each case a few calls on one address or block:
 * twice as many in CI rather than four times (test/support/runs.ts): about 3 s of CPU less there (7.9 s measured with four).
 */
const CI_FACTOR = 2;

const BITS = { 4: 32n, 6: 128n } as const;
const FAMILY = { 4: 'ipv4', 6: 'ipv6' } as const;
const top = (version: IpVersion) => (1n << BITS[version]) - 1n;

/** An address written as simply as possible, without lib/net: dotted quad, or eight full hex groups. */
function plainText(version: IpVersion, value: bigint): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  return value.toString(16).padStart(32, '0').match(/.{4}/g)!.join(':');
}

/** Node's canonical text of an IPv6 address. */
const canonical6 = (text: string) => new URL(`http://[${text}]/`).hostname.slice(1, -1);

function blockList(version: IpVersion, add: (list: BlockList) => void): (value: bigint) => boolean {
  const list = new BlockList();
  add(list);
  return (value) => list.check(plainText(version, value), FAMILY[version]);
}

/** IPv6 values with many zero groups, so runs of zeros of equal length are common. */
const groupsArb = fc.array(fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, fc.constantFrom(1, 0xffff, 0xec2), fc.integer({ min: 0, max: 0xffff })), {
  minLength: 8,
  maxLength: 8,
});
const value6Arb = fc.oneof(
  groupsArb.map((gs) => gs.reduce((v, g) => (v << 16n) | BigInt(g), 0n)),
  fc.bigInt({ min: 0n, max: top(6) }),
);
const value4Arb = fc.oneof(fc.bigInt({ min: 0n, max: top(4) }), fc.constantFrom(0n, top(4), 0xa9fea9fen));
const addressArb: fc.Arbitrary<{ version: IpVersion; value: bigint }> = fc.oneof(
  value4Arb.map((value) => ({ version: 4 as const, value })),
  value6Arb.map((value) => ({ version: 6 as const, value })),
);

/** An IPv6 address in any of its spellings: leading zeros, either case, `::` for any zero run, an IPv4 tail. */
const spelled6Arb = fc
  .tuple(groupsArb, fc.nat(), fc.nat(), fc.boolean(), fc.array(fc.nat({ max: 3 }), { minLength: 8, maxLength: 8 }), fc.boolean())
  .map(([groups, at, len, upper, zeros, v4tail]) => {
    let parts = groups.map((g, i) => g.toString(16).padStart(Math.min(4, g.toString(16).length + zeros[i]), '0'));
    if (upper) parts = parts.map((p) => p.toUpperCase());
    if (v4tail) parts = [...parts.slice(0, 6), `${groups[6] >> 8}.${groups[6] & 255}.${groups[7] >> 8}.${groups[7] & 255}`];
    const zeroRuns: [number, number][] = [];
    for (let i = 0; i < parts.length; i++) {
      let j = i;
      while (j < parts.length && groups[j] === 0 && !(v4tail && j >= 6)) j++;
      if (j > i) zeroRuns.push([i, j - i]);
      i = j;
    }
    if (zeroRuns.length === 0 || at % 3 === 0) return parts.join(':');
    const [start, runLength] = zeroRuns[at % zeroRuns.length];
    const n = 1 + (len % runLength);
    return `${parts.slice(0, start).join(':')}::${parts.slice(start + n).join(':')}`;
  });
const spelled4Arb = value4Arb.map((v) => plainText(4, v));

/** Near misses: a character put in, taken out or changed, parts repeated. */
const mutatedArb = fc
  .tuple(fc.oneof(spelled4Arb, spelled6Arb), fc.nat(), fc.constantFrom('', ':', '.', '0', '00', 'f', 'g', '::', '1', '255', '256', ' ', '/'))
  .map(([text, at, insert]) => {
    const i = at % (text.length + 1);
    return at % 2 ? text.slice(0, i) + insert + text.slice(i) : text.slice(0, i) + insert + text.slice(i + 1);
  });
const anyTextArb = fc.oneof(spelled4Arb, spelled6Arb, mutatedArb, fc.stringMatching(/^[0-9a-fA-F:.]{0,20}$/));

/** A block written leniently (host bits may be set), with probes around its edges and anywhere. */
const blockArb = addressArb.chain(({ version, value }) =>
  fc.record({
    version: fc.constant(version),
    value: fc.constant(value),
    prefix: fc.integer({ min: 0, max: Number(BITS[version]) }),
    other: version === 4 ? value4Arb : value6Arb,
  }),
);

function edges(version: IpVersion, first: bigint, last: bigint): bigint[] {
  return [first - 1n, first, first + 1n, last - 1n, last, last + 1n].filter((v) => v >= 0n && v <= top(version));
}

describe('IP addresses and blocks, against Node', () => {
  it('takes as an address exactly what net.isIP does, of the same family', () => {
    fc.assert(
      fc.property(anyTextArb, (text) => {
        expect([text, parseIp(text)?.version ?? 0]).toEqual([text, isIP(text)]);
      }),
      { numRuns: runs(1500, CI_FACTOR) },
    );
  });

  it('reads each spelling of an address as the address Node reads', () => {
    fc.assert(
      fc.property(fc.oneof(spelled4Arb, spelled6Arb), (text) => {
        const ip = parseIp(text)!;
        const list = new BlockList();
        list.addAddress(text, FAMILY[ip.version]);
        const holds = (v: bigint) => v >= 0n && v <= top(ip.version) && list.check(plainText(ip.version, v), FAMILY[ip.version]);
        expect([text, holds(ip.value - 1n), holds(ip.value), holds(ip.value + 1n)]).toEqual([text, false, true, false]);
      }),
      { numRuns: runs(1000, CI_FACTOR) },
    );
  });

  it('writes IPv6 as the URL parser does (RFC 5952, the first of equally long zero runs as ::)', () => {
    fc.assert(
      fc.property(value6Arb, (value) => {
        expect(formatIp({ version: 6, value })).toBe(canonical6(plainText(6, value)));
      }),
      { numRuns: runs(1500, CI_FACTOR) },
    );
    fc.assert(
      fc.property(spelled6Arb, (text) => {
        expect(formatIp(parseIp(text)!)).toBe(canonical6(text));
      }),
      { numRuns: runs(1000, CI_FACTOR) },
    );
  });

  it('writes IPv4 as a dotted quad Node reads back as the same address', () => {
    fc.assert(
      fc.property(value4Arb, (value) => {
        const text = formatIp({ version: 4, value });
        expect(isIP(text)).toBe(4);
        expect(blockList(4, (l) => l.addAddress(text, 'ipv4'))(value)).toBe(true);
        expect(new URL(`http://${text}/`).hostname).toBe(text);
      }),
      { numRuns: runs(500, CI_FACTOR) },
    );
  });

  it('puts an address in a block exactly when BlockList.addSubnet does, and a block in a block likewise', () => {
    fc.assert(
      fc.property(blockArb, ({ version, value, prefix, other }) => {
        const text = `${plainText(version, value)}/${prefix}`;
        const block = parseCidrLenient(text)!;
        // An IPv4-mapped IPv6 block is read as the IPv4 block it maps, as Go reads it (ip.test.ts):
        // an IPv4 address is in it exactly when BlockList holds its mapped IPv6 address in the IPv6 block.
        if (block.version !== version) {
          const inNode6 = blockList(6, (l) => l.addSubnet(plainText(6, value), prefix, FAMILY[6]));
          const probes = [...edges(4, block.network, lastAddress(block)), other & top(4)];
          expect(probes.filter((p) => cidrContainsIp(block, { version: 4, value: p }) !== inNode6((0xffffn << 32n) | p))).toEqual([]);
          return;
        }
        const inNode = blockList(version, (l) => l.addSubnet(plainText(version, value), prefix, FAMILY[version]));
        const last = lastAddress(block);
        const wrong = [...edges(version, block.network, last), other, value].filter(
          (probe) => cidrContainsIp(block, { version, value: probe }) !== inNode(probe),
        );
        expect(wrong.map((probe) => ({ block: text, probe: plainText(version, probe), inNode: inNode(probe) }))).toEqual([]);
        // Blocks are aligned runs of addresses: one lies in another when both its ends do.
        const read = parseCidrLenient(`${plainText(version, other)}/${Math.min(Number(BITS[version]), prefix + (Number(other % 5n) - 2))}`);
        const inner: Cidr = read?.version === version ? read : block;
        expect(cidrContains(block, inner)).toBe(inNode(inner.network) && inNode(lastAddress(inner)));
        // Strictly, host bits are refused: the block's text names its first address or it is wrong.
        const strict = parseCidr(text);
        const first = value === 0n || !inNode(value - 1n);
        expect('problem' in strict ? strict.problem.kind : 'ok').toBe(first ? 'ok' : 'host-bits');
      }),
      { numRuns: runs(1000, CI_FACTOR) },
    );
  });

  it('unites, subtracts, splits and writes back ranges as BlockList.addRange reads them', () => {
    const rangeArb = (version: IpVersion) =>
      fc
        .tuple(version === 4 ? value4Arb : value6Arb, fc.oneof(fc.bigInt({ min: 0n, max: 300n }), fc.bigInt({ min: 0n, max: top(version) })))
        .map(([first, size]): IpRange => ({ version, first, last: first + size > top(version) ? top(version) : first + size }));
    // Some ranges start right after another ends, so that touching ranges are common.
    const touchingArb = (version: IpVersion) =>
      fc
        .tuple(fc.array(rangeArb(version), { maxLength: 5 }), fc.array(fc.tuple(fc.nat(), fc.bigInt({ min: 0n, max: 50n })), { maxLength: 2 }))
        .map(([ranges, after]) => [
          ...ranges,
          ...after.flatMap(([i, size]): IpRange[] => {
            const before = ranges[i % Math.max(1, ranges.length)];
            if (!before || before.last === top(version)) return [];
            const first = before.last + 1n;
            return [{ version, first, last: first + size > top(version) ? top(version) : first + size }];
          }),
        ]);
    const setsArb = fc
      .constantFrom<IpVersion>(4, 6)
      .chain((version) =>
        fc.tuple(fc.constant(version), touchingArb(version), fc.array(rangeArb(version), { maxLength: 4 }), version === 4 ? value4Arb : value6Arb),
      );
    fc.assert(
      fc.property(setsArb, ([version, from, minus, random]) => {
        const add = (ranges: readonly IpRange[]) => (l: BlockList) =>
          ranges.forEach((r) => l.addRange(plainText(version, r.first), plainText(version, r.last), FAMILY[version]));
        const inFrom = blockList(version, add(from));
        const inMinus = blockList(version, add(minus));
        const inCidrs = (cidrs: readonly Cidr[]) =>
          blockList(version, (l) => cidrs.forEach((c) => l.addSubnet(plainText(version, c.network), c.prefix, FAMILY[version])));
        const union = unionRanges(from);
        const difference = subtractRanges(from, minus);
        const inUnion = blockList(version, add(union));
        const inDifference = blockList(version, add(difference));
        const asCidrs = inCidrs(rangesToCidrs(from));
        const compact = compactCidrs(from);
        const compactSets = compact.map((c) => ({ block: inCidrs([c.cidr]), except: inCidrs(c.except) }));
        const inCompact = (v: bigint) => compactSets.some((c) => c.block(v) && !c.except(v));
        const probes = [random, 0n, top(version), ...[...from, ...minus].flatMap((r) => edges(version, r.first, r.last))];
        const wrong = probes.filter(
          (p) => inUnion(p) !== inFrom(p) || inDifference(p) !== (inFrom(p) && !inMinus(p)) || asCidrs(p) !== inFrom(p) || inCompact(p) !== inFrom(p),
        );
        expect(
          wrong.map((p) => ({
            at: plainText(version, p),
            from: inFrom(p),
            minus: inMinus(p),
            union: inUnion(p),
            difference: inDifference(p),
            cidrs: asCidrs(p),
            compact: inCompact(p),
          })),
        ).toEqual([]);
        // A union is sorted, and its runs neither overlap nor touch.
        expect(union.filter((r, i) => i > 0 && r.first <= union[i - 1].last + 1n)).toEqual([]);
        // Each range splits into blocks that cover it; no two neighbours form a larger block.
        for (const r of union) {
          const blocks = rangeToCidrs(r);
          expect(blocks.reduce((n, b) => n + lastAddress(b) - b.network + 1n, 0n)).toBe(r.last - r.first + 1n);
          const mergeable = (a: Cidr, b: Cidr) =>
            a.prefix === b.prefix && lastAddress(a) + 1n === b.network && (a.network & ((1n << (BITS[version] - BigInt(a.prefix) + 1n)) - 1n)) === 0n;
          expect(blocks.filter((b, i) => i > 0 && mergeable(blocks[i - 1], b))).toEqual([]);
        }
        // Writing with exceptions never names more CIDRs than listing the blocks.
        expect(compact.reduce((n, c) => n + 1 + c.except.length, 0)).toBeLessThanOrEqual(rangesToCidrs(from).length);
        // Every piece of a partition lies wholly inside or wholly outside each range.
        const pieces = partitionFamily(version, from);
        expect([pieces[0].first, pieces[pieces.length - 1].last]).toEqual([0n, top(version)]);
        const ranges = from.map((r) => blockList(version, add([r])));
        expect(pieces.filter((piece) => ranges.some((inR) => inR(piece.first) !== inR(piece.last)))).toEqual([]);
      }),
      { numRuns: runs(80) },
    );
  });

  it('agrees with Node on the addresses the project names', () => {
    for (const text of ['169.254.169.254', 'fd00:ec2::254', '::', '::1', '2001:db8::1', '::ffff:192.0.2.1', '1:0:0:1::', '0:0:1::1:0:0']) {
      expect([text, parseIp(text)?.version]).toEqual([text, isIP(text)]);
      if (isIP(text) === 6) expect(formatIp(parseIp(text)!)).toBe(canonical6(text));
    }
    expect(cidrRange(parseCidrLenient('10.0.0.0/8')!)).toEqual({ version: 4, first: 0x0a000000n, last: 0x0affffffn });
  });
});
