import { Yaml } from 'cdk8s';

/**
 * Writes documents exactly as cdk8s's `Yaml.stringify` does (the `yaml` library, YAML 1.1, block
 * style, no line folding), in a fraction of its time.
 *
 * Manifests are plain JSON data: maps, lists, strings, whole numbers, booleans and null. This
 * writes those directly. How a string is written (plain or quoted) is decided once per distinct
 * string and place (key, value, list item) by the `yaml` library itself, never guessed here
 * (YAML 1.1 quotes more than it seems: `e0`, `y`, `0o7`). Any document with something else in it
 * (a multi-line string, a list of lists, an empty collection in a list, an object that appears
 * twice and would become an anchor, a fraction) is left to `Yaml.stringify` whole.
 */
export function stringifyDocuments(docs: readonly unknown[]): string {
  return docs.map((doc) => (doc === undefined ? '\n' : stringifyDocument(doc))).join('---\n');
}

type Place = 'key' | 'value' | 'item';

/** Thrown when a document holds something written here differently than by `Yaml.stringify`. */
class NotPlainData extends Error {}

const SAMPLES: Record<Place, { wrap: (s: string) => unknown; pattern: RegExp }> = {
  key: { wrap: (s) => ({ [s]: 1 }), pattern: /^(.*): 1\n$/ },
  value: { wrap: (s) => ({ a: s }), pattern: /^a: (.*)\n$/ },
  item: { wrap: (s) => [s], pattern: /^- (.*)\n$/ },
};

const written: Record<Place, Map<string, string>> = { key: new Map(), value: new Map(), item: new Map() };

function scalar(value: unknown, place: Place): string {
  if (typeof value === 'string') {
    const cache = written[place];
    let text = cache.get(value);
    if (text === undefined) {
      const match = SAMPLES[place].pattern.exec(Yaml.stringify(SAMPLES[place].wrap(value)));
      // A string on more than one line becomes a block scalar whose layout depends on indentation.
      if (!match || match[1].includes('\n')) throw new NotPlainData();
      text = match[1];
      cache.set(value, text);
    }
    return text;
  }
  if (place === 'key') throw new NotPlainData();
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
  throw new NotPlainData();
}

function isMap(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

class Writer {
  readonly lines: string[] = [];
  private readonly seen = new Set<object>();

  /** Maps and lists must each appear once: `yaml` writes a repeated one as an anchor and alias. */
  private once(value: object): void {
    if (this.seen.has(value)) throw new NotPlainData();
    this.seen.add(value);
  }

  map(value: Record<string, unknown>, pad: string): void {
    this.once(value);
    for (const [key, v] of Object.entries(value)) {
      const head = `${pad}${scalar(key, 'key')}:`;
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
        this.lines.push(`${head} ${scalar(v, 'value')}`);
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
        this.lines.push(`${pad}- ${scalar(item, 'item')}`);
      }
    }
  }
}

function stringifyDocument(doc: unknown): string {
  if (!isMap(doc) || Object.keys(doc).length === 0) return Yaml.stringify(doc);
  try {
    const writer = new Writer();
    writer.map(doc, '');
    return `${writer.lines.join('\n')}\n`;
  } catch (err) {
    if (err instanceof NotPlainData) return Yaml.stringify(doc);
    throw err;
  }
}
