import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { PlatformIntent } from '../../lib/intent';
import { buildApp } from '../../lib/app';
import { synthesize } from '../../lib/synth';
import { ManifestDocument, readManifests } from '../../lib/testing';

/**
 * The manifests of an intent: synthesized into a temporary folder as `npm run synth` writes them
 * (lib/synth, byte for byte what cdk8s's `app.synth()` writes, in less time) and read back.
 */
export function manifestsOf(intent: PlatformIntent): ManifestDocument[] {
  const dir = mkdtempSync(join(tmpdir(), 'synth-'));
  try {
    synthesize(buildApp(dir, intent));
    return readManifests(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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
