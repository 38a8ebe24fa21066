/**
 * No circle of imports between the files of lib/, type-only imports and re-exports included
 * (test/boundaries.test.ts checks the folders; a circle inside a folder is as hard to read: no
 * file of it can be understood, or tested, without the others). The imports are read by the
 * TypeScript compiler's own pre-processor (`ts.preProcessFile`), which lists `import`, `import
 * type`, `export ... from` and `require`.
 *
 * It turned red on the circles it was written against (lib/verify's words.ts with kubernetes.ts,
 * calico.ts and admin-tiers.ts through describePorts; lib/intent/types.ts with destinations/;
 * lib/intent's clusters.ts with cluster-checks.ts), and again on `import type { EGRESS_NOTE } from
 * './words'` added to lib/verify/ports.ts and on `export type { EgressDestination } from './types'`
 * added to lib/intent/values.ts.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..');
const LIB = join(ROOT, 'lib');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The file a relative import names: `x.ts`, or `x/index.ts`; undefined for a module outside lib/'s TypeScript (JSON, a package). */
function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  return [`${base}.ts`, join(base, 'index.ts')].find((f) => existsSync(f));
}

/** Each file of lib/ (tests aside) and the files of lib/ it imports, in any form. */
export function importGraph(files: readonly string[], read: (file: string) => string = (f) => readFileSync(f, 'utf8')): Map<string, string[]> {
  return new Map(
    files.map((file) => {
      const { importedFiles } = ts.preProcessFile(read(file), true, true);
      const targets = importedFiles.flatMap((i) => resolveImport(file, i.fileName) ?? []).filter((t) => files.includes(t));
      return [file, [...new Set(targets)]];
    }),
  );
}

/** The circles of a graph: each strongly connected set of two or more files, or a file that imports itself (Tarjan's algorithm). */
export function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const set: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        set.push(w);
      } while (w !== v);
      if (set.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(set.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('the files of lib/', () => {
  it('import each other without a circle, type-only imports and re-exports included', () => {
    const found = circles(importGraph(tsFiles(LIB))).map((set) => set.map((f) => relative(ROOT, f)));
    expect(found).toEqual([]);
  });

  it('are found in a circle by an import type, an export from, and a require, as by an import', () => {
    const files = ['a', 'b', 'c', 'd', 'e'].map((n) => join(LIB, 'x', `${n}.ts`));
    const text: Record<string, string> = {
      a: "import type { B } from './b';",
      b: "export { a } from './a';",
      c: "const d = require('./d');",
      d: "import { c } from './c';\nimport { e } from './e';",
      e: "import { x } from 'typescript';",
    };
    const graph = new Map(
      files.map((f) => {
        const { importedFiles } = ts.preProcessFile(text[f.slice(-4, -3)], true, true);
        return [f, importedFiles.map((i) => join(LIB, 'x', `${i.fileName.slice(2)}.ts`)).filter((t) => files.includes(t))];
      }),
    );
    expect(circles(graph).map((set) => set.map((f) => relative(LIB, f)))).toEqual([
      ['x/a.ts', 'x/b.ts'],
      ['x/c.ts', 'x/d.ts'],
    ]);
  });
});
