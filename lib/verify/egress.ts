/**
 * What each workload may send: its egress, computed exactly from its own egress policies (see
 * workload.ts for how), and what it would be once the staged policies are enforced.
 *
 * The receiver's ingress policies are not part of this listing: it is what the sender's side
 * lets out.
 */

import { Cluster } from './cluster';
import { Endpoint, EndpointKind } from './endpoints';
import { Ports, Protocol } from './ports';
import { PolicyRef } from './policy';
import { DecidedBy, Destination, DirectionReach, directionReach, PeerEntry, PodsDestination } from './workload';

/** One destination, protocol and contiguous port range (or port name), and what decided it. */
export interface ReachEntry {
  readonly to: Destination;
  readonly protocol: Protocol;
  /** A contiguous range, or a port name for a class of pods whose container ports are unknown. */
  readonly ports: Ports;
  readonly decidedBy: DecidedBy;
  /** True when a Deny that matches every packet decided: the "everything else" of a policy (see PeerEntry). */
  readonly catchAll?: true;
}

/** What a workload's egress would be once the staged policies that concern it are enforced. */
export interface StagedEgress {
  readonly isolated: boolean;
  readonly policies: readonly PolicyRef[];
  readonly allowed: readonly ReachEntry[];
  readonly denied: readonly ReachEntry[];
}

/** The egress of one workload. */
export interface WorkloadEgress {
  /** `namespace/name` */
  readonly endpoint: string;
  readonly namespace: string;
  readonly name: string;
  readonly kind: EndpointKind;
  /** True when some enforced policy applies to the workload for egress. */
  readonly isolated: boolean;
  /** The enforced policies that apply for egress, in evaluation order. */
  readonly policies: readonly PolicyRef[];
  readonly allowed: readonly ReachEntry[];
  /** Explicit Deny rules that match (the implicit deny at the end of a tier is not listed). */
  readonly denied: readonly ReachEntry[];
  /** Staged policies that concern the workload's egress: not enforced, never part of allowed/denied. */
  readonly staged: readonly PolicyRef[];
  /** Present when there are staged policies: the egress once they are enforced. */
  readonly whenStagedEnforced?: StagedEgress;
}

/** Egress of every known endpoint. */
export interface EgressReport {
  readonly ipblockMatchesPods: boolean;
  readonly workloads: readonly WorkloadEgress[];
}

/** What to compute egress with. */
export interface EgressOptions {
  /** Classes of pods to evaluate beyond those the workload's rules name (see ReachOptions.peers). */
  readonly peers?: (endpoint: Endpoint) => readonly PodsDestination[];
}

function entries(list: readonly PeerEntry[]): ReachEntry[] {
  return list.map(({ peer, ...rest }) => ({ to: peer, ...rest }));
}

function view(r: DirectionReach): StagedEgress {
  return { isolated: r.isolated, policies: r.policies, allowed: entries(r.allowed), denied: entries(r.denied) };
}

/** Computes the egress of one known endpoint. */
export function workloadEgress(cluster: Cluster, endpoint: Endpoint, options: EgressOptions = {}): WorkloadEgress {
  const peers = options.peers?.(endpoint);
  const enforced = view(directionReach(cluster, endpoint, 'egress', { peers }));
  const staged = cluster.stagedFor(endpoint, 'egress');
  return {
    endpoint: endpoint.id,
    namespace: endpoint.namespace.name,
    name: endpoint.name,
    kind: endpoint.kind,
    ...enforced,
    staged: staged.map((p) => p.ref),
    ...(staged.length > 0 ? { whenStagedEnforced: view(directionReach(cluster, endpoint, 'egress', { peers, view: 'staged' })) } : {}),
  };
}

/** Computes the egress of every known endpoint, sorted by endpoint. */
export function egressReport(cluster: Cluster, options: EgressOptions = {}): EgressReport {
  return {
    ipblockMatchesPods: cluster.catalog.ipblockMatchesPods,
    workloads: cluster.endpoints.map((ep) => workloadEgress(cluster, ep, options)),
  };
}
