import { PlatformIntent } from '../../lib/intent';

/** A small valid intent to vary in tests. */
export function sampleIntent(overrides: Partial<PlatformIntent['apps'][number]> = {}, platform: Partial<PlatformIntent> = {}): PlatformIntent {
  return {
    ...platform,
    apps: [
      {
        name: 'llm',
        namespace: 'ai',
        image: 'vllm/vllm-openai:v0.10.2',
        port: 8000,
        resources: { cpu: { request: '1', limit: '2' }, memory: { request: '4Gi', limit: '4Gi' } },
        egress: [{ cidr: '203.0.113.10/32', ports: [443] }],
        ...overrides,
      },
    ],
  };
}
