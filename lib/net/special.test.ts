import { cidr, cidrContains, formatCidr, parseIp } from './ip';
import { fromNat64, nonPublicBlocks } from './special';

// The blocks no public destination is in (special.ts): IANA's special-purpose registries
// (RFC 6890; https://www.iana.org/assignments/iana-ipv4-special-registry,
// https://www.iana.org/assignments/iana-ipv6-special-registry), where "Globally Reachable" is
// false, and each IPv4 block again in NAT64's well-known prefix 64:ff9b::/96 (RFC 6052, 2.1).
const inSome = (blocks: ReturnType<typeof nonPublicBlocks>, address: string) => {
  const ip = parseIp(address)!;
  return blocks.some((b) => cidrContains(b, { version: ip.version, network: ip.value, prefix: ip.version === 4 ? 32 : 128 }));
};

describe('the non-public address blocks', () => {
  const blocks = nonPublicBlocks();

  it('hold private, loopback, link-local, shared, multicast and reserved addresses, of both versions', () => {
    for (const address of [
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '127.0.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.1.2.3',
      '224.0.0.1',
      '255.255.255.255',
      '198.18.0.1',
      '192.0.0.8',
    ]) {
      expect(`${address} ${inSome(blocks, address)}`).toBe(`${address} true`);
    }
    for (const address of ['::', '::1', 'fe80::1', 'fd00:ec2::254', 'fc00::1', 'ff02::1', 'fec0::1', '2002:a00:1::1', '2001::1', '100::1', '64:ff9b:1::1']) {
      expect(`${address} ${inSome(blocks, address)}`).toBe(`${address} true`);
    }
  });

  it('hold each IPv4 block again through NAT64: 64:ff9b:: followed by the IPv4 address', () => {
    expect(blocks.map(formatCidr)).toEqual(expect.arrayContaining(['64:ff9b::a00:0/104', '64:ff9b::a9fe:0/112', '64:ff9b::7f00:0/104']));
    expect(inSome(blocks, '64:ff9b::a9fe:a9fe')).toBe(true);
    expect(inSome(blocks, '64:ff9b::808:808')).toBe(false);
  });

  it('leave out public addresses, the documentation blocks and IPv4-mapped IPv6', () => {
    for (const address of [
      '8.8.8.8',
      '1.1.1.1',
      '203.0.113.10',
      '198.51.100.1',
      '192.0.2.1',
      '2001:db8::1',
      '2606:4700::1111',
      '::ffff:8.8.8.8',
      '100.128.0.1',
      '172.32.0.1',
    ]) {
      expect(`${address} ${inSome(blocks, address)}`).toBe(`${address} false`);
    }
  });

  it('are listed IPv4 first, in address order, none inside another', () => {
    const texts = blocks.map(formatCidr);
    expect(texts.slice(0, 3)).toEqual(['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10']);
    expect(blocks.findIndex((b) => b.version === 6)).toBe(11);
    for (let i = 1; i < blocks.length; i++) expect(blocks[i - 1].version < blocks[i].version || blocks[i - 1].network < blocks[i].network).toBe(true);
    for (const a of blocks)
      for (const b of blocks)
        if (a !== b) expect(`${formatCidr(a)} in ${formatCidr(b)}: ${cidrContains(b, a)}`).toBe(`${formatCidr(a)} in ${formatCidr(b)}: false`);
  });

  it('take extra blocks, leaving out one a block holds and replacing the blocks one holds', () => {
    const extra = nonPublicBlocks(['10.1.0.0/16', '34.118.224.0/20', '169.254.0.0/15', '34.118.224.0/24']);
    const texts = extra.map(formatCidr);
    expect(texts).toContain('34.118.224.0/20');
    expect(texts).not.toContain('34.118.224.0/24');
    expect(texts).not.toContain('10.1.0.0/16');
    expect(texts).toContain('169.254.0.0/15');
    expect(texts).not.toContain('169.254.0.0/16');
    expect(extra).toHaveLength(blocks.length + 1);
    expect(extra.findIndex((b) => formatCidr(b) === '34.118.224.0/20')).toBe(extra.findIndex((b) => formatCidr(b) === '10.0.0.0/8') + 1);
    expect(cidrContains(cidr('169.254.0.0/15'), cidr('169.254.169.254/32'))).toBe(true);
  });

  it('take an extra block that holds the first of them in its place', () => {
    const texts = nonPublicBlocks(['0.0.0.0/1']).map(formatCidr);
    expect(texts[0]).toBe('0.0.0.0/1');
    for (const held of ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8']) expect(texts).not.toContain(held);
  });
});

// RFC 6052, 2.1: the well-known prefix 64:ff9b::/96 followed by the 32 bits of the IPv4 address.
describe('the IPv4 block a NAT64 block stands for', () => {
  it('is the low 32 bits of a block inside 64:ff9b::/96, with 96 bits less of prefix', () => {
    expect(fromNat64(cidr('64:ff9b::a00:0/104'))).toEqual(cidr('10.0.0.0/8'));
    expect(formatCidr(fromNat64(cidr('64:ff9b::a9fe:a9fe/128'))!)).toBe('169.254.169.254/32');
    expect(formatCidr(fromNat64(cidr('64:ff9b::/96'))!)).toBe('0.0.0.0/0');
  });

  it('is none for a block outside the prefix or wider than it, or an IPv4 block', () => {
    for (const text of ['64:ff9b::/95', '64:ff9b:1::/48', '2001:db8::/32', '::ffff:0:0/96', '10.0.0.0/8']) expect(fromNat64(cidr(text))).toBeUndefined();
  });
});

// RFC 9602 (2024) allocates 5f00::/16 to SRv6 Segment Identifiers, and IANA's IPv6
// Special-Purpose Address Registry lists it as not globally reachable: an address there names a
// segment of the operator's own routing, never a public destination.
describe('the SRv6 SID block', () => {
  it('is a non-public block, so the egress proxy refuses a name that resolves into it', () => {
    const blocks = nonPublicBlocks();
    expect(blocks.map(formatCidr)).toContain('5f00::/16');
    for (const address of ['5f00::', '5f00:1:2:3::1', '5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff'])
      expect(`${address} ${inSome(blocks, address)}`).toBe(`${address} true`);
    for (const address of ['5eff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '5f01::']) expect(`${address} ${inSome(blocks, address)}`).toBe(`${address} false`);
  });
});
