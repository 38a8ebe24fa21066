/**
 * Jest's runtime of the project (test/support/jest-runtime.js, jest.config.js `runtime`), which
 * compiles each module once per jest worker instead of once per test file, and reads its file once
 * while it stays the same: every test file still evaluates each module anew in its own context,
 * with its own state, and errors point where they did. Asked of the runtime's compiler directly, and of jest running two test files with the
 * project's configuration in a scratch folder.
 *
 * Each of these turned it red: the wrapper without its own line (lineOffset 0: the stack trace's
 * lines one further down); the compiled script kept under the file name whatever its source
 * (the changed module still answered as before); `import(` not left to jest; the runtime's hook
 * on jest's `executor.compile` renamed (the scratch run reused nothing); a source kept whatever
 * the file's size, or whatever its modification time.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as vm from 'vm';

const ROOT = join(__dirname, '..');
const JEST = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');

type ModuleFunction = (this: unknown, module: { exports: unknown }, exports: unknown) => void;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JavaScript, as jest loads it
const runtime = require('./support/jest-runtime') as {
  sharedModuleFunction: (source: string, filename: string, parameters: string, context: vm.Context) => ModuleFunction | undefined;
  sharedSource: (filename: string) => string;
  compileCounts: () => { compiled: number; reused: number; byJest: number; read: number; readReused: number };
};

const PARAMETERS = 'module, exports';

/** The exports of `source` evaluated in a new context, through the runtime's compiler. */
function evaluate(source: string, filename: string): { exports: unknown; context: vm.Context } {
  const context = vm.createContext({});
  const fn = runtime.sharedModuleFunction(source, filename, PARAMETERS, context);
  if (fn === undefined) throw new Error(`not compiled by the runtime: ${filename}`);
  const module = { exports: {} as unknown };
  fn.call(module.exports, module, module.exports);
  return { exports: module.exports, context };
}

/** The first two frames of the error that calling the module's export throws. */
function frames(call: () => void): string[] {
  try {
    call();
  } catch (error) {
    return (error as Error)
      .stack!.split('\n')
      .slice(1, 3)
      .map((line) => line.trim());
  }
  throw new Error('no error thrown');
}

describe('the compiler of the runtime', () => {
  const file = '/scratch/counter.js';
  const source = `'use strict';\nlet calls = 0;\nmodule.exports = { next: () => ++calls, array: () => [] };\n`;

  it('compiles a module once for every context that loads it, and each context evaluates it anew: its own state, its own globals', () => {
    const before = runtime.compileCounts();
    const first = evaluate(source, file);
    const second = evaluate(source, file);
    const after = runtime.compileCounts();
    expect([after.compiled - before.compiled, after.reused - before.reused]).toEqual([1, 1]);

    const [a, b] = [first.exports, second.exports] as { next: () => number; array: () => unknown[] }[];
    expect([a.next(), a.next(), b.next()]).toEqual([1, 2, 1]);
    expect(b.array()).toBeInstanceOf(vm.runInContext('Array', second.context));
    expect(b.array()).not.toBeInstanceOf(vm.runInContext('Array', first.context));
  });

  it('compiles a module again when its source changes under the same file name', () => {
    const changed = source.replace('++calls', 'calls += 10');
    expect((evaluate(source, '/scratch/changing.js').exports as { next: () => number }).next()).toBe(1);
    expect((evaluate(changed, '/scratch/changing.js').exports as { next: () => number }).next()).toBe(10);
  });

  it('puts an error thrown by a module at the line and column vm.compileFunction, which jest uses, puts it', () => {
    const thrower = `'use strict'; function fail() { throw new Error('fails'); }\nmodule.exports = fail;\n\n    fail();\n`;
    const filename = '/scratch/thrower.js';
    const compiled = vm.compileFunction(thrower, ['module', 'exports'], { filename, parsingContext: vm.createContext({}) });
    const expected = frames(() => compiled.call({}, { exports: {} }, {}));
    expect(expected).toEqual([`at fail (${filename}:1:39)`, `at Object.<anonymous> (${filename}:4:5)`]);
    const context = vm.createContext({});
    const shared = runtime.sharedModuleFunction(thrower, filename, PARAMETERS, context)!;
    expect(frames(() => shared.call({}, { exports: {} }, {}))).toEqual(expected);
  });

  it("leaves to jest a module that calls import(), which jest answers through the compiling test file's callback, and one that does not compile", () => {
    expect(
      runtime.sharedModuleFunction(`module.exports = () => import ('./x.mjs');\n`, '/scratch/dynamic.js', PARAMETERS, vm.createContext({})),
    ).toBeUndefined();
    expect(runtime.sharedModuleFunction(`module.exports = {;\n`, '/scratch/broken.js', PARAMETERS, vm.createContext({}))).toBeUndefined();
  });
});

describe('the sources the runtime reads', () => {
  let dir: string;
  beforeAll(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'jest-runtime-sources-')));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file once while it stays the same, and again once it changes, whether its modification time or its size tells', () => {
    const file = join(dir, 'module.js');
    writeFileSync(file, 'exports.a = 1;\n');
    const before = runtime.compileCounts();
    expect([runtime.sharedSource(file), runtime.sharedSource(file)]).toEqual(['exports.a = 1;\n', 'exports.a = 1;\n']);
    const after = runtime.compileCounts();
    expect([after.read - before.read, after.readReused - before.readReused]).toEqual([1, 1]);

    // The same size, a later modification time.
    const { mtime } = statSync(file);
    writeFileSync(file, 'exports.a = 2;\n');
    utimesSync(file, mtime, new Date(mtime.getTime() + 1000));
    expect(runtime.sharedSource(file)).toBe('exports.a = 2;\n');
    // Another size, the same modification time.
    const { mtime: later } = statSync(file);
    writeFileSync(file, 'exports.a = 30;\n');
    utimesSync(file, later, later);
    expect(runtime.sharedSource(file)).toBe('exports.a = 30;\n');
  });

  it("fails on a missing file with the error jest's own reading gives", () => {
    const missing = join(dir, 'missing.js');
    expect(() => runtime.sharedSource(missing)).toThrow(`ENOENT: no such file or directory, open '${missing}'`);
  });
});

describe("jest with the project's configuration", () => {
  let dir: string;
  beforeAll(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'jest-runtime-')));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reuses the compiled modules from one test file to the next, each file with its own module state and errors at their lines', () => {
    writeFileSync(join(dir, 'counter.js'), `let calls = 0;\nexports.next = () => ++calls;\nexports.fail = () => {\n  throw new Error('fails');\n};\n`);
    for (const name of ['a', 'b']) {
      writeFileSync(
        join(dir, `${name}.test.js`),
        [
          `const counter = require('./counter');`,
          `it('counts from 1 in every test file', () => expect([counter.next(), counter.next()]).toEqual([1, 2]));`,
          `it('throws at the line of the module', () => {`,
          `  let error;`,
          `  try { counter.fail(); } catch (e) { error = e; }`,
          `  expect(error.stack).toContain(require('path').join(__dirname, 'counter.js') + ':4:9');`,
          `});`,
          '',
        ].join('\n'),
      );
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the configuration as jest loads it, laid over the scratch folder
    const project = require(join(ROOT, 'jest.config.js')) as Record<string, unknown>;
    const config: Record<string, unknown> = { ...project, rootDir: dir, testMatch: ['<rootDir>/*.test.js'], transform: {} };
    delete config.globalSetup;
    delete config.setupFiles;
    delete config.setupFilesAfterEnv;
    const report = join(dir, 'compile-report.jsonl');
    const run = spawnSync(process.execPath, [JEST, '--config', JSON.stringify(config), '--ci', '--runInBand'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, JEST_COMPILE_REPORT: report },
    });
    expect(run.stderr).toContain('Tests:       4 passed, 4 total');
    expect(run.status).toBe(0);
    const counts = readFileSync(report, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { compiled: number; reused: number; read: number; readReused: number });
    expect(counts).toHaveLength(1);
    // The second file reuses at least the counter and jest's own modules that every file loads, and their files.
    expect(counts[0].reused).toBeGreaterThan(counts[0].compiled / 2);
    expect(counts[0].readReused).toBeGreaterThan(counts[0].read / 2);
  });
});
