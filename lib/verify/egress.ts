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
import { Reader, workloadReaders } from './readers';
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

/** The egress of one workload, and with `readers`, who can read it. */
export interface WorkloadEgress extends WorkloadListing<ReachEntry> {
  /** The callers that may receive its responses, marked governed or not (readers.ts); present when asked for. */
  readonly readers?: readonly Reader[];
}

/** Egress of every known endpoint. */
export interface EgressReport extends Listing<ReachEntry> {
  readonly workloads: readonly WorkloadEgress[];
}

/** What to compute egress with. */
export interface EgressOptions extends ListingOptions {
  /** Also list, per workload, who can read it (its ingress, marked governed or not): what `verify egress` and the report show. */
  readonly readers?: boolean;
}

const entry = ({ peer, ...rest }: PeerEntry): ReachEntry => ({ to: peer, ...rest });

/** Computes the egress of one known endpoint. */
export function workloadEgress(cluster: Cluster, endpoint: Endpoint, options: EgressOptions = {}): WorkloadEgress {
  return workloadListing(cluster, endpoint, 'egress', entry, options);
}

/** Computes the egress of every known endpoint, sorted by endpoint (with who can read each, when asked). */
export function egressReport(cluster: Cluster, options: EgressOptions = {}): EgressReport {
  const report = listing(cluster, 'egress', entry, options);
  if (!options.readers) return report;
  return { ...report, workloads: report.workloads.map((w) => ({ ...w, readers: workloadReaders(cluster, cluster.endpoint(w.endpoint)!) })) };
}
