/**
 * Endpoints named in an app's environment must be reachable from it: a variable that holds a URL
 * or a host (`HF_ENDPOINT`, `*_URL`, `*_HOST`, the proxy variables, ...) whose destination no
 * declared egress allows is a server that fails at run time, after synthesis said nothing. Each is
 * checked, per cluster (allow-lists differ), against the app's declared egress; an undeclared one
 * is an error that names the variable and proposes the destination. A deliberate exception (a URL
 * the app only prints, a host it reaches through a proxy) is declared in `envExceptions` with a
 * reason, never inferred.
 *
 * What an endpoint is, and whether a destination covers it:
 * - an address (`https://10.20.0.15`): a destination whose peer holds it (a block or an
 *   allow-list, its carved-out addresses excepted) on that port;
 * - a cluster name (`http://qdrant.vector-db.svc:6333`, `qdrant.vector-db`, a bare `qdrant` in the
 *   app's own namespace): a destination of pods in that namespace on that port;
 * - any other host name: a destination whose kind says it covers that name and port
 *   (DestinationKind.coversHost, see destinations/kind.ts): a `hosts` destination that names it
 *   (or a wildcard one label above it) on that port, which the app reaches through the egress
 *   proxy. An undeclared one is an error that proposes a hosts destination, or an address.
 */
import { IpAddress, cidrContainsIp, cidr as parseBlock, formatIp, parseIp } from '../net';
import { EgressDestination, PeerContext, destinationCoversHost, destinationPeer } from './destinations';
import { IntentIssue, appScope } from './issues';
import { AiAppIntent, PortSpec } from './types';

/** Names of variables that hold an endpoint: `*_ENDPOINT`, `*_URL`, `*_URI`, `*_HOST`, `*_ADDR`, `*_ADDRESS`, and the proxy variables. */
const ENDPOINT_NAME = /(^|_)(ENDPOINT|URL|URI|HOST|ADDR|ADDRESS)$/i;
const PROXY_NAME = /^(HTTPS?_PROXY|ALL_PROXY)$/i;

/**
 * Ports of URL schemes whose port may be left out: the WHATWG URL standard's special schemes
 * (https://url.spec.whatwg.org/#special-scheme), and the registered ports of the clients AI apps
 * commonly name by URL. A scheme not listed, without a port, leaves the port unknown: any port of
 * a destination that holds the host counts.
 */
const SCHEME_PORTS: Readonly<Record<string, number>> = {
  http: 80,
  https: 443,
  ws: 80,
  wss: 443,
  postgres: 5432,
  postgresql: 5432,
  redis: 6379,
  rediss: 6379,
  mysql: 3306,
  mongodb: 27017,
  amqp: 5672,
  amqps: 5671,
  nats: 4222,
};

/** Where an endpoint points: an address, a Service of the cluster, or a host name. */
type Target =
  | { readonly kind: 'address'; readonly ip: IpAddress }
  | { readonly kind: 'service'; readonly name: string; readonly namespace: string }
  | { readonly kind: 'host'; readonly name: string };

/** An endpoint read from a variable: where, and on which port when it can be told. */
interface Endpoint {
  readonly target: Target;
  readonly port: number | undefined;
}

/** The host and port of a value: a URL with a scheme, or `host[:port]`; undefined for anything else. */
function hostAndPort(value: string): { host: string; port: number | undefined } | undefined {
  const text = value.trim();
  if (text === '' || /\s/.test(text)) return undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (scheme) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return undefined;
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (host === '') return undefined;
    const name = scheme[1].toLowerCase();
    // The WHATWG parser drops a port equal to the special scheme's default.
    return { host, port: url.port !== '' ? Number(url.port) : SCHEME_PORTS[name] };
  }
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracketed) return { host: bracketed[1], port: bracketed[2] === undefined ? undefined : Number(bracketed[2]) };
  if (parseIp(text)?.version === 6) return { host: text, port: undefined };
  const plain = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(text);
  if (!plain || !/[A-Za-z0-9]/.test(plain[1])) return undefined;
  return { host: plain[1], port: plain[2] === undefined ? undefined : Number(plain[2]) };
}

/** Loopback and unspecified addresses (and `localhost`): the pod itself, or a listen address; never egress. */
function isLocal(host: string): boolean {
  if (/^localhost\.?$/i.test(host)) return true;
  const ip = parseIp(host);
  if (!ip) return false;
  return ['127.0.0.0/8', '0.0.0.0/32', '::1/128', '::/128'].some((b) => {
    const block = parseBlock(b);
    return block.version === ip.version && cidrContainsIp(block, ip);
  });
}

/**
 * The target of a host: an address; a Service, by the cluster's DNS names
 * (`<service>.<namespace>.svc[.cluster.local]`, or `<service>.<namespace>` where the namespace is
 * one the intent knows, or a bare `<service>` in the app's own namespace, as the pod's DNS search
 * path resolves them, https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/);
 * otherwise a host name.
 */
function targetOf(host: string, app: AiAppIntent, namespaces: ReadonlySet<string>): Target {
  const ip = parseIp(host);
  if (ip) return { kind: 'address', ip };
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  const svc = labels.indexOf('svc');
  if (svc === 2) return { kind: 'service', name: labels[0], namespace: labels[1] };
  if (labels.length === 1) return { kind: 'service', name: labels[0], namespace: app.namespace };
  if (labels.length === 2 && namespaces.has(labels[1])) return { kind: 'service', name: labels[0], namespace: labels[1] };
  return { kind: 'host', name: labels.join('.') };
}

const inPorts = (ports: readonly PortSpec[], port: number | undefined) =>
  port === undefined || ports.some((p) => (typeof p === 'number' ? p === port : p.from <= port && port <= p.to));

/** Whether a destination lets the app reach an endpoint over TCP. */
function covers(d: EgressDestination, endpoint: Endpoint, context: PeerContext): boolean {
  if ((d.protocol ?? 'TCP') !== 'TCP' || !inPorts(d.ports, endpoint.port)) return false;
  const { target } = endpoint;
  if (target.kind === 'host') return destinationCoversHost(d, target.name, endpoint.port);
  // An allow-list that is not declared, or not valid, is refused on its own: nothing more is said here.
  if ('allowList' in d && !context.allowLists.some((l) => l.name === d.allowList)) return true;
  const peer = destinationPeer(d, context);
  if (target.kind === 'service') return peer.kind === 'pods' && peer.namespace === target.namespace;
  if (peer.kind !== 'nets') return false;
  return peer.blocks.some((b) => {
    const inside = (text: string) => {
      const block = parseBlock(text);
      return block.version === target.ip.version && cidrContainsIp(block, target.ip);
    };
    return inside(b.cidr) && !b.except.some(inside);
  });
}

/** What to declare to reach an endpoint, for the message. */
function proposal(endpoint: Endpoint): string {
  const ports = `ports: [${endpoint.port ?? '<port>'}]`;
  const { target } = endpoint;
  if (target.kind === 'address') return `{ cidr: '${formatIp(target.ip)}/${target.ip.version === 4 ? 32 : 128}', ${ports} } in egress`;
  if (target.kind === 'service') return `{ namespace: '${target.namespace}', podLabels: { ... }, ${ports} } in egress (the pods behind Service ${target.name})`;
  return `{ hosts: ['${target.name}'], ${ports} } in egress (through the egress proxy), or the address it resolves to as { cidr, ${ports} }`;
}

/** How an endpoint reads in a message. */
function describe(endpoint: Endpoint): string {
  const { target } = endpoint;
  const where =
    target.kind === 'address'
      ? `address ${formatIp(target.ip)}`
      : target.kind === 'service'
        ? `Service ${target.name} of namespace ${target.namespace}`
        : `host ${target.name}`;
  return endpoint.port === undefined ? where : `${where} on port ${endpoint.port}`;
}

/**
 * The endpoints of an app's environment that its declared egress does not reach, on one cluster
 * (`context` holds that cluster's allow-lists and cloud), and the exceptions that name no
 * variable of its environment. `namespaces`: every namespace the intent names, to tell
 * `<service>.<namespace>` from a public name.
 */
export function envEndpointIssues(app: AiAppIntent, context: PeerContext, namespaces: ReadonlySet<string>): IntentIssue[] {
  const env = app.env ?? {};
  const exceptions = app.envExceptions ?? {};
  const issues: IntentIssue[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!(ENDPOINT_NAME.test(name) || PROXY_NAME.test(name)) || name in exceptions) continue;
    const parsed = hostAndPort(value);
    if (!parsed || isLocal(parsed.host)) continue;
    const endpoint: Endpoint = { target: targetOf(parsed.host, app, namespaces), port: parsed.port };
    if (app.egress.some((d) => covers(d, endpoint, context))) continue;
    issues.push({
      severity: 'error',
      scope: appScope(app.name),
      path: [app.name, 'env', name],
      value,
      code: 'env-endpoint',
      message: `points at ${describe(endpoint)}, which no egress destination of ${app.name} allows, so the server fails there at run time; accepted: ${proposal(endpoint)}, or envExceptions: { ${name}: '<why ${app.name} never calls it from here>' }`,
    });
  }
  for (const name of Object.keys(exceptions)) {
    if (!(name in env))
      issues.push({
        severity: 'error',
        scope: appScope(app.name),
        path: [app.name, 'envExceptions', name],
        value: exceptions[name],
        code: 'env-endpoint',
        message: `names no variable of env; accepted: the name of a variable of env whose endpoint the app deliberately does not reach (${Object.keys(env).join(', ') || 'env is empty'})`,
      });
  }
  return issues;
}

/** Every namespace an intent names: its apps', and those of their destinations and clients. */
export function namespacesOf(apps: readonly AiAppIntent[]): Set<string> {
  const out = new Set<string>();
  for (const a of apps) {
    out.add(a.namespace);
    for (const d of a.egress) if ('namespace' in d && typeof d.namespace === 'string') out.add(d.namespace);
    for (const c of a.ingress ?? []) out.add(c.namespace);
  }
  return out;
}
