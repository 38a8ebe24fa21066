/**
 * Protocols and ports as packets carry them, and port ranges as policies name them.
 */

/** The protocols a connection is checked for. Rules may name others (ICMP...), which never match these. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** The protocols in the order reports list them. */
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** True for TCP, UDP and SCTP. */
export function isProtocol(value: string): value is Protocol {
  return (PROTOCOLS as readonly string[]).includes(value);
}

/** The port a packet is sent to: a number, or (for a pod whose container ports are unknown) a port name. */
export type PortValue = number | { readonly name: string };

/** Consecutive ports, both ends included. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** Every port: 1-65535. */
const ALL_PORTS: PortRange = { from: 1, to: 65535 };

/** `443` or `8000-8100`. */
export function formatPortRange(range: PortRange): string {
  return range.from === range.to ? String(range.from) : `${range.from}-${range.to}`;
}

/** True when the numeric port lies in the range. */
export function inRange(range: PortRange, port: PortValue): boolean {
  return typeof port === 'number' && range.from <= port && port <= range.to;
}

const IANA: Record<number, Protocol> = { 6: 'TCP', 17: 'UDP', 132: 'SCTP' };

/**
 * Canonical name of a protocol as a Calico rule writes it: a name (any case) or a number 1-255.
 * Returns undefined when it is neither.
 */
export function canonicalProtocol(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1 && value <= 255 ? (IANA[value] ?? String(value)) : undefined;
  if (typeof value !== 'string' || value === '') return undefined;
  if (/^[0-9]+$/.test(value)) return canonicalProtocol(Number(value));
  const upper = value.toUpperCase();
  const known: Record<string, string> = { TCP: 'TCP', UDP: 'UDP', SCTP: 'SCTP', ICMP: 'ICMP', ICMPV6: 'ICMPv6', UDPLITE: 'UDPLite' };
  return known[upper];
}

/**
 * Splits 1-65535 at every boundary of the given ranges, so that each piece lies wholly inside or
 * wholly outside every one of them. Returns the first port of each piece, ascending.
 */
export function portAtoms(ranges: readonly PortRange[]): PortRange[] {
  const starts = new Set<number>([ALL_PORTS.from]);
  for (const r of ranges) {
    if (r.from > ALL_PORTS.from && r.from <= ALL_PORTS.to) starts.add(r.from);
    if (r.to + 1 <= ALL_PORTS.to && r.to + 1 > ALL_PORTS.from) starts.add(r.to + 1);
  }
  const sorted = [...starts].sort((a, b) => a - b);
  return sorted.map((from, i) => ({ from, to: i + 1 < sorted.length ? sorted[i + 1] - 1 : ALL_PORTS.to }));
}
