import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { PlatformIntent, clusterIntents } from '../../lib/intent';
import { buildApp } from '../../lib/app';
import { synthesize } from '../../lib/synth';
import { parseYamlDocuments } from '../../lib/yaml';

/** A Kubernetes object as read from YAML. */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: any;
};

/** One document of one file. */
export interface Manifest {
  readonly file: string;
  readonly index: number;
  readonly object: K8sObject;
}

export const DIST = join(__dirname, '..', '..', 'dist');

/** The Argo CD manifests that npm run synth writes beside dist/. */
export const DEPLOY = join(__dirname, '..', '..', 'deploy', 'argocd');

/** A folder of synthesized manifests and the intent it was synthesized from. */
export interface DistFolder {
  /** How tests name it: `dist/`, or `dist/<cluster>/`. */
  readonly label: string;
  readonly intent: PlatformIntent;
  readonly dir: string;
}

/** The folders of dist/ for an intent: dist/ itself, or with clusters dist/<cluster>/ for each, with that cluster's intent. */
export function distFolders(intent: PlatformIntent, dist: string = DIST): DistFolder[] {
  return clusterIntents(intent).map(({ cluster, intent: one }) =>
    cluster === undefined ? { label: 'dist/', intent: one, dir: dist } : { label: `dist/${cluster}/`, intent: one, dir: join(dist, cluster) },
  );
}

/** Every document of every YAML file in a folder, files in name order, read as the verifier reads them (lib/yaml). */
export function readManifests(dir: string): Manifest[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) => {
      const parsed = parseYamlDocuments(readFileSync(join(dir, file), 'utf8'));
      if ('error' in parsed) throw new Error(`${join(dir, file)}, document ${parsed.error.document}: ${parsed.error.reason}`);
      return parsed.docs.map((object, index) => ({ file, index, object: object as K8sObject }));
    });
}

/** Every file under a folder, by its path relative to it, with its contents; none when the folder does not exist. */
export function readTree(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const files: Record<string, string> = {};
  const walk = (folder: string, prefix: string) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path, `${prefix}${name}/`);
      else files[`${prefix}${name}`] = readFileSync(path, 'utf8');
    }
  };
  walk(dir, '');
  return files;
}

/**
 * The manifests of an intent: synthesized into a temporary folder as `npm run synth` writes them
 * (lib/synth, byte for byte what cdk8s's `app.synth()` writes, in less time) and read back.
 */
export function manifestsOf(intent: PlatformIntent): Manifest[] {
  const dir = mkdtempSync(join(tmpdir(), 'synth-'));
  try {
    synthesize(buildApp(dir, intent));
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
