/**
 * Synthesized manifests read back as plain objects, for tests that look at what was written:
 * the folders of `dist/` with the intent of each, every document of a folder, every file of a tree.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'fs';
import { join } from 'path';
import { PlatformIntent, clusterIntents } from '../intent';
import { parseYamlDocuments } from '../yaml';

/** A Kubernetes object as read from YAML. */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: any;
};

/** One document of one file of a folder: the file's name, the document's place in it (from 0), the object. */
export interface ManifestDocument {
  readonly file: string;
  readonly index: number;
  readonly object: K8sObject;
}

/** A folder of synthesized manifests and the intent it was synthesized from. */
export interface DistFolder {
  /** How tests name it: `dist/`, or `dist/<cluster>/`. */
  readonly label: string;
  readonly intent: PlatformIntent;
  readonly dir: string;
}

/**
 * The folders that `npm run synth` writes an intent into under `dist`: `dist` itself, or with
 * clusters `dist/<cluster>/` for each, with that cluster's intent.
 */
export function distFolders(intent: PlatformIntent, dist: string): DistFolder[] {
  return clusterIntents(intent).map(({ cluster, intent: one }) =>
    cluster === undefined ? { label: 'dist/', intent: one, dir: dist } : { label: `dist/${cluster}/`, intent: one, dir: join(dist, cluster) },
  );
}

/** Every document of every YAML file in a folder, files in name order, read as the verifier reads them (lib/yaml). */
export function readManifests(dir: string): ManifestDocument[] {
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

/** The objects of a kind. */
export function ofKind(manifests: readonly ManifestDocument[], kind: string): K8sObject[] {
  return manifests.filter((m) => m.object.kind === kind).map((m) => m.object);
}
