/**
 * Building the cluster a set of manifests describes, from files and folders or from texts held in
 * memory, and matching its endpoints against a Calico selector.
 */

import * as fs from 'fs';
import * as path from 'path';
import { VerifyOptions } from './catalog';
import { buildCluster, Cluster } from './cluster';
import { Manifest, ManifestError, parseManifests, readManifestSet } from './manifests';
import { Selector } from './selector';

/**
 * Refuses a folder that holds a folder per cluster (`dist/` of an intent with clusters:
 * `dist/prod-eu/`, `dist/prod-us/`): no manifest of its own, and the same object written in two
 * of its folders. Read as one, the folders describe no real cluster, and the first object written
 * twice would be all the reader said; this names the folders and what to give instead.
 */
function refuseFolderOfClusters(paths: readonly string[], manifests: readonly Manifest[]): void {
  for (const given of paths) {
    if (!fs.existsSync(given) || !fs.statSync(given).isDirectory()) continue;
    const root = path.resolve(given);
    const folderOf = new Map<string, string>();
    let direct = false;
    for (const m of manifests) {
      const relative = path.relative(root, path.resolve(m.source.file));
      if (relative.startsWith('..') || path.isAbsolute(relative)) continue;
      const [first, ...rest] = relative.split(path.sep);
      if (rest.length === 0) direct = true;
      else {
        const { apiVersion, kind, metadata } = m.object;
        folderOf.set(`${first}\u0000${String(apiVersion)}\u0000${kind}\u0000${metadata.namespace ?? ''}\u0000${metadata.name}`, first);
      }
    }
    if (direct) continue;
    const folders = [...new Set(folderOf.values())].sort();
    const ids = [...folderOf.keys()].map((k) => k.slice(k.indexOf('\u0000') + 1));
    if (folders.length < 2 || new Set(ids).size === ids.length) continue;
    throw new ManifestError(
      { file: given },
      undefined,
      `holds a folder per cluster (${folders.join(', ')}) that write the same objects, and read together they describe no real cluster; accepted: one cluster's folder, e.g. --manifests ${path.join(given, folders[0])}`,
    );
  }
}

/** Reads manifests from files and folders (recursively) and builds the cluster they describe; files that hold no Kubernetes object are listed in its `skipped`. */
export function loadCluster(paths: readonly string[], options?: VerifyOptions): Cluster {
  const { manifests, skipped } = readManifestSet(paths);
  refuseFolderOfClusters(paths, manifests);
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
