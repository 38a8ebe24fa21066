/**
 * Objects as the checks read them: manifests anyone wrote, so every field is read defensively
 * (a list may be missing, or not a list), and where each object came from, for the report.
 */
import type { Manifest, PolicyKind, SourceRef } from '../verify';

/** A Kubernetes object as read from YAML; its other fields are whatever the manifest holds, read with `fields` and `list`. */
export type K8sObject = {
  apiVersion?: unknown;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
};

/** The object a finding is about: its kind, namespace and name, and where it was read. */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly source?: SourceRef;
}

/** Names an object as messages do: `NetworkPolicy ai/p`, `Namespace ai`. */
export function describeObject(o: { readonly kind: string; readonly namespace?: string; readonly name: string }): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

/** The reference to a manifest's object. */
export function refOf(m: Manifest): ObjectRef {
  const { kind, metadata } = m.object;
  return { kind, name: metadata.name, ...(metadata.namespace === undefined ? {} : { namespace: metadata.namespace }), source: m.source };
}

/** A list field, or none when it is absent or not a list. */
export function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The fields of a mapping, or none when the value is absent or not a mapping (a reading `value?.field` gives undefined for). */
export function fields(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

const STAGED: Readonly<Record<string, { apiVersion: string; kind: string }>> = {
  StagedNetworkPolicy: { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy' },
  StagedGlobalNetworkPolicy: { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy' },
  StagedKubernetesNetworkPolicy: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
};

/**
 * A Staged Calico policy as the policy it previews (`stagedAction: Set` dropped); anything else as
 * it is. Calico enforces nothing staged; its flow logs show what the staged policy would do, which
 * is what the manifests read this way describe. A plain reading, for manifests whose staged
 * policies have no enforced twin and no `stagedAction: Delete` (what this project renders); the
 * checks ask the verifier's staged view, which knows both.
 */
export function previewStaged(m: Manifest): Manifest {
  const target = m.object.apiVersion === 'projectcalico.org/v3' ? STAGED[m.object.kind] : undefined;
  if (!target) return m;
  const spec = { ...(m.object.spec as Record<string, unknown>) };
  delete spec.stagedAction;
  return { ...m, object: { ...m.object, ...target, spec } };
}

/** True for a Staged Calico policy. */
export function isStaged(o: { readonly apiVersion?: unknown; readonly kind: string }): boolean {
  return o.apiVersion === 'projectcalico.org/v3' && STAGED[o.kind] !== undefined;
}

/** The verifier's kind of a policy object, or undefined for any other object. */
export function policyKindOf(o: { readonly apiVersion?: unknown; readonly kind: string }): PolicyKind | undefined {
  if (o.apiVersion === 'networking.k8s.io/v1' && o.kind === 'NetworkPolicy') return 'KubernetesNetworkPolicy';
  const calico: readonly string[] = [
    'NetworkPolicy',
    'GlobalNetworkPolicy',
    'StagedNetworkPolicy',
    'StagedGlobalNetworkPolicy',
    'StagedKubernetesNetworkPolicy',
  ];
  if (o.apiVersion === 'projectcalico.org/v3' && calico.includes(o.kind)) return o.kind as PolicyKind;
  const clusterWide: readonly string[] = ['ClusterNetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy'];
  return typeof o.apiVersion === 'string' && o.apiVersion.startsWith('policy.networking.k8s.io/') && clusterWide.includes(o.kind)
    ? (o.kind as PolicyKind)
    : undefined;
}
