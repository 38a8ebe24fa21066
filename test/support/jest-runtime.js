/**
 * Jest's runtime (jest.config.js, `runtime`) with two changes: a module's code is compiled once per
 * jest worker, not once per test file, and its file is read once per worker while it stays the
 * same. Plain JavaScript, because jest loads it with require().
 *
 * Jest gives every test file a fresh module registry and compiles every module it loads anew, with
 * `vm.compileFunction` in the file's own context: a test file that synthesizes an intent loads
 * about 800 modules, 13 MB of JavaScript, and compiling them was a third of its CPU time, paid
 * again by each of the suite's hundred files. V8 can compile a script once and run it in any
 * number of contexts (`vm.Script`, then `script.runInContext(context)`: Node's documentation,
 * https://nodejs.org/api/vm.html#class-vmscript, "compiled but not run ... can be run later
 * multiple times"); each run makes new closures in that context, with that context's globals, so
 * each test file still evaluates each module anew and gets its own exports and its own state. Only
 * the compiled code is shared, which also keeps the functions V8 compiled lazily while an earlier
 * file ran.
 *
 * A module's source is wrapped in a function expression of the parameters jest passes (`module`,
 * `exports`, `require`, `__dirname`, `__filename`, `jest`), the wrapper alone on a line that the
 * script's `lineOffset` of -1 numbers 0, so that every line and column of the source, in stack
 * traces and through source maps, is where `vm.compileFunction` puts it. Jest compiles a module
 * itself, as before, when this cannot hold: a source that calls `import()` (jest answers it through
 * a callback of the compiling test file, which a shared script cannot carry), a Node core module,
 * a run that collects coverage, a source that does not compile (jest's own message then), or a
 * jest whose runtime lacks what this replaces (`executor.compile`, jest 30.5).
 *
 * Jest also reads every module's file again for each test file, although it keeps what it made of
 * it (the transformed code) for the worker, by file name and modification time
 * (@jest/transform's ScriptTransformer, `getScriptCacheKey`): reading and decoding those 13 MB
 * came next in the profile. The sources are kept for the worker too, by the same file name and
 * modification time, and the file's size and inode besides; a file that has changed is read again.
 *
 * With JEST_COMPILE_REPORT=<file>, each worker appends, when it exits, how many modules it
 * compiled, how many it reused, how many jest compiled itself, and how many files it read and
 * reused.
 */
const fs = require('fs');
const vm = require('vm');
const Runtime = require('jest-runtime').default;

/** What is compiled in this worker, by file name: the source, the parameters and the script. */
const compiled = new Map();
const counts = { compiled: 0, reused: 0, byJest: 0, read: 0, readReused: 0 };
/** The sources read in this worker, by file name: the source and the file's identity when read. */
const sources = new Map();
// `import(` with any space before the parenthesis; a comment or a string that holds it only costs the sharing.
const DYNAMIC_IMPORT = /\bimport\s*\(/;

/**
 * The module function of `source` in `context`, compiled at most once per worker for one file name,
 * source and parameter list; undefined when jest should compile it itself.
 */
function sharedModuleFunction(source, filename, parameters, context) {
  let entry = compiled.get(filename);
  if (entry === undefined || entry.source !== source || entry.parameters !== parameters) {
    let script = null;
    if (!DYNAMIC_IMPORT.test(source)) {
      try {
        script = new vm.Script(`(function (${parameters}) {\n${source}\n})`, { filename, lineOffset: -1 });
      } catch {
        // Jest compiles it again and reports the error as it does.
      }
    }
    entry = { source, parameters, script };
    compiled.set(filename, entry);
    if (script !== null) counts.compiled++;
  } else if (entry.script !== null) {
    counts.reused++;
  }
  return entry.script === null ? undefined : entry.script.runInContext(context);
}

/** The source of a file as jest's FileCache reads it (a Buffer decoded as UTF-8), read once per worker while the file stays the same. */
function sharedSource(filename) {
  let stat;
  try {
    stat = fs.statSync(filename);
  } catch {
    return fs.readFileSync(filename).toString(); // throws jest's own error
  }
  const entry = sources.get(filename);
  if (entry !== undefined && entry.mtimeMs === stat.mtimeMs && entry.size === stat.size && entry.ino === stat.ino) {
    counts.readReused++;
    return entry.source;
  }
  const source = fs.readFileSync(filename).toString();
  sources.set(filename, { source, mtimeMs: stat.mtimeMs, size: stat.size, ino: stat.ino });
  counts.read++;
  return source;
}

class SharedCompileRuntime extends Runtime {
  constructor(config, environment, resolver, transformer, cacheFS, coverageOptions, ...rest) {
    super(config, environment, resolver, transformer, cacheFS, coverageOptions, ...rest);
    // Jest's FileCache.readFile: the test file's cache first (cacheFS, which holds the test file itself), then the disk.
    const fileCache = this.fileCache;
    if (typeof fileCache?.readFile === 'function' && fileCache.strings instanceof Map) {
      fileCache.readFile = (filename) => {
        let source = fileCache.strings.get(filename);
        if (source === undefined) {
          source = sharedSource(filename);
          fileCache.strings.set(filename, source);
        }
        return source;
      };
    }
    const executor = this.executor;
    if (coverageOptions.collectCoverage || typeof executor?.compile !== 'function' || !Array.isArray(executor.injectedModuleParameters)) return;
    const jestCompile = executor.compile.bind(executor);
    const parameters = executor.injectedModuleParameters.join(', ');
    executor.compile = (source, filename) => {
      const context = environment.getVmContext();
      const shared = context != null && !this._resolution.isCoreModule(filename) ? sharedModuleFunction(source, filename, parameters, context) : undefined;
      if (shared !== undefined) return shared;
      counts.byJest++;
      return jestCompile(source, filename);
    };
  }
}

if (process.env.JEST_COMPILE_REPORT) {
  const report = process.env.JEST_COMPILE_REPORT;
  process.on('exit', () => fs.appendFileSync(report, `${JSON.stringify(counts)}\n`));
}

module.exports = SharedCompileRuntime;
// For test/jest-runtime.test.ts.
module.exports.sharedModuleFunction = sharedModuleFunction;
module.exports.sharedSource = sharedSource;
module.exports.compileCounts = () => ({ ...counts });
