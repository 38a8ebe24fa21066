/**
 * What an app's pod needs besides its image to start on a real cluster, as plain values the
 * workload construct writes out: the user's identity, probe timing, how it rolls out. Its volumes
 * and the disk they take are the intent's (lib/intent/storage.ts), which the summary reads too.
 */
import { AiAppIntent, POD_USER, startupSecondsOf } from '../intent';

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

/**
 * How a Deployment of the app replaces its pods. An app with GPUs takes the old pod down before
 * the new one starts (maxSurge 0, maxUnavailable 1): the default RollingUpdate of 25% and 25%
 * rounds maxSurge up to one pod (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#max-surge),
 * which asks for GPUs the node pool seldom has spare, so the new pod stays Pending and the rollout
 * fails its progress deadline. The app is down for a restart instead; declare more replicas to
 * keep serving during one. Other apps keep the default.
 */
export function rolloutOf(app: AiAppIntent): { readonly maxSurge: number; readonly maxUnavailable: number } | undefined {
  return (app.gpus ?? 0) > 0 ? { maxSurge: 0, maxUnavailable: 1 } : undefined;
}
