/**
 * The address ranges of a cluster itself: its pods, its Services and its nodes. None of them is
 * "the internet": an allowed block that contains one carves it out (`carvedBlocks`), so a
 * destination declared as `0.0.0.0/0` reaches neither the API server, nor another namespace's
 * pods, nor the nodes' kubelets, whatever else allows them. The resolver of cluster names takes
 * its fixed ClusterIP from the Service range (`staticServiceAddress`).
 *
 * The intent declares them (lib/intent, `clusterNetwork`, per platform and per cluster); what it
 * leaves out is the default of its cloud below. A leaf, like the rest of lib/net.
 */
import { Cidr, IpAddress, cidr, cidrContains, compareCidrs, formatIp, lastAddress } from './ip';
import { CLOUD_PROVIDERS, Cloud, CloudProvider, LINK_LOCAL_CIDRS, metadataBlocks } from './metadata';
import { LOCAL_USE_NAT64_BLOCK, nat64 } from './special';

/** A cluster's own ranges, as CIDR blocks. */
export interface ClusterRanges {
  /** Where pods get their addresses. */
  readonly pods: readonly string[];
  /** The Service (ClusterIP) range, `--service-cluster-ip-range` of the API server; the first is the primary family. */
  readonly services: readonly string[];
  /** Where nodes get their addresses: host-network pods (NodeLocal DNSCache, node agents) and the kubelets answer there. */
  readonly nodes: readonly string[];
}

/**
 * The private address space: where managed clusters put pods and nodes unless told otherwise, in
 * the VPC or VNet their owner chose (EKS with the VPC CNI gives pods VPC addresses; GKE's
 * VPC-native pods come from a subnet's secondary range; AKS's from the VNet or an overlay such as
 * 10.244.0.0/16). Not knowing which part, the default is all of it: RFC 1918 (10.0.0.0/8,
 * 172.16.0.0/12, 192.168.0.0/16), the shared address space of RFC 6598 (100.64.0.0/10, which EKS
 * custom networking and GKE recommend for pods) and IPv6 unique local addresses (fc00::/7, RFC 4193).
 */
export const PRIVATE_CIDRS: readonly string[] = ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'];

/**
 * kubeadm's Service range when none is given: `serviceSubnet` "If unset, the default is
 * 10.96.0.0/12" (kubeadm configuration API, v1beta4 ClusterConfiguration.networking), the range of
 * most self-managed clusters.
 */
const KUBEADM_SERVICE_CIDR = '10.96.0.0/12';

/** Where a default comes from, for the README and messages. */
interface CloudRangeDefault {
  /** The Service ranges the provider's managed Kubernetes uses unless told otherwise; more than one when it picks. */
  readonly services: readonly string[];
  /** The provider's words, or why kubeadm's default stands. */
  readonly source: string;
}

/**
 * Per cloud, the Service ranges its managed Kubernetes uses by default. Pods and nodes default to
 * PRIVATE_CIDRS everywhere.
 */
export const CLUSTER_RANGE_DEFAULTS: Readonly<Record<CloudProvider, CloudRangeDefault>> = {
  aws: {
    // "If you don't specify a block, Kubernetes assigns addresses from either the 10.100.0.0/16 or
    // 172.20.0.0/16 CIDR blocks" (EKS API, KubernetesNetworkConfigRequest.serviceIpv4Cidr):
    // 172.20.0.0/16 when the VPC is in 10.0.0.0/8. `aws eks describe-cluster` names it.
    services: ['10.100.0.0/16', '172.20.0.0/16'],
    source: 'EKS: 10.100.0.0/16, or 172.20.0.0/16 when the VPC is in 10.0.0.0/8 (API KubernetesNetworkConfigRequest.serviceIpv4Cidr)',
  },
  gcp: {
    // "In GKE Autopilot clusters running version 1.27 and later, and GKE Standard clusters running
    // version 1.29 and later, GKE assigns IP addresses for GKE Services from a GKE-managed range:
    // 34.118.224.0/20 by default" (https://cloud.google.com/kubernetes-engine/docs/concepts/alias-ips).
    services: ['34.118.224.0/20'],
    source: 'GKE 1.27 (Autopilot) and 1.29 (Standard) and later: 34.118.224.0/20 (VPC-native clusters, alias IPs)',
  },
  azure: {
    // `az aks create --service-cidr`: "default value: 10.0.0.0/16", with the DNS service at 10.0.0.10
    // (https://learn.microsoft.com/cli/azure/aks#az-aks-create).
    services: ['10.0.0.0/16'],
    source: 'AKS: 10.0.0.0/16 (az aks create --service-cidr)',
  },
  alibaba: { services: [KUBEADM_SERVICE_CIDR], source: "kubeadm's 10.96.0.0/12: declare the Service range chosen at cluster creation" },
  oracle: { services: [KUBEADM_SERVICE_CIDR], source: "kubeadm's 10.96.0.0/12: declare the Service range chosen at cluster creation" },
  ibm: { services: [KUBEADM_SERVICE_CIDR], source: "kubeadm's 10.96.0.0/12: declare the Service range chosen at cluster creation" },
  digitalocean: { services: [KUBEADM_SERVICE_CIDR], source: "kubeadm's 10.96.0.0/12: declare the Service range chosen at cluster creation" },
  hetzner: { services: [KUBEADM_SERVICE_CIDR], source: "kubeadm's 10.96.0.0/12 (self-managed clusters)" },
  openstack: { services: [KUBEADM_SERVICE_CIDR], source: "kubeadm's 10.96.0.0/12: declare the Service range chosen at cluster creation" },
  scaleway: { services: [KUBEADM_SERVICE_CIDR], source: "kubeadm's 10.96.0.0/12: declare the Service range chosen at cluster creation" },
  akamai: { services: [KUBEADM_SERVICE_CIDR], source: "kubeadm's 10.96.0.0/12: declare the Service range chosen at cluster creation" },
  tencent: { services: [KUBEADM_SERVICE_CIDR], source: "kubeadm's 10.96.0.0/12: declare the Service range chosen at cluster creation" },
};

/** The providers a cloud stands for: itself, or every one for `any`. */
function providersOf(cloud: Cloud): readonly CloudProvider[] {
  return cloud === 'any' ? CLOUD_PROVIDERS : [cloud];
}

/**
 * The default Service ranges of a cloud: its managed Kubernetes's, every provider's for `any`
 * (what is carved out), kubeadm's first for `any` (where the resolver is placed).
 */
export function defaultServiceCidrs(cloud: Cloud): string[] {
  const all = providersOf(cloud).flatMap((p) => CLUSTER_RANGE_DEFAULTS[p].services);
  return [...new Set(cloud === 'any' ? [KUBEADM_SERVICE_CIDR, ...all] : all)];
}

/** A cloud's default ranges: the private address space for pods and nodes, its Service ranges. */
export function defaultClusterRanges(cloud: Cloud): ClusterRanges {
  return { pods: PRIVATE_CIDRS, services: defaultServiceCidrs(cloud), nodes: PRIVATE_CIDRS };
}

/**
 * Every block an allowed block carves out when it contains it, each once, in address order (IPv4
 * first): link-local addresses, the cloud's metadata and credential endpoints, and the cluster's
 * own ranges, and each IPv4 one of those in its NAT64 form too (RFC 6052: a translator on the path,
 * on the node or at the network's edge, sends `64:ff9b::a9fe:a9fe` to 169.254.169.254), and RFC
 * 8215's local-use translation prefix `64:ff9b:1::/48` whole (LOCAL_USE_NAT64_BLOCK). Blocks
 * inside others stay listed: a declared block may be one of the outer ones (`169.254.0.0/16`) and
 * still carve out the inner ones (`169.254.169.254/32`).
 */
export function carvedBlocks(cloud: Cloud, ranges: ClusterRanges): Cidr[] {
  const inside = [...LINK_LOCAL_CIDRS.map(cidr), ...metadataBlocks(cloud), ...[...ranges.pods, ...ranges.services, ...ranges.nodes].map(cidr)];
  const all = [...inside, ...inside.filter((c) => c.version === 4).map(nat64), LOCAL_USE_NAT64_BLOCK];
  return all.filter((c, i) => all.findIndex((o) => cidrContains(o, c) && cidrContains(c, o)) === i).sort(compareCidrs);
}

/**
 * The blocks of `carved` that lie strictly inside `block`, none inside another of them: what it
 * carves out. A block listed twice is kept once, not dropped as held by its copy.
 */
export function carvedInside(block: Cidr, carved: readonly Cidr[]): Cidr[] {
  const inside = carved.filter((c) => cidrContains(block, c) && !cidrContains(c, block));
  // Dropped: a block held by a wider one, or by an equal one listed before it.
  return inside.filter((c, i) => !inside.some((o, j) => cidrContains(o, c) && (!cidrContains(c, o) || j < i)));
}

/**
 * The lower band of a Service range, which the API server's allocator leaves to Services that ask
 * for a fixed ClusterIP: it hands out addresses from the upper band first and enters the lower
 * band only when the upper one is full (KEP-3070, "Reserve Service IP Ranges For Dynamic and
 * Static IP Allocation", GA in Kubernetes 1.26; pkg/registry/core/service/ipallocator,
 * calculateRangeOffset: `min(max($min, cidrSize/$step), $max)` with $min 16, $step 16, $max 256).
 * Its addresses are the `offset` addresses after the network address; none below a /28.
 */
export function staticBandSize(block: Cidr): number {
  const size = 1n << BigInt((block.version === 4 ? 32 : 128) - block.prefix);
  if (size <= 16n) return 0;
  const offset = size / 16n;
  return offset < 16n ? 16 : offset > 256n ? 256 : Number(offset);
}

/** Where a fixed ClusterIP goes in a Service range, or why it cannot. */
export type StaticAddress = { readonly address: string } | { readonly problem: string };

/**
 * Where the resolver of cluster names sits in a Service range: the 53rd address after the network
 * address (10.96.0.53 in kubeadm's range, beside kube-dns at 10.96.0.10), or the last of the static
 * band where the band is shorter.
 */
export function resolverIndex(range: string): number {
  return Math.min(53, staticBandSize(cidr(range)));
}

/**
 * The address `index` places after the network address of a Service range, when it lies in the
 * range's static band (KEP-3070), so that no Service created before it can hold it.
 */
export function staticServiceAddress(range: string, index: number): StaticAddress {
  const block = cidr(range);
  const band = staticBandSize(block);
  if (index < 1 || index > band) {
    return {
      problem: `${range} reserves ${band === 0 ? 'no addresses' : `the addresses 1 to ${band} after its network address`} for fixed ClusterIPs (KEP-3070), and the place asked for is ${index}`,
    };
  }
  const value = block.network + BigInt(index);
  if (value > lastAddress(block)) return { problem: `${range} has no address ${index} places after its network address` };
  const address: IpAddress = { version: block.version, value };
  return { address: formatIp(address) };
}

/** Whether an address lies in a Service range's static band (the lower band of KEP-3070). */
export function inStaticBand(range: string, address: IpAddress): boolean {
  const block = cidr(range);
  if (block.version !== address.version) return false;
  const index = address.value - block.network;
  return index >= 1n && index <= BigInt(staticBandSize(block));
}
