/**
 * Reach by name (hosts.ts) for people and for tools: the lines `verify egress` adds under a
 * workload, the answer of `verify query --to NAME`, and their JSON. The JSON shapes are a
 * contract, like json.ts's: fields are only ever added.
 */
import { formatHostPattern } from '../squid';
import { HostEntry, HostPath, HostQueryAnswer, HostReach } from './hosts';
import { describeDecision, describeDestination, explainDirection } from './words';
import { describePorts } from './ports';
import { PeerEntry } from './workload';

/** How a name is reached: `via ai-egress-proxy/egress-proxy port 3131 (squid.conf line 79: http_access allow ...)`. */
function describeVia(v: HostEntry['via']): string {
  return `via ${v.proxy} port ${v.port}, line ${v.rule.line} of ${v.source}: ${v.rule.text}`;
}

function hostLine(verb: string, e: HostEntry, indent: string): string {
  return `${indent}${verb.padEnd(5)} ${e.protocol.padEnd(4)} ${describePorts(e.ports).padEnd(11)} ${`host ${formatHostPattern(e.host)}`.padEnd(48)} ${describeVia(e.via)}`;
}

function bypassLine(e: PeerEntry, indent: string): string {
  return `${indent}BYPASS ${e.protocol} ${describePorts(e.ports)} to ${describeDestination(e.peer)}, around the proxy: ${describeDecision(e.decidedBy)}`;
}

/** The lines of a workload's reach by name, under its network entries; none when it reaches no proxy. */
export function hostLines(h: HostReach | undefined, indent: string): string[] {
  if (!h || (h.allowed.length === 0 && h.blockedByProxyEgress.length === 0 && h.unreadable.length === 0)) return [];
  const refused = [...new Set(h.allowed.flatMap((e) => e.refusedIfResolvedTo))];
  return [
    `${indent}by name, through egress proxies (every other name is refused):`,
    ...h.allowed.map((e) => hostLine('ALLOW', e, indent)),
    ...h.blockedByProxyEgress.map((e) => `${hostLine('NOT', e, indent)} (the proxy's own egress lets it out to no public address on these ports)`),
    ...h.unreadable.map((u) => `${indent}UNKNOWN names through ${u.proxy} on ports ${u.ports.map(describePorts).join(', ')}: ${u.problem}`),
    ...(refused.length ? [`${indent}      a name that resolves into ${refused.join(', ')} is refused by the proxy`] : []),
    ...h.bypass.map((e) => bypassLine(e, indent)),
  ];
}

function pathLines(q: HostQueryAnswer, p: HostPath): string[] {
  const squid = p.squid.rule ? `line ${p.squid.rule.line} of ${p.source}: ${p.squid.rule.text}` : `no line of ${p.source} matched: the default applies`;
  return [
    `  through ${p.proxy} port ${p.port} (${p.portName}): ${p.allowed ? 'allowed' : 'refused'}`,
    `    egress to the proxy: ${explainDirection(p.network.egress)}`,
    `    ingress at the proxy: ${explainDirection(p.network.ingress)}`,
    `    the proxy ${p.squid.allowed ? 'allows' : 'refuses'} CONNECT ${q.host}:${q.port}: ${squid}`,
    ...(p.squid.allowed && p.squid.refusedIfResolvedTo.length
      ? [`    after the lookup, it refuses the name if it resolves into ${p.squid.refusedIfResolvedTo.join(', ')}`]
      : []),
    ...(p.squid.allowed && !p.proxyEgress ? ["    but the proxy's own egress lets it out to no public address on this port"] : []),
  ];
}

/** `verify query --to NAME` as a few lines. */
export function hostQueryText(q: HostQueryAnswer): string {
  const lines = [`${q.allowed ? 'ALLOWED' : 'DENIED'}  ${q.from} -> ${q.host}  TCP ${q.port}  (by name, through egress proxies)`];
  for (const p of q.paths) lines.push(...pathLines(q, p));
  if (q.paths.length === 0) lines.push(`  ${q.from} may connect to no port of an egress proxy whose configuration the manifests hold`);
  if (q.ownPort) {
    lines.push(`  its own port of ${q.ownPort.proxy}, ${q.ownPort.port} (the configuration names it there):`);
    lines.push(`    egress to the proxy: ${explainDirection(q.ownPort.network.egress)}`);
    lines.push(`    ingress at the proxy: ${explainDirection(q.ownPort.network.ingress)}`);
  }
  for (const u of q.unreadable) lines.push(`  through ${u.proxy} on ports ${u.ports.map(describePorts).join(', ')}: unknown, ${u.problem}`);
  for (const e of q.bypass) lines.push(bypassLine(e, '  '));
  return `${lines.join('\n')}\n`;
}

/** A name's entry as JSON. */
interface HostEntryJson {
  /** `api.openai.com`, `*.hf.co` (one label below), `*.*.hf.co` (two or more), `.hf.co` (it and every name below). */
  readonly host: string;
  readonly protocol: 'TCP';
  /** `443`, `8443-8445`. */
  readonly ports: string;
  readonly methods: readonly string[];
  readonly via: {
    readonly proxy: string;
    readonly port: number;
    readonly portName: string;
    readonly source: string;
    readonly line: number;
    readonly rule: string;
  };
  readonly refusedIfResolvedTo: readonly string[];
}

/** What a workload reaches by name, as JSON (`hosts` of a workload of `verify egress --json`). */
export interface HostReachJson {
  readonly allowed: readonly HostEntryJson[];
  readonly blockedByProxyEgress: readonly HostEntryJson[];
  readonly unreadable: readonly { readonly proxy: string; readonly ports: readonly string[]; readonly problem: string }[];
  /** Direct egress to the internet, around the proxy: `{ to, protocol, ports, decidedBy }` as the workload's entries. */
  readonly bypass: readonly { readonly to: string; readonly protocol: string; readonly ports: string; readonly decidedBy: string }[];
}

function hostEntryJson(e: HostEntry): HostEntryJson {
  return {
    host: formatHostPattern(e.host),
    protocol: e.protocol,
    ports: describePorts(e.ports),
    methods: e.methods,
    via: { proxy: e.via.proxy, port: e.via.port, portName: e.via.portName, source: e.via.source, line: e.via.rule.line, rule: e.via.rule.text },
    refusedIfResolvedTo: e.refusedIfResolvedTo,
  };
}

function bypassJson(e: PeerEntry) {
  return {
    to: describeDestination(e.peer),
    protocol: e.protocol,
    ports: describePorts(e.ports),
    decidedBy: describeDecision(e.decidedBy),
  };
}

/** A workload's reach by name as JSON. */
export function hostReachJson(h: HostReach): HostReachJson {
  return {
    allowed: h.allowed.map(hostEntryJson),
    blockedByProxyEgress: h.blockedByProxyEgress.map(hostEntryJson),
    unreadable: h.unreadable.map((u) => ({ proxy: u.proxy, ports: u.ports.map(describePorts), problem: u.problem })),
    bypass: h.bypass.map(bypassJson),
  };
}

/** `verify query --to NAME --json`. */
export interface HostQueryAnswerJson {
  readonly from: string;
  readonly host: string;
  readonly port: number;
  readonly protocol: 'TCP';
  readonly allowed: boolean;
  readonly paths: readonly {
    readonly proxy: string;
    readonly port: number;
    readonly portName: string;
    readonly allowed: boolean;
    readonly egress: string;
    readonly ingress: string;
    readonly squid: {
      readonly allowed: boolean;
      readonly line?: number;
      readonly rule?: string;
      readonly source: string;
      readonly refusedIfResolvedTo: readonly string[];
    };
    readonly proxyEgress: boolean;
  }[];
  readonly ownPort?: { readonly proxy: string; readonly port: number; readonly egress: string; readonly ingress: string };
  readonly unreadable: HostReachJson['unreadable'];
  readonly bypass: HostReachJson['bypass'];
}

/** A query by name as JSON. */
export function hostQueryJson(q: HostQueryAnswer): HostQueryAnswerJson {
  return {
    from: q.from,
    host: q.host,
    port: q.port,
    protocol: 'TCP',
    allowed: q.allowed,
    paths: q.paths.map((p) => ({
      proxy: p.proxy,
      port: p.port,
      portName: p.portName,
      allowed: p.allowed,
      egress: explainDirection(p.network.egress),
      ingress: explainDirection(p.network.ingress),
      squid: {
        allowed: p.squid.allowed,
        ...(p.squid.rule ? { line: p.squid.rule.line, rule: p.squid.rule.text } : {}),
        source: p.source,
        refusedIfResolvedTo: p.squid.refusedIfResolvedTo,
      },
      proxyEgress: p.proxyEgress,
    })),
    ...(q.ownPort
      ? {
          ownPort: {
            proxy: q.ownPort.proxy,
            port: q.ownPort.port,
            egress: explainDirection(q.ownPort.network.egress),
            ingress: explainDirection(q.ownPort.network.ingress),
          },
        }
      : {}),
    unreadable: q.unreadable.map((u) => ({ proxy: u.proxy, ports: u.ports.map(describePorts), problem: u.problem })),
    bypass: q.bypass.map(bypassJson),
  };
}
