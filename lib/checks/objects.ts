/**
 * Objects as the checks read them: manifests anyone wrote, so every field is read defensively
 * (a list may be missing, or not a list), and where each object came from, for the report.
 */
import type { Manifest, SourceRef } from '../verify';
import { CALICO_API_VERSION, STAGED_POLICY_KINDS, StagedPolicyKind, isStagedPolicyKind, ObjectRef, objectRefOf } from '../k8s';

/** A Kubernetes object as read from YAML; its other fields are whatever the manifest holds, read with `fields` and `list`. */
export type K8sObject = {
  apiVersion?: unknown;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
};

/** The object a finding is about: its kind, namespace and name, and where it was read. */
export interface FoundObject extends ObjectRef {
  readonly source?: SourceRef;
}

/** The reference to a manifest's object, with where it was read. */
export function refOf(m: Manifest): FoundObject {
  return { ...objectRefOf(m.object), source: m.source };
}

/** A list field, or none when it is absent or not a list. */
export function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The fields of a mapping, or none when the value is absent or not a mapping (a reading `value?.field` gives undefined for). */
export function fields(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * A Staged Calico policy as the policy it stands for once enforced (`stagedAction: Set` dropped); anything else as
 * it is. Calico enforces nothing staged; its flow logs show what the staged policy would do, which
 * is what the manifests read this way describe. A plain reading, for manifests whose staged
 * policies have no enforced twin and no `stagedAction: Delete` (what this project renders); the
 * checks ask the verifier's staged view, which knows both.
 */
export function enforceStaged(m: Manifest): Manifest {
  if (!isStaged(m.object)) return m;
  const target = STAGED_POLICY_KINDS[m.object.kind as StagedPolicyKind];
  const spec = { ...(m.object.spec as Record<string, unknown>) };
  delete spec.stagedAction;
  return { ...m, object: { ...m.object, ...target, spec } };
}

/** True for a Staged Calico policy. */
export function isStaged(o: { readonly apiVersion?: unknown; readonly kind: string }): boolean {
  return o.apiVersion === CALICO_API_VERSION && isStagedPolicyKind(o.kind);
}
