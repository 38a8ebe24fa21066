import fc from 'fast-check';
import {
  addressBits,
  cidr,
  cidrContains,
  cidrContainsIp,
  compareCidrs,
  formatCidr,
  formatIp,
  ipv4MappedBlock,
  lastAddress,
  parseCidr,
  parseCidrLenient,
  parseIp,
  sameCidr,
} from './ip';
import {
  CLOUD_PROVIDERS,
  METADATA_BLOCKS,
  METADATA_CIDRS,
  endpointsAt,
  isMetadataBlock,
  metadataCidrs,
  metadataNat64Cidrs,
  podCredentialEndpoints,
} from './metadata';
import { carvedBlocks, carvedInside, defaultServiceCidrs, resolverIndex, staticBandSize, staticServiceAddress } from './cluster-ranges';

describe('IP addresses and CIDR blocks', () => {
  it('parses IPv4 and IPv6, including :: and an embedded IPv4 tail', () => {
    expect(parseIp('203.0.113.10')).toEqual({ version: 4, value: 0xcb00710an });
    expect(parseIp('::1')).toEqual({ version: 6, value: 1n });
    expect(parseIp('::ffff:192.0.2.1')).toEqual({ version: 6, value: 0xffffc0000201n });
    expect(parseIp('fd00:ec2::254')?.value).toBe(0xfd000ec2000000000000000000000254n);
  });

  it('refuses addresses that are not', () => {
    for (const bad of ['256.0.0.1', '1.2.3', '01.2.3.4', '1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1', '', '1.2.3.4.5']) expect(parseIp(bad)).toBeUndefined();
  });

  it('formats IPv6 in the canonical form of RFC 5952', () => {
    expect(formatIp(parseIp('2001:0db8:0000:0000:0000:0000:0000:0001')!)).toBe('2001:db8::1');
    expect(formatIp(parseIp('2001:db8:0:1:1:1:1:1')!)).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIp(parseIp('::')!)).toBe('::');
  });

  it('round-trips every address through format and parse', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (value) => {
        expect(parseIp(formatIp({ version: 6, value }))).toEqual({ version: 6, value });
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), (value) => {
        expect(parseIp(formatIp({ version: 4, value }))).toEqual({ version: 4, value });
      }),
    );
  });

  it('says what is wrong with a CIDR and proposes the fix', () => {
    expect(parseCidr('10.0.0.1')).toEqual({ problem: { kind: 'missing-mask', suggestion: '10.0.0.1/32' } });
    expect(parseCidr('10.0.0.1/24')).toEqual({ problem: { kind: 'host-bits', suggestion: '10.0.0.0/24' } });
    expect(parseCidr('2001:db8::1/64')).toEqual({ problem: { kind: 'host-bits', suggestion: '2001:db8::/64' } });
    expect(parseCidr('10.0.0.0/33')).toEqual({ problem: { kind: 'malformed' } });
  });

  it('masks host bits when reading leniently, as the API server does', () => {
    expect(formatCidr(parseCidrLenient('10.0.0.1/24')!)).toBe('10.0.0.0/24');
    expect(formatCidr(parseCidrLenient('10.0.0.1')!)).toBe('10.0.0.1/32');
  });

  it('refuses when reading leniently what is not an address with an optional mask of 0 to 32 or 0 to 128 bits', () => {
    for (const text of ['example.com', '', '/8', '10.0.0.0/', '10.0.0.0/33', '2001:db8::/129', '10.0.0.0/-1', '10.0.0.0/8a', '10.0.0.0/a8', '10.0.0.0/ 8']) {
      expect(`${text}: ${parseCidrLenient(text) === undefined ? 'refused' : 'read'}`).toBe(`${text}: refused`);
    }
    expect(formatCidr(parseCidrLenient('10.0.0.0/32')!)).toBe('10.0.0.0/32');
    expect(formatCidr(parseCidrLenient('2001:db8::/128')!)).toBe('2001:db8::/128');
  });

  it('reads an IPv4-mapped IPv6 block (inside ::ffff:0:0/96) as the IPv4 block it maps, as Go and so Kubernetes and Calico read it', () => {
    // Go's net.IPNet holds ::ffff:0:0/96 as 0.0.0.0/0: it contains every IPv4 address and prints
    // as "0.0.0.0/0" (src/net/ip.go, networkNumberAndMask); the API server only warns, "use 0.0.0.0/0".
    expect(formatCidr(parseCidrLenient('::ffff:0:0/96')!)).toBe('0.0.0.0/0');
    expect(formatCidr(parseCidrLenient('::ffff:169.254.169.254/128')!)).toBe('169.254.169.254/32');
    expect(formatCidr(parseCidrLenient('::ffff:169.254.0.0/112')!)).toBe('169.254.0.0/16');
    expect(formatCidr(parseCidrLenient('::ffff:a9fe:a9fe')!)).toBe('169.254.169.254/32');
    // Wider than ::ffff:0:0/96, or beside it, a block stays IPv6.
    expect(formatCidr(parseCidrLenient('::/80')!)).toBe('::/80');
    expect(formatCidr(parseCidrLenient('::ffff:0:0/95')!)).toBe('::fffe:0:0/95');
    expect(formatCidr(parseCidrLenient('64:ff9b::a9fe:a9fe/128')!)).toBe('64:ff9b::a9fe:a9fe/128');
    expect(ipv4MappedBlock(cidr('::ffff:0:0/96'))).toEqual(cidr('0.0.0.0/0'));
    expect(ipv4MappedBlock(cidr('::/0'))).toBeUndefined();
    expect(ipv4MappedBlock(cidr('10.0.0.0/8'))).toBeUndefined();
  });

  it('knows the last address of a block', () => {
    expect(lastAddress(cidr('10.0.0.0/8'))).toBe(parseIp('10.255.255.255')!.value);
    expect(lastAddress(cidr('169.254.169.254/32'))).toBe(parseIp('169.254.169.254')!.value);
    expect(lastAddress(cidr('0.0.0.0/0'))).toBe((1n << 32n) - 1n);
    expect(lastAddress(cidr('::/0'))).toBe((1n << 128n) - 1n);
  });

  it('tells the same block from one of another address, width or version', () => {
    expect(sameCidr(cidr('10.0.0.0/8'), parseCidrLenient('10.1.2.3/8')!)).toBe(true);
    expect(sameCidr(cidr('10.0.0.0/8'), cidr('10.0.0.0/16'))).toBe(false);
    expect(sameCidr(cidr('10.0.0.0/8'), cidr('11.0.0.0/8'))).toBe(false);
    expect(sameCidr(cidr('0.0.0.0/0'), cidr('::/0'))).toBe(false);
  });

  it('decides containment within one family only', () => {
    expect(cidrContainsIp(cidr('0.0.0.0/0'), parseIp('::1')!)).toBe(false);
    expect(cidrContainsIp(cidr('::/0'), parseIp('10.0.0.1')!)).toBe(false);
    expect(cidrContainsIp(cidr('::/0'), parseIp('::1')!)).toBe(true);
    expect(cidrContains(cidr('0.0.0.0/0'), cidr('169.254.169.254/32'))).toBe(true);
    expect(cidrContains(cidr('::/0'), cidr('169.254.169.254/32'))).toBe(false);
    expect(cidrContainsIp(cidr('198.51.100.0/24'), parseIp('198.51.100.255')!)).toBe(true);
    expect(cidrContainsIp(cidr('198.51.100.0/24'), parseIp('198.51.101.0')!)).toBe(false);
  });

  it('orders blocks IPv4 first, then by address, wider first, and tells equal blocks apart from containing ones', () => {
    const blocks = ['fd00::/8', '10.0.0.0/16', '9.0.0.0/8', '10.0.0.0/8', '::/0'].map(cidr);
    expect([...blocks].sort(compareCidrs).map(formatCidr)).toEqual(['9.0.0.0/8', '10.0.0.0/8', '10.0.0.0/16', '::/0', 'fd00::/8']);
    expect(sameCidr(cidr('10.0.0.0/8'), parseCidrLenient('10.1.2.3/8')!)).toBe(true);
    expect(sameCidr(cidr('10.0.0.0/8'), cidr('10.0.0.0/16'))).toBe(false);
  });

  it('knows the cloud metadata addresses exactly, not the blocks around them', () => {
    expect(METADATA_BLOCKS.map(formatCidr)).toEqual([
      '100.100.100.200/32',
      '168.63.129.16/32',
      '169.254.0.23/32',
      '169.254.42.42/32',
      '169.254.169.252/32',
      '169.254.169.254/32',
      '169.254.170.2/32',
      '169.254.170.23/32',
      'fd00:42::42/128',
      'fd00:c1::a9fe:a9fe/128',
      'fd00:ec2::23/128',
      'fd00:ec2::254/128',
      'fd00:a9fe:a9fe::1/128',
      'fd20:ce::254/128',
      'fe80::a9fe:a9fe/128',
    ]);
    expect(isMetadataBlock(cidr('169.254.169.254/32'))).toBe(true);
    expect(isMetadataBlock(cidr('fd00:ec2::254/128'))).toBe(true);
    expect(isMetadataBlock(cidr('169.254.0.0/16'))).toBe(false);
  });

  it('reads the NAT64 form of an IPv4 metadata address as metadata too, and names the endpoints there', () => {
    // RFC 6052: a translator on the path sends 64:ff9b::a9fe:a9fe to 169.254.169.254.
    expect(metadataNat64Cidrs('any')).toEqual([
      '64:ff9b::6464:64c8/128',
      '64:ff9b::a83f:8110/128',
      '64:ff9b::a9fe:17/128',
      '64:ff9b::a9fe:2a2a/128',
      '64:ff9b::a9fe:a9fc/128',
      '64:ff9b::a9fe:a9fe/128',
      '64:ff9b::a9fe:aa02/128',
      '64:ff9b::a9fe:aa17/128',
    ]);
    expect(metadataNat64Cidrs('alibaba')).toEqual(['64:ff9b::6464:64c8/128']);
    expect(metadataNat64Cidrs('aws')).toEqual(['64:ff9b::a9fe:a9fe/128', '64:ff9b::a9fe:aa02/128', '64:ff9b::a9fe:aa17/128']);
    expect(isMetadataBlock(cidr('64:ff9b::a9fe:a9fe/128'))).toBe(true);
    expect(isMetadataBlock(cidr('64:ff9b::a9fe:0/112'))).toBe(false);
    // Only the well-known prefix: an IPv6 address of another /96 that ends alike is no NAT64 form.
    expect(isMetadataBlock(cidr('2001:db8::a9fe:a9fe/128'))).toBe(false);
    expect(endpointsAt('64:ff9b::a9fe:aa17/128').map((e) => e.name)).toEqual(['eks-pod-identity']);
    expect(endpointsAt('64:ff9b::6464:64c8/128').map((e) => e.name)).toEqual(['alibaba-metadata']);
  });

  it("lists each cloud's endpoints, every one of them under any, and names the pod credential endpoints", () => {
    expect(metadataCidrs('aws')).toEqual(['169.254.169.254/32', '169.254.170.2/32', '169.254.170.23/32', 'fd00:ec2::23/128', 'fd00:ec2::254/128']);
    expect(metadataCidrs('azure')).toEqual(['168.63.129.16/32', '169.254.169.254/32']);
    expect(metadataCidrs('alibaba')).toEqual(['100.100.100.200/32']);
    expect(metadataCidrs('scaleway')).toEqual(['169.254.42.42/32', 'fd00:42::42/128']);
    expect(metadataCidrs('akamai')).toEqual(['169.254.169.254/32', 'fd00:a9fe:a9fe::1/128', 'fe80::a9fe:a9fe/128']);
    expect(metadataCidrs('tencent')).toEqual(['169.254.0.23/32']);
    expect(metadataCidrs('oracle')).toEqual(['169.254.169.254/32', 'fd00:c1::a9fe:a9fe/128']);
    for (const cloud of CLOUD_PROVIDERS) {
      expect(metadataCidrs(cloud).length).toBeGreaterThan(0);
      expect(metadataCidrs(cloud).every((c) => METADATA_CIDRS.includes(c))).toBe(true);
    }
    expect(new Set(CLOUD_PROVIDERS.flatMap((c) => metadataCidrs(c)))).toEqual(new Set(METADATA_CIDRS));
    expect(podCredentialEndpoints('any').map((e) => e.name)).toEqual(['eks-pod-identity']);
    expect(podCredentialEndpoints('gcp')).toEqual([]);
    expect(endpointsAt('169.254.169.254/32').map((e) => e.name)).toEqual([
      'aws-imds',
      'gcp-metadata',
      'azure-imds',
      'oracle-imds',
      'ibm-metadata',
      'digitalocean-metadata',
      'hetzner-metadata',
      'openstack-metadata',
      'akamai-metadata',
    ]);
  });

  it('carves out of a block the link-local ranges, the metadata addresses and the cluster ranges inside it, each once, none inside another', () => {
    const ranges = { pods: ['10.244.0.0/16'], services: ['10.96.0.0/12'], nodes: ['10.0.0.0/16', '10.0.1.0/24'] };
    const carved = carvedBlocks('aws', ranges);
    expect(carvedInside(cidr('0.0.0.0/0'), carved).map(formatCidr)).toEqual(['10.0.0.0/16', '10.96.0.0/12', '10.244.0.0/16', '169.254.0.0/16']);
    // And each IPv4 one in its NAT64 form (RFC 6052, 64:ff9b::/96), where a translator on the path
    // makes it the IPv4 block again: 64:ff9b::a9fe:a9fe is 169.254.169.254 to a NAT64 node.
    expect(carvedInside(cidr('::/0'), carved).map(formatCidr)).toEqual([
      '64:ff9b::a00:0/112',
      '64:ff9b::a60:0/108',
      '64:ff9b::af4:0/112',
      '64:ff9b::a9fe:0/112',
      // RFC 8215's local-use translation prefix, whole: a translator there embeds IPv4 addresses
      // where its operator chose (RFC 6052, 2.2), so no form of metadata in it can be named.
      '64:ff9b:1::/48',
      'fd00:ec2::23/128',
      'fd00:ec2::254/128',
      'fe80::/10',
    ]);
    expect(carvedInside(cidr('64:ff9b::a9fe:0/112'), carved).map(formatCidr)).toEqual([
      '64:ff9b::a9fe:a9fe/128',
      '64:ff9b::a9fe:aa02/128',
      '64:ff9b::a9fe:aa17/128',
    ]);
    expect(carvedInside(cidr('10.0.0.0/8'), carved).map(formatCidr)).toEqual(['10.0.0.0/16', '10.96.0.0/12', '10.244.0.0/16']);
    expect(carvedInside(cidr('169.254.0.0/16'), carved).map(formatCidr)).toEqual(['169.254.169.254/32', '169.254.170.2/32', '169.254.170.23/32']);
    expect(carvedInside(cidr('10.0.5.0/24'), carved)).toEqual([]);
    expect(carvedInside(cidr('10.244.0.0/16'), carved)).toEqual([]);
  });

  it("places a fixed ClusterIP in the Service range's static band (KEP-3070), and says why where it cannot", () => {
    expect(staticBandSize(cidr('10.96.0.0/12'))).toBe(256);
    expect(staticBandSize(cidr('10.0.0.0/24'))).toBe(16);
    expect(staticBandSize(cidr('10.0.0.0/28'))).toBe(0);
    expect(staticServiceAddress('10.96.0.0/12', resolverIndex('10.96.0.0/12'))).toEqual({ address: '10.96.0.53' });
    expect(staticServiceAddress('10.0.0.0/24', resolverIndex('10.0.0.0/24'))).toEqual({ address: '10.0.0.16' });
    expect(staticServiceAddress('fd00:10:96::/108', resolverIndex('fd00:10:96::/108'))).toEqual({ address: 'fd00:10:96::35' });
    expect(staticServiceAddress('10.0.0.0/28', resolverIndex('10.0.0.0/28'))).toEqual({ problem: expect.stringMatching(/reserves no addresses/) });
  });

  it("knows each cloud's default Service ranges, and every one for any, kubeadm's first", () => {
    expect(defaultServiceCidrs('aws')).toEqual(['10.100.0.0/16', '172.20.0.0/16']);
    expect(defaultServiceCidrs('gcp')).toEqual(['34.118.224.0/20']);
    expect(defaultServiceCidrs('azure')).toEqual(['10.0.0.0/16']);
    expect(defaultServiceCidrs('hetzner')).toEqual(['10.96.0.0/12']);
    expect(defaultServiceCidrs('any')[0]).toBe('10.96.0.0/12');
    expect(defaultServiceCidrs('any')).toEqual(expect.arrayContaining(['10.100.0.0/16', '172.20.0.0/16', '34.118.224.0/20', '10.0.0.0/16']));
  });
});

// What the parsers take for an address is what every block, rule and check is built on: a text
// read as some other address, or a block read wider than written, widens what is allowed. RFC 4291
// (2.2) is the text form of IPv6: eight groups of one to four hex digits, `::` once for one group
// of zeros or more, an IPv4 tail in the last 32 bits; Node's net.isIP agrees with each case below.
describe('reading an address strictly', () => {
  it('takes :: for a single group of zeros', () => {
    expect(parseIp('1:2:3:4:5:6::7')).toEqual({ version: 6, value: 0x0001000200030004000500060000_0007n });
    expect(parseIp('::2:3:4:5:6:7:8')?.value).toBe(0x0000000200030004000500060007_0008n);
  });

  it('refuses :: standing for no group, twice, or at an edge with one colon, and groups that are empty or of five digits', () => {
    for (const bad of ['1:2:3:4::5:6:7:8', '1:2:3:4:5:6:7:8::9::1', '1::12345', '12345::1', '1::12345:1', '1:::2', ':1::2', '1::2:']) {
      expect(`${bad}: ${parseIp(bad) === undefined ? 'refused' : 'read'}`).toBe(`${bad}: refused`);
    }
  });

  it('refuses an IPv4 tail that is no IPv4 address, instead of reading the groups before it', () => {
    for (const bad of ['::1.2.3.256', '::ffff:1.2.3', '::ffff:01.2.3.4'])
      expect(`${bad}: ${parseIp(bad) === undefined ? 'refused' : 'read'}`).toBe(`${bad}: refused`);
  });

  it('knows the width of each version', () => {
    expect(addressBits(4)).toBe(32);
    expect(addressBits(6)).toBe(128);
  });
});

describe('reading a CIDR strictly', () => {
  it('calls malformed what is no address, with a mask or without, and a mask that is not a plain number of bits', () => {
    for (const bad of [
      'example.com',
      '',
      'example.com/8',
      '10.0.0.0/8a',
      '10.0.0.0/a8',
      '10.0.0.0/08',
      '10.0.0.0/8.0',
      '10.0.0.0/+8',
      '10.0.0.0/ 8',
      '10.0.0.0/',
    ]) {
      expect(`${bad}: ${JSON.stringify(parseCidr(bad))}`).toBe(`${bad}: {"problem":{"kind":"malformed"}}`);
    }
    expect(parseCidr('10.0.0.0/8')).toEqual({ cidr: { version: 4, network: 0x0a000000n, prefix: 8 } });
  });

  it('throws, naming the text, on a CIDR that is not well formed', () => {
    expect(() => cidr('10.0.0.1/24')).toThrow('not a valid CIDR: 10.0.0.1/24');
    expect(() => cidr('example.com')).toThrow('not a valid CIDR: example.com');
  });
});
