/**
 * Server presets: what each fills in an app, from the server's own sources, and that an app made
 * of one passes the same checks as any other.
 */
import { AiAppIntent, adviceFor, validateIntent, formatPath } from '../lib/intent';
import {
  ANTHROPIC_API,
  HUGGING_FACE_HUB,
  NVIDIA_NGC,
  OPENAI_API,
  PYPI,
  TELEMETRY_OFF,
  awsS3,
  azureBlobStorage,
  googleCloudStorage,
  tei,
  vllm,
} from '../lib/presets';
import { validateObject } from '../lib/validate';
import { K8sObject, ofKind, readManifests } from '../lib/testing';
import { restrictedViolations } from '../lib/checks';
import { synthesized } from './support/synth';

const appOf = (preset: Partial<AiAppIntent>): AiAppIntent => ({ name: 'server', namespace: 'ai', ...preset, egress: [] }) as AiAppIntent;
const deploymentOf = (app: AiAppIntent): K8sObject =>
  ofKind(synthesized({ apps: [app] }, readManifests), 'Deployment').find((d) => d.metadata.name === app.name)!;
const envOf = (container: K8sObject) => Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));

describe('vllm(): the OpenAI-compatible server of vLLM', () => {
  it('fills image, args, port, health path, one GPU, writable paths, shared memory, telemetry off, and offline without a hub', () => {
    expect(vllm({ model: 'Qwen/Qwen2.5-1.5B-Instruct' })).toEqual({
      image: 'vllm/vllm-openai:v0.10.2',
      args: ['Qwen/Qwen2.5-1.5B-Instruct', '--host', '::', '--port', '8000'],
      port: 8000,
      healthPath: '/health',
      gpus: 1,
      env: { HF_HOME: '/models', VLLM_NO_USAGE_STATS: '1', DO_NOT_TRACK: '1', HF_HUB_DISABLE_TELEMETRY: '1', HF_HUB_OFFLINE: '1' },
      modelCachePath: '/models',
      probes: { timeoutSeconds: 10, livenessFailureThreshold: 6 },
      metrics: { port: 8000 },
      egress: [],
      shmSize: '2Gi',
      tmpSize: '2Gi',
      homeSize: '4Gi',
    });
  });

  it('shards the model across its GPUs, and appends the arguments it is given', () => {
    expect(vllm({ model: 'm', gpus: 4, args: ['--max-model-len', '8192'] }).args).toEqual([
      'm',
      '--host',
      '::',
      '--port',
      '8000',
      '--tensor-parallel-size',
      '4',
      '--max-model-len',
      '8192',
    ]);
  });

  it('lays the environment it is given over its own, keeping telemetry off', () => {
    expect(vllm({ model: 'm', env: { HF_ENDPOINT: 'https://203.0.113.10', HF_HUB_OFFLINE: '1' } }).env).toEqual({
      HF_HOME: '/models',
      VLLM_NO_USAGE_STATS: '1',
      DO_NOT_TRACK: '1',
      HF_HUB_DISABLE_TELEMETRY: '1',
      HF_ENDPOINT: 'https://203.0.113.10',
      HF_HUB_OFFLINE: '1',
    });
  });

  it('takes another image', () => {
    expect(vllm({ model: 'm', image: 'registry.example.com/vllm-openai:v0.11.0' }).image).toBe('registry.example.com/vllm-openai:v0.11.0');
  });

  it('passes the model as the positional model of `vllm serve`, never the deprecated --model', () => {
    const { args } = vllm({ model: 'Qwen/Qwen2.5-1.5B-Instruct', gpus: 2 });
    expect(args[0]).toBe('Qwen/Qwen2.5-1.5B-Instruct');
    expect(args).not.toContain('--model');
  });

  it('refuses gpus: 0 with its CUDA image, and takes it with an image of a CPU build', () => {
    expect(() => vllm({ model: 'm', gpus: 0 })).toThrow(
      /^vllm\(\{ gpus \}\): 0 asks for no GPU, and the default image vllm\/vllm-openai:v0\.10\.2 is built for CUDA GPUs only; accepted: gpus of 1 or more, or gpus: 0 with the image of a CPU build/,
    );
    expect(vllm({ model: 'm', gpus: 0, image: 'registry.example.com/vllm-cpu:v0.10.2' })).toEqual(expect.objectContaining({ gpus: 0 }));
  });
});

describe('tei(): Hugging Face Text Embeddings Inference', () => {
  it('fills the CPU image, args that listen on every family at 8080, health path, cache, telemetry off, and offline without a hub', () => {
    expect(tei({ model: 'BAAI/bge-small-en-v1.5' })).toEqual({
      image: 'ghcr.io/huggingface/text-embeddings-inference:cpu-1.9.3',
      args: ['--model-id', 'BAAI/bge-small-en-v1.5', '--hostname', '::', '--port', '8080', '--json-output'],
      port: 8080,
      healthPath: '/health',
      gpus: 0,
      env: { HUGGINGFACE_HUB_CACHE: '/data', DO_NOT_TRACK: '1', HF_HUB_DISABLE_TELEMETRY: '1', HF_HUB_OFFLINE: '1' },
      modelCachePath: '/data',
      probes: { timeoutSeconds: 10, livenessFailureThreshold: 6 },
      metrics: { port: 9000 },
      nodeSelector: { 'kubernetes.io/arch': 'amd64' },
      egress: [],
    });
  });

  it('runs on amd64 nodes only, the one architecture its images are built for, with the node labels it is given laid over', () => {
    expect(tei({ model: 'm', nodeSelector: { 'cloud.google.com/gke-nodepool': 'cpu' } }).nodeSelector).toEqual({
      'kubernetes.io/arch': 'amd64',
      'cloud.google.com/gke-nodepool': 'cpu',
    });
    expect(deploymentOf(appOf(tei({ model: 'm' }))).spec.template.spec.nodeSelector).toEqual({ 'kubernetes.io/arch': 'amd64' });
  });

  it('pins its images to a patch release', () => {
    for (const gpus of [0, 1]) expect(tei({ model: 'm', gpus }).image).toMatch(/:(cpu|cuda)-\d+\.\d+\.\d+$/);
  });

  it("listens on 8080, never the images' port 80, which a non-root user may not bind", () => {
    const preset = tei({ model: 'm' });
    expect(preset.port).toBe(8080);
    expect(preset.args.slice(preset.args.indexOf('--port'), preset.args.indexOf('--port') + 2)).toEqual(['--port', '8080']);
  });

  it('takes the CUDA image for GPUs', () => {
    expect(tei({ model: 'm', gpus: 1 })).toEqual(expect.objectContaining({ image: 'ghcr.io/huggingface/text-embeddings-inference:cuda-1.9.3', gpus: 1 }));
  });
});

describe('telemetry is off with "1", the only value vLLM accepts', () => {
  it.each([
    ['vllm', vllm({ model: 'm' })],
    ['tei', tei({ model: 'm' })],
  ] as const)('%s', (_, preset) => {
    for (const name of Object.keys(TELEMETRY_OFF)) expect(preset.env[name]).toBe('1');
  });
});

describe('an app made of a preset is an app like any other', () => {
  const apps: [string, AiAppIntent][] = [
    [
      'vllm',
      appOf({ ...vllm({ model: 'Qwen/Qwen2.5-1.5B-Instruct' }), resources: { cpu: { request: '2', limit: '4' }, memory: { request: '16Gi', limit: '16Gi' } } }),
    ],
    ['tei', appOf(tei({ model: 'BAAI/bge-small-en-v1.5' }))],
  ];

  it.each(apps)('%s is a valid intent', (_, app) => {
    expect(validateIntent({ apps: [app] })).toEqual([]);
  });

  it.each(apps)('%s synthesizes a schema-valid pod that passes Pod Security restricted', (_, app) => {
    const deployment = deploymentOf(app);
    expect(validateObject(deployment)).toEqual([]);
    expect(restrictedViolations(deployment.spec.template.spec)).toEqual([]);
  });

  it.each(apps)("%s is probed with its server's timeout, and restarted after two minutes of failed liveness probes", (_, app) => {
    const container = deploymentOf(app).spec.template.spec.containers[0];
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) expect(container[probe].timeoutSeconds).toBe(10);
    expect(container.livenessProbe.failureThreshold * container.livenessProbe.periodSeconds).toBe(120);
  });

  it.each(apps)('%s is probed on /health at its port, from startup on', (_, app) => {
    const container = deploymentOf(app).spec.template.spec.containers[0];
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(container[probe].httpGet).toEqual({ path: '/health', port: app.port, scheme: 'HTTP' });
    }
  });

  it.each(apps)('%s has its model cache writable where its environment points', (_, app) => {
    const container = deploymentOf(app).spec.template.spec.containers[0];
    const env = envOf(container);
    const cache = env.HF_HOME ?? env.HUGGINGFACE_HUB_CACHE;
    expect(container.volumeMounts).toContainEqual({ mountPath: cache, name: 'model-cache' });
  });

  it('gives the vLLM pod a GPU, its toleration and 2Gi of shared memory', () => {
    const pod = deploymentOf(apps[0][1]).spec.template.spec;
    expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.volumes).toContainEqual({ name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '2Gi' } });
  });

  it("keeps the preset's environment when the app declares none after it, and loses it when it does: pass env to the preset", () => {
    expect(envOf(deploymentOf(apps[0][1]).spec.template.spec.containers[0])).toEqual(expect.objectContaining({ VLLM_NO_USAGE_STATS: '1' }));
    const overwritten = appOf({ ...apps[0][1], env: { HF_HUB_OFFLINE: '1' } });
    expect(envOf(deploymentOf(overwritten).spec.template.spec.containers[0]).VLLM_NO_USAGE_STATS).toBeUndefined();
  });
});

describe('a vLLM app without usage statistics turned off is warned about', () => {
  const usage = (app: AiAppIntent) => adviceFor(app).filter((w) => formatPath(w.path) === 'server.env');

  it("warns when an env written after the spread dropped the preset's, and not for the preset as it is", () => {
    expect(usage(appOf({ ...vllm({ model: 'm' }), env: { HF_ENDPOINT: 'https://203.0.113.10' } }))).toEqual([
      expect.objectContaining({
        severity: 'warning',
        message: expect.stringMatching(/^leaves vLLM's usage statistics on: it reports to stats\.vllm\.ai/),
      }),
    ]);
    expect(usage(appOf(vllm({ model: 'm' })))).toEqual([]);
  });

  it('counts only "1", as vLLM does, and any mirror of the image', () => {
    expect(usage(appOf({ ...vllm({ model: 'm' }), image: 'registry.example.com/ai/vllm-openai:v0.10.2', env: { DO_NOT_TRACK: 'true' } }))).toHaveLength(1);
    expect(usage(appOf({ ...vllm({ model: 'm' }), env: { VLLM_DO_NOT_TRACK: '1' } }))).toEqual([]);
    expect(usage(appOf({ ...tei({ model: 'm' }), env: {} }))).toEqual([]);
  });
});

describe('a preset refuses what it cannot use, naming the option and what is accepted', () => {
  const call = (preset: (o: never) => unknown, options: unknown) => () => preset(options as never);

  it.each([
    [
      'vllm',
      vllm,
      { model: '' },
      'vllm({ model }): "" is not a model; accepted: a Hugging Face model id such as "Qwen/Qwen2.5-1.5B-Instruct", or a path in the model cache',
    ],
    ['vllm', vllm, { model: 'Qwen/Qwen2.5 1.5B' }, 'vllm({ model }): "Qwen/Qwen2.5 1.5B" is not a model'],
    ['vllm', vllm, {}, 'vllm({ model }): undefined is not a model'],
    ['tei', tei, { model: 'm', gpus: -1 }, 'tei({ gpus }): -1 is not a GPU count; accepted: a whole number, 0 or more'],
    ['tei', tei, { model: 'm', args: '--pooling cls' }, 'tei({ args }): "--pooling cls" is not a list of arguments'],
    ['tei', tei, { model: 'm', env: ['DO_NOT_TRACK=1'] }, 'tei({ env }): ["DO_NOT_TRACK=1"] is not a set of environment variables'],
    ['vllm', vllm, { modle: 'm' }, 'vllm({ model }): undefined is not a model'],
    [
      'vllm',
      vllm,
      { model: 'm', gpu: 2 },
      'vllm({ gpu }): 2 is not an option of vllm; accepted: model, gpus, image, args, env, nodeSelector, hub, egress. Did you mean "gpus"?',
    ],
    [
      'tei',
      tei,
      'BAAI/bge-small-en-v1.5',
      'tei(): "BAAI/bge-small-en-v1.5" is not a set of options; accepted: an object such as { model: "Qwen/Qwen2.5-1.5B-Instruct" }',
    ],
  ])('%s(%j)', (_, preset, options, message) => {
    expect(call(preset, options)).toThrow(message);
  });
});

describe('the model hub: a host list the presets reach by name, or their offline switch', () => {
  it.each([
    ['vllm', vllm],
    ['tei', tei],
  ] as const)('%s with hub: the hub is its first destination, through the egress proxy on 443, and it is not offline', (_, preset) => {
    const server = preset({ model: 'm', hub: HUGGING_FACE_HUB, egress: [{ cidr: '198.51.100.0/24', ports: [443] }] });
    expect(server.egress).toEqual([
      { description: 'model hub', hosts: [...HUGGING_FACE_HUB], ports: [443] },
      { cidr: '198.51.100.0/24', ports: [443] },
    ]);
    expect(server.env).not.toHaveProperty('HF_HUB_OFFLINE');
  });

  it.each([
    ['vllm', vllm],
    ['tei', tei],
  ] as const)('%s with a mirror in HF_ENDPOINT is not offline; without hub or mirror it is', (_, preset) => {
    expect(preset({ model: 'm', env: { HF_ENDPOINT: 'https://203.0.113.10' } }).env).not.toHaveProperty('HF_HUB_OFFLINE');
    expect(preset({ model: 'm' }).env).toMatchObject({ HF_HUB_OFFLINE: '1' });
  });

  it('keeps every list valid as a hosts destination of the intent', () => {
    const lists = [
      HUGGING_FACE_HUB,
      PYPI,
      NVIDIA_NGC,
      OPENAI_API,
      ANTHROPIC_API,
      awsS3('eu-west-1', ['my-models']),
      googleCloudStorage('us-central1'),
      azureBlobStorage(['mymodels']),
    ];
    for (const hosts of lists)
      expect(validateIntent({ apps: [{ name: 'server', namespace: 'ai', image: 'x/y:1', port: 8000, egress: [{ hosts, ports: [443] }] }] })).toEqual([]);
  });

  it('writes the regional object store endpoints of a region, and refuses a region that is none', () => {
    expect(awsS3('eu-west-1', ['my-models'])).toEqual(['s3.eu-west-1.amazonaws.com', 'my-models.s3.eu-west-1.amazonaws.com']);
    expect(googleCloudStorage('us-central1')).toEqual(['storage.googleapis.com', 'storage.us-central1.rep.googleapis.com']);
    expect(() => awsS3('*')).toThrow('awsS3(region): "*" is not an AWS region such as "us-east-1"');
  });

  it('refuses a hub that is not a list of names', () => {
    expect(() => vllm({ model: 'm', hub: 'huggingface.co' as unknown as string[] })).toThrow('vllm({ hub }): "huggingface.co" is not a list of host names');
  });
});
