/**
 * The manifests of a cluster looked up by name. The reports that read more than policies and pods
 * ask once per workload (dns.ts: a workload's own manifest and the ConfigMap of its Corefile;
 * dns.ts and relays.ts: the annotations of the policies that select it, found by their kind too), so the manifests are
 * indexed once per cluster, the first time one is asked, instead of searched on every ask: a
 * report over n workloads reads them once, not n times.
 */
import { WORKLOADS, type ObjectRef } from '../k8s';
import type { Cluster } from './cluster';
import type { Manifest } from './manifests';
import { policyKindOf, type PolicyRef } from './policy';

export class ManifestIndex {
  /** By API group (core: ''), kind, namespace (absent: `default`) and name: the first read. */
  private readonly first = new Map<string, Manifest>();
  /** The policies by the verifier's kind (policyKindOf), namespace (absent: `default`) and name: the first read. */
  private readonly policies = new Map<string, Manifest>();

  constructor(manifests: readonly Manifest[]) {
    for (const m of manifests) {
      const { apiVersion, kind, metadata } = m.object;
      const namespace = metadata.namespace ?? 'default';
      const group = groupOfApiVersion(apiVersion);
      const key = group === undefined ? undefined : identity(`${group}/${kind}`, namespace, metadata.name);
      if (key !== undefined && !this.first.has(key)) this.first.set(key, m);
      const policyKind = policyKindOf(m.object);
      const policyKey = policyKind && identity(policyKind, namespace, metadata.name);
      if (policyKey && !this.policies.has(policyKey)) this.policies.set(policyKey, m);
    }
  }

  /**
   * The first manifest read of the object's API group, kind, namespace and name, an absent
   * `metadata.namespace` being `default`. The group is the ref's `group` if given, else the one of
   * the built-in kind (BUILT_IN_GROUPS): a kind is unique only within its group, so a custom
   * resource `kind: ConfigMap` of `evil.example.com` is another object than the core ConfigMap of
   * the same namespace and name, and is never found in its place. A kind the verifier does not know
   * the group of, asked without one, finds nothing.
   */
  find(ref: ObjectRef & { readonly group?: string }): Manifest | undefined {
    const group = ref.group ?? BUILT_IN_GROUPS.get(ref.kind);
    if (group === undefined) return undefined;
    return this.first.get(identity(`${group}/${ref.kind}`, ref.namespace ?? 'default', ref.name));
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

/**
 * The API group of the built-in kinds the reports look up: the workloads (lib/k8s WORKLOADS) and
 * the ConfigMap, of the core group '' (https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/config-map-v1/: `apiVersion: v1`).
 */
const BUILT_IN_GROUPS: ReadonlyMap<string, string> = new Map([...WORKLOADS.map((w): [string, string] => [w.kind, w.group]), ['ConfigMap', '']]);

/**
 * The group of an apiVersion: `apps` of `apps/v1`; '' (the core group) of `v1`
 * (https://kubernetes.io/docs/reference/using-api/#api-groups). None without an apiVersion: the
 * API server refuses such an object, so it is no object of any group and is never found.
 */
const groupOfApiVersion = (apiVersion: unknown): string | undefined =>
  typeof apiVersion !== 'string' || apiVersion === '' ? undefined : apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';

const identity = (kind: string, namespace: string, name: string): string => [kind, namespace, name].join('\u0000');

const indexes = new WeakMap<Cluster, ManifestIndex>();

/** The index of the cluster's manifests, built the first time it is asked for. */
export function manifestIndex(cluster: Cluster): ManifestIndex {
  let index = indexes.get(cluster);
  if (!index) indexes.set(cluster, (index = new ManifestIndex(cluster.manifests)));
  return index;
}
