/**
 * Protocols and ports as packets carry them, and port ranges as policies name them.
 */
import { PROTOCOL_NUMBERS, PROTOCOLS } from '../k8s';

/** A container port's name, as rules may name a port. */
export interface NamedPort {
  readonly name: string;
}

/** The port a packet is sent to: a number, or (for a pod whose container ports are unknown) a port name. */
export type PortValue = number | NamedPort;

/** Consecutive ports, both ends included. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** Ports as reach entries and changes carry them: a range, or a port name for pods whose container ports are unknown. */
export type Ports = PortRange | NamedPort;

/** Every port: 1-65535. */
export const ALL_PORTS: PortRange = { from: 1, to: 65535 };

/** True for a port name. */
export function isNamedPort(p: Ports): p is NamedPort {
  return 'name' in p;
}

/** True for the range 1-65535. */
export function isAllPorts(p: Ports): boolean {
  return !isNamedPort(p) && p.from === ALL_PORTS.from && p.to === ALL_PORTS.to;
}

/** True when both are the same range, or the same name. */
export function samePorts(a: Ports, b: Ports): boolean {
  if (isNamedPort(a) || isNamedPort(b)) return isNamedPort(a) && isNamedPort(b) && a.name === b.name;
  return a.from === b.from && a.to === b.to;
}

/** Orders ports: ranges by first then last port, then names alphabetically. */
export function comparePorts(a: Ports, b: Ports): number {
  if (isNamedPort(a) || isNamedPort(b)) {
    if (!isNamedPort(a)) return -1;
    if (!isNamedPort(b)) return 1;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  }
  return a.from !== b.from ? a.from - b.from : a.to - b.to;
}

/** True when the numeric port lies in the range. */
export function inRange(range: PortRange, port: PortValue): boolean {
  return typeof port === 'number' && range.from <= port && port <= range.to;
}

/**
 * Canonical name of a protocol as a Calico rule writes it: a name (any case) or a number 1-255.
 * Returns undefined when it is neither.
 */
export function canonicalProtocol(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1 && value <= 255 ? (PROTOCOL_NUMBERS[value] ?? String(value)) : undefined;
  if (typeof value !== 'string' || value === '') return undefined;
  if (/^[0-9]+$/.test(value)) return canonicalProtocol(Number(value));
  const upper = value.toUpperCase();
  const known: Record<string, string> = { ...Object.fromEntries(PROTOCOLS.map((p) => [p, p])), ICMP: 'ICMP', ICMPV6: 'ICMPv6', UDPLITE: 'UDPLite' };
  return known[upper];
}

/**
 * Splits 1-65535 at every boundary of the given ranges, so that each piece lies wholly inside or
 * wholly outside every one of them. The pieces cover 1-65535, ascending.
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

/** Ports: `443`, `8000-8100`, `1-65535`, or a port name. */
export function describePorts(p: Ports): string {
  if (isNamedPort(p)) return p.name;
  return p.from === p.to ? String(p.from) : `${p.from}-${p.to}`;
}
