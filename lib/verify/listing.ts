/**
 * One workload's reach in one direction as the egress and ingress listings give it: what its
 * enforced policies allow and deny (computed in workload.ts), the staged policies that concern
 * it, and what it would be once they are enforced. egress.ts and ingress.ts differ only in how
 * an entry names its peer (`to`, `from`).
 */

import { Cluster } from './cluster';
import { Endpoint, EndpointKind } from './endpoints';
import { Direction, PolicyRef } from './policy';
import { DirectionReach, directionReach, PeerEntry, PodsDestination } from './workload';

/** A workload's reach in one direction under one set of policies (enforced, or staged enforced). */
export interface DirectionView<Entry> {
  /** True when some of the policies applies to the workload in this direction. */
  readonly isolated: boolean;
  /** The policies that apply in this direction, in evaluation order. */
  readonly policies: readonly PolicyRef[];
  readonly allowed: readonly Entry[];
  /** Explicit Deny rules that match (the implicit deny at the end of a tier is not listed). */
  readonly denied: readonly Entry[];
  /** True when some packet matches no rule and is denied by the end of a tier (DirectionReach.unmatched). */
  readonly unmatched: boolean;
}

/** One workload's reach in one direction: the enforced view, and the staged policies that concern it. */
export interface WorkloadListing<Entry> extends DirectionView<Entry> {
  /** `namespace/name` */
  readonly endpoint: string;
  readonly namespace: string;
  readonly name: string;
  readonly kind: EndpointKind;
  /** Staged policies that concern the workload in this direction: not enforced, never part of allowed/denied. */
  readonly staged: readonly PolicyRef[];
  /** Present when there are staged policies: the view once they are enforced. */
  readonly whenStagedEnforced?: DirectionView<Entry>;
}

/** The listing of every known endpoint, sorted by endpoint. */
export interface Listing<Entry> {
  readonly ipblockMatchesPods: boolean;
  readonly workloads: readonly WorkloadListing<Entry>[];
}

/** What to compute a listing with. */
export interface ListingOptions {
  /** Classes of pods to evaluate beyond those the workload's rules name (see ReachOptions.peers). */
  readonly peers?: (endpoint: Endpoint) => readonly PodsDestination[];
}

/** How an entry of one direction names its peer. */
export type EntryOf<Entry> = (entry: PeerEntry) => Entry;

function view<Entry>(r: DirectionReach, entry: EntryOf<Entry>): DirectionView<Entry> {
  return { isolated: r.isolated, policies: r.policies, allowed: r.allowed.map(entry), denied: r.denied.map(entry), unmatched: r.unmatched };
}

/** One known endpoint's reach in one direction. */
export function workloadListing<Entry>(
  cluster: Cluster,
  endpoint: Endpoint,
  direction: Direction,
  entry: EntryOf<Entry>,
  options: ListingOptions = {},
): WorkloadListing<Entry> {
  const peers = options.peers?.(endpoint);
  const enforced = view(directionReach(cluster, endpoint, direction, { peers }), entry);
  const staged = cluster.stagedFor(endpoint, direction);
  return {
    endpoint: endpoint.id,
    namespace: endpoint.namespace.name,
    name: endpoint.name,
    kind: endpoint.kind,
    ...enforced,
    staged: staged.map((p) => p.ref),
    ...(staged.length > 0 ? { whenStagedEnforced: view(directionReach(cluster, endpoint, direction, { peers, view: 'staged' }), entry) } : {}),
  };
}

/** Every known endpoint's reach in one direction, sorted by endpoint. */
export function listing<Entry>(cluster: Cluster, direction: Direction, entry: EntryOf<Entry>, options: ListingOptions = {}): Listing<Entry> {
  return {
    ipblockMatchesPods: cluster.catalog.ipblockMatchesPods,
    workloads: cluster.endpoints.map((ep) => workloadListing(cluster, ep, direction, entry, options)),
  };
}
