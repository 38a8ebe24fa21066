import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { PlatformIntent } from '../../lib/intent';
import { buildApp } from '../../lib/app';

/** A Kubernetes object as read from YAML. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [key: string]: any };

/** One document of one file. */
export interface Manifest {
  readonly file: string;
  readonly index: number;
  readonly object: K8sObject;
}

export const DIST = join(__dirname, '..', '..', 'dist');

/** Every document of every YAML file in a folder, files in name order. */
export function readManifests(dir: string): Manifest[] {
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc, index) => ({ file, index, object: doc.toJS() as K8sObject })));
}

/** The manifests of an intent: synthesized by cdk8s (`app.synth()`) into a temporary folder and read back. */
export function manifestsOf(intent: PlatformIntent): Manifest[] {
  const dir = mkdtempSync(join(tmpdir(), 'synth-'));
  try {
    buildApp(dir, intent).synth();
    return readManifests(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The objects of a kind. */
export function ofKind(manifests: readonly Manifest[], kind: string): K8sObject[] {
  return manifests.filter((m) => m.object.kind === kind).map((m) => m.object);
}

/** A small valid intent to vary in tests. */
export function sampleIntent(overrides: Partial<PlatformIntent['apps'][number]> = {}, platform: Partial<PlatformIntent> = {}): PlatformIntent {
  return {
    ...platform,
    apps: [{
      name: 'llm',
      namespace: 'ai',
      image: 'vllm/vllm-openai:v0.10.2',
      port: 8000,
      resources: { cpu: { request: '1', limit: '2' }, memory: { request: '4Gi', limit: '4Gi' } },
      egress: [{ cidr: '203.0.113.10/32', ports: [443] }],
      ...overrides,
    }],
  };
}
