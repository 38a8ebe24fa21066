/**
 * The kinds of the built-in API that run pods, where each holds its pod template, and the
 * resource an admission rule names it by.
 * https://kubernetes.io/docs/concepts/workloads/ ("Workload resources"), and core/v1 ReplicationController.
 */

/** A Pod, or a kind of workload whose pod template becomes pods. */
export type WorkloadKind = 'Pod' | 'ReplicationController' | 'Deployment' | 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob';

/** Each kind: its API group and version, its resource (as RBAC and admission rules name it), and the path of its pod template (none for a Pod). */
export const WORKLOADS: readonly {
  readonly kind: WorkloadKind;
  readonly group: '' | 'apps' | 'batch';
  readonly version: 'v1';
  readonly resource: string;
  readonly template: readonly string[];
}[] = [
  { kind: 'Pod', group: '', version: 'v1', resource: 'pods', template: [] },
  { kind: 'ReplicationController', group: '', version: 'v1', resource: 'replicationcontrollers', template: ['spec', 'template'] },
  { kind: 'Deployment', group: 'apps', version: 'v1', resource: 'deployments', template: ['spec', 'template'] },
  { kind: 'ReplicaSet', group: 'apps', version: 'v1', resource: 'replicasets', template: ['spec', 'template'] },
  { kind: 'StatefulSet', group: 'apps', version: 'v1', resource: 'statefulsets', template: ['spec', 'template'] },
  { kind: 'DaemonSet', group: 'apps', version: 'v1', resource: 'daemonsets', template: ['spec', 'template'] },
  { kind: 'Job', group: 'batch', version: 'v1', resource: 'jobs', template: ['spec', 'template'] },
  { kind: 'CronJob', group: 'batch', version: 'v1', resource: 'cronjobs', template: ['spec', 'jobTemplate', 'spec', 'template'] },
];

/** The workload kinds, Pod first. */
const WORKLOAD_KINDS: readonly WorkloadKind[] = WORKLOADS.map((w) => w.kind);

/** True for a Pod or a kind of workload. */
export function isWorkloadKind(kind: unknown): kind is WorkloadKind {
  return (WORKLOAD_KINDS as readonly unknown[]).includes(kind);
}

/** Where a workload kind holds its pod template: `['spec', 'template']`, a CronJob's under its job template; empty for a Pod, which is its own. */
export function podTemplatePath(kind: WorkloadKind): readonly string[] {
  return WORKLOADS.find((w) => w.kind === kind)!.template;
}

/** A pod template, or a Pod: what its pods are made of. Read from manifests anyone wrote, so every field may be anything. */
interface PodTemplate {
  readonly metadata?: unknown;
  readonly spec?: unknown;
}

/**
 * The pod template of a workload (its metadata and spec), or the Pod itself; undefined for an
 * object of any other kind, or a workload without one.
 */
export function podTemplateOf(object: { readonly kind?: unknown; readonly [field: string]: unknown }): PodTemplate | undefined {
  if (!isWorkloadKind(object.kind)) return undefined;
  let at: unknown = object;
  for (const field of podTemplatePath(object.kind)) {
    if (typeof at !== 'object' || at === null || Array.isArray(at)) return undefined;
    at = (at as Record<string, unknown>)[field];
  }
  return typeof at === 'object' && at !== null && !Array.isArray(at) ? at : undefined;
}
