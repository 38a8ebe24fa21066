/**
 * What the reports add to the reach graph about the two ways data leaves beside the allowed
 * flows: DNS to a server that resolves names outside the cluster, and destinations no egress
 * policy confines (ungoverned relays), each with the written reason where there is one. Read by
 * the verifier from the manifests alone (lib/verify dns.ts and relays.ts).
 */
import { Cluster, describeDestination, describePorts, dnsReport, relayReport } from '../verify';

/** One workload that can resolve names outside the cluster. */
interface OpenDns {
  readonly endpoint: string;
  /** The DNS servers that resolve any name, in words. */
  readonly through: readonly string[];
  readonly reason?: string;
}

/** One destination no egress policy confines. */
interface RelayNote {
  readonly from: string;
  readonly to: string;
  readonly ports: string;
  readonly reason?: string;
}

export interface LeakNotes {
  /** Workloads that can resolve names outside the cluster; the DNS servers (resolvers themselves) left out. */
  readonly dns: readonly OpenDns[];
  /** How many workloads resolve cluster names only. */
  readonly clusterNamesOnly: number;
  readonly relays: readonly RelayNote[];
}

/** The notes of a cluster's manifests. */
export function leakNotes(cluster: Cluster): LeakNotes {
  const workloads = dnsReport(cluster).workloads.filter((w) => w.serves === undefined);
  return {
    dns: workloads
      .filter((w) => w.resolvesOutside)
      .map((w) => ({
        endpoint: w.endpoint,
        through: w.servers.filter((s) => s.answers === 'any-name').map((s) => `${describeDestination(s.to)} (${s.why})`),
        ...(w.reason !== undefined ? { reason: w.reason } : {}),
      })),
    clusterNamesOnly: workloads.filter((w) => !w.resolvesOutside).length,
    relays: relayReport(cluster)
      .filter((r) => workloads.some((w) => w.endpoint === r.from))
      .map((r) => ({
        from: r.from,
        to: describeDestination(r.to),
        ports: `${r.protocol} ${describePorts(r.ports)}`,
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
      })),
  };
}
