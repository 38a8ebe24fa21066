import { Yaml } from 'cdk8s';

/**
 * Writes documents exactly as cdk8s's `Yaml.stringify` does (the `yaml` library, YAML 1.1, block
 * style, no line folding), in a fraction of its time.
 *
 * Manifests are plain JSON data: maps, lists, strings, whole numbers, booleans and null. This
 * writes those directly. How a string is written (plain or quoted) is decided by the `yaml`
 * library itself, never guessed here (YAML 1.1 quotes more than it seems: `e0`, `y`, `0o7`), once
 * per distinct string, place (key, value, list item) and column. The column matters: a key `---`
 * or `...` at column 0 would read as the end of a document, so the library quotes it there and
 * writes it plain further in. So the library is shown each string at the same place and
 * indentation as in the document being written; the strings a call has not seen yet are shown in
 * one sample per place and column. A multi-line string as the value of a key (a block scalar, such
 * as the policies' reason annotations) is sampled the same way and written as the lines the
 * library wrote for it. Any document with something else in it (a multi-line key or list item, a
 * multi-line value that ends in a line break, a list of lists, an empty collection in a list, an
 * object that appears twice and would become an anchor, a fraction) is left to `Yaml.stringify`
 * whole.
 */
export function stringifyDocuments(docs: readonly unknown[], limit: number = WRITTEN_LIMIT): string {
  // Between calls, never within one: a document whose strings were all known is not written again.
  if (writtenCount > limit) forgetWritten();
  const writers = docs.map((doc) => (doc === undefined ? undefined : write(doc)));
  const unknown = writers.flatMap((w) => (w instanceof Writer ? w.unknown : []));
  if (unknown.length > 0) learn(unknown);
  return docs
    .map((doc, i) => {
      if (doc === undefined) return '\n';
      let writer = writers[i];
      if (writer instanceof Writer && writer.unknown.length > 0) writer = write(doc);
      return writer instanceof Writer && writer.unknown.length === 0 ? `${writer.lines.join('\n')}\n` : Yaml.stringify(doc);
    })
    .join('---\n');
}

type Place = 'key' | 'value' | 'item';

/** A string met at a place and column whose writing is not known yet. */
interface Unknown {
  readonly place: Place;
  readonly column: number;
  readonly text: string;
}

/** Thrown when a document holds something written here differently than by `Yaml.stringify`. */
class NotPlainData extends Error {}

/** How each string is written, by place and column; `null` where it is not plain data (a block scalar, an explicit key). */
const written: Record<Place, Map<number, Map<string, string | null>>> = { key: new Map(), value: new Map(), item: new Map() };
/** How many strings `written` holds. */
let writtenCount = 0;

/**
 * Past this many strings (`stringifyDocuments`' `limit`, which its tests lower), `written` starts again empty (the next call learns what it meets, in one
 * sample per place and column). Most strings are met in one chart only (an app's name, its
 * blocks): kept, they would be held to the end of the process, about 25,000 of them and 10 MB of
 * heap per 1,000 apps, and every full collection of a synthesis would mark them again.
 */
export const WRITTEN_LIMIT = 50_000;

/** How many strings it has learnt and holds now (for its tests). */
export function rememberedStrings(): number {
  return writtenCount;
}

function forgetWritten(): void {
  for (const byColumn of Object.values(written)) byColumn.clear();
  writtenCount = 0;
}

function writtenAt(place: Place, column: number): Map<string, string | null> {
  let cache = written[place].get(column);
  if (!cache) written[place].set(column, (cache = new Map<string, string | null>()));
  return cache;
}

/**
 * Asks the `yaml` library how it writes these strings at these places and columns. The library
 * sees where a scalar is nested only through its context's indentation, which grows by two
 * spaces per map and per list: a key or value at column c, or a list item whose dash is at
 * column c, is sampled under as many maps as put it at that same column, as one line of its own.
 */
function learn(unknown: readonly Unknown[]): void {
  const groups = new Map<string, { place: Place; column: number; texts: Set<string> }>();
  for (const u of unknown) {
    const key = `${u.place} ${u.column}`;
    const group = groups.get(key) ?? { place: u.place, column: u.column, texts: new Set<string>() };
    group.texts.add(u.text);
    groups.set(key, group);
  }
  for (const { place, column, texts } of groups.values()) {
    const cache = writtenAt(place, column);
    const all = [...texts];
    const batch = all.filter((t) => !t.includes('\n'));
    const learnt = batch.length > 0 ? sample(place, column, batch) : undefined;
    // A string on several lines, as a value, takes several lines of the sample; as a key or list
    // item, or ending in a line break (kept by a `|+` block, which changes how the document
    // ends when it comes last), it is left to the library.
    const blocks = place === 'value' ? all.filter((t) => t.includes('\n') && !t.endsWith('\n')) : [];
    const learntBlocks = blocks.length > 0 ? sampleValues(column, blocks) : undefined;
    writtenCount += all.length;
    for (const text of all) {
      const single = text.includes('\n') ? undefined : (learnt?.get(text) ?? sample(place, column, [text])?.get(text));
      cache.set(text, single ?? learntBlocks?.get(text) ?? (blocks.includes(text) ? sampleValues(column, [text])?.get(text) : undefined) ?? null);
    }
  }
}

/**
 * Writes `texts`, some of them on several lines, as the values `v0`, `v1`... of one map at
 * `column`, followed by a last key, and reads back how each was written: everything from after
 * `v<i>: ` to the line before the next key, as one text with its line breaks (the lines of a block
 * scalar are indented deeper than the keys, or empty). Undefined when the output is not so.
 */
function sampleValues(column: number, texts: readonly string[]): Map<string, string> | undefined {
  const pad = ' '.repeat(column);
  const map: Record<string, string | number> = {};
  texts.forEach((t, i) => (map[`v${i}`] = t));
  map.z = 0;
  let doc: unknown = map;
  for (let i = 0; i < column / 2; i++) doc = { a: doc };
  const lines = Yaml.stringify(doc).split('\n');
  if (lines[lines.length - 1] !== '' || lines[lines.length - 2] !== `${pad}z: 0`) return undefined;
  const starts: number[] = [];
  for (let i = column / 2; i < lines.length - 2; i++) {
    const line = lines[i];
    if (line.length > column && line[column] !== ' ') starts.push(i);
  }
  if (starts.length !== texts.length) return undefined;
  const out = new Map<string, string>();
  for (let i = 0; i < texts.length; i++) {
    const start = `${pad}v${i}: `;
    const end = i + 1 < starts.length ? starts[i + 1] : lines.length - 2;
    if (!lines[starts[i]].startsWith(start)) return undefined;
    out.set(texts[i], [lines[starts[i]].slice(start.length), ...lines.slice(starts[i] + 1, end)].join('\n'));
  }
  return out;
}

/**
 * Writes `texts` at `place` and `column` with `Yaml.stringify`, and reads back how each was
 * written; undefined when the output is not one line per string (a block scalar, or a key over
 * 1024 characters written as an explicit `? ` key).
 */
function sample(place: Place, column: number, texts: readonly string[]): Map<string, string> | undefined {
  const pad = ' '.repeat(column);
  let doc: unknown;
  let order: readonly string[];
  let levels = column / 2;
  let prefix = pad;
  let suffix = '';
  if (place === 'key') {
    const map: Record<string, number> = {};
    for (const t of texts) Object.defineProperty(map, t, { value: 1, enumerable: true, writable: true, configurable: true });
    // Integer-like keys come first in a JavaScript object, and so in the output.
    [doc, order, suffix] = [map, Object.keys(map), ': 1'];
  } else if (place === 'value') {
    const map: Record<string, string> = {};
    texts.forEach((t, i) => (map[`v${i}`] = t));
    doc = map;
    order = texts;
  } else {
    [doc, order, levels, prefix] = [{ a: [...texts] }, texts, column / 2 - 1, `${pad}- `];
  }
  for (let i = 0; i < levels; i++) doc = { a: doc };
  const lines = Yaml.stringify(doc).split('\n');
  const head = lines.length - 1 - order.length;
  if (head !== column / 2 || lines[lines.length - 1] !== '') return undefined;
  const out = new Map<string, string>();
  for (let i = 0; i < order.length; i++) {
    const line = lines[head + i];
    const start = place === 'value' ? `${pad}v${i}: ` : prefix;
    if (!line.startsWith(start) || !line.endsWith(suffix)) return undefined;
    out.set(order[i], line.slice(start.length, line.length - suffix.length));
  }
  return out;
}

function isMap(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The lines of one document or, when `NotPlainData` stopped it, undefined. */
function write(doc: unknown): Writer | undefined {
  if (!isMap(doc) || Object.keys(doc).length === 0) return undefined;
  const writer = new Writer();
  try {
    writer.map(doc, '');
    return writer;
  } catch (err) {
    if (err instanceof NotPlainData) return undefined;
    throw err;
  }
}

/** Writes one document; while `unknown` is not empty, `lines` has blanks where those strings go. */
class Writer {
  readonly lines: string[] = [];
  readonly unknown: Unknown[] = [];
  private readonly seen = new Set<object>();

  /** Maps and lists must each appear once: `yaml` writes a repeated one as an anchor and alias. */
  private once(value: object): void {
    if (this.seen.has(value)) throw new NotPlainData();
    this.seen.add(value);
  }

  private scalar(value: unknown, place: Place, column: number): string {
    if (typeof value === 'string') {
      const text = writtenAt(place, column).get(value);
      if (text === null) throw new NotPlainData();
      if (text === undefined) this.unknown.push({ place, column, text: value });
      return text ?? '';
    }
    if (place === 'key') throw new NotPlainData();
    if (value === null) return 'null';
    if (typeof value === 'boolean') return String(value);
    if (typeof value === 'number' && Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
    throw new NotPlainData();
  }

  map(value: Record<string, unknown>, pad: string): void {
    this.once(value);
    for (const [key, v] of Object.entries(value)) {
      const head = `${pad}${this.scalar(key, 'key', pad.length)}:`;
      if (Array.isArray(v)) {
        if (v.length === 0) this.lines.push(`${head} []`);
        else {
          this.lines.push(head);
          this.list(v, `${pad}  `);
        }
      } else if (isMap(v)) {
        if (Object.keys(v).length === 0) {
          this.once(v);
          this.lines.push(`${head} {}`);
        } else {
          this.lines.push(head);
          this.map(v, `${pad}  `);
        }
      } else {
        this.lines.push(`${head} ${this.scalar(v, 'value', pad.length)}`);
      }
    }
  }

  list(value: readonly unknown[], pad: string): void {
    this.once(value);
    for (const item of value) {
      if (isMap(item) && Object.keys(item).length > 0) {
        const first = this.lines.length;
        this.map(item, `${pad}  `);
        this.lines[first] = `${pad}- ${this.lines[first].slice(pad.length + 2)}`;
      } else if (Array.isArray(item) || isMap(item) || item === undefined) {
        throw new NotPlainData();
      } else {
        this.lines.push(`${pad}- ${this.scalar(item, 'item', pad.length)}`);
      }
    }
  }
}
