/**
 * Reading the fields of one JSON record, with the field's path in every complaint. Fields a record
 * has beyond those read are ignored (a newer Calico may add some); a field read but of the wrong
 * type makes the record malformed.
 */

/** Why a record cannot be read, at which field. */
export class RecordError extends Error {}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Fails the record: `dest_port: "eighty" is not an integer`. */
export function fail(path: string, value: unknown, expected: string): never {
  throw new RecordError(`${path}: ${show(value)} is not ${expected}`);
}

/**
 * A field by its names: protobuf's JSON mapping writes `source_name` as `sourceName` and readers
 * accept both (https://protobuf.dev/programming-guides/json/), so both are tried, the first
 * present wins. Null counts as absent, as in protobuf JSON.
 */
export function get(object: Json, ...names: readonly string[]): unknown {
  for (const n of names) if (object[n] !== undefined && object[n] !== null) return object[n];
  return undefined;
}

/** `source_name` as protobuf JSON names it: `sourceName`. */
export function camel(protoName: string): string {
  return protoName.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A proto field by its proto name, under either JSON name. */
export function field(object: Json, protoName: string): unknown {
  const json = camel(protoName);
  return json === protoName ? get(object, protoName) : get(object, json, protoName);
}

export function text(value: unknown, path: string, fallback = ''): string {
  if (value === undefined) return fallback;
  return typeof value === 'string' ? value : fail(path, value, 'a string');
}

/** An int64: protobuf JSON writes it as a string of digits, and accepts a number too. */
export function integer(value: unknown, path: string, fallback = 0): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^-?[0-9]+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : fail(path, value, 'an integer');
}

/** An enum, by its name or (protobuf JSON) its number; `undefined` reads as its zero value, which none of the accepted values is. */
export function enumValue<T extends string>(value: unknown, path: string, byNumber: Readonly<Record<number, T>>, what: string): T {
  const known = Object.values(byNumber);
  if (typeof value === 'string' && (known as string[]).includes(value)) return value as T;
  if (typeof value === 'number' && byNumber[value] !== undefined) return byNumber[value];
  if (value === undefined) throw new RecordError(`${path} is missing (unspecified); accepted: ${known.join(', ')}`);
  return fail(path, value, `${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what} (${known.join(', ')})`);
}

export function list(value: unknown, path: string): readonly unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : fail(path, value, 'a list');
}

export function object(value: unknown, path: string): Json {
  return isObject(value) ? value : fail(path, value, 'an object');
}

/** `k=v` strings as Felix writes labels (FlattenLabels), into a record; an entry without `=` is a label with an empty value. */
export function labelPairs(pairs: readonly unknown[], path: string): Record<string, string> {
  const out: Record<string, string> = {};
  pairs.forEach((p, i) => {
    const pair = text(p, `${path}[${i}]`);
    const at = pair.indexOf('=');
    if (pair.trim() === '') return;
    if (at < 0) out[pair.trim()] = '';
    else out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  });
  return out;
}

/** Goldmane writes `-` (Felix's FieldNotIncluded) for "no namespace"; its API comments say empty. Both read as none. */
export function namespaceOf(value: string): string | undefined {
  return value === '' || value === '-' ? undefined : value;
}
