/**
 * IP addresses and CIDR blocks as numbers, for IPv4 and IPv6 alike.
 *
 * Shared by the intent model (to validate and carve out metadata addresses) and by the
 * verifier (to decide whether a packet's address lies in an ipBlock or a Calico `nets` entry).
 * It knows nothing of Kubernetes.
 */

export type IpVersion = 4 | 6;

/** One address: its family and its value as an unsigned integer. */
export interface IpAddress {
  readonly version: IpVersion;
  readonly value: bigint;
}

/** A CIDR block: the network address (host bits zero) and the prefix length. */
export interface Cidr {
  readonly version: IpVersion;
  readonly network: bigint;
  readonly prefix: number;
}

const BITS: Record<IpVersion, number> = { 4: 32, 6: 128 };

/** Number of bits in an address of this family. */
export function addressBits(version: IpVersion): number {
  return BITS[version];
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (s: string): string[] | undefined => {
    if (s === '') return [];
    const groups = s.split(':');
    return groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g)) ? groups : undefined;
  };
  const left = toGroups(halves[0]);
  const right = halves.length === 2 ? toGroups(halves[1]) : [];
  if (!left || !right) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...left, ...Array<string>(missing).fill('0'), ...right];
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(parseInt(g, 16));
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

/** Parses a plain address (no mask). Returns undefined when it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { version: 4, value: v4 };
  if (!text.includes(':')) return undefined;
  const v6 = parseIpv6(text);
  return v6 === undefined ? undefined : { version: 6, value: v6 };
}

/** Why a text is not a usable CIDR, with the fix where there is one. */
export type CidrProblem =
  { readonly kind: 'malformed' } | { readonly kind: 'missing-mask'; readonly suggestion: string } | { readonly kind: 'host-bits'; readonly suggestion: string };

/** Parses `a.b.c.d/n` or `x:y::z/n`, refusing a missing mask or host bits set. */
export function parseCidr(text: string): { cidr: Cidr } | { problem: CidrProblem } {
  const slash = text.indexOf('/');
  if (slash < 0) {
    const ip = parseIp(text);
    if (!ip) return { problem: { kind: 'malformed' } };
    return { problem: { kind: 'missing-mask', suggestion: `${text}/${BITS[ip.version]}` } };
  }
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return { problem: { kind: 'malformed' } };
  const prefix = Number(prefixText);
  if (prefix > BITS[ip.version]) return { problem: { kind: 'malformed' } };
  const network = ip.value & prefixMask(ip.version, prefix);
  if (network !== ip.value) {
    return { problem: { kind: 'host-bits', suggestion: formatCidr({ version: ip.version, network, prefix }) } };
  }
  return { cidr: { version: ip.version, network, prefix } };
}

/** Parses a CIDR that is known to be well formed, or throws. */
export function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if ('problem' in parsed) throw new Error(`not a valid CIDR: ${text}`);
  return parsed.cidr;
}

/**
 * Parses a CIDR leniently, as Kubernetes and Calico accept it: host bits are masked off, a bare
 * address is a host route, and an IPv4-mapped IPv6 block is the IPv4 block it maps
 * (ipv4MappedBlock), as Go's net package, which both parse with, reads it.
 */
export function parseCidrLenient(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!ip) return undefined;
  const bits = BITS[ip.version];
  const prefixText = slash < 0 ? String(bits) : text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(prefixText) || Number(prefixText) > bits) return undefined;
  const prefix = Number(prefixText);
  const block: Cidr = { version: ip.version, network: ip.value & prefixMask(ip.version, prefix), prefix };
  return ipv4MappedBlock(block) ?? block;
}

/** ::ffff:0:0/96, where IPv6 writes IPv4 addresses (RFC 4291, 2.5.5.2). */
const IPV4_MAPPED_NETWORK = 0xffffn << 32n;

/**
 * The IPv4 block that an IPv6 block inside ::ffff:0:0/96 stands for (`::ffff:0:0/96` is
 * `0.0.0.0/0`, `::ffff:169.254.169.254/128` is `169.254.169.254/32`); undefined for any other
 * block. Go's net.IPNet keeps such a block as IPv4: it contains every IPv4 address it maps and
 * prints as the IPv4 block (src/net/ip.go, networkNumberAndMask), and the API server accepts it
 * in a NetworkPolicy with only a warning, "use 0.0.0.0/0", calling the form ambiguous: "treated
 * as IPv4 by some software and IPv6 by other software" (k8s.io/apimachinery
 * pkg/util/validation/ip.go, GetWarningsForCIDR, IsValidIPForLegacyField).
 */
export function ipv4MappedBlock(block: Cidr): Cidr | undefined {
  if (block.version !== 6 || block.prefix < 96 || block.network >> 32n !== IPV4_MAPPED_NETWORK >> 32n) return undefined;
  return { version: 4, network: block.network & 0xffffffffn, prefix: block.prefix - 96 };
}

function prefixMask(version: IpVersion, prefix: number): bigint {
  const bits = BigInt(BITS[version]);
  const all = (1n << bits) - 1n;
  return prefix === 0 ? 0n : (all >> (bits - BigInt(prefix))) << (bits - BigInt(prefix));
}

/** The last address of a block. */
export function lastAddress(block: Cidr): bigint {
  return block.network | (((1n << BigInt(BITS[block.version])) - 1n) >> BigInt(block.prefix));
}

/** True when `inner` lies wholly inside `outer` (same family). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return outer.version === inner.version && outer.prefix <= inner.prefix && (inner.network & prefixMask(outer.version, outer.prefix)) === outer.network;
}

/** True when both name the same block. */
export function sameCidr(a: Cidr, b: Cidr): boolean {
  return a.version === b.version && a.network === b.network && a.prefix === b.prefix;
}

/** Orders blocks: IPv4 first, then by network address, then wider first. */
export function compareCidrs(a: Cidr, b: Cidr): number {
  if (a.version !== b.version) return a.version - b.version;
  if (a.network !== b.network) return a.network < b.network ? -1 : 1;
  return a.prefix - b.prefix;
}

/** True when the address lies inside the block. */
export function cidrContainsIp(block: Cidr, ip: IpAddress): boolean {
  return block.version === ip.version && (ip.value & prefixMask(block.version, block.prefix)) === block.network;
}

/** Formats an address: dotted quad, or IPv6 in the canonical form of RFC 5952. */
export function formatIp(ip: IpAddress): string {
  if (ip.version === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 255n)).join('.');
  }
  const groups = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Formats a block as `address/prefix`. */
export function formatCidr(block: Cidr): string {
  return `${formatIp({ version: block.version, value: block.network })}/${block.prefix}`;
}
