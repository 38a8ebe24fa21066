/**
 * Reading manifests from files, folders and strings: multi-document YAML, JSON, `kind: List`.
 *
 * Every object keeps where it came from (file, document, list item), so that an error about it
 * can say exactly where to look.
 */

import * as fs from 'fs';
import * as path from 'path';
import { parseYamlDocuments } from '../yaml';
import { labelKeyProblem, labelValueProblem } from './labels';

/** Where an object was read from. Documents are counted from 1, list items from 0. */
export interface SourceRef {
  readonly file: string;
  readonly document: number;
  readonly item?: number;
}

/** One Kubernetes object and its origin. */
export interface Manifest {
  readonly object: KubeObject;
  readonly source: SourceRef;
}

/** The parts of a Kubernetes object every reader relies on; the rest stays untyped. */
export interface KubeObject {
  readonly apiVersion?: unknown;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: unknown; readonly [k: string]: unknown };
  readonly [k: string]: unknown;
}

/** Says where a source is, for messages: `dist/a.yaml, document 2, items[3]`. */
export function describeSource(source: SourceRef): string {
  return `${source.file}, document ${source.document}${source.item === undefined ? '' : `, items[${source.item}]`}`;
}

/** A manifest that cannot be read or is not valid, with its file, document and field path. */
export class ManifestError extends Error {
  constructor(
    readonly source: SourceRef | { readonly file: string },
    readonly field: string | undefined,
    readonly detail: string,
    /** The object, e.g. `NetworkPolicy ai/allow-egress`. */
    readonly object?: string,
  ) {
    const where = 'document' in source ? describeSource(source) : source.file;
    super(`${where}${object ? ` (${object})` : ''}: ${field ? `${field}: ` : ''}${detail}`);
    this.name = 'ManifestError';
  }
}

/** Reads the fields of one object, failing with its source, its name and the field path. */
export class Fields {
  constructor(
    readonly source: SourceRef,
    /** The object, e.g. `NetworkPolicy ai/allow-egress`. */
    readonly object: string,
  ) {}

  /** Throws a ManifestError about a field. */
  fail(field: string, detail: string): never {
    throw new ManifestError(this.source, field, detail, this.object);
  }

  /** An object, or undefined when absent or null. */
  record(value: unknown, field: string): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) this.fail(field, 'must be an object');
    return value as Record<string, unknown>;
  }

  /** A list, or undefined when absent or null. */
  list(value: unknown, field: string): unknown[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) this.fail(field, 'must be a list');
    return value;
  }

  /** A string, or undefined when absent or null. */
  string(value: unknown, field: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') this.fail(field, `must be a string, not ${JSON.stringify(value)}`);
    return value;
  }

  /** A label set (metadata.labels), refused as the API server refuses it when a key or value breaks Kubernetes' limits. */
  labels(value: unknown, field: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const [key, v] of Object.entries(this.record(value, field) ?? {})) {
      const at = `${field}[${JSON.stringify(key)}]`;
      if (typeof v !== 'string') this.fail(at, `must be a string, not ${JSON.stringify(v)}`);
      const keyProblem = labelKeyProblem(key);
      if (keyProblem) this.fail(at, `the label key ${keyProblem}`);
      const valueProblem = labelValueProblem(v as string);
      if (valueProblem) this.fail(at, `the value ${JSON.stringify(v)} ${valueProblem}`);
      out.set(key, v as string);
    }
    return out;
  }

  /** A number, or undefined when absent or null. */
  number(value: unknown, field: string): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(field, `must be a number, not ${JSON.stringify(value)}`);
    return value;
  }
}

const EXTENSIONS = ['.yaml', '.yml', '.json'];

function filesUnder(target: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    throw new ManifestError({ file: target }, undefined, 'no such file or folder');
  }
  if (!stat.isDirectory()) return [target];
  return fs
    .readdirSync(target)
    .sort()
    .flatMap((name) => {
      const full = path.join(target, name);
      if (fs.statSync(full).isDirectory()) return filesUnder(full);
      return EXTENSIONS.includes(path.extname(name).toLowerCase()) ? [full] : [];
    });
}

/** Reads every manifest in the given files and folders (recursively: *.yaml, *.yml, *.json). */
export function readManifestFiles(paths: readonly string[]): Manifest[] {
  return paths.flatMap(filesUnder).flatMap((file) => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new ManifestError({ file }, undefined, `cannot read: ${(e as Error).message}`);
    }
    return parseManifests(text, file);
  });
}

/** Parses the objects of one YAML or JSON text; `file` names it in errors. */
export function parseManifests(text: string, file: string): Manifest[] {
  const out: Manifest[] = [];
  const parsed = parseYamlDocuments(text);
  if ('error' in parsed) {
    const { document, line, column, reason } = parsed.error;
    throw new ManifestError({ file, document }, undefined, `invalid YAML${line ? ` at line ${line}, column ${column}` : ''}: ${reason}`);
  }
  parsed.docs.forEach((value, i) => {
    if (value === null || value === undefined) return;
    out.push(...objectsOf(value, { file, document: i + 1 }));
  });
  return out;
}

function objectsOf(value: unknown, source: SourceRef): Manifest[] {
  const object = checkObject(value, source);
  if (object.kind !== 'List' && !object.kind.endsWith('List')) return [{ object, source }];
  const items = (value as { items?: unknown }).items;
  if (items === undefined || items === null) return [];
  if (!Array.isArray(items)) throw new ManifestError(source, 'items', 'must be a list of objects');
  return items.map((item, index) => {
    const itemSource = { ...source, item: index };
    return { object: checkObject(item, itemSource), source: itemSource };
  });
}

function checkObject(value: unknown, source: SourceRef): KubeObject {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ManifestError(source, undefined, 'is not an object (expected a Kubernetes manifest with kind and metadata)');
  }
  const o = value as Record<string, unknown>;
  if (typeof o.kind !== 'string' || o.kind === '') throw new ManifestError(source, 'kind', 'is missing');
  if (o.kind === 'List' || o.kind.endsWith('List')) return o as unknown as KubeObject;
  const metadata = o.metadata as Record<string, unknown> | undefined;
  if (!metadata || typeof metadata !== 'object' || typeof metadata.name !== 'string' || metadata.name === '') {
    throw new ManifestError(source, 'metadata.name', `is missing (kind ${o.kind})`);
  }
  if (metadata.namespace !== undefined && typeof metadata.namespace !== 'string') {
    throw new ManifestError(source, 'metadata.namespace', 'must be a string');
  }
  return o as unknown as KubeObject;
}
