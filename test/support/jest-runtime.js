/**
 * Jest's runtime (jest.config.js, `runtime`) with one change: a module's code is compiled once per
 * jest worker, not once per test file. Plain JavaScript, because jest loads it with require().
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
 * With JEST_COMPILE_REPORT=<file>, each worker appends, when it exits, how many modules it
 * compiled, how many it reused, and how many jest compiled itself.
 */
const vm = require('vm');
const Runtime = require('jest-runtime').default;

/** What is compiled in this worker, by file name: the source, the parameters and the script. */
const compiled = new Map();
const counts = { compiled: 0, reused: 0, byJest: 0 };
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

class SharedCompileRuntime extends Runtime {
  constructor(config, environment, resolver, transformer, cacheFS, coverageOptions, ...rest) {
    super(config, environment, resolver, transformer, cacheFS, coverageOptions, ...rest);
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
  process.on('exit', () => require('fs').appendFileSync(report, `${JSON.stringify(counts)}\n`));
}

module.exports = SharedCompileRuntime;
// For test/jest-runtime.test.ts.
module.exports.sharedModuleFunction = sharedModuleFunction;
module.exports.compileCounts = () => ({ ...counts });
