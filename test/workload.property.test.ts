/**
 * Random workload settings (GPUs, sizes, startup budget, tolerations, a HOME of the app's own):
 * every valid combination synthesizes a pod that passes the checks main.test.ts makes of any
 * intent, the Kubernetes schema and Pod Security restricted (property-based).
 */
import fc from 'fast-check';
import { AiAppIntent, PlatformIntent, Toleration, validateIntent } from '../lib/intent';
import { validateManifestDir } from '../lib/validate';
import { restrictedViolations } from '../lib/checks';
import { runs } from './support/runs';
import { gpuProblems, ofKind, readSynthesized, startupProblems, storageProblems, userProblems } from '../lib/testing';
import { synthesized } from './support/synth';

const sizeArb = fc.tuple(fc.integer({ min: 1, max: 64 }), fc.constantFrom('Mi', 'Gi', 'G')).map(([n, unit]) => `${n}${unit}`);
const tolerationArb: fc.Arbitrary<Toleration> = fc.oneof(
  fc.constant<Toleration>({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }),
  fc.constant<Toleration>({ key: 'sku', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }),
  fc.constant<Toleration>({ operator: 'Exists' }),
  fc.constant<Toleration>({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }),
);

const appArb: fc.Arbitrary<AiAppIntent> = fc
  .record(
    {
      gpus: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
      healthPath: fc.option(fc.constant('/health'), { nil: undefined }),
      startupSeconds: fc.option(fc.integer({ min: 10, max: 7200 }), { nil: undefined }),
      shmSize: fc.option(sizeArb, { nil: undefined }),
      tmpSize: fc.option(sizeArb, { nil: undefined }),
      homeSize: fc.option(sizeArb, { nil: undefined }),
      modelCacheSize: fc.option(sizeArb, { nil: undefined }),
      modelCachePath: fc.option(fc.constantFrom('/models', '/data', '/var/cache/models'), { nil: undefined }),
      tolerations: fc.option(fc.array(tolerationArb, { maxLength: 2 }), { nil: undefined }),
      nodeSelector: fc.option(fc.constant({ 'nvidia.com/gpu.present': 'true' }), { nil: undefined }),
      runtimeClassName: fc.option(fc.constantFrom('nvidia', 'gvisor'), { nil: undefined }),
      home: fc.option(fc.constantFrom('/tmp', '/home/ai/work', 'cache'), { nil: undefined }),
    },
    { requiredKeys: [] },
  )
  .map(({ home, ...settings }): AiAppIntent => {
    const defined = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
    const cache = settings.modelCachePath ?? '/models';
    return {
      name: 'server',
      namespace: 'ai',
      image: 'vllm/vllm-openai:v0.10.2',
      port: 8000,
      resources: { cpu: { request: '1', limit: '2' }, memory: { request: '8Gi', limit: '8Gi' } },
      ...defined,
      // A HOME in the model cache needs a model cache: declaring its path gives the app one.
      ...(home === 'cache' && settings.modelCachePath === undefined && settings.modelCacheSize === undefined ? { modelCachePath: cache } : {}),
      ...(home === undefined ? {} : { env: { HOME: home === 'cache' ? `${cache}/home` : home } }),
      egress: [],
    };
  });

describe('random workload settings: the pod starts as declared (property-based)', () => {
  it('passes the startup, user, GPU and storage checks, the schema and Pod Security restricted', () => {
    fc.assert(
      fc.property(appArb, (app) => {
        const intent: PlatformIntent = { apps: [app] };
        expect(validateIntent(intent)).toEqual([]);
        const [s, schemaProblems] = synthesized(intent, (dist) => [readSynthesized(intent, dist), validateManifestDir(dist)] as const);
        expect([...startupProblems(s, app), ...userProblems(s, app), ...gpuProblems(s, app), ...storageProblems(s, app)]).toEqual([]);
        expect(schemaProblems).toEqual([]);
        expect(restrictedViolations(ofKind(s.manifests, 'Deployment').find((d) => d.metadata.name !== 'dns-resolver')!.spec.template.spec)).toEqual([]);
      }),
      { numRuns: runs(15) },
    );
  });
});
