/**
 * Who may reach each workload: its ingress, computed exactly from its own ingress policies (see
 * workload.ts for how), and what it would be once the staged policies are enforced.
 *
 * The sender's egress policies are not part of this listing: it is what the receiver's side lets
 * in. Ports are the workload's own, port names resolved on its container ports.
 */

import { Cluster } from './cluster';
import { Endpoint, EndpointKind } from './endpoints';
import { Ports, Protocol } from './ports';
import { PolicyRef } from './policy';
import { DecidedBy, Destination, DirectionReach, directionReach, PeerEntry, PodsDestination } from './workload';

/** One source, protocol and contiguous range of the workload's ports, and what decided it. */
export interface IngressEntry {
  readonly from: Destination;
  readonly protocol: Protocol;
  readonly ports: Ports;
  readonly decidedBy: DecidedBy;
  /** True when a Deny that matches every packet decided: the "everything else" of a policy (see PeerEntry). */
  readonly catchAll?: true;
}

/** What a workload's ingress would be once the staged policies that concern it are enforced. */
interface StagedIngress {
  readonly isolated: boolean;
  readonly policies: readonly PolicyRef[];
  readonly allowed: readonly IngressEntry[];
  readonly denied: readonly IngressEntry[];
}

/** Who may reach one workload. */
export interface WorkloadIngress {
  /** `namespace/name` */
  readonly endpoint: string;
  readonly namespace: string;
  readonly name: string;
  readonly kind: EndpointKind;
  /** True when some enforced policy applies to the workload for ingress. */
  readonly isolated: boolean;
  /** The enforced policies that apply for ingress, in evaluation order. */
  readonly policies: readonly PolicyRef[];
  readonly allowed: readonly IngressEntry[];
  /** Explicit Deny rules that match (the implicit deny at the end of a tier is not listed). */
  readonly denied: readonly IngressEntry[];
  /** Staged policies that concern the workload's ingress: not enforced, never part of allowed/denied. */
  readonly staged: readonly PolicyRef[];
  /** Present when there are staged policies: the ingress once they are enforced. */
  readonly whenStagedEnforced?: StagedIngress;
}

/** Ingress of every known endpoint. */
export interface IngressReport {
  readonly ipblockMatchesPods: boolean;
  readonly workloads: readonly WorkloadIngress[];
}

/** What to compute ingress with. */
export interface IngressOptions {
  /** Classes of pods to evaluate beyond those the workload's rules name (see ReachOptions.peers). */
  readonly peers?: (endpoint: Endpoint) => readonly PodsDestination[];
}

function entries(list: readonly PeerEntry[]): IngressEntry[] {
  return list.map(({ peer, ...rest }) => ({ from: peer, ...rest }));
}

function view(r: DirectionReach): StagedIngress {
  return { isolated: r.isolated, policies: r.policies, allowed: entries(r.allowed), denied: entries(r.denied) };
}

/** Computes who may reach one known endpoint. */
export function workloadIngress(cluster: Cluster, endpoint: Endpoint, options: IngressOptions = {}): WorkloadIngress {
  const peers = options.peers?.(endpoint);
  const enforced = view(directionReach(cluster, endpoint, 'ingress', { peers }));
  const staged = cluster.stagedFor(endpoint, 'ingress');
  return {
    endpoint: endpoint.id,
    namespace: endpoint.namespace.name,
    name: endpoint.name,
    kind: endpoint.kind,
    ...enforced,
    staged: staged.map((p) => p.ref),
    ...(staged.length > 0 ? { whenStagedEnforced: view(directionReach(cluster, endpoint, 'ingress', { peers, view: 'staged' })) } : {}),
  };
}

/** Computes who may reach every known endpoint, sorted by endpoint. */
export function ingressReport(cluster: Cluster, options: IngressOptions = {}): IngressReport {
  return {
    ipblockMatchesPods: cluster.catalog.ipblockMatchesPods,
    workloads: cluster.endpoints.map((ep) => workloadIngress(cluster, ep, options)),
  };
}
