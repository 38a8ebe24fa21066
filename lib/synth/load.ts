import { isAbsolute, relative, resolve } from 'path';

/** The intent a file exports, or one line saying why it could not be had. */
export type LoadedIntent = { readonly ok: true; readonly intent: unknown } | { readonly ok: false; readonly message: string };

/**
 * Loads the `intent` that a TypeScript file (main.ts) exports, in a process run through tsx.
 * Whatever goes wrong becomes one line, `file:line:column: message`, instead of the stack trace
 * of esbuild or Node: a syntax error, an error thrown while the file runs (a name that does not
 * exist, a module that cannot be found), or no `intent` exported. Paths are relative to `root`.
 */
export function loadIntent(file: string, root: string = process.cwd()): LoadedIntent {
  const path = resolve(root, file);
  let exported: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the file is the user's, named only at run time; require runs it (through tsx, which runs this process) synchronously, so whatever it throws is caught here.
    exported = require(path) as Record<string, unknown>;
  } catch (err) {
    return { ok: false, message: describeLoadError(err, path, root) };
  }
  if (!('intent' in exported)) {
    return { ok: false, message: `${shown(path, root)}: exports no intent; accepted: export const intent: PlatformIntent = { apps: [...] }` };
  }
  return { ok: true, intent: exported.intent };
}

function shown(path: string, root: string): string {
  const rel = relative(root, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/**
 * One line for an error thrown while loading `file`. esbuild (through tsx) reports syntax errors
 * as `file:line:column: ERROR: text` with a column counted from 0; Node's stack frames count
 * columns from 1, as editors do, so the syntax error's column is moved up by one.
 */
function describeLoadError(err: unknown, file: string, root: string): string {
  const error = err instanceof Error ? err : new Error(String(err));
  const syntax = /^(.+?):(\d+):(\d+): ERROR: (.*)$/m.exec(error.message);
  if (syntax) return `${shown(resolve(root, syntax[1]), root)}:${syntax[2]}:${Number(syntax[3]) + 1}: ${syntax[4]}`;
  const frames = [...(error.stack ?? '').matchAll(/\(?((?:\/|[A-Za-z]:\\)[^():]+):(\d+):(\d+)\)?$/gm)].map((m) => ({ path: m[1], line: m[2], column: m[3] }));
  const inProject = (p: string) => p.startsWith(root) && !p.includes('node_modules');
  const at = frames.find((f) => f.path === file) ?? frames.find((f) => inProject(f.path));
  const where = at ? `${shown(at.path, root)}:${at.line}:${at.column}` : shown(file, root);
  const what = error.message.split('\n')[0];
  return `${where}: ${error.name === 'Error' ? what : `${error.name}: ${what}`}`;
}
