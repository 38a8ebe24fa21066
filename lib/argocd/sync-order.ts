/**
 * The order in which Argo CD's sync engine (gitops-engine) applies a folder over what a cluster
 * runs, and every set of objects the cluster holds between two of its steps: a model of
 * gitops-engine `pkg/sync` (v0.7, 2025, as Argo CD 2.11 to 3.x vendor it), so that a test can
 * ask the verifier about each moment of a sync, offline.
 *
 * What it models, from `pkg/sync/sync_context.go` and `pkg/sync/sync_tasks.go`:
 * - A task per object: an apply for every object of the folder, a prune for every object the
 *   cluster runs that the folder no longer holds (`getSyncTasks`; the Application's prune on).
 * - An object's wave is its `argocd.argoproj.io/sync-wave` annotation, 0 without one
 *   (`syncwaves.Wave`); a prune reads it from the live object, the only one there is.
 * - "reorder waves for pruning tasks using symmetric swap on prune waves": the distinct waves of
 *   the prunes, sorted, are swapped end for end (the lowest with the highest, ...), so prunes run
 *   in the reverse of the waves they were applied in (gitops-engine commit 5fd9f44, Argo CD 2.11).
 * - "for pruneLast tasks, modify the wave to sync phase last wave of tasks + 1": a prune whose
 *   live object's `argocd.argoproj.io/sync-options` lists `PruneLast=true` (or every prune, with
 *   the Application's `PruneLast=true`) moves to one wave after the highest wave of the sync
 *   (0 at least), after the swap. The option is read from the live object
 *   (`resourceutil.HasAnnotationOption(task.liveObj, ...)`): an object applied without it is
 *   pruned in its swapped wave, whatever the folder now says.
 * - A live object whose sync options list `Prune=false` is never pruned ("ignored (no prune)",
 *   `pruneObject`), read from the live object too.
 * - Tasks run by wave, lowest first; the next wave starts only once the tasks of this one are
 *   done and healthy, and the deleted objects are gone (`Sync`: "if pruned tasks pending deletion,
 *   then wait"). Within a wave, "prune first": every prune at once, then the applies in kind order
 *   (`kindOrder`: Namespace, NetworkPolicy, ..., custom resources last; by kind alone, so a Calico
 *   NetworkPolicy goes with Kubernetes' ones), then name; the applies of one kind run at once
 *   (`runTasks`, `processCreateTasks`).
 *
 * Calico decides one more order itself (libcalico-go `lib/clientv3/tier.go`, `Delete`): "Cannot
 * delete a non-empty tier" while a NetworkPolicy, GlobalNetworkPolicy or one of their staged
 * kinds names it (Calico 3.29 to 3.31: the sync fails, and its retry prunes the tier once the
 * policies are gone); Calico 3.32 holds a deleted tier with a finalizer until its last policy is
 * gone (kube-controllers `pkg/controllers/tier/tier_controller.go`). Either way a tier leaves
 * the cluster only after its policies: `syncRun` deletes it so, and says when a sync cannot go on.
 */

import { SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION } from '../conventions';
import { CALICO_API_VERSION, isCalicoPolicyKind } from '../k8s';

/** The part of an object the sync engine reads. */
export interface SyncObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec?: unknown;
}

/** Tasks of one wave that run at once: its prunes, or its applies of one kind. */
export interface SyncGroup<T extends SyncObject> {
  readonly wave: number;
  readonly action: 'prune' | 'apply';
  readonly objects: readonly T[];
}

/** The Application's own sync options that change the order. */
export interface SyncSettings {
  /** The Application's `syncOptions: [PruneLast=true]`: every prune in the last wave. @default false */
  readonly pruneLast?: boolean;
}

/** gitops-engine pkg/sync/sync_tasks.go, `kindOrder` (Helm's kind_sorter); a kind not listed sorts after them all. */
const KIND_ORDER = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
];

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? 0 : i - KIND_ORDER.length;
}

/** The object's identity to the sync engine: API group, kind, namespace, name. */
function syncKey(o: SyncObject): string {
  const group = o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.indexOf('/')) : '';
  return `${group}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** `syncwaves.Wave`: the annotation as an integer (strconv.Atoi), else 0. */
function waveOf(o: SyncObject): number {
  const text = o.metadata.annotations?.[SYNC_WAVE_ANNOTATION];
  return text !== undefined && /^[+-]?[0-9]+$/.test(text) ? Number(text) : 0;
}

/** `HasAnnotationOption`: the sync options annotation, split at commas and trimmed, lists `option`. */
function hasSyncOption(o: SyncObject, option: string): boolean {
  return (o.metadata.annotations?.[SYNC_OPTIONS_ANNOTATION] ?? '').split(',').some((item) => item.trim() === option);
}

interface Task<T> {
  readonly object: T;
  readonly prune: boolean;
  wave: number;
}

/**
 * The sync of `target` (the folder) over `live` (what the cluster runs), as gitops-engine orders
 * it: its groups of tasks, in the order they run.
 */
export function syncGroups<T extends SyncObject>(live: readonly T[], target: readonly T[], settings: SyncSettings = {}): SyncGroup<T>[] {
  const wanted = new Set(target.map(syncKey));
  const tasks: Task<T>[] = [
    ...target.map((object) => ({ object, prune: false, wave: waveOf(object) })),
    ...live.filter((o) => !wanted.has(syncKey(o)) && !hasSyncOption(o, 'Prune=false')).map((object) => ({ object, prune: true, wave: waveOf(object) })),
  ];
  const prunes = tasks.filter((t) => t.prune);
  const pruneWaves = [...new Set(prunes.map((t) => t.wave))].sort((a, b) => a - b);
  const swapped = new Map(pruneWaves.map((w, i) => [w, pruneWaves[pruneWaves.length - 1 - i]]));
  for (const t of prunes) t.wave = swapped.get(t.wave)!;
  const last = Math.max(0, ...tasks.map((t) => t.wave)) + 1;
  for (const t of prunes) if (settings.pruneLast || hasSyncOption(t.object, 'PruneLast=true')) t.wave = last;
  const name = (t: Task<T>) => t.object.metadata.name;
  tasks.sort((a, b) => a.wave - b.wave || kindRank(a.object.kind) - kindRank(b.object.kind) || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
  const groups: SyncGroup<T>[] = [];
  for (const wave of [...new Set(tasks.map((t) => t.wave))]) {
    const inWave = tasks.filter((t) => t.wave === wave);
    const pruned = inWave.filter((t) => t.prune).map((t) => t.object);
    if (pruned.length > 0) groups.push({ wave, action: 'prune', objects: pruned });
    for (const t of inWave.filter((x) => !x.prune)) {
      const previous = groups[groups.length - 1];
      if (previous?.wave === wave && previous.action === 'apply' && previous.objects[0].kind === t.object.kind) (previous.objects as T[]).push(t.object);
      else groups.push({ wave, action: 'apply', objects: [t.object] });
    }
  }
  return groups;
}

/** A set of objects the cluster holds during a sync, and the step that led to it. */
export interface SyncMoment<T extends SyncObject> {
  readonly step: string;
  readonly objects: readonly T[];
}

const isTier = (o: SyncObject) => o.kind === 'Tier' && o.apiVersion === CALICO_API_VERSION;
/** The Calico tier a policy names, if it is one of the four kinds a tier's deletion waits for (lib/clientv3/tier.go, Delete). */
function tierOf(o: SyncObject): string | undefined {
  if (o.apiVersion !== CALICO_API_VERSION || !isCalicoPolicyKind(o.kind)) return undefined;
  const tier = (o.spec as { tier?: unknown } | undefined)?.tier;
  return typeof tier === 'string' ? tier : 'default';
}

const describe = (o: SyncObject) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

/** The sets of objects the cluster holds during a sync, and whether the sync gets to its end. */
export interface SyncRun<T extends SyncObject> {
  readonly moments: readonly SyncMoment<T>[];
  /**
   * Why the sync stops before its end, if it does: a pruned tier that a policy of a later wave
   * still names (Calico 3.29 to 3.31 refuse its deletion, and every retry meets the same order;
   * 3.32 holds it, and gitops-engine waits for the deletion).
   */
  readonly stalled?: string;
}

/** A group of at most this many tasks is taken in every subset of it that may be done first; a larger one in its order and in reverse. */
const EVERY_SUBSET_UP_TO = 8;

/** The tasks of a group that may be done while others are not yet: every subset, or each prefix of both orders. */
function partlyDone<T>(objects: readonly T[]): T[][] {
  if (objects.length > EVERY_SUBSET_UP_TO) {
    const reversed = [...objects].reverse();
    return [...objects.keys()].slice(1).flatMap((n) => [objects.slice(0, n), reversed.slice(0, n)]);
  }
  const subsets: T[][] = [];
  for (let mask = 1; mask < (1 << objects.length) - 1; mask++) subsets.push(objects.filter((_, i) => mask & (1 << i)));
  return subsets.sort((a, b) => a.length - b.length);
}

/**
 * Every set of objects the cluster holds from the start of the sync to its end: before it, after
 * each group of tasks, and in between while a group's tasks, which run at once, are partly done
 * (every subset of a group of up to 8, each prefix of a larger one in its order and in reverse).
 * A pruned Calico tier leaves only once no policy of it is left.
 */
export function syncRun<T extends SyncObject>(live: readonly T[], target: readonly T[], settings: SyncSettings = {}): SyncRun<T> {
  const moments: SyncMoment<T>[] = [{ step: 'before the sync', objects: live }];
  let state = new Map(live.map((o) => [syncKey(o), o]));
  for (const group of syncGroups(live, target, settings)) {
    const label = `wave ${group.wave}, ${group.action}`;
    const prune = group.action === 'prune';
    const after = (done: readonly T[]) => {
      const next = new Map(state);
      for (const o of done) {
        if (prune) next.delete(syncKey(o));
        else next.set(syncKey(o), o);
      }
      return next;
    };
    /** A policy of a tier this group deletes, still in the cluster once `done` is. */
    const holder = (done: readonly T[], cluster: Map<string, T>) =>
      prune
        ? done.filter(isTier).flatMap((tier) => [...cluster.values()].filter((o) => tierOf(o) === tier.metadata.name).map((o) => [tier, o] as const))[0]
        : undefined;
    const end = after(group.objects);
    const stuck = holder(group.objects, end);
    if (stuck) return { moments, stalled: `${label}: ${describe(stuck[0])} cannot be deleted while ${describe(stuck[1])} is in it` };
    for (const done of partlyDone(group.objects)) {
      const cluster = after(done);
      if (!holder(done, cluster))
        moments.push({ step: `${label}: ${done.map(describe).join(', ')} (of ${group.objects.length})`, objects: [...cluster.values()] });
    }
    moments.push({ step: `${label}: ${group.objects.length === 1 ? describe(group.objects[0]) : `all ${group.objects.length}`}`, objects: [...end.values()] });
    state = end;
  }
  return { moments };
}
