import { cidr, formatCidr, ipv4MappedBlock, parseIp } from './ip';
import {
  PRIVATE_CIDRS,
  carvedBlocks,
  carvedInside,
  defaultClusterRanges,
  defaultServiceCidrs,
  inStaticBand,
  staticBandSize,
  staticServiceAddress,
} from './cluster-ranges';
import { CLOUDS, CLOUD_PROVIDERS } from './metadata';

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

// What an allowed block carves out when the platform declares no cluster ranges: the defaults
// above, each once. A default that went missing would let `0.0.0.0/0` reach the cluster's pods,
// Services or nodes.
describe('the default ranges, carved out', () => {
  it('put pods and nodes in RFC 1918, the shared address space of RFC 6598 and IPv6 unique local addresses', () => {
    expect(PRIVATE_CIDRS).toEqual(['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']);
  });

  it("give every cloud a Service range, kubeadm's 10.96.0.0/12 where its managed Kubernetes has no default of its own", () => {
    const own: Record<string, string[]> = { aws: ['10.100.0.0/16', '172.20.0.0/16'], gcp: ['34.118.224.0/20'], azure: ['10.0.0.0/16'] };
    for (const cloud of CLOUD_PROVIDERS)
      expect(`${cloud}: ${defaultServiceCidrs(cloud).join(', ')}`).toBe(`${cloud}: ${(own[cloud] ?? ['10.96.0.0/12']).join(', ')}`);
  });

  it('are carved out of 0.0.0.0/0 and ::/0 though pods and nodes name the same blocks', () => {
    const carved = carvedBlocks('azure', defaultClusterRanges('azure'));
    expect(carved.map(formatCidr).filter((c) => c === '10.0.0.0/8')).toEqual(['10.0.0.0/8']);
    expect(carvedInside(cidr('0.0.0.0/0'), carved).map(formatCidr)).toEqual([
      '10.0.0.0/8',
      '100.64.0.0/10',
      '168.63.129.16/32',
      '169.254.0.0/16',
      '172.16.0.0/12',
      '192.168.0.0/16',
    ]);
    expect(carvedInside(cidr('::/0'), carved).map(formatCidr)).toEqual(expect.arrayContaining(['64:ff9b::a00:0/104', 'fc00::/7', 'fe80::/10']));
  });

  it('are carved out once when a list names a block twice, not dropped as held by the copy', () => {
    const twice = [cidr('10.1.0.0/16'), cidr('10.0.0.0/8'), cidr('10.0.0.0/8'), cidr('192.168.0.0/16')];
    expect(carvedInside(cidr('0.0.0.0/0'), twice).map(formatCidr)).toEqual(['10.0.0.0/8', '192.168.0.0/16']);
  });
});

describe('the size of a static band', () => {
  it('is 16 addresses at least from a /27 up, a sixteenth of the range between, 256 at most, none to a /28', () => {
    // KEP-3070, ipallocator calculateRangeOffset: 0 when the range has 16 addresses or fewer, else
    // min(max(16, size/16), 256).
    const sizes = ['10.0.0.0/28', '10.0.0.0/27', '10.0.0.0/25', '10.0.0.0/24', '10.0.0.0/23', '10.0.0.0/20', '10.0.0.0/19', 'fd00::/112'].map((c) =>
      staticBandSize(cidr(c)),
    );
    expect(sizes).toEqual([0, 16, 16, 16, 32, 256, 256, 256]);
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
