/**
 * Building the cluster a set of manifests describes, from files and folders or from texts held in
 * memory, and matching its endpoints against a Calico selector.
 */

import { VerifyOptions } from './catalog';
import { buildCluster, Cluster } from './cluster';
import { parseManifests, readManifestSet } from './manifests';
import { Selector } from './selector';

/** Reads manifests from files and folders (recursively) and builds the cluster they describe; files that hold no Kubernetes object are listed in its `skipped`. */
export function loadCluster(paths: readonly string[], options?: VerifyOptions): Cluster {
  const { manifests, skipped } = readManifestSet(paths);
  return buildCluster(manifests, options, skipped);
}

/** Builds a cluster from YAML or JSON texts held in memory; `name` stands for the file in errors. */
export function clusterFromText(texts: string | readonly { readonly name: string; readonly text: string }[], options?: VerifyOptions): Cluster {
  const list = typeof texts === 'string' ? [{ name: '<inline>', text: texts }] : texts;
  return buildCluster(
    list.flatMap((t) => parseManifests(t.text, t.name)),
    options,
  );
}

/**
 * Ids (`namespace/name`) of the known endpoints whose labels, with the labels Calico adds,
 * match a Calico selector; sorted. Throws SelectorSyntaxError for an invalid expression.
 */
export function matchSelector(cluster: Cluster, expression: string): string[] {
  const selector = new Selector(expression);
  return cluster.endpoints.filter((ep) => selector.test(ep.calicoLabels)).map((ep) => ep.id);
}
