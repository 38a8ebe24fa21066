/**
 * What the reach matchers compare, with no jest in it: manifests in any of the forms a test holds
 * them (a folder, YAML files, objects, a cdk8s Chart or App, or the verifier's Cluster), and the
 * reach a test expects, written like the intent's destinations.
 */
import { App, Chart } from 'cdk8s';
import { cidr as parseCidr, formatIp } from '../net';
import { FlowChange, diffWorkload } from '../review';
import {
  Cluster,
  DecidedBy,
  Destination,
  HostPattern,
  Manifest,
  PortRange,
  ReachEntry,
  WorkloadEgress,
  buildCluster,
  explainDirection,
  formatHostPattern,
  isNamedPort,
  parseHostPattern,
  query,
  queryHost,
  readManifestFiles,
  withoutProxyPorts,
} from '../verify';
import { Protocol } from '../k8s';

/** Manifests as a test may hold them. */
export type ManifestsLike = Cluster | string | readonly string[] | readonly object[] | Chart | App;

/** A port, or a range of ports, as the intent writes them. */
export type ExpectedPorts = readonly (number | { readonly from: number; readonly to: number })[];

/**
 * One destination a workload is expected to reach, written like the intent's destinations: an
 * address block (with the blocks carved out of it, e.g. cloud metadata), pods of a namespace
 * with labels, or host names reached through an egress proxy (`*.hf.co`: one label below);
 * `protocol` defaults to TCP.
 */
export type ExpectedReach =
  | { readonly cidr: string; readonly except?: readonly string[]; readonly ports: ExpectedPorts; readonly protocol?: Protocol }
  | { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>>; readonly ports: ExpectedPorts; readonly protocol?: Protocol }
  | { readonly hosts: readonly string[]; readonly ports: ExpectedPorts; readonly protocol?: 'TCP' };

const clusters = new WeakMap<object, Cluster>();

/** The objects of a Chart or an App as cdk8s renders them, each as one document. */
function rendered(objects: readonly unknown[], file: string): Manifest[] {
  return objects.map((object, i) => ({ object: object as Manifest['object'], source: { file, document: i + 1 } }));
}

/**
 * The cluster the manifests describe, as the verifier reads it. Objects, Charts and Apps are read
 * once and kept; folders and files are read on every call, so a test sees what is there now.
 */
export function clusterOf(received: unknown): Cluster {
  if (received instanceof Cluster) return received;
  if (typeof received === 'string') return buildCluster(readManifestFiles([received]));
  if (received === null || typeof received !== 'object') {
    throw new TypeError(
      `${String(received)} is not manifests; accepted: a folder or file of YAML, a list of them, a list of objects, a cdk8s Chart or App, or a Cluster of lib/verify`,
    );
  }
  const known = clusters.get(received);
  if (known) return known;
  let cluster: Cluster;
  if (Array.isArray(received) && received.every((r) => typeof r === 'string')) return buildCluster(readManifestFiles(received));
  if (Array.isArray(received)) cluster = buildCluster(rendered(received, '<objects>'));
  else if (received instanceof App)
    cluster = buildCluster(
      rendered(
        received.charts.flatMap((c): unknown[] => c.toJson()),
        '<app>',
      ),
    );
  else if (Chart.isChart(received)) cluster = buildCluster(rendered(received.toJson(), `<chart ${received.node.path}>`));
  else
    throw new TypeError(
      'this object is not manifests; accepted: a folder or file of YAML, a list of them, a list of objects, a cdk8s Chart or App, or a Cluster of lib/verify',
    );
  clusters.set(received, cluster);
  return cluster;
}

/** What decided an expected entry: the test's expectation, never a rule of the manifests. */
const EXPECTED: DecidedBy = {
  reason: 'rule',
  action: 'Allow',
  rule: { kind: 'NetworkPolicy', tier: 'expected', name: 'expected', direction: 'egress', index: 0 },
};

/** The expected reach by address as the verifier's entries, one per destination, protocol and port range (names aside: expectedHosts). */
export function expectedEntries(expected: readonly ExpectedReach[]): ReachEntry[] {
  return expected.flatMap((x) => {
    if ('hosts' in x) return [];
    const to: Destination =
      'cidr' in x
        ? { type: 'cidr', cidr: parseCidr(x.cidr), except: (x.except ?? []).map(parseCidr) }
        : { type: 'pods', namespace: x.namespace, labels: Object.fromEntries(Object.entries(x.podLabels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
    return x.ports.map((p): ReachEntry => ({
      to,
      protocol: x.protocol ?? 'TCP',
      ports: typeof p === 'number' ? { from: p, to: p } : { from: p.from, to: p.to },
      decidedBy: EXPECTED,
    }));
  });
}

/**
 * Where a workload's allowed egress and the expected reach disagree: `added` (allowed, not
 * expected; with the rule that allows it) and `removed` (expected, not allowed). A known pod, or a
 * class of pods narrower than an expected one (more labels: the verifier lists it when another
 * rule names it), is expected when classes of pods expected hold it (same namespace, a subset of
 * its labels) on all its ports; otherwise it is `added`.
 */
export function reachDifferences(expected: readonly ReachEntry[], actual: WorkloadEgress): FlowChange[] {
  const classes = actual.allowed.filter((e) => !(e.to.type === 'pods' && e.to.endpoint));
  const covered = (e: Pick<ReachEntry, 'to' | 'protocol' | 'ports'>): boolean => {
    const to = e.to;
    if (to.type !== 'pods' || isNamedPort(e.ports)) return false;
    const ranges = expected
      .filter(
        (x) =>
          x.to.type === 'pods' &&
          x.to.namespace === to.namespace &&
          x.protocol === e.protocol &&
          Object.entries(x.to.labels).every(([k, v]) => to.labels[k] === v),
      )
      .map((x) => x.ports)
      .filter((p): p is PortRange => !isNamedPort(p))
      .sort((a, b) => a.from - b.from);
    let next = e.ports.from;
    for (const r of ranges) if (r.from <= next && r.to >= next) next = r.to + 1;
    return next > e.ports.to;
  };
  const uncovered = actual.allowed.filter((e) => e.to.type === 'pods' && e.to.endpoint && !covered(e));
  const impliedByExpected = (c: FlowChange) =>
    c.change === 'added' && c.peers.length === 1 && covered({ to: c.peers[0], protocol: c.protocol, ports: c.ports });
  return [
    ...diffWorkload(expected, classes).filter((c) => c.change !== 'changed' && !impliedByExpected(c)),
    ...uncovered.map((e): FlowChange => ({ change: 'added', peers: [e.to], protocol: e.protocol, ports: e.ports, after: e.decidedBy })),
  ];
}

/**
 * Why expected reach is missing: what decided a packet to its first address (or its pod) and
 * first port, as the verifier explains it; undefined for a class of pods no pod stands for.
 */
export function whyDenied(cluster: Cluster, from: string, change: FlowChange): string | undefined {
  const [to] = change.peers;
  const port = isNamedPort(change.ports) ? change.ports.name : change.ports.from;
  const target = to.type === 'cidr' ? formatIp({ version: to.cidr.version, value: to.cidr.network }) : to.endpoint?.id;
  if (target === undefined) return undefined;
  const answer = query(cluster, from, target, port, change.protocol).egress;
  return answer.allowed ? undefined : explainDirection(answer);
}

/** One set of names on one range of ports. */
export interface HostReachItem {
  readonly host: HostPattern;
  readonly ports: PortRange;
}

/** The names expected, one item per name and port range. */
export function expectedHosts(expected: readonly ExpectedReach[]): HostReachItem[] {
  return expected.flatMap((x) =>
    'hosts' in x
      ? x.hosts.flatMap((h) =>
          x.ports.map((p) => ({ host: parseHostPattern(h), ports: typeof p === 'number' ? { from: p, to: p } : { from: p.from, to: p.to } })),
        )
      : [],
  );
}

/** Where the names a workload reaches and the names expected disagree: `added` (reached, not expected), `removed` (expected, not reached), one item per name and range. */
export function hostDifferences(expected: readonly HostReachItem[], actual: WorkloadEgress): { added: HostReachItem[]; removed: HostReachItem[] } {
  const key = (h: HostPattern) => formatHostPattern(h);
  const spans = (items: readonly HostReachItem[]) => {
    const out = new Map<string, { host: HostPattern; ports: Set<number> }>();
    for (const i of items) {
      const k = key(i.host);
      const e = out.get(k) ?? { host: i.host, ports: new Set<number>() };
      for (let p = i.ports.from; p <= i.ports.to; p++) e.ports.add(p);
      out.set(k, e);
    }
    return out;
  };
  const want = spans(expected);
  const have = spans((actual.hosts?.allowed ?? []).map((e) => ({ host: e.host, ports: e.ports })));
  const minus = (a: Map<string, { host: HostPattern; ports: Set<number> }>, b: typeof a): HostReachItem[] =>
    [...a].flatMap(([k, { host, ports }]) => {
      const rest = [...ports].filter((p) => !b.get(k)?.ports.has(p)).sort((x, y) => x - y);
      const ranges: PortRange[] = [];
      for (const p of rest) {
        const last = ranges[ranges.length - 1];
        if (last && last.to + 1 === p) ranges[ranges.length - 1] = { from: last.from, to: p };
        else ranges.push({ from: p, to: p });
      }
      return ranges.map((ports) => ({ host, ports }));
    });
  return { added: minus(have, want), removed: minus(want, have) };
}

/** The workload's egress with the ports it uses as ways to proxies left out of its entries by address. */
export function byAddress(cluster: Cluster, egress: WorkloadEgress): WorkloadEgress {
  if (!egress.hosts) return egress;
  const allowed = withoutProxyPorts(
    cluster,
    egress.allowed.map(({ to, ...rest }) => ({ peer: to, ...rest })),
    egress.hosts,
  ).map(({ peer, ...rest }) => ({ to: peer, ...rest }));
  return { ...egress, allowed };
}

/** Why an expected name is not reached: what decided a CONNECT to it on its first port. */
export function whyNotReached(cluster: Cluster, from: string, item: HostReachItem): string {
  if (item.host.kind !== 'exact') return 'no proxy lets the names through';
  const answer = queryHost(cluster, from, item.host.name, item.ports.from);
  const refusing = answer.paths.find((p) => !p.allowed);
  if (refusing)
    return refusing.squid.allowed
      ? "the proxy's own egress lets it out to no public address there"
      : `refused by ${refusing.squid.rule ? `line ${refusing.squid.rule.line}: ${refusing.squid.rule.text}` : 'the default'}`;
  if (answer.ownPort)
    return `its port of ${answer.ownPort.proxy}, ${answer.ownPort.port}: ${explainDirection(answer.ownPort.network.egress.allowed ? answer.ownPort.network.ingress : answer.ownPort.network.egress)}`;
  return 'it may connect to no egress proxy';
}
