/**
 * Addresses that lead somewhere inside: this host, the node's or the cluster's networks, the
 * provider's private networks, link-local services (cloud metadata among them), and the IPv6
 * forms that carry an IPv4 address of those. A name the egress proxy resolves to one of them is
 * refused (lib/proxy); the proxy's own policy allows only the rest.
 *
 * From IANA's special-purpose address registries (RFC 6890), as
 * https://www.iana.org/assignments/iana-ipv4-special-registry and
 * https://www.iana.org/assignments/iana-ipv6-special-registry list them, where "Globally
 * Reachable" is false or the block is multicast or reserved. Left out on purpose: the
 * documentation blocks (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32), which no
 * network routes; and ::ffff:0:0/96, IPv4-mapped addresses, since Squid holds every IPv4
 * address in that form (src/ip/Address.h), so the block would stand for the whole IPv4 space.
 */
import { Cidr, cidr, cidrContains, compareCidrs, formatCidr } from './ip';

/** One block and what it is. */
interface SpecialRange {
  readonly cidr: string;
  readonly what: string;
}

const IPV4: readonly SpecialRange[] = [
  { cidr: '0.0.0.0/8', what: '"this network" (RFC 791)' },
  { cidr: '10.0.0.0/8', what: 'private (RFC 1918)' },
  { cidr: '100.64.0.0/10', what: 'shared address space, carrier-grade NAT (RFC 6598)' },
  { cidr: '127.0.0.0/8', what: 'loopback (RFC 1122)' },
  { cidr: '169.254.0.0/16', what: 'link-local, where cloud metadata answers (RFC 3927)' },
  { cidr: '172.16.0.0/12', what: 'private (RFC 1918)' },
  { cidr: '192.0.0.0/24', what: 'IETF protocol assignments (RFC 6890)' },
  { cidr: '192.168.0.0/16', what: 'private (RFC 1918)' },
  { cidr: '198.18.0.0/15', what: 'benchmarking (RFC 2544)' },
  { cidr: '224.0.0.0/4', what: 'multicast (RFC 5771)' },
  { cidr: '240.0.0.0/4', what: 'reserved, and the limited broadcast address (RFC 1112, RFC 919)' },
];

/** NAT64's well-known prefix: an IPv6 address there is an IPv4 address the translator reaches (RFC 6052). */
const NAT64 = cidr('64:ff9b::/96');

const IPV6: readonly SpecialRange[] = [
  { cidr: '::/128', what: 'unspecified (RFC 4291)' },
  { cidr: '::1/128', what: 'loopback (RFC 4291)' },
  { cidr: '64:ff9b:1::/48', what: 'local-use IPv4/IPv6 translation (RFC 8215)' },
  { cidr: '100::/64', what: 'discard-only (RFC 6666)' },
  { cidr: '2001::/23', what: 'IETF protocol assignments, Teredo among them (RFC 2928, RFC 4380)' },
  { cidr: '2002::/16', what: '6to4, which carries an IPv4 address (RFC 3056)' },
  // Allocated by RFC 9602 (2024); the registry lists it as not globally reachable.
  { cidr: '5f00::/16', what: "SRv6 segment identifiers, the operator's own routing (RFC 9602)" },
  { cidr: 'fc00::/7', what: 'unique local, where some clouds answer metadata (RFC 4193)' },
  { cidr: 'fe80::/10', what: 'link-local (RFC 4291)' },
  { cidr: 'fec0::/10', what: 'site-local, deprecated (RFC 3879)' },
  { cidr: 'ff00::/8', what: 'multicast (RFC 4291)' },
];

/**
 * The local-use prefix of IPv4/IPv6 translation (RFC 8215): a translator there uses a
 * Network-Specific Prefix its operator chose inside it, of any length RFC 6052 (2.2) allows, so where
 * an IPv4 address (cloud metadata among them) sits in it cannot be told. Carved out whole of every
 * allowed block that holds it (lib/net carvedBlocks), and a destination inside it is refused
 * (lib/intent).
 */
export const LOCAL_USE_NAT64_CIDR = '64:ff9b:1::/48';

/** The same, parsed. */
export const LOCAL_USE_NAT64_BLOCK: Cidr = cidr(LOCAL_USE_NAT64_CIDR);

/** The NAT64 form of an IPv4 block: `64:ff9b::a00:0/104` for 10.0.0.0/8. */
export function nat64(block: Cidr): Cidr {
  return { version: 6, network: NAT64.network | block.network, prefix: NAT64.prefix + block.prefix };
}

/** The IPv4 block whose NAT64 form a block is (`10.0.0.0/8` for `64:ff9b::a00:0/104`), for a block inside 64:ff9b::/96; undefined for any other. */
export function fromNat64(block: Cidr): Cidr | undefined {
  if (!cidrContains(NAT64, block)) return undefined;
  return { version: 4, network: block.network & 0xffffffffn, prefix: block.prefix - NAT64.prefix };
}

/**
 * Every block a public destination is never in: IPv4's, then IPv6's, then each IPv4 block in its
 * NAT64 form (DNS64 answers with those for names that have IPv4 addresses only). No block holds
 * another.
 */
const NON_PUBLIC_RANGES: readonly SpecialRange[] = [
  ...IPV4,
  ...IPV6,
  ...IPV4.map((r) => ({ cidr: formatCidr(nat64(cidr(r.cidr))), what: `${r.what}, through NAT64 (RFC 6052)` })),
];

/** The blocks, with those of `extra` (cloud metadata, the cluster's ranges) that no block holds already; none holds another; IPv4 first, each version in address order. */
export function nonPublicBlocks(extra: readonly string[] = []): Cidr[] {
  const blocks = NON_PUBLIC_RANGES.map((r) => cidr(r.cidr));
  for (const text of extra) {
    const block = cidr(text);
    if (blocks.some((b) => cidrContains(b, block))) continue;
    for (let i = blocks.length - 1; i >= 0; i--) if (cidrContains(block, blocks[i])) blocks.splice(i, 1);
    blocks.push(block);
  }
  return blocks.sort(compareCidrs);
}
