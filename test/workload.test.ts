/**
 * The pod a model server needs to start on a real cluster: a startup budget before liveness and
 * readiness, a user name and a writable HOME, GPU scheduling, shared memory, and the disk its
 * volumes take.
 */
import { AiAppIntent, GPU_TOLERATIONS, PlatformIntent } from '../lib/intent';
import { validateObject } from '../lib/validate';
import { gpu, minimal } from './fixtures/intents';
import { K8sObject, ofKind, readManifests } from '../lib/testing';
import { restrictedViolations } from '../lib/checks';
import { sampleIntent } from './support/sample-intent';
import { synthesized } from './support/synth';

const deployments = (intent: PlatformIntent) => new Map(ofKind(synthesized(intent, readManifests), 'Deployment').map((d) => [d.metadata.name, d]));
const deploymentOf = (overrides: Partial<AiAppIntent>): K8sObject => deployments(sampleIntent(overrides)).get('llm')!;
const gpuApps = deployments(gpu);
const large = gpuApps.get('llm-large')!.spec.template.spec;
const small = gpuApps.get('llm-small')!.spec.template.spec;
type Volume = { name: string; emptyDir: { sizeLimit: string; medium?: string } };
const volumesOf = (pod: K8sObject) => Object.fromEntries(pod.volumes.map((v: Volume) => [v.name, v.emptyDir]));
const envOf = (pod: K8sObject) => Object.fromEntries(pod.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));

describe('startup: the server may load its model before liveness and readiness are probed', () => {
  it('gives an app with GPUs 10 minutes, and one without 5, and 15 s more a GiB of model cache in an emptyDir, in probes every 10 s', () => {
    // llm-small: GPUs, and the default model cache of 20Gi: 600 + 300 s.
    expect(small.containers[0].startupProbe).toEqual(expect.objectContaining({ periodSeconds: 10, failureThreshold: 90 }));
    expect(deploymentOf({}).spec.template.spec.containers[0].startupProbe).toEqual(expect.objectContaining({ periodSeconds: 10, failureThreshold: 30 }));
  });

  it('takes the declared budget, rounded up to whole probe periods', () => {
    expect(large.containers[0].startupProbe.failureThreshold).toBe(180);
    expect(deploymentOf({ startupSeconds: 905 }).spec.template.spec.containers[0].startupProbe.failureThreshold).toBe(91);
  });

  it('starts liveness and readiness without a delay of their own, since the startup probe holds them back', () => {
    const container = large.containers[0];
    expect(container.livenessProbe).toEqual({
      failureThreshold: 3,
      httpGet: { path: '/health', port: 8000, scheme: 'HTTP' },
      periodSeconds: 20,
      timeoutSeconds: 5,
    });
    expect(container.readinessProbe).toEqual({
      failureThreshold: 3,
      httpGet: { path: '/health', port: 8000, scheme: 'HTTP' },
      periodSeconds: 10,
      timeoutSeconds: 5,
    });
  });

  it('probes startup the way it probes the rest: HTTP on the health path, else TCP on the port', () => {
    expect(large.containers[0].startupProbe.httpGet).toEqual({ path: '/health', port: 8000, scheme: 'HTTP' });
    expect(small.containers[0].startupProbe.tcpSocket).toEqual({ port: 8000 });
  });

  it('gives the rollout the startup budget plus ten minutes to pull the image before Argo CD calls it degraded', () => {
    expect(gpuApps.get('llm-large')!.spec.progressDeadlineSeconds).toBe(1800 + 600);
    expect(gpuApps.get('llm-small')!.spec.progressDeadlineSeconds).toBe(900 + 600);
  });
});

describe('the user: a name for getpass.getuser() and a writable HOME', () => {
  it("sets USER=ai and HOME=/home/ai, an emptyDir of its own, besides the app's environment", () => {
    expect(envOf(large)).toEqual({ USER: 'ai', HOME: '/home/ai', HF_HOME: '/models', VLLM_NO_USAGE_STATS: '1', DO_NOT_TRACK: '1' });
    expect(large.containers[0].volumeMounts).toContainEqual({ mountPath: '/home/ai', name: 'home' });
  });

  it('keeps a USER and a writable HOME the app declares', () => {
    expect(envOf(small)).toEqual({ USER: 'vllm', HOME: '/models/home' });
  });
});

describe('GPU scheduling', () => {
  it('tolerates the nvidia.com/gpu taint by default, whatever its value', () => {
    expect(small.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(GPU_TOLERATIONS).toEqual(small.tolerations);
  });

  it('tolerates only the declared taints when the app declares them, and none when it declares an empty list', () => {
    expect(large.tolerations).toEqual([{ key: 'sku', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }]);
    expect(deploymentOf({ gpus: 1, tolerations: [] }).spec.template.spec.tolerations).toBeUndefined();
  });

  it('names a RuntimeClass and selects nodes only when the app asks', () => {
    expect(large.runtimeClassName).toBe('nvidia');
    expect(large.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' });
    expect(small.runtimeClassName).toBeUndefined();
    expect(small.nodeSelector).toBeUndefined();
  });

  it('requests and limits the GPUs', () => {
    expect(large.containers[0].resources.limits['nvidia.com/gpu']).toBe('2');
    expect(large.containers[0].resources.requests['nvidia.com/gpu']).toBe('2');
  });
});

describe('shared memory and disk', () => {
  it('mounts /dev/shm in memory, 2Gi by default for an app with GPUs, or the declared size', () => {
    expect(volumesOf(small).shm).toEqual({ medium: 'Memory', sizeLimit: '2Gi' });
    expect(volumesOf(large).shm).toEqual({ medium: 'Memory', sizeLimit: '16Gi' });
    expect(large.containers[0].volumeMounts).toContainEqual({ mountPath: '/dev/shm', name: 'shm' });
  });

  it('gives an app without GPUs /dev/shm only when it declares a size', () => {
    expect(volumesOf(deploymentOf({}).spec.template.spec).shm).toBeUndefined();
    expect(volumesOf(deploymentOf({ shmSize: '512Mi' }).spec.template.spec).shm).toEqual({ medium: 'Memory', sizeLimit: '512Mi' });
  });

  it('sizes /tmp, HOME and the model cache as declared', () => {
    expect(volumesOf(large)).toEqual(expect.objectContaining({ tmp: { sizeLimit: '4Gi' }, home: { sizeLimit: '8Gi' }, 'model-cache': { sizeLimit: '100Gi' } }));
  });

  it('requests and limits ephemeral storage for the disk volumes and logs, leaving shared memory to the memory limit', () => {
    // 4Gi + 8Gi + 100Gi on disk, and 256Mi for logs; the 16Gi of /dev/shm are memory.
    expect(large.containers[0].resources.requests['ephemeral-storage']).toBe('114944Mi');
    expect(large.containers[0].resources.limits['ephemeral-storage']).toBe('114944Mi');
    expect(small.containers[0].resources.limits['ephemeral-storage']).toBe('22784Mi');
  });
});

describe('every pod still passes the Kubernetes schema and Pod Security restricted', () => {
  it.each([
    ['gpu', gpu],
    ['minimal', minimal],
  ] as const)('the %s fixture', (_, intent) => {
    for (const deployment of deployments(intent).values()) {
      expect(validateObject(deployment)).toEqual([]);
      expect(restrictedViolations(deployment.spec.template.spec)).toEqual([]);
    }
  });
});
