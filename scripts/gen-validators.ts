/**
 * Generates the schema validators in `imports/`: one ajv validator per kind, compiled ahead of
 * time from the `openAPIV3Schema` of the same CRD files that `cdk8s import` reads (listed in
 * cdk8s.yaml), one module per family of prefixes: `calico-*` into `imports/calico-validators.js`,
 * `npapi-*` (the network-policy-api's ClusterNetworkPolicy, AdminNetworkPolicy and
 * BaselineAdminNetworkPolicy) into `imports/npapi-validators.js`, `argocd-*` into
 * `imports/argocd-validators.js` (each with its `.d.ts`). The output is plain
 * CommonJS with no reference to the CRD files, so `npm run synth` and the tests validate from a
 * fresh clone.
 *
 * Run by `npm run import`, after `cdk8s import`.
 *
 * How the Kubernetes dialect of OpenAPI is handled:
 * - `x-kubernetes-int-or-string` fields already carry `anyOf: [integer, string]`, which ajv checks.
 * - `x-kubernetes-list-type: set` becomes `uniqueItems`, as the API server rejects duplicates.
 * - Objects that list their `properties` reject any other field, as `kubectl apply` does with its
 *   default strict field validation (the API server would otherwise drop it silently). Objects
 *   with `x-kubernetes-preserve-unknown-fields`, or with no properties (`metadata`), stay open.
 * - `x-kubernetes-validations` are CEL expressions that only the API server evaluates; they are
 *   kept as inert annotations here.
 * - Formats (`int32`, `int64`, `date-time`) come from ajv-formats.
 *
 * A subschema that a CRD repeats (the ApplicationSet CRD holds the Application template once per
 * kind of generator, and again inside the matrix and merge generators) is compiled once: each
 * repeated subschema of some size moves to a shared definition that its places reference. The
 * checks and their error paths are the same; the ApplicationSet validator shrinks from 8.6 MB of
 * JavaScript to a fraction of it.
 */
import { createHash } from 'crypto';
import { readFileSync, writeFileSync } from 'fs';
import { join, relative, resolve } from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import standaloneCode from 'ajv/dist/standalone';
import { parse } from 'yaml';

const root = resolve(__dirname, '..');

/** The families of imports that get validators: the prefix before the first `-`, and how the declarations name them. */
const FAMILIES: Readonly<Record<string, { title: string; article: string }>> = {
  calico: { title: 'Calico', article: 'A' },
  npapi: { title: 'Network Policy API', article: 'A' },
  argocd: { title: 'Argo CD', article: 'An' },
};

/** Keywords of the Kubernetes dialect that carry no check ajv can make (or that `normalize` turned into one). */
const ANNOTATIONS = [
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
];

/** A repeated subschema whose JSON is at least this long is compiled once, as a shared definition. */
const SHARED_MIN_LENGTH = 200;

interface Crd {
  kind: string;
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: { kind: string };
    versions: { name: string; served: boolean; storage: boolean; schema: { openAPIV3Schema: Schema } }[];
  };
}
type Schema = Record<string, unknown>;

/** The CRD files named in cdk8s.yaml (`prefix:=path`), resolved against the project root, by family. */
function crdFiles(): Map<string, string[]> {
  const config = parse(readFileSync(join(root, 'cdk8s.yaml'), 'utf8')) as { imports?: string[] };
  const byFamily = new Map<string, string[]>();
  for (const entry of config.imports ?? []) {
    const at = entry.indexOf(':=');
    const path = entry.slice(at + 2);
    if (at < 0 || !path.endsWith('.yaml')) continue;
    const family = entry.slice(0, at).split('-')[0];
    if (!FAMILIES[family])
      throw new Error(
        `cdk8s.yaml imports ${entry}, whose prefix names no family of validators; accepted: ${Object.keys(FAMILIES)
          .map((f) => `${f}-...`)
          .join(', ')}`,
      );
    byFamily.set(family, [...(byFamily.get(family) ?? []), resolve(root, path)]);
  }
  return byFamily;
}

/** Applies `fn` to each subschema directly under a schema (under properties, items, anyOf, ...), leaving other keywords as they are. */
function mapChildren(schema: Schema, fn: (sub: unknown) => unknown): Schema {
  const copy: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if ((key === 'properties' || key === 'patternProperties') && value && typeof value === 'object') {
      copy[key] = Object.fromEntries(Object.entries(value as Schema).map(([name, sub]) => [name, fn(sub)]));
    } else if ((key === 'items' || key === 'additionalProperties' || key === 'not') && value && typeof value === 'object' && !Array.isArray(value)) {
      copy[key] = fn(value);
    } else if ((key === 'anyOf' || key === 'allOf' || key === 'oneOf') && Array.isArray(value)) {
      copy[key] = value.map(fn);
    } else {
      copy[key] = value;
    }
  }
  return copy;
}

const isSchema = (value: unknown): value is Schema => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A copy of a schema without descriptions, with sets unique and closed objects closed. */
function normalize(schema: unknown): unknown {
  if (!isSchema(schema)) return schema;
  const { description: _description, ...rest } = schema;
  const copy = mapChildren(rest, normalize);
  if (copy['x-kubernetes-list-type'] === 'set') copy.uniqueItems = true;
  if (copy.properties && copy.additionalProperties === undefined && copy['x-kubernetes-preserve-unknown-fields'] !== true) {
    copy.additionalProperties = false;
  }
  return copy;
}

/** How often each subschema (as JSON) occurs in the schemas. */
function occurrences(schemas: readonly unknown[]): Map<string, number> {
  const counts = new Map<string, number>();
  const visit = (schema: unknown): unknown => {
    if (!isSchema(schema)) return schema;
    const text = JSON.stringify(schema);
    counts.set(text, (counts.get(text) ?? 0) + 1);
    mapChildren(schema, visit);
    return schema;
  };
  schemas.forEach(visit);
  return counts;
}

/**
 * Moves every subschema that occurs more than once (and is not tiny) into `definitions`, named
 * by its hash so that the names are stable, and references it from each place.
 */
function share(schema: unknown, counts: ReadonlyMap<string, number>, definitions: Record<string, unknown>): unknown {
  if (!isSchema(schema)) return schema;
  const text = JSON.stringify(schema);
  const copy = mapChildren(schema, (sub) => share(sub, counts, definitions));
  if ((counts.get(text) ?? 0) < 2 || text.length < SHARED_MIN_LENGTH) return copy;
  const name = `s${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
  definitions[name] = copy;
  return { $ref: `shared#/definitions/${name}` };
}

function generate(family: string, files: readonly string[]): void {
  const out = join(root, 'imports', `${family}-validators`);
  const { title, article } = FAMILIES[family];
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, code: { source: true, lines: true } });
  addFormats(ajv);
  for (const keyword of ANNOTATIONS) ajv.addKeyword({ keyword });

  const kinds: { kind: string; apiVersion: string; clusterScoped: boolean }[] = [];
  const schemas: { kind: string; schema: unknown }[] = [];
  for (const file of files) {
    const crd = parse(readFileSync(file, 'utf8')) as Crd;
    if (crd.kind !== 'CustomResourceDefinition') throw new Error(`${file} is not a CustomResourceDefinition`);
    const version = crd.spec.versions.find((v) => v.storage) ?? crd.spec.versions[0];
    const kind = crd.spec.names.kind;
    schemas.push({ kind, schema: normalize(version.schema.openAPIV3Schema) });
    kinds.push({ kind, apiVersion: `${crd.spec.group}/${version.name}`, clusterScoped: crd.spec.scope === 'Cluster' });
  }
  const counts = occurrences(schemas.map((s) => s.schema));
  const definitions: Record<string, unknown> = {};
  for (const { kind, schema } of schemas) ajv.addSchema({ $id: kind, ...(share(schema, counts, definitions) as Schema) });
  ajv.addSchema({ $id: 'shared', definitions });
  kinds.sort((a, b) => a.kind.localeCompare(b.kind));

  const header = `// generated by scripts/gen-validators.ts (npm run import) from the CRDs in cdk8s.yaml; do not edit\n`;
  const code = standaloneCode(ajv, Object.fromEntries(kinds.map(({ kind }) => [kind, kind])));
  const table = `exports.KINDS = ${JSON.stringify(kinds, null, 2)};\n`;
  writeFileSync(`${out}.js`, `${header}${code}\n${table}`);

  const kindType = `${title.replace(/\s/g, '')}Kind`;
  const declarations = [
    header,
    `import type { ValidateFunction } from 'ajv';`,
    '',
    `/** ${article} ${title} kind this module validates, with the scope its CRD declares. */`,
    `export interface ${kindType} { readonly kind: string; readonly apiVersion: string; readonly clusterScoped: boolean }`,
    '',
    `export declare const KINDS: readonly ${kindType}[];`,
    ...kinds.map(
      ({ kind, apiVersion }) =>
        `/** Validates a \`${apiVersion}\` ${kind} against its CRD's openAPIV3Schema. */\nexport declare const ${kind}: ValidateFunction;`,
    ),
    '',
  ].join('\n');
  writeFileSync(`${out}.d.ts`, declarations);
  process.stdout.write(
    `gen-validators: wrote ${kinds.length} validators (${Object.keys(definitions).length} shared definitions) to ${relative(root, out)}.js: ${kinds.map((k) => k.kind).join(', ')}\n`,
  );
}

for (const [family, files] of crdFiles()) generate(family, files);
