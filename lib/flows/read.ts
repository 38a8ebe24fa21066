/**
 * A flow log as a user saves it, from a file or stdin, in any of the forms Calico's two APIs give:
 *
 * - Whisker's `GET /flows`: one JSON document `{"total": {"totalPages": N}, "items": [FlowResponse...]}`
 *   (lib/httpmachinery `apiutil.List`, response.go at v3.32.1);
 * - Whisker's `GET /flows?watch=true`: a server-sent event stream, `data: {FlowResponse}` and a
 *   blank line per flow (eventstream.go, `writeData`), `error: ...` when the stream failed;
 * - Goldmane's `Flows/List` through grpcurl: `{"meta": {...}, "flows": [{"id": ..., "flow": {Flow}}]}`;
 *   its `Flows/Stream`: one FlowResult after another, each an indented JSON object;
 * - one JSON value per line (a Flow, FlowResult or FlowResponse each), or a JSON array of them.
 *
 * Nothing is refused as a whole: each record is read on its own, and one that cannot be read is
 * counted with the line it starts on and why; the rest are read.
 */

import { visit } from 'jsonc-parser';
import { isObject, RecordError } from './fields';
import { isGoldmaneFlow, isWhiskerFlow, readGoldmaneFlow, readWhiskerFlow } from './formats';
import { FlowLog, FlowRecord, MalformedRecord } from './record';

/** A JSON value of the file, with the line (from 1) it starts on and its text. */
interface Chunk {
  readonly line: number;
  readonly text: string;
}

/** Where a JSON value that spans lines ends: the index of the line whose end closes it, or -1. Strings and escapes are respected. */
function closingLine(lines: readonly string[], from: number): number {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = from; i < lines.length; i++) {
    for (const ch of lines[i]) {
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === '\\') escaped = true;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') depth--;
    }
    if (depth <= 0 && !inString) return i;
  }
  return -1;
}

function parse(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { error: `not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
}

/**
 * Splits the text into JSON values. A line that parses alone is one value (NDJSON); a value that
 * does not is read across lines until its brackets close (grpcurl's indented output), and counted
 * as one malformed record when that text is not JSON. A line whose brackets never close is counted
 * alone and reading goes on at the next line, so one truncated line never hides the records after
 * it.
 */
function chunks(text: string, malformed: MalformedRecord[]): Chunk[] {
  const lines = text.split(/\r?\n/);
  const out: Chunk[] = [];
  let i = 0;
  while (i < lines.length) {
    const trimmed = lines[i].trim();
    const line = i + 1;
    if (trimmed === '' || trimmed.startsWith(':') || /^(event|id|retry):/.test(trimmed)) {
      i++;
      continue;
    }
    if (trimmed.startsWith('data:')) {
      // One server-sent event: its data lines, joined by newlines (the SSE rule).
      const data: string[] = [];
      while (i < lines.length && lines[i].trim().startsWith('data:')) data.push(lines[i++].trim().slice(5).replace(/^ /, ''));
      out.push({ line, text: data.join('\n') });
      continue;
    }
    if (trimmed.startsWith('error:')) {
      malformed.push({ line, reason: `the stream reported an error: ${trimmed.slice(6).trim()}` });
      i++;
      continue;
    }
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      if ('value' in parse(trimmed)) {
        out.push({ line, text: trimmed });
        i++;
        continue;
      }
      const end = closingLine(lines, i);
      if (end > i) {
        const joined = lines.slice(i, end + 1).join('\n');
        const parsed = parse(joined);
        if ('value' in parsed) out.push({ line, text: joined });
        else malformed.push({ line, reason: `lines ${line}-${end + 1}: ${parsed.error}` });
        i = end + 1;
        continue;
      }
    }
    // Any other JSON value is read, and refused as a record; anything else is not JSON.
    const parsed = parse(trimmed);
    if ('error' in parsed) malformed.push({ line, reason: parsed.error });
    else out.push({ line, text: trimmed });
    i++;
  }
  return out;
}

/** The lines (from 1) on which each element of the arrays at these paths starts, e.g. `items` of a Whisker list. */
function elementLines(text: string, firstLine: number): Map<string, number[]> {
  const found = new Map<string, number[]>();
  const note = (path: (string | number)[], startLine: number): void => {
    const index = path[path.length - 1];
    if (typeof index !== 'number') return;
    const key = path.slice(0, -1).join('.');
    const list = found.get(key) ?? [];
    list[index] = firstLine + startLine;
    found.set(key, list);
  };
  visit(text, {
    onObjectBegin: (_o, _l, startLine, _c, path) => note(path(), startLine),
    onArrayBegin: (_o, _l, startLine, _c, path) => note(path(), startLine),
    onLiteralValue: (_v, _o, _l, startLine, _c, path) => note(path(), startLine),
  });
  return found;
}

/** One value that should be a flow: a Flow, a FlowResult holding one, or a FlowResponse. `at` is its path in the JSON value (empty for the value itself). */
function record(value: unknown, line: number, at: string): FlowRecord {
  const inside = (name: string): string => (at ? `${at}.${name}` : name);
  if (!isObject(value)) throw new RecordError(`${at || 'the record'} is not an object`);
  if (isGoldmaneFlow(value)) return readGoldmaneFlow(value, line, at);
  if (isObject(value.flow) && isGoldmaneFlow(value.flow)) return readGoldmaneFlow(value.flow, line, inside('flow'));
  if (isWhiskerFlow(value)) return readWhiskerFlow(value, line, at);
  throw new RecordError(
    `${at || 'the record'} is not a flow record; accepted: a Goldmane Flow (with Key), a FlowResult (with flow), a Whisker FlowResponse (with source_name and dest_name), or a list of them`,
  );
}

/** Reads every record of one JSON value of the file: a record, or a list of them in one of the envelopes above. */
function readValue(value: unknown, chunk: Chunk, records: FlowRecord[], malformed: MalformedRecord[]): void {
  const one = (v: unknown, line: number, at: string): void => {
    try {
      records.push(record(v, line, at));
    } catch (e) {
      if (!(e instanceof RecordError)) throw e;
      malformed.push({ line, reason: e.message });
    }
  };
  let list: { readonly key: string; readonly items: readonly unknown[] } | undefined;
  if (Array.isArray(value)) list = { key: '', items: value };
  // An empty answer: Whisker writes a Go nil slice as `"items": null`, protobuf JSON leaves an empty `flows` out.
  else if (isObject(value) && (Array.isArray(value.items) || ('total' in value && (value.items ?? null) === null)))
    list = { key: 'items', items: Array.isArray(value.items) ? value.items : [] };
  else if (isObject(value) && (Array.isArray(value.flows) || ('meta' in value && value.flows === undefined)))
    list = { key: 'flows', items: Array.isArray(value.flows) ? value.flows : [] };
  if (isObject(value) && typeof value.error === 'string' && !list) {
    malformed.push({ line: chunk.line, reason: `the server answered with an error: ${value.error}` });
    return;
  }
  if (!list) {
    one(value, chunk.line, '');
    return;
  }
  const lines = chunk.text.includes('\n') ? elementLines(chunk.text, chunk.line).get(list.key) : undefined;
  const { key, items } = list;
  items.forEach((item, i) => one(item, lines?.[i] ?? chunk.line, `${key || 'list'}[${i}]`));
}

/** Reads a flow log: every record that can be read, and each one that cannot with its line and why. Never throws on its input. */
export function readFlowLog(text: string): FlowLog {
  const malformed: MalformedRecord[] = [];
  const records: FlowRecord[] = [];
  for (const chunk of chunks(text, malformed)) {
    const parsed = parse(chunk.text);
    if ('error' in parsed) malformed.push({ line: chunk.line, reason: parsed.error });
    else readValue(parsed.value, chunk, records, malformed);
  }
  malformed.sort((a, b) => a.line - b.line);
  return { records, malformed };
}
