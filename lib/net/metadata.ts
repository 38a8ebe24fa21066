/**
 * Cloud instance metadata and credential endpoints, per cloud: the one table that the intent's
 * checks (refused as destinations), the plan (carved out of every allowed block), the Calico
 * guardrail (denied), the reports and the tests read. An AI pod must never reach them: they hand
 * out the node's, or the project's, cloud credentials.
 *
 * Which clouds apply is the platform's `cloud` (lib/intent): one provider, or `any`, the union of
 * all, which is the default. Every address cites its provider's documentation.
 */

import { Cidr, cidr, formatCidr, sameCidr } from './ip';
import { fromNat64, nat64 } from './special';

/** Clouds whose metadata endpoints this table knows. */
export const CLOUD_PROVIDERS = [
  'aws',
  'gcp',
  'azure',
  'alibaba',
  'oracle',
  'ibm',
  'digitalocean',
  'hetzner',
  'openstack',
  'scaleway',
  'akamai',
  'tencent',
] as const;

/** One provider of the table. */
export type CloudProvider = (typeof CLOUD_PROVIDERS)[number];

/** The platform's cloud: one provider, or `any` (every provider's endpoints). */
export type Cloud = CloudProvider | 'any';

/** Every value of Cloud, `any` first. */
export const CLOUDS: readonly Cloud[] = ['any', ...CLOUD_PROVIDERS];

/** One service that hands out metadata or credentials, at fixed addresses. */
export interface MetadataEndpoint {
  /** Stable name, e.g. `eks-pod-identity`; an app names it to be allowed one (see `podCredentials`). */
  readonly name: string;
  /** What it is, for messages and rule descriptions. */
  readonly what: string;
  readonly clouds: readonly CloudProvider[];
  /** Its addresses as blocks (one address each). */
  readonly cidrs: readonly string[];
  /**
   * Set when pods may legitimately need it for their own credentials (not the node's): an app
   * may then be allowed it explicitly, with a written reason. The text says what for.
   */
  readonly podCredentials?: string;
}

/**
 * The endpoints, in the order the guardrail denies them. An address shared by several clouds
 * (169.254.169.254) is listed under each, so a single cloud finds all of its own.
 */
export const METADATA_ENDPOINTS: readonly MetadataEndpoint[] = [
  {
    // "IPv4 http://169.254.169.254/latest/meta-data/ IPv6 http://[fd00:ec2::254]/latest/meta-data/"
    // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
    name: 'aws-imds',
    what: 'the EC2 instance metadata service',
    clouds: ['aws'],
    cidrs: ['169.254.169.254/32', 'fd00:ec2::254/128'],
  },
  {
    // "The agent uses the loopback (localhost) IP address 169.254.170.23 for IPv4 and the localhost
    // IP address [fd00:ec2::23] for IPv6."
    // https://docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html
    name: 'eks-pod-identity',
    what: 'the EKS Pod Identity agent',
    clouds: ['aws'],
    cidrs: ['169.254.170.23/32', 'fd00:ec2::23/128'],
    podCredentials: "the IAM role associated with the pod's ServiceAccount (https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html)",
  },
  {
    // ECS task credentials: "curl 169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
    // Not used by EKS; denied anyway, since it answers credential requests on some AWS hosts.
    name: 'ecs-task-credentials',
    what: 'the ECS task credentials endpoint',
    clouds: ['aws'],
    cidrs: ['169.254.170.2/32'],
  },
  {
    // "http://metadata.google.internal/computeMetadata/v1/", the metadata server at 169.254.169.254
    // https://cloud.google.com/compute/docs/metadata/querying-metadata
    // fd20:ce::254 is the address IPv6-only VMs use in the same service; it is named in public
    // SSRF block lists and was not checked against Google's page when this was written. Denying
    // an unused address costs nothing.
    name: 'gcp-metadata',
    what: 'the Compute Engine metadata server',
    clouds: ['gcp'],
    cidrs: ['169.254.169.254/32', 'fd20:ce::254/128'],
  },
  {
    // The GKE metadata server (Workload Identity Federation for GKE,
    // https://cloud.google.com/kubernetes-engine/docs/concepts/workload-identity): on the
    // iptables data path (Dataplane V1, where Calico runs on GKE) the node redirects
    // 169.254.169.254:80 to 169.254.169.252:988 before network policy sees the packet, so a deny
    // of .254 alone may not match there. Known from the GKE node's configuration as described by
    // third parties, not from a Google page; denied as a precaution.
    name: 'gke-metadata-server',
    what: 'the GKE metadata server',
    clouds: ['gcp'],
    cidrs: ['169.254.169.252/32'],
  },
  {
    // "IMDS is a REST API that's available at a well-known, non-routable IP address (169.254.169.254)."
    // https://learn.microsoft.com/azure/virtual-machines/instance-metadata-service
    name: 'azure-imds',
    what: 'the Azure Instance Metadata Service',
    clouds: ['azure'],
    cidrs: ['169.254.169.254/32'],
  },
  {
    // WireServer, a public address that only Azure hosts answer: VM agent, extensions, DHCP, DNS
    // and health probes (https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16).
    // AKS itself blocks pods from it since July 2024 (TLS bootstrap tokens were readable there).
    // AI pods resolve names through kube-dns, so they need none of it; because the address is
    // public, an internet-sized allowed block would contain it, and it is carved out of such blocks.
    name: 'azure-wireserver',
    what: 'the Azure WireServer',
    clouds: ['azure'],
    cidrs: ['168.63.129.16/32'],
  },
  {
    // "The Alibaba Cloud metadata service is available at the well known url http://100.100.100.200/"
    // (cloud-init's Aliyun datasource, doc/rtd/topics/datasources/aliyun.rst; Alibaba's own
    // "Instance metadata" page: https://www.alibabacloud.com/help/en/ecs/user-guide/view-instance-metadata)
    name: 'alibaba-metadata',
    what: 'the Alibaba Cloud ECS metadata service',
    clouds: ['alibaba'],
    cidrs: ['100.100.100.200/32'],
  },
  {
    // The instance metadata service is an HTTP endpoint "listening on 169.254.169.254"
    // https://docs.oracle.com/iaas/Content/Compute/Tasks/gettingmetadata.htm
    // On IPv6 the same service answers at fd00:c1::a9fe:a9fe: the OCI SDKs' instance principals
    // signer asks it there (oracle/oci-python-sdk, src/oci/auth/signers/
    // instance_principals_security_token_signer.py), and OKE's node scripts try
    // http://[fd00:c1::a9fe:a9fe]/opc/v2/ after 169.254.169.254; Oracle's page names IPv4 only.
    name: 'oracle-imds',
    what: 'the OCI instance metadata service',
    clouds: ['oracle'],
    cidrs: ['169.254.169.254/32', 'fd00:c1::a9fe:a9fe/128'],
  },
  {
    // "the endpoint URL may contain either the service's IP address http://169.254.169.254 or the
    // service's hostname http://api.metadata.cloud.ibm.com" https://cloud.ibm.com/apidocs/vpc-identity
    name: 'ibm-metadata',
    what: 'the IBM Cloud VPC metadata service',
    clouds: ['ibm'],
    cidrs: ['169.254.169.254/32'],
  },
  {
    // "Droplets can access the metadata service using the special, static, link-local IP address 169.254.169.254."
    // https://docs.digitalocean.com/products/droplets/how-to/access-metadata/
    name: 'digitalocean-metadata',
    what: 'the DigitalOcean Droplet metadata service',
    clouds: ['digitalocean'],
    cidrs: ['169.254.169.254/32'],
  },
  {
    // `const Endpoint = "http://169.254.169.254/hetzner/v1/metadata"` (hetznercloud/hcloud-go,
    // package metadata; https://docs.hetzner.cloud/#server-metadata)
    name: 'hetzner-metadata',
    what: 'the Hetzner Cloud server metadata service',
    clouds: ['hetzner'],
    cidrs: ['169.254.169.254/32'],
  },
  {
    // "Guests access the service at 169.254.169.254 or at fe80::a9fe:a9fe."
    // https://docs.openstack.org/nova/latest/admin/metadata-service.html
    name: 'openstack-metadata',
    what: 'the OpenStack Nova metadata service',
    clouds: ['openstack'],
    cidrs: ['169.254.169.254/32', 'fe80::a9fe:a9fe/128'],
  },
  {
    // "The instance metadata service is reachable at the following addresses: IPv4: 169.254.42.42,
    // IPv6: fd00:42::42" (cloud-init's Scaleway datasource, doc/rtd/reference/datasources/scaleway.rst).
    name: 'scaleway-metadata',
    what: 'the Scaleway instance metadata service',
    clouds: ['scaleway'],
    cidrs: ['169.254.42.42/32', 'fd00:42::42/128'],
  },
  {
    // "the Metadata API is accessible via link-local addresses, specifically: IPv4: 169.254.169.254,
    // IPv6: fd00:a9fe:a9fe::1, fe80::a9fe:a9fe"
    // https://techdocs.akamai.com/cloud-computing/docs/metadata-service-api (Akamai Cloud, Linode)
    name: 'akamai-metadata',
    what: 'the Akamai Cloud (Linode) Metadata service',
    clouds: ['akamai'],
    cidrs: ['169.254.169.254/32', 'fd00:a9fe:a9fe::1/128', 'fe80::a9fe:a9fe/128'],
  },
  {
    // "http://metadata.tencentyun.com/latest/meta-data/", which also serves the CAM role's
    // temporary credentials (cam/security-credentials/<role>): Tencent Cloud's "Viewing Instance
    // Metadata", product 213 document 4934 (tencentyun/intlcloud-documents). The page names the host,
    // not its address; inside a CVM it resolves to 169.254.0.23, as SSRF block lists record. It lies
    // in 169.254.0.0/16, which every wide allowed block carves out whole (LINK_LOCAL_BLOCKS).
    name: 'tencent-metadata',
    what: 'the Tencent Cloud CVM metadata service',
    clouds: ['tencent'],
    cidrs: ['169.254.0.23/32'],
  },
];

/**
 * Link-local addresses, carved out of every allowed block that contains them, whatever the cloud:
 * metadata services of every provider live there (169.254.169.254, 169.254.42.42, 169.254.0.23,
 * fe80::a9fe:a9fe), and so may those of providers this table does not know. IPv4 link-local is
 * 169.254.0.0/16 (RFC 3927), IPv6 link-local unicast fe80::/10 (RFC 4291, 2.5.6).
 */
export const LINK_LOCAL_CIDRS: readonly string[] = ['169.254.0.0/16', 'fe80::/10'];

/** The endpoints of a cloud (`any`: all of them). */
function metadataEndpoints(cloud: Cloud = 'any'): MetadataEndpoint[] {
  return METADATA_ENDPOINTS.filter((e) => cloud === 'any' || e.clouds.includes(cloud));
}

/** The addresses of a cloud's endpoints as blocks, each once, IPv4 first, each version in address order. */
export function metadataCidrs(cloud: Cloud = 'any'): string[] {
  return [...tableOf(cloud).cidrs];
}

/** The same, parsed. */
export function metadataBlocks(cloud: Cloud = 'any'): Cidr[] {
  return [...tableOf(cloud).blocks];
}

/**
 * A cloud's blocks, sorted and written once: the plan asks for them for every destination it
 * carves them out of (200,000 times at 10,000 apps), and parsing the table each time was most of
 * a synthesis of that size.
 */
interface Table {
  readonly cidrs: readonly string[];
  readonly blocks: readonly Cidr[];
  /** The NAT64 forms of the IPv4 blocks, in their order. */
  readonly nat64: readonly Cidr[];
}

const tables = new Map<Cloud, Table>();

function tableOf(cloud: Cloud): Table {
  let table = tables.get(cloud);
  if (!table) {
    const blocks = [...new Set(metadataEndpoints(cloud).flatMap((e) => e.cidrs))].map(cidr);
    blocks.sort((a, b) => a.version - b.version || (a.network < b.network ? -1 : a.network > b.network ? 1 : 0));
    table = { cidrs: blocks.map(formatCidr), blocks, nat64: blocks.filter((b) => b.version === 4).map(nat64) };
    tables.set(cloud, table);
  }
  return table;
}

/**
 * The NAT64 forms of a cloud's IPv4 metadata blocks (`64:ff9b::a9fe:a9fe/128` for
 * 169.254.169.254/32), in the order of the IPv4 ones. RFC 6052 (2.1) gives the well-known prefix
 * 64:ff9b::/96; a NAT64 translator on the path (RFC 6146), on the node or at the network's edge,
 * sends a packet to such an address on to the IPv4 address it embeds. So each is metadata as
 * much as the IPv4 address: the intent refuses them, the plan carves them out, the guardrails
 * deny them and the verifier's listings and the review read them as metadata (`isMetadataBlock`).
 */
export function metadataNat64Cidrs(cloud: Cloud = 'any'): string[] {
  return [...tableOf(cloud).nat64.map(formatCidr)];
}

/** The same, parsed. */
export function metadataNat64Blocks(cloud: Cloud = 'any'): Cidr[] {
  return [...tableOf(cloud).nat64];
}

/**
 * The endpoints (of any cloud) at a block's address, for descriptions: `the EC2 instance metadata
 * service, ...`; for the NAT64 form of an IPv4 address, the endpoints at that address.
 */
export function endpointsAt(block: string): MetadataEndpoint[] {
  const parsed = cidr(block);
  const c = fromNat64(parsed) ?? parsed;
  endpointBlocks ??= METADATA_ENDPOINTS.map((e) => ({ endpoint: e, blocks: e.cidrs.map(cidr) }));
  return endpointBlocks.filter(({ blocks }) => blocks.some((x) => sameCidr(x, c))).map(({ endpoint }) => endpoint);
}

/** Each endpoint's blocks, parsed once (the checks ask `endpointsAt` for every metadata address of every workload's report). */
let endpointBlocks: readonly { readonly endpoint: MetadataEndpoint; readonly blocks: readonly Cidr[] }[] | undefined;

/** The endpoints an app may be allowed, with a reason: those that hand a pod its own credentials. */
export function podCredentialEndpoints(cloud: Cloud = 'any'): MetadataEndpoint[] {
  return metadataEndpoints(cloud).filter((e) => e.podCredentials !== undefined);
}

/** Every cloud's addresses as blocks are written: what `cloud: 'any'` denies. */
export const METADATA_CIDRS: readonly string[] = metadataCidrs('any');

/** The same, parsed. */
export const METADATA_BLOCKS: readonly Cidr[] = METADATA_CIDRS.map(cidr);

/** Every cloud's IPv4 metadata addresses in their NAT64 form: what `cloud: 'any'` denies besides METADATA_CIDRS. */
const METADATA_NAT64_BLOCKS: readonly Cidr[] = metadataNat64Blocks('any');

/** True when the block is exactly one of the metadata addresses of any cloud, as written or in its NAT64 form. */
export function isMetadataBlock(block: Cidr): boolean {
  return METADATA_BLOCKS.some((m) => sameCidr(m, block)) || METADATA_NAT64_BLOCKS.some((m) => sameCidr(m, block));
}
