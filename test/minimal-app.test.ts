import { App, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  DEFAULT_RESOURCES,
  PROJECT_IMAGES,
  PlatformIntent,
  adviceFor,
  appliedDefaults,
  checkIntent,
  formatWarnings,
  imageRepository,
  imagesAdvice,
  resolverSettings,
  validateIntent,
  formatPath,
} from '../lib/intent';
import { formatDefaults } from '../lib/synth';
import { AiWorkload, emptyDirPatch } from '../lib/workload';
import { minimal, shipped } from './fixtures/intents';
import { K8sObject, ofKind, readManifests } from '../lib/testing';
import { restrictedViolations } from '../lib/checks';
import { sampleIntent } from './support/sample-intent';
import { synthesized } from './support/synth';

const deploymentOf = (intent: PlatformIntent): K8sObject =>
  ofKind(synthesized(intent, readManifests), 'Deployment').find((d) => d.metadata.name === intent.apps[0].name)!;
const sampleApp = minimal.apps[0];

describe('a minimal app: name, namespace, image, port and egress are enough', () => {
  const pod = deploymentOf(minimal).spec.template.spec;
  const container = pod.containers[0];

  it('is a valid intent', () => {
    expect(Object.keys(sampleApp).sort()).toEqual(['egress', 'image', 'name', 'namespace', 'port']);
    expect(validateIntent(minimal)).toEqual([]);
  });

  it('gets probes that open a TCP connection to its port, since no health path was declared', () => {
    expect(container.startupProbe).toEqual(expect.objectContaining({ tcpSocket: { port: 8080 } }));
    expect(container.readinessProbe).toEqual(expect.objectContaining({ tcpSocket: { port: 8080 } }));
    expect(container.livenessProbe).toEqual(expect.objectContaining({ tcpSocket: { port: 8080 }, periodSeconds: 20 }));
    expect(container.readinessProbe.httpGet).toBeUndefined();
  });

  it('may take 5 minutes to start, without a GPU, before liveness is probed at all', () => {
    expect(container.startupProbe).toEqual(expect.objectContaining({ periodSeconds: 10, failureThreshold: 30 }));
    expect(container.livenessProbe.initialDelaySeconds).toBeUndefined();
  });

  it('gets HTTP probes on the health path when one is declared', () => {
    const withPath = deploymentOf(sampleIntent({ healthPath: '/ready' })).spec.template.spec.containers[0];
    expect(withPath.readinessProbe).toEqual(expect.objectContaining({ httpGet: { path: '/ready', port: 8000, scheme: 'HTTP' } }));
    expect(withPath.readinessProbe.tcpSocket).toBeUndefined();
  });

  it('gets the documented default requests and limits', () => {
    expect(container.resources).toEqual({
      requests: { cpu: DEFAULT_RESOURCES.cpu.request, memory: DEFAULT_RESOURCES.memory.request, 'ephemeral-storage': '2304Mi' },
      limits: { cpu: DEFAULT_RESOURCES.cpu.limit, memory: DEFAULT_RESOURCES.memory.limit, 'ephemeral-storage': '2304Mi' },
    });
    expect(DEFAULT_RESOURCES).toEqual({ cpu: { request: '250m', limit: '1' }, memory: { request: '512Mi', limit: '512Mi' } });
  });

  it('still passes Pod Security Standards restricted', () => {
    expect(restrictedViolations(pod)).toEqual([]);
  });

  it('gets writable /tmp and HOME of 1Gi on disk, no model cache (it declares no model), and no /dev/shm of its own', () => {
    const volumes = Object.fromEntries(pod.volumes.map((v: { name: string; emptyDir: unknown }) => [v.name, v.emptyDir]));
    expect(volumes).toEqual({ tmp: { sizeLimit: '1Gi' }, home: { sizeLimit: '1Gi' } });
    const mounts = Object.fromEntries(container.volumeMounts.map((m: { name: string; mountPath: string }) => [m.name, m.mountPath]));
    expect(mounts).toEqual({ tmp: '/tmp', home: '/home/ai' });
  });

  it('gets a model cache of 20Gi at /models once it declares one, by its path, its size or its claim', () => {
    const cacheOf = (app: Partial<typeof sampleApp>) => {
      const p = deploymentOf(sampleIntent(app)).spec.template.spec;
      return [p.volumes.find((v: K8sObject) => v.name === 'model-cache'), p.containers[0].volumeMounts.find((m: K8sObject) => m.name === 'model-cache')];
    };
    expect(cacheOf({ modelCacheSize: '20Gi' })).toEqual([
      { name: 'model-cache', emptyDir: { sizeLimit: '20Gi' } },
      { name: 'model-cache', mountPath: '/models' },
    ]);
    expect(cacheOf({ modelCachePath: '/models' })).toEqual([
      { name: 'model-cache', emptyDir: { sizeLimit: '20Gi' } },
      { name: 'model-cache', mountPath: '/models' },
    ]);
    expect(cacheOf({ modelCache: { claimName: 'weights' } })).toEqual([
      { name: 'model-cache', persistentVolumeClaim: { claimName: 'weights', readOnly: false } },
      { name: 'model-cache', mountPath: '/models' },
    ]);
  });

  it('requests no ephemeral storage for a model cache from a claim, which is not the node disk', () => {
    const storage = (app: Partial<typeof sampleApp>) =>
      deploymentOf(sampleIntent(app)).spec.template.spec.containers[0].resources.requests['ephemeral-storage'];
    expect(storage({ modelCacheSize: '40Gi' })).toBe('43264Mi');
    expect(storage({ modelCache: { claimName: 'weights' } })).toBe('2304Mi');
  });

  it('runs as user "ai" with its HOME on the writable volume', () => {
    expect(container.env).toEqual([
      { name: 'USER', value: 'ai' },
      { name: 'HOME', value: '/home/ai' },
    ]);
  });

  it('requests and is limited to the disk of its volumes plus room for logs: 2Gi and 256Mi', () => {
    expect(container.resources.requests['ephemeral-storage']).toBe('2304Mi');
    expect(container.resources.limits['ephemeral-storage']).toBe('2304Mi');
  });

  it('has no GPU scheduling: no tolerations, node selector or RuntimeClass', () => {
    expect(pod.tolerations).toBeUndefined();
    expect(pod.nodeSelector).toBeUndefined();
    expect(pod.runtimeClassName).toBeUndefined();
  });
});

describe('the emptyDir patch', () => {
  const pod = (names: string[]) => ({ spec: { template: { spec: { volumes: names.map((name) => ({ name, emptyDir: {} })) } } } });
  const fiveGi = kplus.k8s.Quantity.fromString('5Gi');

  it('sizes the volume at its index when the name there is the expected one', () => {
    const patched = JsonPatch.apply(pod(['tmp', 'model-cache']), ...emptyDirPatch(1, 'model-cache', { sizeLimit: fiveGi }));
    expect(patched.spec.template.spec.volumes).toEqual([
      { name: 'tmp', emptyDir: {} },
      { name: 'model-cache', emptyDir: { sizeLimit: fiveGi } },
    ]);
  });

  it('fails, instead of sizing another volume, when the volumes came in another order', () => {
    expect(() => JsonPatch.apply(pod(['model-cache', 'tmp']), ...emptyDirPatch(1, 'model-cache', { sizeLimit: fiveGi }))).toThrow(/Test operation failed/);
  });

  it('is applied where the workload mounts each volume, for non-default paths and sizes', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    new AiWorkload(
      chart,
      'w',
      { ...sampleApp, modelCachePath: '/cache', modelCacheSize: '3Gi', tmpSize: '512Mi', homeSize: '2Gi', shmSize: '1Gi' },
      { resolver: resolverSettings(minimal) },
    );
    const deployment = chart.toJson().find((o) => o.kind === 'Deployment');
    expect(deployment.spec.template.spec.volumes).toEqual([
      { name: 'tmp', emptyDir: { sizeLimit: '512Mi' } },
      { name: 'home', emptyDir: { sizeLimit: '2Gi' } },
      { name: 'model-cache', emptyDir: { sizeLimit: '3Gi' } },
      { name: 'shm', emptyDir: { sizeLimit: '1Gi', medium: 'Memory' } },
    ]);
  });
});

describe('what synth prints about images, ports and defaults', () => {
  it.each([
    ['nginx:1.27', 'nginx'],
    ['docker.io/library/nginx:1.27@sha256:' + 'a'.repeat(64), 'nginx'],
    ['index.docker.io/nginx:1.27', 'nginx'],
    ['nginxinc/nginx-unprivileged:1.27-alpine', 'nginxinc/nginx-unprivileged'],
    ['registry.example.com:5000/team/server:2.1', 'registry.example.com:5000/team/server'],
    ['ghcr.io/huggingface/text-embeddings-inference:cpu-1.8', 'ghcr.io/huggingface/text-embeddings-inference'],
  ])('reads the repository of %s as %s', (image, repository) => {
    expect(imageRepository(image)).toBe(repository);
  });

  it('warns that the official nginx image needs root, and proposes the unprivileged one', () => {
    const [warning] = adviceFor({ ...sampleApp, image: 'nginx:1.27', port: 8080 });
    expect(warning).toEqual(expect.objectContaining({ severity: 'warning', path: ['sample-app', 'image'], value: 'nginx:1.27' }));
    expect(warning.message).toMatch(/known not to run as non-root: the official nginx image .* accepted: nginxinc\/nginx-unprivileged/);
  });

  it('warns what any other image must support: the numeric user, a read-only root, the writable paths', () => {
    expect(imagesAdvice([{ ...sampleApp, modelCachePath: '/cache' }])).toEqual([
      expect.objectContaining({
        severity: 'warning',
        path: ['sample-app', 'image'],
        message: expect.stringMatching(
          /must run as the non-root numeric user 10001 \(group 10001\) on a read-only root filesystem, writing only to \/tmp, \/home\/ai and \/cache/,
        ),
      }),
    ]);
  });

  it('says it once for every app, and not of the images the presets pin', () => {
    const apps = [
      { ...sampleApp, name: 'a' },
      { ...sampleApp, name: 'b', image: 'example/other:1.0.0' },
      { ...sampleApp, name: 'c', image: PROJECT_IMAGES.teiCpu },
      { ...sampleApp, name: 'd', image: PROJECT_IMAGES.vllm },
    ];
    expect(imagesAdvice(apps)).toEqual([
      expect.objectContaining({
        scope: { kind: 'platform' },
        path: ['a', 'image'],
        alsoAt: [['b', 'image']],
        value: ['nginxinc/nginx-unprivileged:1.27-alpine', 'example/other:1.0.0'],
      }),
    ]);
    expect(imagesAdvice(apps.slice(2))).toEqual([]);
  });

  it('warns of a tag that names a minor release, which moves with each patch, and not of a patch release or a digest', () => {
    const tags = (image: string) =>
      adviceFor({ ...sampleApp, image }).filter((w) => formatPath(w.path) === 'sample-app.image' && /minor release/.test(w.message));
    for (const image of ['ghcr.io/huggingface/text-embeddings-inference:cpu-1.9', 'vllm/vllm-openai:v0.10', 'example/app:2.4'])
      expect(tags(image)).toHaveLength(1);
    for (const image of [
      'ghcr.io/huggingface/text-embeddings-inference:cpu-1.9.3',
      'vllm/vllm-openai:v0.10.2',
      `example/app@sha256:${'a'.repeat(64)}`,
      'example/app:stable',
    ])
      expect(tags(image)).toEqual([]);
  });

  it('warns about a port below 1024, which a non-root process may not bind', () => {
    const paths = adviceFor({ ...sampleApp, port: 80 }).map((w) => formatPath(w.path));
    expect(paths).toEqual(['sample-app.port']);
    expect(adviceFor({ ...sampleApp, port: 1024 }).map((w) => formatPath(w.path))).toEqual([]);
  });

  it('warns about shared memory that does not fit in the memory limit, the default one of a GPU app included', () => {
    const shm = (app: Partial<typeof sampleApp>) => adviceFor({ ...sampleApp, port: 8080, ...app }).filter((w) => formatPath(w.path) === 'sample-app.shmSize');
    expect(shm({ gpus: 1 })).toEqual([
      expect.objectContaining({
        value: '2Gi',
        message: expect.stringMatching(
          /^is not below the memory limit 512Mi \(the default\): \/dev\/shm is memory .* \(2Gi by default for an app with GPUs\)$/,
        ),
      }),
    ]);
    expect(shm({ shmSize: '1Gi', resources: { cpu: { request: '1', limit: '1' }, memory: { request: '1Gi', limit: '1Gi' } } })).toHaveLength(1);
    expect(shm({ gpus: 1, resources: { cpu: { request: '1', limit: '1' }, memory: { request: '16Gi', limit: '16Gi' } } })).toEqual([]);
    expect(shm({})).toEqual([]);
  });

  it('keeps warnings out of the errors: an app with warnings synthesizes', () => {
    const intent = sampleIntent({ image: 'nginx:1.27', port: 80 });
    expect(validateIntent(intent)).toEqual([]);
    expect(
      checkIntent(intent)
        .filter((i) => i.severity === 'warning')
        .map((i) => formatPath(i.path)),
    ).toEqual(['llm.image', 'llm.image', 'llm.port']);
  });

  it('prints one line for the same warning on many apps', () => {
    const apps = Array.from({ length: 7 }, (_, i) => ({ ...sampleApp, name: `app-${i}`, port: 80 }));
    const text = formatWarnings(checkIntent({ apps }).filter((i) => i.severity === 'warning'));
    expect(text.split('\n')).toEqual([
      '8 warnings (not errors: synthesis goes on):',
      expect.stringMatching(/^ {2}app-0\.port, app-1\.port, app-2\.port, app-3\.port, app-4\.port and 2 more: 80 is below 1024/),
      expect.stringMatching(/^ {2}app-0\.image, app-1\.image, .*app-6\.image: \["nginxinc\/nginx-unprivileged:1\.27-alpine"\] must run as/),
      '',
    ]);
  });

  it('lists the defaults an app relies on, and none for an app that declares them', () => {
    expect(appliedDefaults(sampleApp).map((d) => d.field)).toEqual(['resources', 'healthPath']);
    expect(formatDefaults(minimal)).toBe(
      [
        'defaults applied (declare the field to choose otherwise):',
        '  dnsResolver.clusterIp: 10.96.0.53, in 10.96.0.0/12, the default Service range of cloud "any" (declare clusterNetwork.serviceCidrs where the cluster\'s differs: kubectl -n kube-system get svc kube-dns shows an address of it)',
        '  sample-app.resources: requests cpu 250m, memory 512Mi; limits cpu 1, memory 512Mi',
        '  sample-app.healthPath: none: startup, readiness and liveness probes open a TCP connection to port 8080',
        '',
      ].join('\n'),
    );
    expect(formatDefaults(shipped)).toBe('');
  });
});
