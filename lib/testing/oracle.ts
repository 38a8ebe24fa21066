/**
 * What an app may send and who may call it, according to its declared intent alone: the second,
 * independent reading that the tests compare with the verifier's reading of the YAML.
 *
 * Independent of what it checks: it reads the intent (never the plan of lib/policy, the
 * destination kinds' peers, or anything a renderer wrote), carries its own table of the clouds'
 * metadata and credential addresses (written from the providers' pages, not imported from
 * lib/net/metadata.ts), and does its own address arithmetic: BigInt intervals here, Node's
 * `net.isIP` to accept an address and `net.BlockList` for single packets (`egressAllows`), never
 * lib/net. Only types are imported: the intent's, the verifier's, to read its answers, and the
 * reach matchers' (reach.ts), to write the declaration as they take it (`declaredDestinations`).
 *
 * Two views of a cluster, since audit mode renders an app's own policies (and the default deny of
 * its namespace) as Calico Staged kinds, which the verifier reads and reports but never enforces
 * (lib/verify/cluster.ts: "Staged policies: read, reported, never enforced"):
 * - `enforced`, the cluster as it runs: an audited app is confined by the Calico metadata
 *   guardrail alone, which stays enforced, so it may send anything anywhere but to its cloud's
 *   metadata and credential addresses (a pod credential endpoint it declares stays open on the
 *   declared protocol and ports), and it admits every caller (nothing enforced selects it for
 *   ingress);
 * - `previewed`, every Staged policy enforced as what it previews: an audited app reaches and
 *   admits exactly what it declares, like any enforced app.
 */
import { BlockList, isIP } from 'net';
import type { AiAppIntent, EgressDestination, IngressClient, PlatformIntent, PortSpec, Protocol } from '../intent';
import type { ExpectedReach } from './reach';
import type { Destination, HostPattern, Ports, ReachEntry, WorkloadEgress } from '../verify';
import { PROTOCOLS, KUBE_DNS } from '../k8s';

export type View = 'enforced' | 'previewed';

// ---------------------------------------------------------------------------------------------
// The clouds' metadata and credential addresses: a specification, written from each provider's
// documentation (the same pages lib/net/metadata.ts cites).

/** One cloud's addresses that hand out metadata or credentials, and its pod credential endpoints by name. */
interface CloudSpec {
  /** Never reachable. */
  readonly metadata: readonly string[];
  /** Pod credential endpoints an app may be allowed with a reason; otherwise denied like metadata. */
  readonly credentials: Readonly<Record<string, readonly string[]>>;
}

export const CLOUD_SPEC: Readonly<Record<string, CloudSpec>> = {
  aws: {
    // EC2 IMDS: http://169.254.169.254 and http://[fd00:ec2::254]
    // (docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html); ECS task
    // credentials at 169.254.170.2 (docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html).
    metadata: ['169.254.169.254', 'fd00:ec2::254', '169.254.170.2'],
    // The EKS Pod Identity agent, 169.254.170.23 and [fd00:ec2::23]
    // (docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html).
    credentials: { 'eks-pod-identity': ['169.254.170.23', 'fd00:ec2::23'] },
  },
  // The metadata server at 169.254.169.254 (cloud.google.com/compute/docs/metadata/querying-metadata),
  // fd20:ce::254 on IPv6, and the GKE metadata server at 169.254.169.252 (Workload Identity on GKE).
  gcp: { metadata: ['169.254.169.254', 'fd20:ce::254', '169.254.169.252'], credentials: {} },
  // IMDS at 169.254.169.254 (learn.microsoft.com/azure/virtual-machines/instance-metadata-service)
  // and the WireServer at 168.63.129.16 (learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16).
  azure: { metadata: ['169.254.169.254', '168.63.129.16'], credentials: {} },
  // http://100.100.100.200/ (alibabacloud.com/help/en/ecs/user-guide/view-instance-metadata).
  alibaba: { metadata: ['100.100.100.200'], credentials: {} },
  // docs.oracle.com/iaas/Content/Compute/Tasks/gettingmetadata.htm, and fd00:c1::a9fe:a9fe on IPv6
  // (where Oracle's own SDKs and OKE node scripts ask it).
  oracle: { metadata: ['169.254.169.254', 'fd00:c1::a9fe:a9fe'], credentials: {} },
  // cloud.ibm.com/apidocs/vpc-identity
  ibm: { metadata: ['169.254.169.254'], credentials: {} },
  // docs.digitalocean.com/products/droplets/how-to/access-metadata/
  digitalocean: { metadata: ['169.254.169.254'], credentials: {} },
  // docs.hetzner.cloud/#server-metadata
  hetzner: { metadata: ['169.254.169.254'], credentials: {} },
  // 169.254.169.254 or fe80::a9fe:a9fe (docs.openstack.org/nova/latest/admin/metadata-service.html).
  openstack: { metadata: ['169.254.169.254', 'fe80::a9fe:a9fe'], credentials: {} },
  // 169.254.42.42 and fd00:42::42 (cloud-init, doc/rtd/reference/datasources/scaleway.rst).
  scaleway: { metadata: ['169.254.42.42', 'fd00:42::42'], credentials: {} },
  // 169.254.169.254, fd00:a9fe:a9fe::1 and fe80::a9fe:a9fe (techdocs.akamai.com/cloud-computing/docs/metadata-service-api).
  akamai: { metadata: ['169.254.169.254', 'fd00:a9fe:a9fe::1', 'fe80::a9fe:a9fe'], credentials: {} },
  // metadata.tencentyun.com, at 169.254.0.23 inside a CVM.
  tencent: { metadata: ['169.254.0.23'], credentials: {} },
};

/**
 * The cluster's own ranges when the intent declares none, written from the providers' pages apart
 * from lib/net: pods and nodes anywhere in the private space (RFC 1918, RFC 6598, RFC 4193), and the
 * Service range of the cloud's managed Kubernetes (EKS picks one of two, GKE and AKS one each),
 * kubeadm's 10.96.0.0/12 elsewhere; with `any`, every one of them.
 */
const PRIVATE_SPACE = ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'];
const SERVICE_DEFAULTS: Readonly<Record<string, readonly string[]>> = {
  aws: ['10.100.0.0/16', '172.20.0.0/16'],
  gcp: ['34.118.224.0/20'],
  azure: ['10.0.0.0/16'],
};
const KUBEADM_SERVICES = '10.96.0.0/12';

/** The ranges of the cluster, declared or by default: what no allowed block may hold. */
function clusterRangeBlocks(platform: Pick<PlatformIntent, 'cloud' | 'clusterNetwork'>): string[] {
  const cloud = platform.cloud ?? 'any';
  const services =
    platform.clusterNetwork?.serviceCidrs ??
    (cloud === 'any' ? [KUBEADM_SERVICES, ...Object.values(SERVICE_DEFAULTS).flat()] : (SERVICE_DEFAULTS[cloud] ?? [KUBEADM_SERVICES]));
  return [...(platform.clusterNetwork?.podCidrs ?? PRIVATE_SPACE), ...services, ...(platform.clusterNetwork?.nodeCidrs ?? PRIVATE_SPACE)];
}

/** Link-local addresses (RFC 3927, RFC 4291): carved out of every block that holds them. */
const LINK_LOCAL = ['169.254.0.0/16', 'fe80::/10'];

/** The resolver of cluster names: where an app without public names may send DNS. */
function resolverClass(platform: Pick<PlatformIntent, 'dnsResolver'>): { namespace: string; labels: Record<string, string> } {
  return { namespace: platform.dnsResolver?.namespace ?? 'ai-dns', labels: { 'app.kubernetes.io/name': 'dns-resolver' } };
}

/** The clouds of the specification; with `any`, the values the intent's `cloud` accepts. */
export const SPEC_CLOUDS: readonly string[] = Object.keys(CLOUD_SPEC);

const cloudsOf = (platform: Pick<PlatformIntent, 'cloud'>): CloudSpec[] =>
  platform.cloud === undefined || platform.cloud === 'any' ? Object.values(CLOUD_SPEC) : [CLOUD_SPEC[platform.cloud]];

/**
 * The addresses of each cloud (`any` for every cloud's), computed once: the oracle asks for them
 * for every packet it decides (`egressAllows`), and parsing, sorting and writing them again each
 * time was an eighth of the CPU of a test that checks dist/ (BENCHMARKS.md, npm test). They depend
 * on the cloud alone: CLOUD_SPEC is a constant.
 */
const addressesByCloud = new Map<string, { readonly metadata: readonly string[]; readonly nat64: readonly string[] }>();

function cloudAddresses(platform: Pick<PlatformIntent, 'cloud'>): { readonly metadata: readonly string[]; readonly nat64: readonly string[] } {
  const key = platform.cloud ?? 'any';
  let found = addressesByCloud.get(key);
  if (found === undefined) {
    const parsed = [...new Set(cloudsOf(platform).flatMap((c) => [...c.metadata, ...Object.values(c.credentials).flat()]))].map(parseAddress);
    const metadata = parsed.sort((a, b) => a.version - b.version || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)).map(formatAddress);
    const nat64 = metadata.filter((a) => isIP(a) === 4).map((a) => nat64Form(a).split('/')[0]);
    found = { metadata, nat64 };
    addressesByCloud.set(key, found);
  }
  return found;
}

/** Every metadata and credential address of the platform's cloud (every cloud's with `any`, the default), IPv4 first, each in address order. */
export function metadataAddresses(platform: Pick<PlatformIntent, 'cloud'>): string[] {
  return [...cloudAddresses(platform).metadata];
}

/**
 * The NAT64 forms of the platform's IPv4 metadata and credential addresses (RFC 6052: the
 * well-known prefix 64:ff9b::/96, then the IPv4 address), in the order of `metadataAddresses`: a
 * translator on the path sends them to the IPv4 address, so they are never reachable either, not
 * even for an app that declares a pod credential endpoint (it is declared as written).
 */
export function metadataNat64Addresses(platform: Pick<PlatformIntent, 'cloud'>): string[] {
  return [...cloudAddresses(platform).nat64];
}

/** The addresses of a pod credential endpoint of the platform's cloud. */
export function credentialAddresses(platform: Pick<PlatformIntent, 'cloud'>, name: string): readonly string[] {
  const found = cloudsOf(platform).find((c) => c.credentials[name]);
  if (!found) throw new Error(`the oracle knows no pod credential endpoint ${name} in cloud ${platform.cloud ?? 'any'}`);
  return found.credentials[name];
}

// ---------------------------------------------------------------------------------------------
// Addresses as BigInt intervals.

type Version = 4 | 6;
const BITS: Readonly<Record<Version, bigint>> = { 4: 32n, 6: 128n };

/** An inclusive interval of addresses of one IP version. */
interface Span {
  readonly lo: bigint;
  readonly hi: bigint;
}

export interface Address {
  readonly version: Version;
  readonly value: bigint;
}

function v4Value(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

/** An address as Node accepts it (`net.isIP`), as a number. */
export function parseAddress(text: string): Address {
  const version = isIP(text);
  if (version === 0 || text.includes('%')) throw new Error(`the oracle: ${text} is not an address`);
  if (version === 4) return { version, value: v4Value(text) };
  const groups = (part: string) =>
    part === ''
      ? []
      : part.split(':').flatMap((g) => {
          if (!g.includes('.')) return [BigInt(`0x${g}`)];
          const v = v4Value(g);
          return [v >> 16n, v & 0xffffn];
        });
  const [head, tail] = text.split('::');
  const before = groups(head);
  const after = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? before : [...before, ...Array<bigint>(8 - before.length - after.length).fill(0n), ...after];
  return { version: 6, value: all.reduce((acc, g) => (acc << 16n) | g, 0n) };
}

/** An address written as Node writes it: dotted, or the URL parser's RFC 5952 form. */
export function formatAddress(a: Address): string {
  if (a.version === 4) return [24n, 16n, 8n, 0n].map((s) => String((a.value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((a.value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

interface Block {
  readonly version: Version;
  readonly span: Span;
}

/** `a/p` (or one address, as the whole of a block) as its interval. */
function parseBlock(text: string): Block {
  const [address, prefixText] = text.split('/');
  const { version, value } = parseAddress(address);
  const bits = BITS[version];
  const prefix = prefixText === undefined ? bits : BigInt(Number(prefixText));
  const size = 1n << (bits - prefix);
  const lo = value - (value % size);
  return { version, span: { lo, hi: lo + size - 1n } };
}

/** Sorted, disjoint, not adjacent. */
function normalize(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.lo <= last.hi + 1n) out[out.length - 1] = { lo: last.lo, hi: s.hi > last.hi ? s.hi : last.hi };
    else out.push(s);
  }
  return out;
}

function subtract(from: readonly Span[], cut: readonly Span[]): Span[] {
  let rest = normalize(from);
  for (const c of cut) {
    rest = rest.flatMap((s) => {
      if (c.hi < s.lo || c.lo > s.hi) return [s];
      return [...(c.lo > s.lo ? [{ lo: s.lo, hi: c.lo - 1n }] : []), ...(c.hi < s.hi ? [{ lo: c.hi + 1n, hi: s.hi }] : [])];
    });
  }
  return rest;
}

/** Whether `inner` lies wholly inside `outer`. */
function within(inner: readonly Span[], outer: readonly Span[]): boolean {
  return subtract(inner, outer).length === 0;
}

// ---------------------------------------------------------------------------------------------
// Reach: address rectangles (protocol, port range, addresses of one version) and classes of pods.

const ALL_PORTS = { from: 1, to: 65535 } as const;
const DNS_PORTS = { from: 53, to: 53 } as const;

interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** Addresses on ports of one protocol. */
interface Nets {
  readonly protocol: Protocol;
  readonly ports: PortRange;
  readonly version: Version;
  readonly spans: readonly Span[];
  /** How a difference names it. */
  readonly text: string;
}

/** Pods of a namespace (`*`: any namespace) that carry the labels, on ports of one protocol. */
interface Pods {
  readonly protocol: Protocol;
  readonly ports: PortRange;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

interface Reach {
  readonly nets: readonly Nets[];
  readonly pods: readonly Pods[];
}

const range = (p: PortSpec): PortRange => (typeof p === 'number' ? { from: p, to: p } : { from: p.from, to: p.to });
const portsText = (p: PortRange) => (p.from === p.to ? String(p.from) : p.from === 1 && p.to === 65535 ? 'all ports' : `${p.from}-${p.to}`);
const labelsText = (labels: Readonly<Record<string, string>>) =>
  `{${Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}}`;

/** Whether the app's own policies are previewed (rendered Staged) rather than enforced: its own `audit`, else the platform's. */
export function isAuditedApp(app: AiAppIntent, platform: PlatformIntent): boolean {
  return app.flavor === 'calico' && (app.audit ?? platform.calico?.audit ?? false);
}

/** The platform's metadata addresses, by IP version, and the NAT64 forms of the IPv4 ones among the IPv6. */
function metadataSpans(platform: PlatformIntent, version: Version): Span[] {
  return [...metadataAddresses(platform), ...metadataNat64Addresses(platform)]
    .map(parseBlock)
    .filter((b) => b.version === version)
    .map((b) => b.span);
}

/** The blocks a destination names, and whether they are a pod credential endpoint (allowed whole). */
function blocksOf(d: EgressDestination, platform: PlatformIntent): { texts: readonly string[]; credentials: boolean } | undefined {
  if ('cidr' in d) return { texts: [d.cidr], credentials: false };
  if ('allowList' in d) {
    const list = (platform.allowLists ?? []).find((l) => l.name === d.allowList);
    if (!list) throw new Error(`the oracle: allow-list ${d.allowList} is not declared`);
    return { texts: list.cidrs, credentials: false };
  }
  if ('credentials' in d) return { texts: credentialAddresses(platform, d.credentials), credentials: true };
  if ('namespace' in d || 'hosts' in d) return undefined;
  // A new kind of destination needs its own reading here, written apart from its module's peer.
  throw new Error(`the oracle does not know the destination ${JSON.stringify(d)}`);
}

/** The number of host bits of a block's interval. */
function hostBits(span: Span): bigint {
  let bits = 0n;
  while (1n << bits < span.hi - span.lo + 1n) bits += 1n;
  return bits;
}

/** The NAT64 form of an IPv4 block or address (RFC 6052, the well-known prefix 64:ff9b::/96): a translator on the path makes it the IPv4 one again. */
function nat64Form(text: string): string {
  const [address, prefix] = text.split('/');
  return `64:ff9b::${address}/${96 + Number(prefix ?? 32)}`;
}

/**
 * RFC 8215's local-use prefix of IPv4/IPv6 translation, where the operator of a translator chooses
 * how an IPv4 address is embedded (RFC 6052, 2.2): carved out whole.
 */
const LOCAL_USE_TRANSLATION = '64:ff9b:1::/48';

/** Every block carved out of the blocks that hold it: link-local, the cloud's metadata addresses, the cluster's ranges, the IPv4 ones of these in their NAT64 form too, and the local-use translation prefix. */
function carvedBlocks(platform: PlatformIntent): string[] {
  const blocks = [...LINK_LOCAL, ...metadataAddresses(platform), ...clusterRangeBlocks(platform)];
  return [...blocks, ...blocks.filter((b) => isIP(b.split('/')[0]) === 4).map(nat64Form), LOCAL_USE_TRANSLATION];
}

/**
 * The carved blocks inside a block (but not the whole of it), none inside another one of them,
 * IPv4 first, each in address order: what is carved out of it.
 */
function carvedOut(text: string, platform: PlatformIntent): string[] {
  const block = parseBlock(text);
  const inside = carvedBlocks(platform)
    .map((t) => ({ text: t, parsed: parseBlock(t) }))
    .filter(
      ({ parsed: c }) =>
        c.version === block.version &&
        c.span.lo >= block.span.lo &&
        c.span.hi <= block.span.hi &&
        !(c.span.lo === block.span.lo && c.span.hi === block.span.hi),
    );
  const outermost = inside.filter(
    ({ parsed: c }, i) =>
      !inside.some(
        ({ parsed: o }, j) => j !== i && o.span.lo <= c.span.lo && o.span.hi >= c.span.hi && (o.span.lo !== c.span.lo || o.span.hi !== c.span.hi || j < i),
      ),
  );
  return outermost
    .sort((a, b) => (a.parsed.span.lo < b.parsed.span.lo ? -1 : a.parsed.span.lo > b.parsed.span.lo ? 1 : 0))
    .map(({ parsed }) => `${formatAddress({ version: parsed.version, value: parsed.span.lo })}/${BITS[parsed.version] - hostBits(parsed.span)}`);
}

/** A block as allowed: what it carves out taken out, unless it is a credential endpoint's own. */
function allowedBlock(text: string, platform: PlatformIntent, credentials: boolean, protocol: Protocol, ports: PortRange): Nets {
  const block = parseBlock(text);
  const except = credentials ? [] : carvedOut(text, platform);
  const spans = subtract(
    [block.span],
    except.map((e) => parseBlock(e).span),
  );
  return { protocol, ports, version: block.version, spans, text: `cidr ${text}${except.length ? ` except ${except.join(', ')}` : ''}` };
}

/** Whether the app resolves names outside the cluster (through kube-dns), rather than through the resolver of cluster names. */
function resolvesPublicNames(app: AiAppIntent): boolean {
  return app.dns?.publicNames !== undefined;
}

/** Whether the app may send DNS to the kube-dns pods: with public names, unless turned off. */
const kubeDnsAllowed = (app: AiAppIntent) => resolvesPublicNames(app) && app.dns?.kubeDns !== false;

/** The DNS servers an app with public names declares by address: NodeLocal DNSCache's, and the kube-dns ClusterIP it also answers on. */
function dnsServers(app: AiAppIntent): string[] {
  if (!resolvesPublicNames(app)) return [];
  const nodeLocal = app.dns?.nodeLocal ?? [];
  return nodeLocal.length > 0 ? [...nodeLocal, ...(app.dns?.kubeDnsClusterIp ? [app.dns.kubeDnsClusterIp] : [])] : [];
}

/**
 * What the app declares it may send, written as the reach matchers of lib/testing take it
 * (`expect(cluster).toReachExactly(id, declaredDestinations(app, intent))`): DNS as its `dns`
 * says, then every destination, each block with the cloud's metadata addresses inside it listed
 * as carved out.
 */
export function declaredDestinations(app: AiAppIntent, platform: PlatformIntent): ExpectedReach[] {
  const out: ExpectedReach[] = [];
  const asBlock = (address: string) => `${address}/${parseAddress(address).version === 4 ? 32 : 128}`;
  const resolver = resolverClass(platform);
  for (const protocol of ['UDP', 'TCP'] as const) {
    if (!resolvesPublicNames(app)) out.push({ namespace: resolver.namespace, podLabels: resolver.labels, ports: [53], protocol });
    if (kubeDnsAllowed(app)) out.push({ namespace: KUBE_DNS.namespace, podLabels: KUBE_DNS.podLabels, ports: [53], protocol });
    for (const server of dnsServers(app).map(asBlock)) {
      const except = carvedOut(server, platform);
      out.push({ cidr: server, ...(except.length ? { except } : {}), ports: [53], protocol });
    }
  }
  for (const d of app.egress) {
    const protocol = d.protocol ?? 'TCP';
    const blocks = blocksOf(d, platform);
    if (blocks) {
      for (const text of blocks.texts) {
        const cidr = text.includes('/') ? text : asBlock(text);
        const except = blocks.credentials ? [] : carvedOut(cidr, platform);
        out.push({ cidr, ...(except.length ? { except } : {}), ports: d.ports, protocol });
      }
    } else if ('namespace' in d) out.push({ namespace: d.namespace, podLabels: d.podLabels, ports: d.ports, protocol });
    else if ('hosts' in d) out.push({ hosts: [...new Set(d.hosts.map(hostText))], ports: d.ports });
  }
  return out;
}

/** A declared name as the intent means it: case and a trailing dot do not matter (`API.OpenAI.com.` is `api.openai.com`). */
function hostText(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

/**
 * The names the sender may reach through the egress proxy in the view, each with its port ranges
 * (`name port-port`): its app's declared names on their ports, unless it is an impostor whose
 * app's policies are enforced (it reaches nothing). The proxy admits each app on its own port by
 * the app's namespace and labels, which an impostor carries too.
 */
function expectedNames(sender: Sender, platform: PlatformIntent, view: View): { readonly host: string; readonly ports: PortRange }[] {
  const ownEnforced = view === 'previewed' || !isAuditedApp(sender.app, platform);
  if (sender.impostor && ownEnforced) return [];
  return sender.app.egress.flatMap((d) => ('hosts' in d ? d.hosts.map(hostText).flatMap((host) => d.ports.map((p) => ({ host, ports: range(p) }))) : []));
}

/** What the app's own policies allow it to send: DNS as its `dns` says, then every destination on its ports. */
function declaredEgress(app: AiAppIntent, platform: PlatformIntent): Reach {
  const nets: Nets[] = [];
  const pods: Pods[] = [];
  const resolver = resolverClass(platform);
  for (const protocol of ['UDP', 'TCP'] as const) {
    if (!resolvesPublicNames(app)) pods.push({ protocol, ports: DNS_PORTS, namespace: resolver.namespace, labels: resolver.labels });
    if (kubeDnsAllowed(app)) pods.push({ protocol, ports: DNS_PORTS, namespace: KUBE_DNS.namespace, labels: KUBE_DNS.podLabels });
    for (const server of dnsServers(app)) nets.push(allowedBlock(server, platform, false, protocol, DNS_PORTS));
  }
  for (const d of app.egress) {
    const protocol = d.protocol ?? 'TCP';
    for (const ports of d.ports.map(range)) {
      const blocks = blocksOf(d, platform);
      if (blocks) for (const text of blocks.texts) nets.push(allowedBlock(text, platform, blocks.credentials, protocol, ports));
      else if ('namespace' in d) pods.push({ protocol, ports, namespace: d.namespace, labels: d.podLabels });
    }
  }
  return { nets, pods };
}

/**
 * Everything but the cloud's metadata addresses (and the NAT64 forms of its IPv4 ones), on every protocol and port, and every pod: what
 * the enforced metadata guardrail alone lets out. With `credentials`, the pod credential endpoints
 * the app declares too, on the declared protocol and ports.
 */
function guardrailOnly(app: AiAppIntent, platform: PlatformIntent, credentials: boolean): Reach {
  const nets: Nets[] = PROTOCOLS.flatMap((protocol) =>
    ([4, 6] as const).map((version): Nets => {
      const spans = subtract([{ lo: 0n, hi: (1n << BITS[version]) - 1n }], metadataSpans(platform, version));
      return { protocol, ports: ALL_PORTS, version, spans, text: `cidr ${version === 4 ? '0.0.0.0/0' : '::/0'} except the cloud's metadata` };
    }),
  );
  if (credentials) {
    for (const d of app.egress) {
      if (!('credentials' in d)) continue;
      for (const ports of d.ports.map(range)) {
        for (const text of credentialAddresses(platform, d.credentials)) nets.push(allowedBlock(text, platform, true, d.protocol ?? 'TCP', ports));
      }
    }
  }
  return { nets, pods: PROTOCOLS.map((protocol) => ({ protocol, ports: ALL_PORTS, namespace: '*', labels: {} })) };
}

/** Who sends: an app's own pods, or a pod with its labels that runs as another ServiceAccount (a calico-flavor app's impostor). */
export interface Sender {
  readonly app: AiAppIntent;
  readonly impostor?: boolean;
}

/**
 * What the sender may send in the view. An impostor of a calico-flavor app is selected by none of
 * the app's policies (they select its ServiceAccount too), only by the namespace's default deny
 * and the guardrail; an impostor of a kubernetes-flavor app would share the app's policies, which
 * select by labels alone, and is not asked about.
 */
function expectedEgress(sender: Sender, platform: PlatformIntent, view: View): Reach {
  const { app } = sender;
  const ownEnforced = view === 'previewed' || !isAuditedApp(app, platform);
  if (sender.impostor) return ownEnforced ? { nets: [], pods: [] } : guardrailOnly(app, platform, false);
  return ownEnforced ? declaredEgress(app, platform) : guardrailOnly(app, platform, true);
}

// ---------------------------------------------------------------------------------------------
// Comparing with the verifier's egress report.

/** One way in which the verifier's reach and the declaration differ. */
export interface ReachDifference {
  /** `added`: the verifier allows it and the declaration does not; `removed`: the other way round. */
  readonly change: 'added' | 'removed';
  readonly protocol: Protocol;
  readonly ports: string;
  readonly to: string;
}

function isRange(p: Ports): p is PortRange {
  return !('name' in p);
}

/** Whether the union of the ranges covers all of `wanted`. */
function portsCovered(wanted: PortRange, ranges: readonly PortRange[]): boolean {
  let next = wanted.from;
  for (const r of [...ranges].sort((a, b) => a.from - b.from)) if (r.from <= next && r.to >= next) next = r.to + 1;
  return next > wanted.to;
}

/** Whether every address of `want` on every port of `ports` lies inside some of `have` of that port. */
function netsCovered(version: Version, protocol: Protocol, ports: PortRange, want: readonly Span[], have: readonly Nets[]): boolean {
  const relevant = have.filter((h) => h.version === version && h.protocol === protocol && h.ports.to >= ports.from && h.ports.from <= ports.to);
  // Between two consecutive bounds of the relevant ranges, the same ones apply.
  const inner = relevant.flatMap((h) => [h.ports.from, h.ports.to + 1]).filter((b) => b > ports.from && b <= ports.to);
  const bounds = [...new Set([ports.from, ...inner])].sort((a, b) => a - b);
  return bounds.every((from) =>
    within(
      want,
      relevant.filter((h) => h.ports.from <= from && h.ports.to >= from).flatMap((h) => h.spans),
    ),
  );
}

function selects(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  return Object.keys(a).length === Object.keys(b).length && selects(a, b);
}

function destinationText(to: Destination): string {
  if (to.type === 'cidr') {
    const block = (c: { version: Version; network: bigint; prefix: number }) => `${formatAddress({ version: c.version, value: c.network })}/${c.prefix}`;
    return `cidr ${block(to.cidr)}${to.except.length ? ` except ${to.except.map(block).join(', ')}` : ''}`;
  }
  if (to.endpoint) return `pod ${to.endpoint.id}`;
  if (to.namespace === '*') return `pods in any namespace${to.namespaceLabels ? ` ${labelsText(to.namespaceLabels)}` : ''} ${labelsText(to.labels)}`;
  return `pods ${to.namespace} ${labelsText(to.labels)}`;
}

/** The verifier's entry as the addresses it stands for. */
function entrySpans(to: Extract<Destination, { type: 'cidr' }>): Span[] {
  const span = (c: { version: Version; network: bigint; prefix: number }): Span => ({
    lo: c.network,
    hi: c.network + (1n << (BITS[c.version] - BigInt(c.prefix))) - 1n,
  });
  return subtract([span(to.cidr)], to.except.map(span));
}

/**
 * Where the verifier's allowed egress of a workload and what the sender may send in the view
 * differ (empty when they are equal), both ways: every entry the verifier lists must lie inside
 * the expected reach, and everything expected must lie inside what the verifier lists. Known
 * endpoints (pods the manifests or probes run) must lie inside an expected class of pods; each
 * expected class must be listed as a class.
 */
export function reachMismatch(sender: Sender | AiAppIntent, platform: PlatformIntent, actual: WorkloadEgress, view: View = 'enforced'): ReachDifference[] {
  const from: Sender = 'app' in sender ? sender : { app: sender };
  const expected = expectedEgress(from, platform, view);
  const differences: ReachDifference[] = [];
  const actualNets: Nets[] = [];
  const actualPods: ReachEntry[] = [];
  // The ports the verifier says lead to a proxy are the way to names, compared as names below.
  const proxyPort = (e: ReachEntry, port: number) =>
    e.protocol === 'TCP' &&
    e.to.type === 'pods' &&
    (actual.hosts?.proxyPorts ?? []).some(
      (p) =>
        p.port === port &&
        (e.to.type === 'pods' && e.to.endpoint ? e.to.endpoint.id === p.proxy : e.to.type === 'pods' && p.proxy.startsWith(`${e.to.namespace}/`)),
    );
  for (const e of actual.allowed.flatMap((x): ReachEntry[] => {
    if (!isRange(x.ports) || !(actual.hosts?.proxyPorts ?? []).length) return [x];
    const kept: ReachEntry[] = [];
    for (let p = x.ports.from; p <= x.ports.to; p++) {
      if (proxyPort(x, p)) continue;
      const last = kept[kept.length - 1];
      if (last && (last.ports as PortRange).to + 1 === p) kept[kept.length - 1] = { ...last, ports: { from: (last.ports as PortRange).from, to: p } };
      else kept.push({ ...x, ports: { from: p, to: p } });
    }
    return kept;
  })) {
    if (!isRange(e.ports)) {
      differences.push({ change: 'added', protocol: e.protocol, ports: `named port ${e.ports.name}`, to: destinationText(e.to) });
      continue;
    }
    if (e.to.type === 'cidr') {
      actualNets.push({ protocol: e.protocol, ports: e.ports, version: e.to.cidr.version, spans: entrySpans(e.to), text: destinationText(e.to) });
    } else actualPods.push(e);
  }
  const add = (change: ReachDifference['change'], protocol: Protocol, ports: PortRange, to: string) => {
    differences.push({ change, protocol, ports: portsText(ports), to });
  };
  for (const n of actualNets) if (!netsCovered(n.version, n.protocol, n.ports, n.spans, expected.nets)) add('added', n.protocol, n.ports, n.text);
  for (const n of expected.nets) if (!netsCovered(n.version, n.protocol, n.ports, n.spans, actualNets)) add('removed', n.protocol, n.ports, n.text);
  for (const e of actualPods) {
    const to = e.to as Extract<Destination, { type: 'pods' }>;
    const ports = e.ports as PortRange;
    const covering = expected.pods.filter(
      (p) =>
        p.protocol === e.protocol &&
        (p.namespace === '*' || (p.namespace === to.namespace && to.namespaceLabels === undefined)) &&
        selects(p.labels, to.labels),
    );
    if (
      !portsCovered(
        ports,
        covering.map((p) => p.ports),
      )
    )
      add('added', e.protocol, ports, destinationText(to));
  }
  for (const p of expected.pods) {
    const listed = actualPods.filter(
      (e) =>
        e.protocol === p.protocol &&
        e.to.type === 'pods' &&
        !e.to.endpoint &&
        e.to.namespaceLabels === undefined &&
        e.to.namespace === p.namespace &&
        sameLabels(e.to.labels, p.labels),
    );
    const to = p.namespace === '*' ? `pods in any namespace ${labelsText(p.labels)}` : `pods ${p.namespace} ${labelsText(p.labels)}`;
    if (
      !portsCovered(
        p.ports,
        listed.map((e) => e.ports as PortRange),
      )
    )
      add('removed', p.protocol, p.ports, to);
  }
  // Names, one port at a time, each kept by its name and port.
  const each = (items: readonly { readonly host: string; readonly ports: PortRange }[]) =>
    new Map(
      items.flatMap(({ host, ports }) =>
        Array.from({ length: ports.to - ports.from + 1 }, (_, k) => [JSON.stringify([host, ports.from + k]), { host, port: ports.from + k }] as const),
      ),
    );
  const wanted = each(expectedNames(from, platform, view));
  const reached = each((actual.hosts?.allowed ?? []).map((e) => ({ host: formatHost(e.host), ports: e.ports })));
  for (const [key, r] of reached) if (!wanted.has(key)) differences.push({ change: 'added', protocol: 'TCP', ports: String(r.port), to: `host ${r.host}` });
  for (const [key, w] of wanted) if (!reached.has(key)) differences.push({ change: 'removed', protocol: 'TCP', ports: String(w.port), to: `host ${w.host}` });
  return differences;
}

/** A set of names the verifier reports, written as the intent writes names: `api.openai.com`, `*.hf.co`. */
function formatHost(h: HostPattern): string {
  if (h.kind === 'exact') return h.name;
  return h.kind === 'label' ? `*.${h.parent}` : h.kind === 'deep' ? `*.*.${h.parent}` : `.${h.parent}`;
}

// ---------------------------------------------------------------------------------------------
// Single packets, for sampled questions: egress through net.BlockList, ingress from the clients.

/** A pod, as far as the declaration can tell it apart: its namespace, labels and ServiceAccount (`default` unless said). */
export interface PodClass {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount?: string;
}

/**
 * Whether the address lies in one of the blocks, of its own IP version only: a BlockList also
 * matches an IPv4 address against the IPv6 rules that hold it IPv4-mapped (::/0 holds them all),
 * while a policy's IPv6 block never matches an IPv4 packet.
 */
function inBlocks(address: string, texts: readonly string[]): boolean {
  const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
  const list = new BlockList();
  for (const text of texts) {
    const [network, prefix] = text.split('/');
    if ((isIP(network) === 4 ? 'ipv4' : 'ipv6') !== type) continue;
    list.addSubnet(network, prefix === undefined ? (type === 'ipv4' ? 32 : 128) : Number(prefix), type);
  }
  return list.check(address, type);
}

const inPorts = (ports: readonly PortSpec[], port: number) => ports.map(range).some((r) => r.from <= port && port <= r.to);

/**
 * Whether the sender may send one packet in the view, to an address or a pod, answered from the
 * intent with Node's BlockList (a reading apart from the intervals above).
 */
export function egressAllows(
  sender: Sender,
  platform: PlatformIntent,
  to: string | PodClass,
  port: number,
  protocol: Protocol,
  view: View = 'enforced',
): boolean {
  const { app } = sender;
  const ownEnforced = view === 'previewed' || !isAuditedApp(app, platform);
  const declaredCredential = () =>
    typeof to === 'string' &&
    app.egress.some(
      (d) => 'credentials' in d && (d.protocol ?? 'TCP') === protocol && inPorts(d.ports, port) && inBlocks(to, credentialAddresses(platform, d.credentials)),
    );
  const metadata = typeof to === 'string' && inBlocks(to, [...metadataAddresses(platform), ...metadataNat64Addresses(platform)]);
  if (sender.impostor) return !ownEnforced && !metadata;
  if (!ownEnforced) return !metadata || declaredCredential();
  if (typeof to !== 'string') {
    const dns = port === 53 && (protocol === 'UDP' || protocol === 'TCP');
    const kubeDns = to.namespace === KUBE_DNS.namespace && to.labels['k8s-app'] === KUBE_DNS.podLabels['k8s-app'];
    const resolver = resolverClass(platform);
    const isResolver = to.namespace === resolver.namespace && selects(resolver.labels, to.labels) && (to.serviceAccount ?? 'dns-resolver') === 'dns-resolver';
    if (dns && kubeDnsAllowed(app) && kubeDns) return true;
    if (dns && !resolvesPublicNames(app) && isResolver) return true;
    return app.egress.some(
      (d) =>
        'namespace' in d && (d.protocol ?? 'TCP') === protocol && inPorts(d.ports, port) && d.namespace === to.namespace && selects(d.podLabels, to.labels),
    );
  }
  if (metadata) return declaredCredential();
  if (port === 53 && (protocol === 'UDP' || protocol === 'TCP') && inBlocks(to, dnsServers(app))) return true;
  return app.egress.some((d) => {
    if ((d.protocol ?? 'TCP') !== protocol || !inPorts(d.ports, port)) return false;
    const blocks = blocksOf(d, platform);
    // In one of the blocks, and not in what that block carves out (a credential endpoint's own addresses carve nothing).
    return blocks !== undefined && blocks.texts.some((t) => inBlocks(to, [t]) && (blocks.credentials || !inBlocks(to, carvedOut(t, platform))));
  });
}

/**
 * Whether the app admits one connection from a pod in the view: a declared client (its namespace,
 * and its labels when given) on the app's port over TCP; every connection when only the guardrail
 * is enforced for it, since that selects egress alone.
 */
export function admits(app: AiAppIntent, platform: PlatformIntent, from: PodClass, port: number, protocol: Protocol, view: View = 'enforced'): boolean {
  if (view === 'enforced' && isAuditedApp(app, platform)) return true;
  if (protocol !== 'TCP') return false;
  const matches = (c: IngressClient) => c.namespace === from.namespace && selects(c.podLabels ?? {}, from.labels);
  if (port === app.port && (app.ingress ?? []).some((c) => matches(c) && runsAsNamedApp(app, platform, c, from))) return true;
  // Its scrapers, on its metrics port: read from the intent here (the app's metrics, else the
  // platform's scrapers), not from lib/intent's scrapeOf.
  const scrapers = app.metrics === undefined ? [] : (app.metrics.scrapers ?? platform.metrics?.scrapers ?? []);
  return port === (app.metrics?.port ?? app.port) && scrapers.some(matches);
}

/**
 * A calico-flavor app admits a client whose labels name a declared app (by `app.kubernetes.io/name`)
 * only when the pod runs as that app's ServiceAccount (named for the app); the kubernetes flavor
 * cannot tell.
 */
function runsAsNamedApp(
  app: AiAppIntent,
  platform: PlatformIntent,
  client: { namespace: string; podLabels?: Readonly<Record<string, string>> },
  from: PodClass,
): boolean {
  if (app.flavor !== 'calico') return true;
  const named = client.podLabels?.['app.kubernetes.io/name'];
  const declared = named !== undefined && platform.apps.some((a) => a.namespace === client.namespace && a.name === named);
  return !declared || (from.serviceAccount ?? 'default') === named;
}
