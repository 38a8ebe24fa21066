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
import { DirectionView, Listing, ListingOptions, listing, WorkloadListing, workloadListing } from './listing';
import { Ports, Protocol } from './ports';
import { DecidedBy, Destination, PeerEntry } from './workload';

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

/** What a workload's egress would be once the staged policies that concern it are enforced. */
export type StagedEgress = DirectionView<ReachEntry>;

/** The egress of one workload. */
export type WorkloadEgress = WorkloadListing<ReachEntry>;

/** Egress of every known endpoint. */
export type EgressReport = Listing<ReachEntry>;

/** What to compute egress with. */
export type EgressOptions = ListingOptions;

const entry = ({ peer, ...rest }: PeerEntry): ReachEntry => ({ to: peer, ...rest });

/** Computes the egress of one known endpoint. */
export function workloadEgress(cluster: Cluster, endpoint: Endpoint, options: EgressOptions = {}): WorkloadEgress {
  return workloadListing(cluster, endpoint, 'egress', entry, options);
}

/** Computes the egress of every known endpoint, sorted by endpoint. */
export function egressReport(cluster: Cluster, options: EgressOptions = {}): EgressReport {
  return listing(cluster, 'egress', entry, options);
}
