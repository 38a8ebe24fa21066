/**
 * What an app's pod needs of the node besides CPU, memory and GPUs, as plain values that the
 * workload writes out (lib/workload) and the intent's advice and the synth summary read: its
 * writable volumes and the node disk they take, its model cache, its startup budget and probe
 * timing.
 */
import { formatBytes, parseQuantity } from '../quantity';
import { DEFAULT_HOME_SIZE, DEFAULT_MODEL_CACHE_PATH, DEFAULT_MODEL_CACHE_SIZE, DEFAULT_TMP_SIZE, POD_USER, shmSizeOf } from './defaults';
import { AiAppIntent } from './types';

/** An app's model cache: an emptyDir of a size, or a PersistentVolumeClaim; mounted at `path`. */
export type ModelCache =
  { readonly kind: 'emptyDir'; readonly path: string; readonly size: string } | { readonly kind: 'claim'; readonly path: string; readonly claimName: string };

/**
 * The model cache of an app, or undefined when it has none: an app has one when it declares
 * `modelCachePath`, `modelCacheSize` or `modelCache` (the presets declare `modelCachePath`). An
 * app without a model, such as a web service, gets no 20Gi of node disk it would never use.
 */
export function modelCacheOf(app: AiAppIntent): ModelCache | undefined {
  if (app.modelCachePath === undefined && app.modelCacheSize === undefined && app.modelCache === undefined) return undefined;
  const path = app.modelCachePath ?? DEFAULT_MODEL_CACHE_PATH;
  if (app.modelCache !== undefined) return { kind: 'claim', path, claimName: app.modelCache.claimName };
  return { kind: 'emptyDir', path, size: app.modelCacheSize ?? DEFAULT_MODEL_CACHE_SIZE };
}

/** A writable emptyDir of the pod: its name, where it is mounted, its size limit, and whether it is memory. */
export interface WritableVolume {
  readonly name: string;
  readonly path: string;
  readonly size: string;
  /** A tmpfs: its use counts against the memory limit, not against ephemeral storage. */
  readonly memory: boolean;
}

/**
 * The emptyDirs of an app's pod, in mount order: `/tmp`, HOME, the model cache when it is an
 * emptyDir, and `/dev/shm` when the app has one. The root filesystem is read-only, so these (and
 * a model cache from a claim) are all a server may write to.
 */
export function writableVolumes(app: AiAppIntent): WritableVolume[] {
  const volumes: WritableVolume[] = [
    { name: 'tmp', path: '/tmp', size: app.tmpSize ?? DEFAULT_TMP_SIZE, memory: false },
    { name: 'home', path: POD_USER.home, size: app.homeSize ?? DEFAULT_HOME_SIZE, memory: false },
  ];
  const cache = modelCacheOf(app);
  if (cache?.kind === 'emptyDir') volumes.push({ name: 'model-cache', path: cache.path, size: cache.size, memory: false });
  // Without its own /dev/shm a container gets the runtime's 64Mi, too small for PyTorch to share
  // tensors between processes (https://docs.vllm.ai/en/latest/deployment/k8s.html).
  const shm = shmSizeOf(app);
  if (shm !== undefined) volumes.push({ name: 'shm', path: '/dev/shm', size: shm, memory: true });
  return volumes;
}

/** The paths the server may write to: its writable emptyDirs, and a model cache from a claim. */
export function writablePaths(app: AiAppIntent): string[] {
  const cache = modelCacheOf(app);
  return [
    ...writableVolumes(app)
      .filter((v) => !v.memory)
      .map((v) => v.path),
    ...(cache?.kind === 'claim' ? [cache.path] : []),
  ];
}

/**
 * Room on the node's disk for what is not an emptyDir: container logs, which the kubelet rotates
 * at 5 files of 10Mi by default (containerLogMaxFiles, containerLogMaxSize,
 * https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/), and the container's
 * writable layer, all but empty under a read-only root filesystem.
 */
const LOGS_AND_LAYER = '256Mi';

/**
 * The `ephemeral-storage` an app's container requests and is limited to: its disk emptyDirs,
 * which count as local ephemeral storage (memory ones do not), plus LOGS_AND_LAYER. The request
 * makes the scheduler pick a node with that much disk free; the limit keeps the kubelet from
 * evicting the pod for filling what it declared
 * (https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#local-ephemeral-storage).
 */
export function ephemeralStorage(app: AiAppIntent): string {
  const bytes = [
    ...writableVolumes(app)
      .filter((v) => !v.memory)
      .map((v) => v.size),
    LOGS_AND_LAYER,
  ].reduce((sum, size) => sum + parseQuantity(size)!, 0);
  return formatBytes(bytes);
}

/**
 * Above this much ephemeral storage the synth summary warns: the default root disk of an EKS
 * managed node group is 20 GiB (`diskSize`, https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html),
 * of which the images, the system and the kubelet's eviction threshold (nodefs.available 10%)
 * take a good part, so a pod asking for more than half of it may fit no node. Our figure.
 */
export const EPHEMERAL_STORAGE_WARNING = '10Gi';

/**
 * Startup budget when `startupSeconds` is not given, before the model cache: downloading and
 * loading weights takes minutes; vLLM's Kubernetes guide names a startup probe whose
 * failureThreshold is too low as the cause of "KeyboardInterrupt: terminated" restarts
 * (https://docs.vllm.ai/en/latest/deployment/k8s.html#troubleshooting). Its figures are ours:
 * upstream gives no number.
 */
const BASE_STARTUP_SECONDS = { gpu: 600, other: 300 } as const;

/**
 * Seconds the default startup budget grows per GiB of a model cache in an emptyDir, which is
 * empty at every start and filled by a download: about 70 MB/s, a mirror on the same network
 * rather than the public hub. Our figure; declare `startupSeconds` for a slower mirror.
 */
const STARTUP_SECONDS_PER_CACHE_GIB = 15;

/** The default startup budget of an app: a base for an app with or without GPUs, and the download of its emptyDir model cache. */
export function defaultStartupSeconds(app: AiAppIntent): number {
  const base = (app.gpus ?? 0) > 0 ? BASE_STARTUP_SECONDS.gpu : BASE_STARTUP_SECONDS.other;
  const cache = modelCacheOf(app);
  const gib = cache?.kind === 'emptyDir' ? (parseQuantity(cache.size) ?? 0) / 2 ** 30 : 0;
  return base + Math.ceil(gib * STARTUP_SECONDS_PER_CACHE_GIB);
}

/** The startup budget of an app: its own, or the default (defaultStartupSeconds). */
export function startupSecondsOf(app: AiAppIntent): number {
  return app.startupSeconds ?? defaultStartupSeconds(app);
}

/**
 * Probe timing when an app sets none: Kubernetes' default timeout of 1 s fails a server that is
 * busy answering, and a failed liveness probe restarts it; 5 s is our margin for a small web
 * service. Three failures in a row, as Kubernetes' default, 20 s apart (see lib/workload).
 */
const DEFAULT_PROBES = { timeoutSeconds: 5, livenessFailureThreshold: 3 } as const;

/** The probe timing of an app: its own, laid over DEFAULT_PROBES. */
export function probeTimingOf(app: AiAppIntent): { readonly timeoutSeconds: number; readonly livenessFailureThreshold: number } {
  return { ...DEFAULT_PROBES, ...app.probes };
}
