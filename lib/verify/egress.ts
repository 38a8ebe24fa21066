/**
 * What each workload may send: its egress, computed exactly from its own egress policies (see
 * workload.ts for how), and what it would be once the staged policies are enforced.
 *
 * The receiver's ingress policies are not part of this listing: it is what the sender's side
 * lets out.
 */

import { IpVersion } from '../net';
import { Cluster } from './cluster';
import { Endpoint } from './endpoints';
import { HostReach, hostReach } from './hosts';
import { DirectionView, Listing, ListingOptions, WorkloadListing, workloadListing } from './listing';
import { Ports } from './ports';
import { Reader, workloadReaders } from './readers';
import { DecidedBy, Destination, DirectionReach, PeerEntry } from './workload';
import { Protocol } from '../k8s';

/** One destination, protocol and contiguous port range (or port name), and what decided it. */
export interface ReachEntry {
  readonly to: Destination;
  readonly protocol: Protocol;
  /** A contiguous range, or a port name for a class of pods whose container ports are unknown. */
  readonly ports: Ports;
  readonly decidedBy: DecidedBy;
  /** True when a Deny that matches every packet decided: the "everything else" of a policy (see PeerEntry). */
  readonly catchAll?: true;
  /** For pods: only packets of this IP version are decided so (see PeerEntry). */
  readonly ipVersion?: IpVersion;
}

/** What a workload's egress would be once the staged policies that concern it are enforced; `hosts` when the manifests hold an egress proxy. */
export type StagedEgress = DirectionView<ReachEntry> & { readonly hosts?: HostReach };

/**
 * The egress of one workload; when the manifests hold an egress proxy, what it reaches by name
 * (hosts.ts); with `readers`, who can read it.
 */
export type WorkloadEgress = Omit<WorkloadListing<ReachEntry>, 'whenStagedEnforced'> & {
  readonly hosts?: HostReach;
  readonly whenStagedEnforced?: StagedEgress;
  /** The callers that may receive its responses, marked governed or not (readers.ts); present when asked for. */
  readonly readers?: readonly Reader[];
};

/** Egress of every known endpoint. */
export type EgressReport = Omit<Listing<ReachEntry>, 'workloads'> & { readonly workloads: readonly WorkloadEgress[] };

/** What to compute egress with. */
export interface EgressOptions extends ListingOptions {
  /** Also list, per workload, who can read it (its ingress, marked governed or not): what `verify egress` and the report show. */
  readonly readers?: boolean;
}

const entry = ({ peer, ...rest }: PeerEntry): ReachEntry => ({ to: peer, ...rest });

/** A view of the listing as the reach it was computed from, for hostReach. */
const asReach = (v: DirectionView<ReachEntry>): Omit<DirectionReach, 'reopenable'> => ({
  isolated: v.isolated,
  policies: v.policies,
  allowed: v.allowed.map(({ to, ...rest }) => ({ peer: to, ...rest })),
  denied: [],
  unmatched: v.unmatched,
});

/** Computes the egress of one known endpoint, by address and, through the manifests' proxies, by name. */
export function workloadEgress(cluster: Cluster, endpoint: Endpoint, options: EgressOptions = {}): WorkloadEgress {
  const listed = workloadListing(cluster, endpoint, 'egress', entry, options);
  if (cluster.proxies.length === 0) return listed;
  const staged = listed.whenStagedEnforced;
  return {
    ...listed,
    hosts: hostReach(cluster, endpoint, { reach: asReach(listed) }),
    ...(staged ? { whenStagedEnforced: { ...staged, hosts: hostReach(cluster, endpoint, { view: 'staged', reach: asReach(staged) }) } } : {}),
  };
}

/** The egress of each known endpoint of a cluster, with no extra peers, by endpoint: made once per cluster and endpoint. */
const computed = new WeakMap<Cluster, Map<Endpoint, WorkloadEgress>>();

/**
 * The egress of one known endpoint with no extra peers, computed the first time it is asked for
 * the cluster and kept: `verify egress` lists it, then dns.ts and relays.ts read it again for
 * the same workload, so a report over n workloads computes n egresses, not 3n.
 */
export function egressOf(cluster: Cluster, endpoint: Endpoint): WorkloadEgress {
  let byEndpoint = computed.get(cluster);
  if (!byEndpoint) computed.set(cluster, (byEndpoint = new Map<Endpoint, WorkloadEgress>()));
  let egress = byEndpoint.get(endpoint);
  if (!egress) byEndpoint.set(endpoint, (egress = workloadEgress(cluster, endpoint)));
  return egress;
}

/** Computes the egress of every known endpoint, sorted by endpoint (with who can read each, when asked). */
export function egressReport(cluster: Cluster, options: EgressOptions = {}): EgressReport {
  // Extra peers change the egress: only the egress without them is kept for the cluster.
  const workloads = cluster.endpoints.map((ep) => (options.peers ? workloadEgress(cluster, ep, options) : egressOf(cluster, ep)));
  return {
    ipblockMatchesPods: cluster.catalog.ipblockMatchesPods,
    workloads: options.readers ? workloads.map((w) => ({ ...w, readers: workloadReaders(cluster, cluster.endpoint(w.endpoint)!) })) : workloads,
  };
}
