/**
 * What an app's pod needs besides its image to start on a real cluster, as plain values the
 * workload construct writes out: writable volumes and the disk they take, the user's identity,
 * probe timing, and where it may be scheduled.
 */
import {
  AiAppIntent,
  DEFAULT_HOME_SIZE,
  DEFAULT_MODEL_CACHE_PATH,
  DEFAULT_MODEL_CACHE_SIZE,
  DEFAULT_TMP_SIZE,
  POD_USER,
  shmSizeOf,
  startupSecondsOf,
} from '../intent';
import { formatBytes, parseQuantity } from '../quantity';

/** A writable emptyDir of the pod: its name, where it is mounted, its size limit, and whether it is memory. */
export interface WritableVolume {
  readonly name: string;
  readonly path: string;
  readonly size: string;
  /** A tmpfs: its use counts against the memory limit, not against ephemeral storage. */
  readonly memory: boolean;
}

/**
 * The writable volumes of an app's pod, in mount order: `/tmp`, HOME, the model cache, and
 * `/dev/shm` when the app has one. The root filesystem is read-only, so these are all a server
 * may write to.
 */
export function writableVolumes(app: AiAppIntent): WritableVolume[] {
  const volumes: WritableVolume[] = [
    { name: 'tmp', path: '/tmp', size: app.tmpSize ?? DEFAULT_TMP_SIZE, memory: false },
    { name: 'home', path: POD_USER.home, size: app.homeSize ?? DEFAULT_HOME_SIZE, memory: false },
    { name: 'model-cache', path: app.modelCachePath ?? DEFAULT_MODEL_CACHE_PATH, size: app.modelCacheSize ?? DEFAULT_MODEL_CACHE_SIZE, memory: false },
  ];
  // Without its own /dev/shm a container gets the runtime's 64Mi, too small for PyTorch to share
  // tensors between processes (https://docs.vllm.ai/en/latest/deployment/k8s.html).
  const shm = shmSizeOf(app);
  if (shm !== undefined) volumes.push({ name: 'shm', path: '/dev/shm', size: shm, memory: true });
  return volumes;
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

/** The environment of the server: USER and HOME (see POD_USER), then the app's own, which may replace them. */
export function environment(app: AiAppIntent): Record<string, string> {
  return { USER: POD_USER.name, HOME: POD_USER.home, ...app.env };
}

/** How often the startup probe asks; the budget is a whole number of these. */
export const STARTUP_PERIOD_SECONDS = 10;

/** The startup probe's failureThreshold: enough periods to cover the app's startup budget. */
export function startupFailureThreshold(app: AiAppIntent): number {
  return Math.ceil(startupSecondsOf(app) / STARTUP_PERIOD_SECONDS);
}

/**
 * Time to pull the image before the startup budget begins: vLLM's CUDA images are several
 * gigabytes.
 */
const IMAGE_PULL_SECONDS = 600;

/**
 * The Deployment's progressDeadlineSeconds: the startup budget plus IMAGE_PULL_SECONDS. A
 * rollout that takes longer is marked ProgressDeadlineExceeded
 * (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#progress-deadline-seconds),
 * which Argo CD reports as Degraded (gitops-engine pkg/health/health_deployment.go); the default
 * of 600 s would do so while a GPU server is still loading its model.
 */
export function progressDeadlineSeconds(app: AiAppIntent): number {
  return startupSecondsOf(app) + IMAGE_PULL_SECONDS;
}
