import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { parseAllDocuments } from 'yaml';

/** A syntax error: which document (from 1), where, and why. */
export interface YamlSyntaxError {
  readonly document: number;
  readonly line?: number;
  readonly column?: number;
  readonly reason: string;
}

/**
 * Parses every document of a multi-document YAML text as plain data (YAML 1.2 core schema:
 * no timestamps, no merge keys). js-yaml reads ten times faster than `yaml`, which matters at a
 * thousand workloads; when the text is invalid, `yaml` reads it again for a precise message that
 * names the document. Empty documents come back as null.
 */
export function parseYamlDocuments(text: string): { docs: unknown[] } | { error: YamlSyntaxError } {
  try {
    return { docs: loadAll(text, undefined, { schema: CORE_SCHEMA }) };
  } catch {
    const docs = parseAllDocuments(text);
    const index = docs.findIndex((d) => d.errors.length > 0);
    const error = docs[index]?.errors[0];
    if (!error) return { error: { document: Math.max(index, 0) + 1, reason: 'invalid YAML' } };
    const at = error.linePos?.[0];
    return { error: { document: index + 1, line: at?.line, column: at?.col, reason: error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '') } };
  }
}
