/**
 * The folders of lib/ and what each may import, as ARCHITECTURE.md states them: its table of
 * folders is read here and compared with the import statements of the code, so the note and the
 * code cannot drift apart. Besides the table: every folder is entered from outside through its
 * index only, the folders import each other without a cycle, and the verifier stays independent
 * of everything that writes manifests.
 *
 * Each of these turned it red: lib/platform importing '../conventions/index'; lib/intent/advice.ts
 * importing RUN_AS from '../platform' (the circle conventions once made); a type of lib/intent
 * imported into lib/conventions; lib/intent's row in the table without lib/net; a folder lib/extra
 * with no row.
 *
 * Where tests live (ARCHITECTURE.md, Tests) is checked below as well. Each of these turned it red:
 * test/validate.test.ts, which imports lib/validate alone; test/reach.test.ts beside
 * lib/verify/reach.test.ts; main.test.ts importing from test/support; a dnsProblems function in
 * test/support.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative, resolve, sep } from 'path';

const ROOT = join(__dirname, '..');
const LIB = join(ROOT, 'lib');

/** Every .ts file under a folder, recursively. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    return statSync(path).isDirectory() ? tsFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

const isTest = (file: string) => file.endsWith('.test.ts');

/**
 * The modules a file imports, re-exports or requires, as written: the relative ones, or with
 * `bare` the packages too; with `values`, only those it takes values from (`import type` left out).
 */
function specifiers(file: string, { bare = false, values = false } = {}): string[] {
  const text = values ? readFileSync(file, 'utf8').replace(/^\s*(?:import|export)\s+type\b[^;]*;/gms, '') : readFileSync(file, 'utf8');
  const from = bare ? `([^']*)` : `(\\.[^']*)`;
  const patterns = [
    new RegExp(`^\\s*(?:import|export)[^;]*?\\bfrom\\s+'${from}';`, 'gms'),
    new RegExp(`^\\s*import\\s+'${from}';`, 'gm'),
    new RegExp(`\\b(?:require|import)\\(\\s*'${from}'\\s*\\)`, 'g'),
  ];
  return patterns.flatMap((p) => [...text.matchAll(p)].map((m) => m[1]));
}

/** Where an import leads: a folder of lib/ and the path inside it, or a top-level folder of the project. */
function target(file: string, specifier: string): { folder: string; inside: string } | { top: string } {
  const path = relative(ROOT, resolve(dirname(file), specifier)).split(sep);
  return path[0] === 'lib' ? { folder: path[1], inside: path.slice(2).join('/') } : { top: path[0] };
}

/** The folder of lib/ a file belongs to, if any. */
function folderOf(file: string): string | undefined {
  const path = relative(ROOT, file).split(sep);
  return path[0] === 'lib' && path.length > 2 ? path[1] : undefined;
}

const FOLDERS = readdirSync(LIB)
  .filter((name) => statSync(join(LIB, name)).isDirectory())
  .sort();

/** `lib/index.ts`: the one entry of the whole of lib/ for other cdk8s projects, in no folder. */
const ENTRY = join(LIB, 'index.ts');

/** What each folder's production code imports: other folders of lib/, and `imports/` (cdk8s import output). */
function actualImports(): Map<string, Set<string>> {
  const graph = new Map(FOLDERS.map((f) => [f, new Set<string>()]));
  for (const file of tsFiles(LIB).filter((f) => !isTest(f) && f !== ENTRY)) {
    const from = folderOf(file)!;
    for (const s of specifiers(file)) {
      const to = target(file, s);
      if ('folder' in to && to.folder !== from) graph.get(from)!.add(`lib/${to.folder}`);
      if ('top' in to) graph.get(from)!.add(`${to.top}/`);
    }
  }
  return graph;
}

/** The rows of ARCHITECTURE.md's table: `| \`lib/x/\` | what it is | \`lib/a\`, \`imports/\` |`. */
function documentedImports(): Map<string, string[]> {
  const rows = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8')
    .split('\n')
    .filter((line) => /^\| `lib\/[a-z0-9-]+\/` \|/.test(line));
  return new Map(
    rows.map((line) => {
      const cells = line.split('|').map((c) => c.trim());
      const folder = /`lib\/([a-z0-9-]+)\/`/.exec(cells[1])![1];
      return [folder, [...cells[3].matchAll(/`((?:lib\/[a-z0-9-]+)|(?:[a-z0-9-]+\/))`/g)].map((m) => m[1]).sort()];
    }),
  );
}

/** A cycle of the folder graph, as `a -> b -> a`, or undefined. */
function cycleIn(graph: ReadonlyMap<string, ReadonlySet<string>>): string | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node].join(' -> ');
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const found = visit(node);
    if (found) return found;
  }
  return undefined;
}

describe('folder boundaries', () => {
  const actual = actualImports();
  const documented = documentedImports();

  it('ARCHITECTURE.md has a row for every folder of lib/, and each folder has an index.ts', () => {
    expect([...documented.keys()].sort()).toEqual(FOLDERS);
    expect(FOLDERS.filter((f) => !readdirSync(join(LIB, f)).includes('index.ts'))).toEqual([]);
  });

  it.each(FOLDERS)('lib/%s imports exactly what ARCHITECTURE.md says it does', (folder) => {
    expect([...actual.get(folder)!].sort()).toEqual(documented.get(folder) ?? []);
  });

  it('no folder imports a folder that imports it, directly or around a circle', () => {
    const graph = new Map([...actual].map(([f, deps]) => [`lib/${f}`, new Set([...deps].filter((d) => d.startsWith('lib/')))]));
    expect(cycleIn(graph)).toBeUndefined();
  });

  // main.ts and main.test.ts are the platform team's: what they import is theirs to choose, and no test of the tool reads them.
  it('every folder of lib/ is entered through its index only: from other folders, scripts, bench and tests', () => {
    const files = [...tsFiles(LIB), ...['scripts', 'bench', 'test'].flatMap((d) => tsFiles(join(ROOT, d)))];
    const bypasses = files.flatMap((file) =>
      specifiers(file).flatMap((s) => {
        const to = target(file, s);
        return 'folder' in to && to.folder !== folderOf(file) && to.inside !== '' ? [`${relative(ROOT, file)}: '${s}'`] : [];
      }),
    );
    expect(bypasses).toEqual([]);
  });

  it('lib/index.ts, the entry of the whole of lib/, enters each folder through its index, and no folder imports it', () => {
    const entered = specifiers(ENTRY).map((s) => target(ENTRY, s));
    expect(entered.filter((t) => !('folder' in t) || !FOLDERS.includes(t.folder) || t.inside !== '')).toEqual([]);
    const importers = tsFiles(LIB).filter((f) => f !== ENTRY && specifiers(f).some((s) => resolve(dirname(f), s) === resolve(LIB, 'index')));
    expect(importers.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it("lib/testing, test code checked with jest's types, is imported by no other folder of lib/, nor by lib/index.ts", () => {
    const importers = [...actual].filter(([folder, deps]) => folder !== 'testing' && deps.has('lib/testing')).map(([folder]) => folder);
    expect(importers).toEqual([]);
    expect(
      specifiers(ENTRY)
        .map((s) => target(ENTRY, s))
        .filter((t) => 'folder' in t && t.folder === 'testing'),
    ).toEqual([]);
  });

  it('lib/net, lib/yaml, lib/flows, lib/quantity, lib/conventions, lib/k8s, lib/spelling and lib/squid are leaves: they import nothing of the project', () => {
    for (const leaf of ['net', 'yaml', 'flows', 'quantity', 'conventions', 'k8s', 'spelling', 'squid']) expect([...actual.get(leaf)!]).toEqual([]);
  });

  it('lib/cli, the command-line framework, imports nothing of the project but the leaf lib/spelling', () => {
    expect([...actual.get('cli')!]).toEqual(['lib/spelling']);
  });

  it('the verifier imports nothing of the project but the leaves lib/conventions, lib/flows, lib/k8s, lib/net, lib/squid and lib/yaml, and lib/cli: it reads YAML, flow logs and proxy configurations anyone wrote, never the intent or the renderers', () => {
    expect([...actual.get('verify')!].sort()).toEqual(['lib/cli', 'lib/conventions', 'lib/flows', 'lib/k8s', 'lib/net', 'lib/squid', 'lib/yaml']);
  });

  it('the review imports nothing of the project but lib/verify, lib/cli and the leaves lib/conventions, lib/k8s and lib/net', () => {
    expect([...actual.get('review')!].sort()).toEqual(['lib/cli', 'lib/conventions', 'lib/k8s', 'lib/net', 'lib/verify']);
  });
});

/** Every test file of the project: main.test.ts and the team's beside it, lib/, test/ and team/. */
function allTestFiles(): string[] {
  const roots = ['lib', 'test', 'team'].map((d) => join(ROOT, d)).filter((d) => existsSync(d));
  return [
    ...readdirSync(ROOT)
      .filter((f) => isTest(f))
      .map((f) => join(ROOT, f)),
    ...roots.flatMap(tsFiles).filter(isTest),
  ];
}

/** The packages whose use means a test starts a program of its own: a tool's process, or a browser. */
const TOOL_PACKAGES = ['child_process', 'playwright-core'];

/** The folders outside lib/ whose code is a tool the tests run: the npm scripts and the benchmark. */
const TOOL_FOLDERS = ['scripts/', 'bench/'];

/**
 * Whether a test runs a tool end to end: it starts a process or a browser, imports the scripts,
 * the benchmark, main.ts or lib/index.ts (the whole as another project takes it), directly or
 * through a helper of test/support.
 */
function runsATool(file: string, seen: Set<string> = new Set()): boolean {
  if (seen.has(file)) return false;
  seen.add(file);
  if (specifiers(file, { bare: true, values: true }).some((s) => TOOL_PACKAGES.includes(s))) return true;
  return specifiers(file, { values: true }).some((s) => {
    const path = resolve(dirname(file), s);
    const to = target(file, s);
    const module = [`${path}.ts`, join(path, 'index.ts')].find((f) => existsSync(f));
    if ('top' in to) return TOOL_FOLDERS.includes(to.top) || to.top === 'main' || (to.top === 'test' && module !== undefined && runsATool(module, seen));
    return to.folder === 'index' || to.folder === undefined;
  });
}

/** The folders of lib/ a test file takes values from itself (lib/testing, the test API, aside). */
function subjectsOf(file: string): string[] {
  const folders = specifiers(file, { values: true }).flatMap((s) => {
    const to = target(file, s);
    return 'folder' in to && to.folder !== 'testing' && FOLDERS.includes(to.folder) ? [`lib/${to.folder}`] : [];
  });
  return [...new Set(folders)].sort();
}

describe('where tests live (ARCHITECTURE.md, Tests)', () => {
  it('test/ holds no unit test of one folder: a test there that imports exactly one folder of lib/ and runs no tool belongs beside that folder', () => {
    const misplaced = tsFiles(join(ROOT, 'test'))
      .filter(isTest)
      .flatMap((file) => {
        const subjects = subjectsOf(file);
        return subjects.length === 1 && !runsATool(file) ? [`${relative(ROOT, file)} tests ${subjects[0]} alone: move it to ${subjects[0]}/`] : [];
      });
    expect(misplaced).toEqual([]);
  });

  it("main.test.ts, a team's test files and lib/testing's code import nothing of test/: what they need is lib/testing's API", () => {
    const team = allTestFiles().filter((f) => !relative(ROOT, f).startsWith(`lib${sep}`) && !relative(ROOT, f).startsWith(`test${sep}`));
    const files = [...team, ...tsFiles(join(LIB, 'testing')).filter((f) => !isTest(f))];
    expect(files.map((f) => relative(ROOT, f))).toContain('main.test.ts');
    const reaching = files.flatMap((file) =>
      specifiers(file).flatMap((s) => {
        const to = target(file, s);
        return 'top' in to && to.top === 'test' ? [`${relative(ROOT, file)}: '${s}'`] : [];
      }),
    );
    expect(reaching).toEqual([]);
  });

  it("the test helpers (lib/testing, test/support) define no function of lib/checks' own name: each rule is stated once, in lib/checks, and the tests ask it", () => {
    const functions = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^(?:export\s+)?(?:function\s+|const\s+)([A-Za-z]\w*)/gm)].map((m) => m[1]);
    const ofChecks = new Set(
      tsFiles(join(LIB, 'checks'))
        .filter((f) => !isTest(f))
        .flatMap(functions),
    );
    expect(ofChecks).toContain('blockProblems');
    const helpers = [...tsFiles(join(LIB, 'testing')), ...tsFiles(join(ROOT, 'test', 'support'))].filter((f) => !isTest(f));
    const twice = helpers.flatMap((file) =>
      functions(file)
        .filter((name) => ofChecks.has(name) && /Problems$/.test(name))
        .map((name) => `${relative(ROOT, file)}: ${name}`),
    );
    expect(twice).toEqual([]);
  });

  it('no two test files share a name, but unit tests named for the module beside them', () => {
    const byName = new Map<string, string[]>();
    for (const file of allTestFiles()) {
      const name = file.slice(dirname(file).length + 1);
      byName.set(name, [...(byName.get(name) ?? []), relative(ROOT, file)]);
    }
    const besideItsModule = (file: string) => {
      const stem = file.replace(/(\.property)?\.test\.ts$/, '');
      return folderOf(join(ROOT, file)) !== undefined && existsSync(join(ROOT, `${stem}.ts`));
    };
    const shared = [...byName.values()].filter((files) => files.length > 1 && !files.every(besideItsModule));
    expect(shared).toEqual([]);
  });
});
