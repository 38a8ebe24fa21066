/**
 * The manifests of a cluster looked up by name. The reports that read more than policies and pods
 * ask once per workload (dns.ts: a workload's own manifest and the ConfigMap of its Corefile;
 * dns.ts and relays.ts: the annotations of the policies that select it, found by their kind too), so the manifests are
 * indexed once per cluster, the first time one is asked, instead of searched on every ask: a
 * report over n workloads reads them once, not n times.
 */
import type { ObjectRef } from '../k8s';
import type { Cluster } from './cluster';
import type { Manifest } from './manifests';
import { policyKindOf, type PolicyRef } from './policy';

export class ManifestIndex {
  /** By kind, namespace (absent: `default`) and name: the first read. */
  private readonly first = new Map<string, Manifest>();
  /** The policies by the verifier's kind (policyKindOf), namespace (absent: `default`) and name: the first read. */
  private readonly policies = new Map<string, Manifest>();

  constructor(manifests: readonly Manifest[]) {
    for (const m of manifests) {
      const { kind, metadata } = m.object;
      const namespace = metadata.namespace ?? 'default';
      const key = identity(kind, namespace, metadata.name);
      if (!this.first.has(key)) this.first.set(key, m);
      const policyKind = policyKindOf(m.object);
      const policyKey = policyKind && identity(policyKind, namespace, metadata.name);
      if (policyKey && !this.policies.has(policyKey)) this.policies.set(policyKey, m);
    }
  }

  /** The first manifest read of the object's kind, namespace and name, an absent `metadata.namespace` being `default`. */
  find(ref: ObjectRef): Manifest | undefined {
    return this.first.get(identity(ref.kind, ref.namespace ?? 'default', ref.name));
  }

  /**
   * The manifest of a policy the cluster read: of its kind, namespace and name, never another
   * object that shares the namespace and name (a ConfigMap, or Calico's NetworkPolicy beside a
   * Kubernetes one). An absent `metadata.namespace` is `default`, where the verifier reads a
   * namespaced policy written without one; a cluster-wide policy has no namespace on either side.
   */
  policy(ref: PolicyRef): Manifest | undefined {
    return this.policies.get(identity(ref.kind, ref.namespace ?? 'default', ref.name));
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
