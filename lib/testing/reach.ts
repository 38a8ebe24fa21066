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
  Manifest,
  PortRange,
  Protocol,
  ReachEntry,
  WorkloadEgress,
  buildCluster,
  explainDirection,
  isNamedPort,
  query,
  readManifestFiles,
} from '../verify';

/** Manifests as a test may hold them. */
export type ManifestsLike = Cluster | string | readonly string[] | readonly object[] | Chart | App;

/** A port, or a range of ports, as the intent writes them. */
export type ExpectedPorts = readonly (number | { readonly from: number; readonly to: number })[];

/**
 * One destination a workload is expected to reach, written like the intent's destinations: an
 * address block (with the blocks carved out of it, e.g. cloud metadata), or pods of a namespace
 * with labels; `protocol` defaults to TCP.
 */
export type ExpectedReach =
  | { readonly cidr: string; readonly except?: readonly string[]; readonly ports: ExpectedPorts; readonly protocol?: Protocol }
  | { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>>; readonly ports: ExpectedPorts; readonly protocol?: Protocol };

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

/** The expected reach as the verifier's entries, one per destination, protocol and port range. */
export function expectedEntries(expected: readonly ExpectedReach[]): ReachEntry[] {
  return expected.flatMap((x) => {
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
