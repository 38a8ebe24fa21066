/**
 * Relays: pods a workload may send to that no egress policy of the manifests confines. Whatever
 * the workload sends them, they may pass on anywhere (a vector database that fetches a URL on
 * request, a proxy, anything with a shell): the workload's own egress says nothing about where its
 * data ends up. Read from the manifests alone: a destination class of pods (or a known pod) is a
 * relay when no enforced policy selects it for egress. The written reason, where the sender's
 * policy carries one (`secure-ai-egress/ungoverned-relay`), is shown beside it.
 */
import { Cluster } from './cluster';
import { workloadEgress } from './egress';
import { Endpoint } from './endpoints';
import { Ports } from './ports';
import { PodsDestination } from './workload';
import { Protocol } from '../k8s';
import { podsSubject, reasonFor, UNGOVERNED_REASON_ANNOTATION } from '../conventions';

/** One destination a workload may send to whose pods no egress policy confines. */
export interface Relay {
  readonly from: string;
  readonly to: PodsDestination;
  readonly protocol: Protocol;
  readonly ports: Ports;
  /** The sender's written reason, when one of its policies names this destination. */
  readonly reason?: string;
}

/** The pods a destination stands for, as one endpoint: the known pod, or a representative of the class. */
function representative(cluster: Cluster, to: PodsDestination): Endpoint | undefined {
  if (to.endpoint) return cluster.endpoint(to.endpoint.id);
  if (to.namespace === '*') return undefined;
  return cluster.catalog.phantom(cluster.catalog.namespace(to.namespace), new Map(Object.entries(to.labels).filter(([, v]) => v !== '*')));
}

/** Whether some enforced policy selects the endpoint for egress. */
function confined(cluster: Cluster, endpoint: Endpoint): boolean {
  return cluster.policies.some((p) => p.types.egress && p.selects(endpoint));
}

/** The relays of one known endpoint, each destination once per protocol and ports. */
function workloadRelays(cluster: Cluster, endpoint: Endpoint): Relay[] {
  const annotations = cluster
    .plans(endpoint, 'egress')
    .flatMap((t) => t.policies.map((p) => p.policy.ref))
    .flatMap((ref) =>
      cluster.manifests
        .filter((m) => m.object.metadata.name === ref.name && m.object.metadata.namespace === ref.namespace)
        .map((m) => m.object.metadata.annotations),
    );
  return workloadEgress(cluster, endpoint).allowed.flatMap((e): Relay[] => {
    if (e.to.type !== 'pods' || e.to.namespace === '*') return [];
    const pods = representative(cluster, e.to);
    if (!pods || confined(cluster, pods)) return [];
    // A reason names a class of pods (a known pod has none): by namespace and labels.
    const subject = e.to.endpoint ? undefined : podsSubject(e.to.namespace, e.to.labels);
    const reason = subject === undefined ? undefined : annotations.map((a) => reasonFor(a, UNGOVERNED_REASON_ANNOTATION, subject)).find((r) => r !== undefined);
    return [{ from: endpoint.id, to: e.to, protocol: e.protocol, ports: e.ports, ...(reason !== undefined ? { reason } : {}) }];
  });
}

/** The relays of every known endpoint, sorted by endpoint. */
export function relayReport(cluster: Cluster): Relay[] {
  return [...cluster.endpoints].sort((a, b) => a.id.localeCompare(b.id)).flatMap((e) => workloadRelays(cluster, e));
}
