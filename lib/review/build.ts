import { cidrRange, formatCidr, isMetadataBlock, sameCidr, subtractRanges } from '../net';
import {
  ANY_NAMESPACE,
  Cluster,
  decisionKey,
  describeLabels,
  describeNamedBlock,
  destinationParts,
  EgressReport,
  formatHostPattern,
  isAllPorts,
  ReachEntry,
  samePorts,
  WorkloadEgress,
} from '../verify';
import { flavorOf } from './workload';
import { readerRows } from './readers';
import { DestinationNode, EdgeView, ReachEdge, ReachGraph, WorkloadNode } from './graph';
import { distinctDecisions } from './group';

/** The protocols and ports of some entries, each once, in their order. */
function distinctFlows(entries: readonly ReachEntry[]): ReachEdge['flows'] {
  const seen = new Map<string, ReachEdge['flows'][number]>();
  for (const e of entries) {
    const key = `${e.protocol} ${JSON.stringify(e.ports)}`;
    if (!seen.has(key)) seen.set(key, { protocol: e.protocol, ports: e.ports });
  }
  return [...seen.values()];
}

/**
 * The egress report as a graph. Allowed destinations come from the allowed entries (a known pod
 * already covered by a rule naming its class of pods is not drawn twice). Denied destinations are
 * the explicit denies of whole blocks on every port, such as cloud metadata; the catch-all
 * Deny at the end of a policy is not drawn (everything not drawn is denied). Blocks that lie in a
 * GlobalNetworkSet are grouped under that allow-list. The cloud metadata blocks a workload is
 * denied on every port are one destination and one edge, not one per address: the guardrail
 * denies ten or more of them to every workload, and they would fill the report. A workload with staged policies (audit
 * mode) has the edges that hold today and, in view `staged`, those that would once its staged
 * policies are enforced. Names a workload reaches through an egress proxy are drawn as host
 * nodes under the proxy. A report made with readers lists who can read each workload too.
 */
export function buildGraph(cluster: Cluster, report: EgressReport): ReachGraph {
  const sets = cluster.catalog.networkSets;
  const workloads: WorkloadNode[] = [];
  const destinations = new Map<string, DestinationNode>();
  const edges: ReachEdge[] = [];

  const destinationFor = (e: ReachEntry, verdict: 'allow' | 'deny'): DestinationNode => {
    const to = e.to;
    const { group, label } = destinationParts(to);
    if (to.type === 'cidr') {
      // Denied blocks are drawn only without exceptions (see below), so the block names them all.
      if (verdict === 'deny') return { id: `deny ${label}`, label: describeNamedBlock(to.cidr), kind: 'denied' };
      const set = sets.find((s) => s.kind !== 'HostEndpoint' && subtractRanges([cidrRange(to.cidr)], s.nets).length === 0);
      return set ? { id: `allow-list ${set.id} ${label}`, label, kind: 'allow-list', group: set.id } : { id: `cidr ${label}`, label, kind: 'external' };
    }
    if (to.endpoint) return { id: `pod ${to.endpoint.id}`, label, kind: 'pods', group };
    return {
      id: `pods ${to.namespace === ANY_NAMESPACE ? `${ANY_NAMESPACE} ${group}` : to.namespace} ${describeLabels(to.labels, ', ')}`,
      label,
      kind: 'pods',
      group,
    };
  };

  /** The cloud metadata blocks denied to a workload, as one destination and one edge. */
  const addMetadata = (w: WorkloadEgress, entries: readonly ReachEntry[], view: EdgeView) => {
    if (entries.length === 0) return;
    const blocks = [...new Set(entries.map((e) => (e.to.type === 'cidr' ? formatCidr(e.to.cidr) : '')))];
    const node: DestinationNode = {
      id: `deny cloud-metadata ${blocks.join(' ')}`,
      label: `cloud metadata (${blocks.length} blocks)`,
      detail: blocks.join(', '),
      kind: 'denied',
    };
    destinations.set(node.id, node);
    edges.push({
      from: w.endpoint,
      to: node.id,
      verdict: 'deny',
      ...(view === 'staged' ? { view } : {}),
      flows: distinctFlows(entries),
      decisions: distinctDecisions(entries.map((e) => e.decidedBy)),
    });
  };

  const add = (w: WorkloadEgress, entries: readonly ReachEntry[], verdict: 'allow' | 'deny', view: EdgeView) => {
    // One edge per destination and deciding rule.
    const byTarget = new Map<string, { node: DestinationNode; entries: ReachEntry[] }>();
    for (const e of entries) {
      const node = destinationFor(e, verdict);
      const key = `${node.id}\u0000${decisionKey(e.decidedBy)}`;
      const found = byTarget.get(key);
      if (found) found.entries.push(e);
      else byTarget.set(key, { node, entries: [e] });
    }
    for (const { node, entries: list } of byTarget.values()) {
      destinations.set(node.id, node);
      edges.push({
        from: w.endpoint,
        to: node.id,
        verdict,
        ...(view === 'staged' ? { view } : {}),
        flows: list.map((e) => ({ protocol: e.protocol, ports: e.ports })),
        decisions: [list[0].decidedBy],
      });
    }
  };

  /** Draws one view of a workload's egress: its allowed entries, and its explicit denies of whole blocks. */
  const draw = (w: WorkloadEgress, allowed: readonly ReachEntry[], denied: readonly ReachEntry[], view: EdgeView) => {
    const classes = allowed.filter((e) => e.to.type === 'pods' && !e.to.endpoint);
    const coveredByClass = (e: ReachEntry) =>
      e.to.type === 'pods' &&
      e.to.endpoint !== undefined &&
      classes.some((c) => c.protocol === e.protocol && samePorts(c.ports, e.ports) && decisionKey(c.decidedBy) === decisionKey(e.decidedBy));
    add(
      w,
      allowed.filter((e) => !coveredByClass(e)),
      'allow',
      view,
    );
    const wholeBlocks = denied.filter(
      (e) =>
        e.to.type === 'cidr' &&
        !e.to.except.length &&
        isAllPorts(e.ports) &&
        !allowed.some((a) => a.to.type === 'cidr' && e.to.type === 'cidr' && sameCidr(a.to.cidr, e.to.cidr)),
    );
    const metadata = (e: ReachEntry) => e.to.type === 'cidr' && isMetadataBlock(e.to.cidr);
    add(
      w,
      wholeBlocks.filter((e) => !metadata(e)),
      'deny',
      view,
    );
    addMetadata(w, wholeBlocks.filter(metadata), view);
  };

  /** Names reached through a proxy: one node per name, drawn under the proxy, decided by the rule that lets the workload reach the proxy's port. */
  const drawHosts = (w: WorkloadEgress) => {
    for (const h of w.hosts?.allowed ?? []) {
      const label = formatHostPattern(h.host);
      const node: DestinationNode = { id: `host ${h.via.proxy} ${label}`, label, kind: 'host', group: h.via.proxy };
      const toProxy = w.allowed.find(
        (e) => e.to.type === 'pods' && e.protocol === 'TCP' && !('name' in e.ports) && e.ports.from <= h.via.port && h.via.port <= e.ports.to,
      );
      if (!toProxy) continue;
      destinations.set(node.id, node);
      edges.push({ from: w.endpoint, to: node.id, verdict: 'allow', flows: [{ protocol: 'TCP', ports: h.ports }], decisions: [toProxy.decidedBy] });
    }
  };

  for (const w of report.workloads) {
    const staged = w.whenStagedEnforced;
    workloads.push({
      id: w.endpoint,
      namespace: w.namespace,
      name: w.name,
      flavor: flavorOf(staged ? [w, staged] : [w]),
      enforced: w.policies,
      staged: w.staged,
    });
    draw(w, w.allowed, w.denied, 'enforced');
    drawHosts(w);
    if (staged)
      draw(
        w,
        staged.allowed,
        staged.denied.filter((e) => !w.denied.some((d) => decisionKey(d.decidedBy) === decisionKey(e.decidedBy))),
        'staged',
      );
  }
  return { workloads, destinations: [...destinations.values()], edges, ...(report.workloads.some((w) => w.readers) ? { readers: readerRows(report) } : {}) };
}
