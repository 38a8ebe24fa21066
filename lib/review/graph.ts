/**
 * Who may reach what, as a graph a person can read: workloads on one side, destinations on the
 * other, one edge per allowed (or explicitly denied) flow with the rule behind it. Built from
 * the verifier's egress report; drawn by the Markdown and HTML reports, which write every text
 * (lib/review/edge-words.ts): the graph holds values.
 *
 * Edges hold either today (view `enforced`) or once the staged policies are enforced (view
 * `staged`): a workload in Calico's audit mode has both, and its node says it is audited.
 */

import { DecidedBy, isNamedPort, PolicyRef, Ports } from '../verify';
import { distinctDecisions, groupBy } from './group';
import type { ReaderRow } from './readers';
import { Protocol } from '../k8s';
import { Flavor } from '../conventions';

/** A workload that sends traffic. */
export interface WorkloadNode {
  /** `namespace/name` */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  /** `calico` when a Calico tier decides its egress (or would, once its staged policies are enforced), `kubernetes` otherwise. */
  readonly flavor: Flavor;
  /** The policies that decide its egress today, in evaluation order (none: it may send anywhere). Absent: not known. */
  readonly enforced?: readonly PolicyRef[];
  /** Staged policies that concern its egress: when there are any it is in audit mode, and they enforce nothing yet. */
  readonly staged?: readonly PolicyRef[];
}

/** Kinds of destination, which the drawings group. */
export type DestinationNodeKind = 'pods' | 'external' | 'allow-list' | 'host' | 'denied';

/** A place traffic may go to (or is refused). */
export interface DestinationNode {
  readonly id: string;
  readonly label: string;
  readonly kind: DestinationNodeKind;
  /** Namespace of in-cluster pods; the allow-list's name for allow-lists; the egress proxy for host names. */
  readonly group?: string;
  /** What the label stands for, in full, where there is room (tables): the blocks of `cloud metadata (10 blocks)`. */
  readonly detail?: string;
}

/** A protocol and its ports, as one flow of an edge. */
interface Flow {
  readonly protocol: Protocol;
  readonly ports: Ports;
}

/** Whether an edge holds today, or once the staged policies are enforced. */
export type EdgeView = 'enforced' | 'staged';

/** One flow, or several to one destination, from a workload. */
export interface ReachEdge {
  readonly from: string;
  readonly to: string;
  readonly verdict: 'allow' | 'deny';
  /** Absent: `enforced`, it holds today. `staged`: it would hold once the staged policies are enforced. */
  readonly view?: EdgeView;
  /** Protocols and ports, e.g. UDP 53 and TCP 53. */
  readonly flows: readonly Flow[];
  /** What decided: one rule or default, or several when the edge stands for several flows. */
  readonly decisions: readonly DecidedBy[];
  /** How many edges of the full graph it stands for, when more than one (see condense). */
  readonly count?: number;
}

export interface ReachGraph {
  readonly workloads: readonly WorkloadNode[];
  readonly destinations: readonly DestinationNode[];
  readonly edges: readonly ReachEdge[];
  /** Who can read each workload (the callers its ingress admits), when the report was made with them. */
  readonly readers?: readonly ReaderRow[];
}

/** The view an edge holds in. */
export function viewOf(e: ReachEdge): EdgeView {
  return e.view ?? 'enforced';
}

/** Identifies the flows of an edge: equal for equal protocols and ports, whatever the objects. */
function flowsKey(flows: readonly Flow[]): string {
  return flows.map((f) => `${f.protocol} ${isNamedPort(f.ports) ? `name ${f.ports.name}` : `${f.ports.from}-${f.ports.to}`}`).join(',');
}

/** A destination reached by more workloads than this is drawn once per namespace, not once per workload. */
export const COLLAPSE_AT = 12;

/** An edge as drawn: from one workload, or from a whole namespace whose every workload has it. */
export interface DrawnEdge {
  /** A workload id, or a namespace name when `collapsed`. */
  readonly from: string;
  readonly collapsed: boolean;
  readonly to: string;
  readonly verdict: 'allow' | 'deny';
  readonly view: EdgeView;
  /** The edges drawn as one (one, unless collapsed); their flows are the same. */
  readonly edges: readonly ReachEdge[];
  /** Indexes into `edges` of the full graph of the flows this drawing stands for. */
  readonly rows: readonly number[];
}

/** The namespace of each workload of the graph, by workload id. */
function namespaces(graph: ReachGraph): (workload: string) => string {
  const byId = new Map(graph.workloads.map((w) => [w.id, w.namespace]));
  return (workload) => {
    const ns = byId.get(workload);
    if (ns === undefined) throw new Error(`edge from ${workload}, which is not a workload of the graph`);
    return ns;
  };
}

/**
 * Keeps large graphs legible: when more than COLLAPSE_AT workloads share a destination (same
 * verdict, view, and protocols and ports as values), the workloads of a namespace that all have
 * it are drawn as one edge from the namespace.
 */
export function drawnEdges(graph: ReachGraph, origin?: readonly (readonly number[])[]): DrawnEdge[] {
  const rowsOf = (i: number): readonly number[] => origin?.[i] ?? [i];
  const perNamespace = groupBy(graph.workloads, (w) => w.namespace);
  const namespaceOf = namespaces(graph);
  const out: DrawnEdge[] = [];
  const shared = groupBy(
    graph.edges.map((e, i) => ({ e, i })),
    ({ e }) => [e.to, e.verdict, viewOf(e), e.count ?? 1, flowsKey(e.flows)].join('\u0000'),
  );
  for (const list of shared.values()) {
    const collapse = list.length > COLLAPSE_AT;
    for (const [ns, fromNs] of groupBy(list, ({ e }) => namespaceOf(e.from))) {
      const first = fromNs[0].e;
      if (collapse && fromNs.length > 1 && fromNs.length === perNamespace.get(ns)?.length) {
        out.push({
          from: ns,
          collapsed: true,
          to: first.to,
          verdict: first.verdict,
          view: viewOf(first),
          edges: fromNs.map((x) => x.e),
          rows: fromNs.flatMap((x) => rowsOf(x.i)),
        });
      } else {
        for (const { e, i } of fromNs) out.push({ from: e.from, collapsed: false, to: e.to, verdict: e.verdict, view: viewOf(e), edges: [e], rows: rowsOf(i) });
      }
    }
  }
  return out;
}

/** A destination's label with the group it is drawn under, for places without groups (tables, Mermaid). */
export function fullLabel(d: DestinationNode): string {
  if (d.kind === 'pods') return `pods in ${d.group}: ${d.label}`;
  if (d.kind === 'allow-list') return `allow-list ${d.group}: ${d.label}`;
  if (d.kind === 'host') return `host ${d.label}, through ${d.group}`;
  return d.detail ? `${d.label}: ${d.detail}` : d.label;
}

/** A graph drawn in fewer nodes, and for each of its edges the edges of the full graph it stands for. */
export interface Condensed {
  readonly graph: ReachGraph;
  readonly origin: readonly (readonly number[])[];
}

/**
 * Keeps a drawing legible when there are more than `limit` destinations: the destinations that
 * only one workload reaches are drawn as one node per namespace and kind ("14 external networks
 * only one workload of team-a reaches"), with one edge per workload. Shared destinations and
 * explicit denies stay as they are. The full graph still feeds the tables.
 */
export function condense(graph: ReachGraph, limit: number): Condensed {
  const identity = { graph, origin: graph.edges.map((_, i) => [i]) };
  if (graph.destinations.length <= limit) return identity;
  const reachers = new Map<string, Set<string>>();
  for (const e of graph.edges) reachers.set(e.to, (reachers.get(e.to) ?? new Set()).add(e.from));
  const byId = new Map(graph.destinations.map((d) => [d.id, d]));
  const isPrivate = (d: DestinationNode) => d.kind !== 'denied' && reachers.get(d.id)?.size === 1;
  const workloadNamespace = namespaces(graph);
  const namespaceOf = (d: DestinationNode) => workloadNamespace([...reachers.get(d.id)!][0]);
  const groupId = (d: DestinationNode) => `only-one ${namespaceOf(d)} ${d.kind}`;

  const privateCount = groupBy(graph.destinations.filter(isPrivate), groupId);
  const destinations: DestinationNode[] = graph.destinations.filter((d) => !isPrivate(d));
  for (const [id, members] of privateCount) {
    const namespace = namespaceOf(members[0]);
    const kind = members[0].kind;
    const what = kind === 'pods' ? 'classes of pods' : kind === 'allow-list' ? 'allow-list blocks' : kind === 'host' ? 'host names' : 'external networks';
    destinations.push({ id, label: `${members.length} ${what} only one workload of ${namespace} reaches`, kind, group: 'reached by one workload each' });
  }
  const edges: ReachEdge[] = [];
  const origin: number[][] = [];
  const merged = new Map<string, number>();
  graph.edges.forEach((e, i) => {
    const d = byId.get(e.to)!;
    if (!isPrivate(d)) {
      edges.push(e);
      origin.push([i]);
      return;
    }
    const key = `${e.from}\u0000${groupId(d)}\u0000${e.verdict}\u0000${viewOf(e)}`;
    const at = merged.get(key);
    if (at === undefined) {
      merged.set(key, edges.length);
      edges.push({
        from: e.from,
        to: groupId(d),
        verdict: e.verdict,
        ...(e.view ? { view: e.view } : {}),
        flows: e.flows,
        decisions: e.decisions,
        count: e.count ?? 1,
      });
      origin.push([i]);
    } else {
      origin[at].push(i);
      const before = edges[at];
      edges[at] = {
        ...before,
        flows: [...before.flows, ...e.flows],
        decisions: distinctDecisions([...before.decisions, ...e.decisions]),
        count: (before.count ?? 1) + (e.count ?? 1),
      };
    }
  });
  return { graph: { workloads: graph.workloads, destinations, edges }, origin };
}
