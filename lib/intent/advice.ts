/**
 * What the image of an app must support to start under the pod this project writes, as
 * warnings: nothing here can look inside an image, so these are things to check, not refusals.
 *
 * The pod (lib/workload) runs the container as a fixed non-root numeric user, with a read-only
 * root filesystem, every capability dropped and no privilege escalation: Pod Security
 * `restricted`, enforced on every namespace of the intent.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
import { RUN_AS } from '../conventions';
import { parseQuantity } from '../quantity';
import { DEFAULT_GPU_SHM_SIZE, DEFAULT_RESOURCES, shmSizeOf } from './defaults';
import { isProjectImage, minorOnlyTag } from './images';
import { IntentIssue, IssueCode, PLATFORM, appScope } from './issues';
import { EPHEMERAL_STORAGE_WARNING, defaultStartupSeconds, ephemeralStorage, modelCacheOf, writablePaths } from './storage';
import { AiAppIntent } from './types';

/**
 * Images known to need root as shipped, by repository (Docker Hub official images, as
 * `docker.io/library/<name>`), with what to use instead.
 */
const ROOT_ONLY_IMAGES: Readonly<Record<string, string>> = {
  // https://github.com/nginx/docker-nginx-unprivileged: listen port 8080, no `user` directive,
  // pid and *_temp_path moved to /tmp, so it runs as any user with /tmp writable.
  nginx:
    'the official nginx image starts its master process as root, listens on port 80 and writes to /var/cache/nginx and /var/run, so it cannot start as a non-root user on a read-only root filesystem; accepted: nginxinc/nginx-unprivileged (same nginx, listens on 8080, keeps its pid and temporary files in /tmp), with port: 8080',
  // https://github.com/docker-library/httpd/issues/102: as a non-root user it cannot bind port
  // 80 nor create /usr/local/apache2/logs/httpd.pid.
  httpd:
    'the official httpd image starts as root to listen on port 80 and writes its pid file to /usr/local/apache2/logs, so it cannot start as a non-root user on a read-only root filesystem; accepted: an image of your own built FROM httpd with Listen 8080 and PidFile /tmp/httpd.pid, with port: 8080',
};

/** The repository of an image reference, without registry host for Docker Hub, tag or digest: `nginx`, `vllm/vllm-openai`. */
export function imageRepository(image: string): string {
  const withoutDigest = image.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  const repository = colon < 0 ? withoutDigest : withoutDigest.slice(0, colon);
  return repository.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '').replace(/^library\//, '');
}

/**
 * One warning for the images of every app that is not known to run under this pod (neither an
 * image the project pins in a preset, nor one known to need root): said once, for all of them,
 * rather than once per app on every synthesis.
 */
export function imagesAdvice(apps: readonly AiAppIntent[]): IntentIssue[] {
  const unknown = apps.filter((a) => !isProjectImage(a.image) && ROOT_ONLY_IMAGES[imageRepository(a.image)] === undefined);
  if (unknown.length === 0) return [];
  const paths = [...new Set(unknown.flatMap(writablePaths))];
  const writable = `${paths.slice(0, -1).join(', ')} and ${paths[paths.length - 1]}`;
  return [
    {
      severity: 'warning',
      scope: unknown.length === 1 ? appScope(unknown[0].name) : PLATFORM,
      path: [unknown[0].name, 'image'],
      ...(unknown.length > 1 ? { alsoAt: unknown.slice(1).map((a) => [a.name, 'image']) } : {}),
      value: unknown.length === 1 ? unknown[0].image : [...new Set(unknown.map((a) => a.image))],
      code: 'image',
      message: `must run as the non-root numeric user ${RUN_AS.user} (group ${RUN_AS.group}) on a read-only root filesystem, writing only to ${writable} (emptyDirs, or the app's model cache claim), without capabilities; check each image's USER and where it writes (the images the presets pin are checked)`,
    },
  ];
}

/** Warnings about what one app's image and pod must support. */
export function adviceFor(app: AiAppIntent): IntentIssue[] {
  const warn = (field: string, value: unknown, code: IssueCode, message: string): IntentIssue => ({
    severity: 'warning',
    scope: appScope(app.name),
    path: [app.name, field],
    value,
    code,
    message,
  });
  const issues: IntentIssue[] = [];
  const rootOnly = ROOT_ONLY_IMAGES[imageRepository(app.image)];
  if (rootOnly) issues.push(warn('image', app.image, 'image', `is known not to run as non-root: ${rootOnly}`));
  const tag = minorOnlyTag(app.image);
  if (tag !== undefined && !isProjectImage(app.image)) {
    issues.push(
      warn(
        'image',
        app.image,
        'image-tag',
        `names a minor release (${tag}), which its publisher moves to each patch release, so nodes run whichever was pushed when they pulled; accepted: a tag of a patch release (e.g. ${tag}.0) or a digest (@sha256:...)`,
      ),
    );
  }
  const storage = ephemeralStorage(app);
  if (parseQuantity(storage)! > parseQuantity(EPHEMERAL_STORAGE_WARNING)!) {
    const cache = modelCacheOf(app);
    issues.push(
      warn(
        'modelCacheSize',
        storage,
        'storage',
        `is the ephemeral storage the pod requests (its emptyDirs${cache?.kind === 'emptyDir' ? `, the model cache of ${cache.size} among them` : ''}, and 256Mi of logs), more than ${EPHEMERAL_STORAGE_WARNING}: a node whose disk has less free fits no such pod (the default disk of an EKS managed node group is 20 GiB); accepted: a node pool with disks that large, or modelCache: { claimName } (a PersistentVolumeClaim) instead of an emptyDir`,
      ),
    );
  }
  const startupBudget = defaultStartupSeconds(app);
  if (app.startupSeconds !== undefined && app.startupSeconds < startupBudget) {
    issues.push(
      warn(
        'startupSeconds',
        app.startupSeconds,
        'startup',
        `is below the ${startupBudget} s the default budget gives an app of its kind and model cache (downloaded at every start into an emptyDir); the kubelet restarts a server still loading its model, and it starts over; accepted: ${startupBudget} or more, or no startupSeconds`,
      ),
    );
  }
  if (app.port < 1024) {
    issues.push(
      warn(
        'port',
        app.port,
        'port',
        `is below 1024: a non-root process without capabilities binds it only where the container runtime allows unprivileged ports (containerd 2.0 does by default; CRI-O and containerd 1.x do not); accepted: a port of 1024 or more, e.g. 8080, with the server configured to listen there`,
      ),
    );
  }
  // vLLM reports usage to stats.vllm.ai at start and every 10 minutes unless one of these is
  // exactly "1" (vllm/envs.py; docs/usage/usage_stats.md); the egress policy would block and log it.
  const env = app.env ?? {};
  if (/(^|\/)vllm-openai$/.test(imageRepository(app.image)) && !['VLLM_NO_USAGE_STATS', 'DO_NOT_TRACK', 'VLLM_DO_NOT_TRACK'].some((k) => env[k] === '1')) {
    issues.push(
      warn(
        'env',
        env,
        'usage-statistics',
        'leaves vLLM\'s usage statistics on: it reports to stats.vllm.ai at start and every 10 minutes, which the egress policy blocks and logs; accepted: VLLM_NO_USAGE_STATS: "1" (exactly "1"), as vllm({ model }) sets it; pass more variables as vllm({ model, env }) rather than an env after the spread',
      ),
    );
  }
  // A memory emptyDir counts against the memory limit: "The maximum usage on memory medium
  // EmptyDir would be the minimum value between the SizeLimit specified here and the sum of
  // memory limits of all containers in a pod" (core/v1 EmptyDirVolumeSource.sizeLimit).
  const shm = shmSizeOf(app);
  const memoryLimit = (app.resources ?? DEFAULT_RESOURCES).memory.limit;
  if (shm !== undefined && (parseQuantity(shm) ?? 0) >= (parseQuantity(memoryLimit) ?? Infinity)) {
    issues.push(
      warn(
        'shmSize',
        shm,
        'memory',
        `is not below the memory limit ${memoryLimit}${app.resources ? '' : ' (the default)'}: /dev/shm is memory and counts against it, so the server is OOM-killed before /dev/shm is full; accepted: resources.memory.limit well above shmSize${app.shmSize === undefined ? ` (${DEFAULT_GPU_SHM_SIZE} by default for an app with GPUs)` : ''}`,
      ),
    );
  }
  return issues;
}

/** One default that an app relies on, for the synth summary. */
export interface AppliedDefault {
  readonly app: string;
  readonly field: string;
  readonly value: string;
}

/** Where an app relies on a default worth seeing: resources it did not declare, probes without a health path. */
export function appliedDefaults(app: AiAppIntent): AppliedDefault[] {
  const out: AppliedDefault[] = [];
  if (app.resources === undefined) {
    const r = DEFAULT_RESOURCES;
    out.push({
      app: app.name,
      field: 'resources',
      value: `requests cpu ${r.cpu.request}, memory ${r.memory.request}; limits cpu ${r.cpu.limit}, memory ${r.memory.limit}`,
    });
  }
  if (app.healthPath === undefined)
    out.push({ app: app.name, field: 'healthPath', value: `none: startup, readiness and liveness probes open a TCP connection to port ${app.port}` });
  return out;
}
