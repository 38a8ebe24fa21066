/**
 * How what a workload reaches by name changed between two manifest sets: names on ports it may
 * newly reach through an egress proxy (a new name, or a wider wildcard: `*.hf.co` where base had
 * `cdn.hf.co`), and those it no longer may. A name and port of one side that the other side
 * reaches by a pattern that holds it (base `*.hf.co`, head `cdn.hf.co`) is no change of reach.
 */
import { HostEntry, HostPattern, HostReach, formatHostPattern, hostCovers } from '../verify';

/** One name (or set of names) on one range of ports that one side reaches and the other does not. */
export interface HostChange {
  readonly change: 'added' | 'removed';
  readonly host: HostPattern;
  readonly ports: { readonly from: number; readonly to: number };
  /** How it is reached on the side that reaches it: the proxy, its port and the line that allows it. */
  readonly via: HostEntry['via'];
}

/** The ports of `e` that no entry of `other` reaches by a pattern holding `e`'s, as ranges. */
function uncovered(e: HostEntry, other: readonly HostEntry[]): { from: number; to: number }[] {
  const holders = other.filter((o) => hostCovers(o.host, e.host));
  const out: { from: number; to: number }[] = [];
  for (let p = e.ports.from; p <= e.ports.to; p++) {
    if (holders.some((o) => o.ports.from <= p && p <= o.ports.to)) continue;
    const last = out[out.length - 1];
    if (last && last.to + 1 === p) last.to = p;
    else out.push({ from: p, to: p });
  }
  return out;
}

/** What changed by name between a workload's reach in base and in head (either may be absent: no proxy, or no workload). */
export function diffHosts(base: HostReach | undefined, head: HostReach | undefined): HostChange[] {
  const b = base?.allowed ?? [];
  const h = head?.allowed ?? [];
  const changes = (from: readonly HostEntry[], against: readonly HostEntry[], change: HostChange['change']) =>
    from.flatMap((e) => uncovered(e, against).map((ports): HostChange => ({ change, host: e.host, ports, via: e.via })));
  return [...changes(h, b, 'added'), ...changes(b, h, 'removed')];
}

/** A change of reach by name on one line: `+ may now reach   TCP 443  host *.hf.co  via ... line 12: ...`. */
export function hostChangeLine(c: HostChange): string {
  const ports = c.ports.from === c.ports.to ? String(c.ports.from) : `${c.ports.from}-${c.ports.to}`;
  const mark = c.change === 'added' ? '+ may now reach by name' : '- may no longer reach by name';
  return `  ${mark.padEnd(32)} TCP ${ports.padEnd(12)} host ${formatHostPattern(c.host)}, ${c.change === 'added' ? '' : 'was '}via ${c.via.proxy} port ${c.via.port}, line ${c.via.rule.line}: ${c.via.rule.text}`;
}

/** A change of reach by name as JSON (`hostChanges` of a workload of `verify diff --json`). */
export interface HostChangeJson {
  readonly change: 'added' | 'removed';
  readonly host: string;
  readonly protocol: 'TCP';
  readonly ports: string;
  readonly via: string;
}

export function hostChangeJson(c: HostChange): HostChangeJson {
  return {
    change: c.change,
    host: formatHostPattern(c.host),
    protocol: 'TCP',
    ports: c.ports.from === c.ports.to ? String(c.ports.from) : `${c.ports.from}-${c.ports.to}`,
    via: `${c.via.proxy} port ${c.via.port}, line ${c.via.rule.line}: ${c.via.rule.text}`,
  };
}
