/**
 * Reading manifests from files, folders and strings: multi-document YAML, JSON, `kind: List`,
 * and the typed lists the API returns (`kind: PodList`, whose items carry no `kind`).
 *
 * Every object keeps where it came from (file, document, list item), so that an error about it
 * can say exactly where to look. A file none of whose documents claims to be a Kubernetes object
 * (none has `apiVersion` or `kind`: a `package.json`, a tool's settings) is skipped, and the
 * reader says so; a document that claims to be one and is malformed is an error.
 */

import * as fs from 'fs';
import * as path from 'path';
import { parseYamlDocuments } from '../yaml';
import { labelKeyProblem, labelValueProblem, formatObjectRef, ObjectRef } from '../k8s';

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
interface KubeObject {
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
    /** The object, e.g. NetworkPolicy ai/allow-egress. */
    readonly object?: ObjectRef,
  ) {
    const where = 'document' in source ? describeSource(source) : source.file;
    super(`${where}${object ? ` (${formatObjectRef(object)})` : ''}: ${field ? `${field}: ` : ''}${detail}`);
    this.name = 'ManifestError';
  }
}

/** Reads the fields of one object, failing with its source, its name and the field path. */
export class Fields {
  constructor(
    readonly source: SourceRef,
    /** The object, e.g. NetworkPolicy ai/allow-egress. */
    readonly object: ObjectRef,
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
    return value as unknown[];
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
      const valueProblem = labelValueProblem(v);
      if (valueProblem) this.fail(at, `the value ${JSON.stringify(v)} ${valueProblem}`);
      out.set(key, v);
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

/** A file that was read and held no Kubernetes object, and why: the reader's note about it. */
export interface SkippedFile {
  readonly file: string;
  readonly reason: string;
}

/** What a set of files and folders holds: the objects, and the files skipped. */
export interface ManifestSet {
  readonly manifests: Manifest[];
  readonly skipped: SkippedFile[];
}

/** Says which file was skipped and why, for a note. */
export function describeSkipped(s: SkippedFile): string {
  return `skipped ${s.file}: ${s.reason}`;
}

/** Reads every manifest in the given files and folders (recursively: *.yaml, *.yml, *.json). */
export function readManifestFiles(paths: readonly string[]): Manifest[] {
  return readManifestSet(paths).manifests;
}

/** Reads the given files and folders, and says which files held no Kubernetes object. */
export function readManifestSet(paths: readonly string[]): ManifestSet {
  const set: ManifestSet = { manifests: [], skipped: [] };
  for (const file of paths.flatMap(filesUnder)) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new ManifestError({ file }, undefined, `cannot read: ${(e as Error).message}`);
    }
    const read = parseManifestText(text, file);
    if (read.skipped) set.skipped.push({ file, reason: read.skipped });
    else for (const m of read.manifests) set.manifests.push(m);
  }
  return set;
}

/** Parses the objects of one YAML or JSON text; `file` names it in errors. A text that holds no Kubernetes object yields none. */
export function parseManifests(text: string, file: string): Manifest[] {
  return parseManifestText(text, file).manifests;
}

/** True for a document that says it is a Kubernetes object (or a list of them): it has apiVersion or kind. */
function claimsObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && ('apiVersion' in value || 'kind' in value);
}

/** The objects of one text, or why it holds none when no document even claims to be one. */
function parseManifestText(text: string, file: string): { readonly manifests: Manifest[]; readonly skipped?: string } {
  const parsed = parseYamlDocuments(text);
  if ('error' in parsed) {
    const { document, line, column, reason } = parsed.error;
    throw new ManifestError({ file, document }, undefined, `invalid YAML${line ? ` at line ${line}, column ${column}` : ''}: ${reason}`);
  }
  const present = parsed.docs.filter((d) => d !== null && d !== undefined);
  if (present.length > 0 && !present.some(claimsObject)) {
    return { manifests: [], skipped: `holds no Kubernetes object (no document has apiVersion or kind)` };
  }
  const out: Manifest[] = [];
  parsed.docs.forEach((value, i) => {
    if (value === null || value === undefined) return;
    out.push(...objectsOf(detachStrings(value), { file, document: i + 1 }));
  });
  return { manifests: out };
}

/**
 * V8 makes a substring of 13 characters or more a slice that keeps its whole parent string alive
 * (`SlicedString::kMinLength`, V8's src/objects/string.h), and the YAML reader's values are
 * substrings of the file's text: one name that a compiled policy or endpoint keeps would keep the
 * whole file. The strings of a parsed document long enough to be slices are replaced by copies of
 * their own (the document's objects are the reader's, fresh), so that what the verifier keeps
 * holds only its own text: at 1,000 apps, 12 MB of the 14 MB of YAML read stayed alive otherwise.
 */
const SLICE_MIN_LENGTH = 13;

function detachStrings(value: unknown): unknown {
  // The concatenation is flattened into a new string before it is sliced: the copy's parent is that string, not the file's text.
  if (typeof value === 'string') return value.length >= SLICE_MIN_LENGTH ? ` ${value}`.slice(1) : value;
  if (Array.isArray(value)) {
    const list = value as unknown[];
    for (let i = 0; i < list.length; i++) list[i] = detachStrings(list[i]);
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = detachStrings(record[key]);
  }
  return value;
}

/** True for `List` and the typed lists the API returns (`PodList`, `NetworkPolicyList`). */
function isListKind(kind: string): boolean {
  return kind.endsWith('List');
}

/**
 * The objects of one document: itself, or the items of a list. The items of a typed list (what
 * `kubectl get --raw` and client libraries return) carry no kind or apiVersion: they are the
 * list's kind without `List`, in the list's apiVersion (API conventions, "Lists and Simple
 * kinds"). The items of `kind: List` name their own kind.
 */
function objectsOf(value: unknown, source: SourceRef): Manifest[] {
  const object = checkObject(value, source);
  if (!isListKind(object.kind)) return [{ object, source }];
  const items = (value as { items?: unknown }).items;
  if (items === undefined || items === null) return [];
  if (!Array.isArray(items)) throw new ManifestError(source, 'items', 'must be a list of objects');
  const itemKind = object.kind === 'List' ? undefined : object.kind.slice(0, -'List'.length);
  return items.map((item: unknown, index) => {
    const itemSource = { ...source, item: index };
    const typed =
      itemKind !== undefined && item && typeof item === 'object' && !Array.isArray(item)
        ? { ...(object.apiVersion === undefined ? {} : { apiVersion: object.apiVersion }), kind: itemKind, ...(item as Record<string, unknown>) }
        : item;
    const checked = checkObject(typed, itemSource);
    if (isListKind(checked.kind)) throw new ManifestError(itemSource, 'kind', `${checked.kind} inside a list is not read; list its items directly`);
    return { object: checked, source: itemSource };
  });
}

function checkObject(value: unknown, source: SourceRef): KubeObject {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ManifestError(source, undefined, 'is not an object (expected a Kubernetes manifest with kind and metadata)');
  }
  const o = value as Record<string, unknown>;
  if (typeof o.kind !== 'string' || o.kind === '') throw new ManifestError(source, 'kind', 'is missing');
  if (isListKind(o.kind)) return o as unknown as KubeObject;
  const metadata = o.metadata as Record<string, unknown> | undefined;
  if (!metadata || typeof metadata !== 'object' || typeof metadata.name !== 'string' || metadata.name === '') {
    throw new ManifestError(source, 'metadata.name', `is missing (kind ${o.kind})`);
  }
  if (metadata.namespace !== undefined && typeof metadata.namespace !== 'string') {
    throw new ManifestError(source, 'metadata.namespace', 'must be a string');
  }
  return o as unknown as KubeObject;
}
