/**
 * Reach by host name, through egress proxies: what a workload may reach by name is what the
 * proxies it may connect to let through on the ports it may connect to them on.
 *
 * Both layers are read from the manifests: the network policies (may the workload open a
 * connection to the proxy's pod on that port: its egress and the proxy's ingress, as `query`
 * answers) and the proxy's configuration (what Squid lets through on that listening port:
 * lib/squid), and then the proxy's own egress (may it connect to a public address on that port).
 * A name is reached when all three allow it. Addresses are not known by name: a name is answered
 * for a public address, and each answer says which blocks Squid refuses after the lookup.
 *
 * A workload that sends by name and may also send straight to the internet (a public block of a
 * /8's worth of addresses or more, on any port) can go around the proxy: that is reported with it.
 */
import { IpRange, addressBits, cidrRange, nonPublicBlocks, parseCidrLenient, subtractRanges } from '../net';
import { HostPattern, ListeningPort, ListeningPortReach, SquidConfig, SquidDecision, decide, portReach } from '../squid';
import { Cluster, PolicyView } from './cluster';
import { Endpoint } from './endpoints';
import { PortRange } from './ports';
import { EgressProxy } from './proxies';
import { QueryAnswer, QueryError, query } from './reach';
import { DirectionReach, PeerEntry, PodsDestination, directionReach } from './workload';

/** Where a name is reached: which proxy, on which of its ports, by which line of its configuration. */
interface HostVia {
  /** The proxy's workload, `namespace/name`. */
  readonly proxy: string;
  /** The proxy's listening port the workload connects to. */
  readonly port: number;
  /** The port's name in the configuration (`myportname`). */
  readonly portName: string;
  /** Where the configuration comes from: `ConfigMap ns/name, key squid.conf`. */
  readonly source: string;
  /** The `http_access` line that allows it. */
  readonly rule: { readonly line: number; readonly text: string };
}

/** A set of names the workload may reach, on one range of ports, and how. */
export interface HostEntry {
  readonly host: HostPattern;
  readonly protocol: 'TCP';
  readonly ports: PortRange;
  /** `CONNECT` (tunnels, HTTPS) and `http` (proxied http:// URLs): those the proxy allows. */
  readonly methods: readonly ('CONNECT' | 'http')[];
  readonly via: HostVia;
  /** Blocks the proxy refuses after it looks the name up. */
  readonly refusedIfResolvedTo: readonly string[];
}

/** A proxy the workload may connect to whose configuration the verifier could not read. */
interface UnreadableProxy {
  readonly proxy: string;
  readonly ports: readonly PortRange[];
  readonly problem: string;
}

/** What a workload may reach by name, and what could let it go around the proxy. */
export interface HostReach {
  readonly allowed: readonly HostEntry[];
  /** Names a proxy's rules let through that its own egress policy lets out to no public address: not reached. */
  readonly blockedByProxyEgress: readonly HostEntry[];
  readonly unreadable: readonly UnreadableProxy[];
  /** The workload's own egress entries that reach the internet directly (public blocks of a /8's worth or more). */
  readonly bypass: readonly PeerEntry[];
  /** The proxy ports the workload connects to: the network entries that are its way to names. */
  readonly proxyPorts: readonly { readonly proxy: string; readonly port: number }[];
}

/** What the verifier knows of one proxy of a cluster, computed when first asked. */
interface ProxyState {
  readonly proxy: EgressProxy;
  readonly endpoint: Endpoint;
  readonly byPort: Map<number, ListeningPortReach>;
  /** Ports on which its egress lets it out to some public address (outside its configuration's refused blocks). */
  publicPorts?: PortRange[];
}

const states = new WeakMap<Cluster, ProxyState[]>();

function proxiesOf(cluster: Cluster): ProxyState[] {
  let list = states.get(cluster);
  if (!list) {
    list = cluster.proxies.flatMap((proxy) => {
      const endpoint = cluster.endpoint(proxy.endpoint);
      return endpoint ? [{ proxy, endpoint, byPort: new Map() }] : [];
    });
    states.set(cluster, list);
  }
  return list;
}

/** Whether a peer entry of a reach names this endpoint: the endpoint itself, or a class of pods it belongs to. */
function coversEndpoint(d: PodsDestination, ep: Endpoint): boolean {
  if (d.endpoint) return d.endpoint.id === ep.id;
  const inNamespace =
    d.namespace === '*' ? Object.entries(d.namespaceLabels ?? {}).every(([k, v]) => ep.namespace.labels.get(k) === v) : d.namespace === ep.namespace.name;
  return inNamespace && Object.entries(d.labels).every(([k, v]) => v === '*' || ep.labels.get(k) === v);
}

/** The TCP port ranges a reach allows towards an endpoint, merged. */
function portsTowards(reach: Pick<DirectionReach, 'allowed'>, ep: Endpoint): PortRange[] {
  const ranges = reach.allowed
    .flatMap((e) => (e.protocol === 'TCP' && e.peer.type === 'pods' && !('name' in e.ports) && coversEndpoint(e.peer, ep) ? [e.ports] : []))
    .sort((a, b) => a.from - b.from);
  const merged: PortRange[] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r.from <= last.to + 1) merged[merged.length - 1] = { from: last.from, to: Math.max(last.to, r.to) };
    else merged.push(r);
  }
  return merged;
}

const inRanges = (ranges: readonly PortRange[], port: number) => ranges.some((r) => r.from <= port && port <= r.to);

/** The blocks a configuration refuses after a lookup (its `dst` ACLs), as ranges. */
function refusedRanges(config: SquidConfig): IpRange[] {
  return [...config.acls.values()].flatMap(({ acl }) =>
    acl.type === 'dst'
      ? acl.addresses.flatMap((a) => {
          const block = parseCidrLenient(a.includes('/') ? a : `${a}/${a.includes(':') ? 128 : 32}`);
          return block ? [cidrRange(block)] : [];
        })
      : [],
  );
}

/** The ports on which a proxy's own egress lets it out to a public address. */
function publicPorts(cluster: Cluster, state: ProxyState): PortRange[] {
  if (!state.publicPorts) {
    const refused = state.proxy.config ? refusedRanges(state.proxy.config) : [];
    const out = directionReach(cluster, state.endpoint, 'egress');
    state.publicPorts = out.allowed.flatMap((e) => {
      if (e.protocol !== 'TCP' || e.peer.type !== 'cidr' || 'name' in e.ports) return [];
      const addresses = subtractRanges([cidrRange(e.peer.cidr)], [...e.peer.except.map(cidrRange), ...refused]);
      return addresses.length > 0 ? [e.ports] : [];
    });
  }
  return state.publicPorts;
}

function reachOn(state: ProxyState, port: ListeningPort): ListeningPortReach {
  let r = state.byPort.get(port.port);
  if (!r) {
    r = portReach(state.proxy.config!, port);
    state.byPort.set(port.port, r);
  }
  return r;
}

/** Whether a query's connection is allowed in the view. */
function allowedIn(q: QueryAnswer, view: PolicyView): boolean {
  const side = (d: QueryAnswer['egress']) => (view === 'staged' ? (d.whenStagedEnforced?.allowed ?? d.allowed) : d.allowed);
  return side(q.egress) && side(q.ingress);
}

/** Splits a range into the parts another set of ranges holds, and the rest. */
function split(range: PortRange, by: readonly PortRange[]): { inside: PortRange[]; outside: PortRange[] } {
  const cuts = [...new Set([range.from, range.to + 1, ...by.flatMap((b) => [b.from, b.to + 1]).filter((p) => p > range.from && p <= range.to)])].sort(
    (a, b) => a - b,
  );
  const inside: PortRange[] = [];
  const outside: PortRange[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const piece = { from: cuts[i], to: cuts[i + 1] - 1 };
    const list = inRanges(by, piece.from) ? inside : outside;
    const last = list[list.length - 1];
    if (last && last.to + 1 === piece.from) list[list.length - 1] = { from: last.from, to: piece.to };
    else list.push(piece);
  }
  return { inside, outside };
}

/** The listening ports of a proxy a workload may connect to, with the query that says so. */
function reachablePorts(cluster: Cluster, from: Endpoint, state: ProxyState, towards: readonly PortRange[], view: PolicyView): ListeningPort[] {
  const ports = state.proxy.config?.ports ?? [];
  return ports.filter((p) => inRanges(towards, p.port) && allowedIn(query(cluster, from.id, state.endpoint.id, p.port), view));
}

/** A /8's worth of addresses: direct egress to this many public addresses or more goes around the proxy. */
const INTERNET_SIZED = (version: 4 | 6) => 1n << BigInt(addressBits(version) - 8);

const NON_PUBLIC = nonPublicBlocks().map(cidrRange);

/** Entries of a workload's own egress to public blocks of a /8's worth of addresses or more. */
function bypassEntries(reach: Pick<DirectionReach, 'allowed'>): PeerEntry[] {
  return reach.allowed.filter((e) => {
    if (e.peer.type !== 'cidr') return false;
    const open = subtractRanges([cidrRange(e.peer.cidr)], [...e.peer.except.map(cidrRange), ...NON_PUBLIC]);
    const size = open.reduce((n, r) => n + (r.last - r.first + 1n), 0n);
    return size >= INTERNET_SIZED(e.peer.cidr.version);
  });
}

/** What the options of hostReach are. */
export interface HostReachOptions {
  readonly view?: PolicyView;
  /** The workload's egress reach, when already computed (the egress listing has it). */
  readonly reach?: Pick<DirectionReach, 'allowed'>;
}

/** What a known endpoint may reach by name, through every proxy it may connect to. */
export function hostReach(cluster: Cluster, from: Endpoint, options: HostReachOptions = {}): HostReach {
  const view = options.view ?? 'enforced';
  const proxies = proxiesOf(cluster).filter((s) => s.endpoint !== from);
  const empty: HostReach = { allowed: [], blockedByProxyEgress: [], unreadable: [], bypass: [], proxyPorts: [] };
  if (proxies.length === 0) return empty;
  const reach = options.reach ?? directionReach(cluster, from, 'egress', { view });
  const allowed: HostEntry[] = [];
  const blocked: HostEntry[] = [];
  const unreadable: UnreadableProxy[] = [];
  const proxyPorts: { proxy: string; port: number }[] = [];
  for (const state of proxies) {
    const towards = portsTowards(reach, state.endpoint);
    if (towards.length === 0) continue;
    if (!state.proxy.config) {
      unreadable.push({ proxy: state.endpoint.id, ports: towards, problem: state.proxy.problem ?? 'its configuration could not be read' });
      continue;
    }
    const out = publicPorts(cluster, state);
    for (const port of reachablePorts(cluster, from, state, towards, view)) {
      proxyPorts.push({ proxy: state.endpoint.id, port: port.port });
      for (const e of reachOn(state, port).allowed) {
        const via: HostVia = {
          proxy: state.endpoint.id,
          port: port.port,
          portName: port.name,
          source: state.proxy.source ?? '',
          rule: { line: e.rule.line, text: e.rule.text },
        };
        for (const range of e.ports) {
          const { inside, outside } = split(range, out);
          const entry = (ports: PortRange): HostEntry => ({
            host: e.host,
            protocol: 'TCP',
            ports,
            methods: e.methods,
            via,
            refusedIfResolvedTo: e.refusedIfResolvedTo,
          });
          allowed.push(...inside.map(entry));
          blocked.push(...outside.map(entry));
        }
      }
    }
  }
  const hosts = allowed.length > 0;
  return { allowed, blockedByProxyEgress: blocked, unreadable, bypass: hosts ? bypassEntries(reach) : [], proxyPorts };
}

/** How a name on a port fares through one proxy port the workload may connect to. */
export interface HostPath {
  readonly proxy: string;
  readonly port: number;
  readonly portName: string;
  readonly source: string;
  /** The connection to the proxy: the workload's egress and the proxy's ingress. */
  readonly network: QueryAnswer;
  /** What Squid decides for a CONNECT to the name and port there. */
  readonly squid: SquidDecision;
  /** Whether the proxy's egress lets it out to a public address on the port. */
  readonly proxyEgress: boolean;
  readonly allowed: boolean;
}

/** The answer to: may this workload reach this name on this port? */
export interface HostQueryAnswer {
  readonly from: string;
  readonly host: string;
  readonly port: number;
  readonly allowed: boolean;
  /** Every proxy port the workload may connect to, and what each decides. */
  readonly paths: readonly HostPath[];
  /**
   * When no proxy port lets it through: the network answer for the port a proxy's configuration
   * keeps for the workload (its `note app` names it), to say what stops it there.
   */
  readonly ownPort?: { readonly proxy: string; readonly port: number; readonly network: QueryAnswer };
  readonly unreadable: readonly UnreadableProxy[];
  readonly bypass: readonly PeerEntry[];
}

/** Whether a query's destination is a host name: labels of letters, digits and "-", at least two, the last not all digits (an address is not a name). */
export function isHostName(text: string): boolean {
  const labels = text.replace(/\.$/, '').split('.');
  return labels.length >= 2 && labels.every((l) => /^[A-Za-z0-9-]+$/.test(l)) && !/^[0-9]+$/.test(labels[labels.length - 1]);
}

/**
 * May `from` reach the name on the port through a proxy, and what decided: for every proxy port it
 * may connect to, Squid's line for a CONNECT to that name and port, and the proxy's egress.
 */
export function queryHost(cluster: Cluster, from: string, host: string, port: number): HostQueryAnswer {
  const endpoint = cluster.endpoint(from);
  if (!endpoint) query(cluster, from, from, 1); // the verifier's own message, with the known endpoints
  if (!isHostName(host))
    throw new QueryError(`${JSON.stringify(host)} is not a host name; accepted: a name such as api.openai.com (an address is asked for as an address)`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new QueryError(`port must be 1-65535, not ${port}`);
  const name = host.toLowerCase().replace(/\.$/, '');
  const reach = directionReach(cluster, endpoint!, 'egress');
  const paths: HostPath[] = [];
  const unreadable: UnreadableProxy[] = [];
  let ownPort: HostQueryAnswer['ownPort'];
  for (const state of proxiesOf(cluster).filter((s) => s.endpoint !== endpoint)) {
    const towards = portsTowards(reach, state.endpoint);
    if (!state.proxy.config) {
      if (towards.length > 0)
        unreadable.push({ proxy: state.endpoint.id, ports: towards, problem: state.proxy.problem ?? 'its configuration could not be read' });
      continue;
    }
    const config = state.proxy.config;
    const out = publicPorts(cluster, state);
    for (const p of config.ports.filter((lp) => inRanges(towards, lp.port))) {
      const network = query(cluster, endpoint!.id, state.endpoint.id, p.port);
      if (!network.allowed) continue;
      const squid = decide(config, { via: p, method: 'CONNECT', scheme: 'AUTHORITY', host: { name }, port });
      const proxyEgress = inRanges(out, port);
      paths.push({
        proxy: state.endpoint.id,
        port: p.port,
        portName: p.name,
        source: state.proxy.source ?? '',
        network,
        squid,
        proxyEgress,
        allowed: squid.allowed && proxyEgress,
      });
    }
    const note = config.notes.find((n) => n.key === 'app' && n.value === endpoint!.id);
    const noted =
      note &&
      config.ports.find((p) =>
        note.acls.some(
          (a) =>
            !a.negated &&
            config.acls.get(a.name)?.acl.type === 'myportname' &&
            (config.acls.get(a.name)!.acl as { names: readonly string[] }).names.includes(p.name),
        ),
      );
    if (noted && !paths.some((p) => p.port === noted.port && p.proxy === state.endpoint.id))
      ownPort ??= { proxy: state.endpoint.id, port: noted.port, network: query(cluster, endpoint!.id, state.endpoint.id, noted.port) };
  }
  const allowed = paths.some((p) => p.allowed);
  return {
    from: endpoint!.id,
    host: name,
    port,
    allowed,
    paths,
    ...(!allowed && ownPort ? { ownPort } : {}),
    unreadable,
    bypass: bypassEntries(reach),
  };
}

/**
 * A workload's allowed entries without its ways to names: the TCP ports of each proxy it connects
 * to as a proxy (`proxyPorts`), taken out of the entries to the proxy's pod or a class of pods
 * that holds it. What is left is what the workload reaches by address.
 */
export function withoutProxyPorts(cluster: Cluster, allowed: readonly PeerEntry[], hosts: HostReach | undefined): PeerEntry[] {
  if (!hosts || hosts.proxyPorts.length === 0) return [...allowed];
  const byProxy = new Map<string, PortRange[]>();
  for (const p of hosts.proxyPorts) byProxy.set(p.proxy, [...(byProxy.get(p.proxy) ?? []), { from: p.port, to: p.port }]);
  return allowed.flatMap((e) => {
    if (e.protocol !== 'TCP' || e.peer.type !== 'pods' || 'name' in e.ports) return [e];
    const peer = e.peer;
    // The proxy's own entry, or a class of pods of its namespace: a class wider than that holds other pods, whose ports stay.
    const holds = (id: string) => {
      const ep = cluster.endpoint(id);
      return ep !== undefined && coversEndpoint(peer, ep) && (peer.endpoint !== undefined || peer.namespace === ep.namespace.name);
    };
    const taken = [...byProxy].filter(([id]) => holds(id));
    if (taken.length === 0) return [e];
    const { outside } = split(
      e.ports,
      taken.flatMap(([, ports]) => ports),
    );
    return outside.map((ports) => ({ ...e, ports }));
  });
}
