/**
 * Who may reach each workload: its ingress, computed exactly from its own ingress policies (see
 * workload.ts for how), and what it would be once the staged policies are enforced.
 *
 * The sender's egress policies are not part of this listing: it is what the receiver's side lets
 * in. Ports are the workload's own, port names resolved on its container ports.
 */

import { IpVersion } from '../net';
import { Cluster } from './cluster';
import { Endpoint } from './endpoints';
import { Listing, ListingOptions, listing, WorkloadListing, workloadListing } from './listing';
import { Ports } from './ports';
import { DecidedBy, Destination, PeerEntry } from './workload';
import { Protocol } from '../k8s';

/** One source, protocol and contiguous range of the workload's ports, and what decided it. */
export interface IngressEntry {
  readonly from: Destination;
  readonly protocol: Protocol;
  readonly ports: Ports;
  readonly decidedBy: DecidedBy;
  /** True when a Deny that matches every packet decided: the "everything else" of a policy (see PeerEntry). */
  readonly catchAll?: true;
  /** For pods: only packets of this IP version are decided so (see PeerEntry). */
  readonly ipVersion?: IpVersion;
}

/** The ingress of one workload. */
export type WorkloadIngress = WorkloadListing<IngressEntry>;

/** Ingress of every known endpoint. */
export type IngressReport = Listing<IngressEntry>;

/** What to compute ingress with. */
export type IngressOptions = ListingOptions;

const entry = ({ peer, ...rest }: PeerEntry): IngressEntry => ({ from: peer, ...rest });

/** Computes the ingress of one known endpoint. */
export function workloadIngress(cluster: Cluster, endpoint: Endpoint, options: IngressOptions = {}): WorkloadIngress {
  return workloadListing(cluster, endpoint, 'ingress', entry, options);
}

/** Computes the ingress of every known endpoint, sorted by endpoint. */
export function ingressReport(cluster: Cluster, options: IngressOptions = {}): IngressReport {
  return listing(cluster, 'ingress', entry, options);
}
