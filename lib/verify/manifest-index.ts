/**
 * The manifests of a cluster looked up by name. The reports that read more than policies and pods
 * ask once per workload (dns.ts: a workload's own manifest and the ConfigMap of its Corefile;
 * dns.ts and relays.ts: the annotations of the policies that select it), so the manifests are
 * indexed once per cluster, the first time one is asked, instead of searched on every ask: a
 * report over n workloads reads them once, not n times.
 */
import type { Cluster } from './cluster';
import type { Manifest } from './manifests';

export class ManifestIndex {
  /** By `metadata.namespace` as written (absent: `undefined`), then `metadata.name`: every kind, in the order read. */
  private readonly written = new Map<string | undefined, Map<string, Manifest[]>>();
  /** By kind, namespace (absent: `default`) and name: the first read. */
  private readonly first = new Map<string, Manifest>();

  constructor(manifests: readonly Manifest[]) {
    for (const m of manifests) {
      const { kind, metadata } = m.object;
      let names = this.written.get(metadata.namespace);
      if (!names) this.written.set(metadata.namespace, (names = new Map<string, Manifest[]>()));
      const same = names.get(metadata.name);
      if (same) same.push(m);
      else names.set(metadata.name, [m]);
      const key = identity(kind, metadata.namespace ?? 'default', metadata.name);
      if (!this.first.has(key)) this.first.set(key, m);
    }
  }

  /**
   * Every manifest, of any kind, whose `metadata.namespace` is exactly `namespace` (`undefined`:
   * none written) and whose name is `name`, in the order read.
   */
  named(namespace: string | undefined, name: string): readonly Manifest[] {
    return this.written.get(namespace)?.get(name) ?? [];
  }

  /** The first manifest read of the kind, namespace and name, an absent `metadata.namespace` being `default`. */
  find(kind: string, namespace: string, name: string): Manifest | undefined {
    return this.first.get(identity(kind, namespace, name));
  }
}

const identity = (kind: string, namespace: string, name: string): string => [kind, namespace, name].join('\u0000');

const indexes = new WeakMap<Cluster, ManifestIndex>();

/** The index of the cluster's manifests, built the first time it is asked for. */
export function manifestIndex(cluster: Cluster): ManifestIndex {
  let index = indexes.get(cluster);
  if (!index) indexes.set(cluster, (index = new ManifestIndex(cluster.manifests)));
  return index;
}
