/**
 * Who can read a workload: every caller its ingress admits, since whoever may open a connection
 * to it receives its responses (a model's answers, a vector database's documents). Each caller is
 * marked governed or not, read from the manifests alone (the verifier knows no intent):
 *
 * A namespace is **governed** when the manifests hold its Namespace object and a pod of it that
 * no policy names (no labels of its own) is isolated both ways: some enforced policy selects it
 * for ingress and some for egress, as a default deny does. Then what its pods may send is what
 * these manifests allow, and a pod made there to look like a caller gets only what they give it.
 * Pods of any other namespace (one the manifests do not declare, one without a default deny, or
 * "any namespace"), and addresses outside the known endpoints, are not governed: anyone who may
 * create pods there, or who holds such an address, can read what the workload answers, and
 * forward it anywhere.
 */

import { ANY_NAMESPACE } from './catalog';
import { Cluster } from './cluster';
import { Endpoint, Namespace } from './endpoints';
import { IngressEntry, workloadIngress } from './ingress';

/** A caller that may receive a workload's responses: an ingress entry, and whether its namespace is governed. */
export interface Reader extends IngressEntry {
  /** True when the caller is a pod of a namespace these manifests govern (see the top of this file). */
  readonly governed: boolean;
}

const governedByCluster = new WeakMap<Cluster, Map<string, boolean>>();

/** True when the manifests declare the namespace and isolate, both ways, a pod of it that no policy names. */
function isGoverned(cluster: Cluster, namespace: Namespace): boolean {
  if (namespace.name === ANY_NAMESPACE || !namespace.declared) return false;
  let known = governedByCluster.get(cluster);
  if (!known) {
    known = new Map();
    governedByCluster.set(cluster, known);
  }
  let governed = known.get(namespace.name);
  if (governed === undefined) {
    const unnamed = cluster.catalog.phantom(namespace, new Map());
    const selecting = cluster.policies.filter((p) => p.selects(unnamed));
    governed = selecting.some((p) => p.types.ingress) && selecting.some((p) => p.types.egress);
    known.set(namespace.name, governed);
  }
  return governed;
}

/** The callers a known endpoint admits (its enforced ingress), each marked governed or not. */
export function workloadReaders(cluster: Cluster, endpoint: Endpoint): Reader[] {
  const { catalog } = cluster;
  return workloadIngress(cluster, endpoint).allowed.map((e) => {
    const governed = e.from.type === 'pods' && e.from.namespace !== ANY_NAMESPACE && isGoverned(cluster, catalog.namespace(e.from.namespace));
    return { ...e, governed };
  });
}
