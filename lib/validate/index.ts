import { readFileSync, readdirSync, statSync } from 'fs';
import { join } from 'path';
import { parseYamlDocuments } from '../yaml';
import { KUBERNETES_SCHEMAS, builtinKubernetesSchema } from './kubernetes';
import { CALICO_CLUSTER_SCOPED, CALICO_SCHEMAS } from './calico';
import { NETWORK_POLICY_API_CLUSTER_SCOPED, NETWORK_POLICY_API_SCHEMAS } from './network-policy-api';
import { ARGOCD_GROUP, argoCdSchemas } from './argocd';
import { SchemaCheck } from './types';

export { CALICO_SCHEMAS } from './calico';

/** A problem with one document of one manifest file. */
export interface ManifestIssue {
  readonly file: string;
  /** Zero-based index of the document in the file (messages count from 1, as the verifier does). */
  readonly index: number;
  /** `Kind/name` of the object, when it has them. */
  readonly object: string;
  readonly message: string;
}

const SCHEMAS: Readonly<Record<string, SchemaCheck>> = { ...KUBERNETES_SCHEMAS, ...CALICO_SCHEMAS, ...NETWORK_POLICY_API_SCHEMAS };

/** Cluster-scoped kinds among those this project renders; they must not carry metadata.namespace. */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', ...CALICO_CLUSTER_SCOPED, ...NETWORK_POLICY_API_CLUSTER_SCOPED]);

interface ObjectHead {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}

/**
 * The schema of a kind: one this project renders (Kubernetes, Calico, the network-policy-api's), Argo CD's (its validators
 * loaded only when an Argo CD object is checked), or any other built-in Kubernetes kind.
 */
function schemaOf(head: ObjectHead): SchemaCheck | undefined {
  const key = `${head.apiVersion}/${head.kind}`;
  return SCHEMAS[key] ?? (key.startsWith(`${ARGOCD_GROUP}/`) ? argoCdSchemas()[key] : undefined) ?? builtinKubernetesSchema(head.apiVersion, head.kind);
}

/** The kinds beyond the built-in Kubernetes API (Calico's, Argo CD's), for messages. */
function customKinds(): string[] {
  return [...Object.keys(SCHEMAS), ...Object.keys(argoCdSchemas())]
    .filter((key) => {
      const slash = key.lastIndexOf('/');
      return !builtinKubernetesSchema(key.slice(0, slash), key.slice(slash + 1));
    })
    .sort();
}

/** True when validateObject knows the schema of the object's kind; false for custom resources it has no schema of. */
export function hasSchema(object: unknown): boolean {
  return schemaOf(object ?? {}) !== undefined;
}

/** Validates one object: its schema is known, it passes it, and its scope is right. */
export function validateObject(object: unknown): string[] {
  const head = (object ?? {}) as ObjectHead;
  const key = `${head.apiVersion}/${head.kind}`;
  const check = schemaOf(head);
  if (!check) return [`no schema is known for ${key}; accepted kinds: every built-in Kubernetes kind, and ${customKinds().join(', ')}`];
  const problems = check(object);
  if (CLUSTER_SCOPED.has(head.kind ?? '') && head.metadata?.namespace !== undefined) {
    problems.push(`/metadata/namespace: must be absent, ${head.kind} is cluster-scoped`);
  }
  return problems;
}

/** The `.yaml` files of a folder and of the folders in it, in name order, each folder's files before its folders'. */
function yamlFiles(dir: string): string[] {
  const entries = readdirSync(dir)
    .sort()
    .map((name) => join(dir, name));
  const folders = entries.filter((path) => statSync(path).isDirectory());
  return [...entries.filter((path) => path.endsWith('.yaml') && !folders.includes(path)), ...folders.flatMap(yamlFiles)];
}

/**
 * Validates every document of every `.yaml` file in a folder and the folders in it (`dist/` with
 * a folder per cluster, `deploy/argocd/`); returns all problems found.
 */
export function validateManifestDir(dir: string): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  for (const file of yamlFiles(dir)) {
    const parsed = parseYamlDocuments(readFileSync(file, 'utf8'));
    if ('error' in parsed) {
      issues.push({ file, index: parsed.error.document - 1, object: '?', message: `invalid YAML: ${parsed.error.reason}` });
      continue;
    }
    parsed.docs.forEach((doc, index) => {
      const object = doc as ObjectHead;
      const label = `${object?.kind ?? '?'}/${object?.metadata?.name ?? '?'}`;
      for (const message of validateObject(object)) issues.push({ file, index, object: label, message });
    });
  }
  return issues;
}
