import { cidr, formatCidr, ipv4MappedBlock, parseIp } from './ip';
import { PRIVATE_CIDRS, carvedBlocks, carvedInside, defaultClusterRanges, inStaticBand, staticServiceAddress } from './cluster-ranges';
import { CLOUDS } from './metadata';

// A cluster's own ranges (cluster-ranges.ts): the defaults, and the static band of a Service range
// that KEP-3070 reserves for fixed ClusterIPs (pkg/registry/core/service/ipallocator,
// calculateRangeOffset: the band is cidrSize/16 addresses, at least 16, at most 256, none below a /28).
describe("a cluster's default ranges", () => {
  it('put pods and nodes in the private address space and Services in the cloud default ranges', () => {
    expect(defaultClusterRanges('aws')).toEqual({ pods: PRIVATE_CIDRS, services: ['10.100.0.0/16', '172.20.0.0/16'], nodes: PRIVATE_CIDRS });
  });
});

describe("a Service range's static band", () => {
  it('holds the addresses 1 to the band size after the network address, of the same version only', () => {
    const at = (range: string, address: string) => inStaticBand(range, parseIp(address)!);
    expect(at('10.96.0.0/12', '10.96.0.1')).toBe(true);
    expect(at('10.96.0.0/12', '10.96.1.0')).toBe(true);
    expect(at('10.96.0.0/12', '10.96.1.1')).toBe(false);
    expect(at('10.96.0.0/12', '10.96.0.0')).toBe(false);
    expect(at('10.0.0.0/24', '10.0.0.16')).toBe(true);
    expect(at('10.0.0.0/24', '10.0.0.17')).toBe(false);
    expect(at('10.0.0.0/28', '10.0.0.1')).toBe(false);
    expect(at('fd00:10:96::/108', 'fd00:10:96::100')).toBe(true);
    expect(at('10.96.0.0/12', '::a60:1')).toBe(false);
  });

  it('places a fixed address only inside it, and says where the band is', () => {
    expect(staticServiceAddress('10.96.0.0/12', 1)).toEqual({ address: '10.96.0.1' });
    expect(staticServiceAddress('10.96.0.0/12', 256)).toEqual({ address: '10.96.1.0' });
    expect(staticServiceAddress('10.96.0.0/12', 257)).toEqual({
      problem: '10.96.0.0/12 reserves the addresses 1 to 256 after its network address for fixed ClusterIPs (KEP-3070), and the place asked for is 257',
    });
    expect(staticServiceAddress('10.96.0.0/12', 0)).toEqual({ problem: expect.stringMatching(/place asked for is 0$/) });
    expect(cidr('10.96.0.0/12').prefix).toBe(12);
  });
});

// An except of a family other than its cidr's, as Go reads them, is refused by the API server
// (kubernetes pkg/apis/networking/validation ValidateIPBlock: net.IPNet.Contains reads an
// IPv4-mapped except as IPv4, so ::ffff:169.254.169.254/128 is never inside ::/0).
describe('carved blocks and IPv4-mapped IPv6', () => {
  it('carve no IPv4-mapped IPv6 block out of any block, for any cloud, so every except is of its cidr family', () => {
    for (const cloud of CLOUDS) {
      const carved = carvedBlocks(cloud, defaultClusterRanges(cloud));
      expect(carved.filter((c) => ipv4MappedBlock(c) !== undefined).map(formatCidr)).toEqual([]);
      for (const block of [cidr('0.0.0.0/0'), cidr('::/0'), cidr('::/1')]) {
        expect(carvedInside(block, carved).every((c) => c.version === block.version && ipv4MappedBlock(c) === undefined)).toBe(true);
      }
    }
  });
});
