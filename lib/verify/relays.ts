/**
 * Relays: pods a workload may send to that no egress policy of the manifests confines. Whatever
 * the workload sends them, they may pass on anywhere (a vector database that fetches a URL on
 * request, a proxy, anything with a shell): the workload's own egress says nothing about where its
 * data ends up. Read from the manifests alone: a destination class of pods (or a known pod) is a
 * relay when no enforced policy selects it for egress. The written reason, where the sender's
 * policy carries one (`secure-ai-egress/ungoverned-relay`), is shown beside it.
 */
import { Cluster } from './cluster';
import { egressOf } from './egress';
import { Endpoint } from './endpoints';
import { manifestIndex } from './manifest-index';
import { Policy } from './policy';
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

/** The enforced egress policies of a cluster by the namespace they are in (`undefined`: global), made once per cluster. */
const egressPolicies = new WeakMap<Cluster, ReadonlyMap<string | undefined, readonly Policy[]>>();

/**
 * Whether some enforced policy selects the endpoint for egress. A namespaced policy selects pods
 * of its own namespace only (its `hint`, which the cluster's own index of endpoints relies on
 * too), so only the global policies and those of the endpoint's namespace are asked.
 */
function confined(cluster: Cluster, endpoint: Endpoint): boolean {
  let byNamespace = egressPolicies.get(cluster);
  if (!byNamespace) {
    const made = new Map<string | undefined, Policy[]>();
    for (const p of cluster.policies) {
      if (!p.types.egress) continue;
      const list = made.get(p.hint.namespace);
      if (list) list.push(p);
      else made.set(p.hint.namespace, [p]);
    }
    egressPolicies.set(cluster, (byNamespace = made));
  }
  return [undefined, endpoint.namespace.name].some((ns) => byNamespace.get(ns)?.some((p) => p.selects(endpoint)));
}

/** The relays of one known endpoint, each destination once per protocol and ports. */
function workloadRelays(cluster: Cluster, endpoint: Endpoint): Relay[] {
  // The annotations of each policy that selects it, found by its kind, namespace and name.
  const annotations = cluster
    .plans(endpoint, 'egress')
    .flatMap((t) => t.policies.map((p) => manifestIndex(cluster).policy(p.policy.ref)?.object.metadata.annotations));
  return egressOf(cluster, endpoint).allowed.flatMap((e): Relay[] => {
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
