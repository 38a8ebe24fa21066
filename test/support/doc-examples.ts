/**
 * The examples of the documentation, read and run, so that the docs cannot drift from the code:
 * every fenced code block of README.md and docs/*.md, by the kind its info string names. The
 * kinds, and the harness around each fragment, are documented for writers in docs/README.md
 * ("Every example is run"); a block of any other kind is a problem, never skipped.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { Node as MarkdownNode, Parser } from 'commonmark';
import { parse as parseShell, ParseEntry } from 'shell-quote';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { diffCommand, migrateCommand, reportMain } from '../../lib/review';
import { SYNTH_MODES, runSynth } from '../../lib/synth';
import { verifyMain } from '../../lib/verify';
import { readMutationArgs } from '../../scripts/mutation-args';

const ROOT = join(__dirname, '..', '..');

/** One fenced code block of a page. */
export interface Block {
  /** The page, relative to the repository: `docs/calico.md`. */
  readonly file: string;
  /** The line of its opening fence, from 1. */
  readonly line: number;
  /** Its info string split on spaces: `['ts', 'platform', 'fails']`. */
  readonly info: readonly string[];
  readonly text: string;
}

/** The kinds of TypeScript blocks, each with what the harness makes of it (docs/README.md). */
const TS_KINDS = {
  'main.ts': 'a whole main.ts: type-checked, then its exported intent synthesized',
  platform: 'fields of the intent beside apps, laid over the shipped main.ts; synthesized',
  app: 'one app (an element of apps), in the shipped main.ts in place of the app of its name; synthesized',
  'app-fields': "fields of an app, laid over the shipped main.ts's ai-service; synthesized",
  destinations: "entries of an app's egress, added to the egress of the shipped main.ts's ai-service; synthesized",
  test: 'a jest test file beside main.test.ts: type-checked and run, against the shipped main.ts',
  program: "a whole program of another cdk8s project ('secure-ai-egress' is this repository): type-checked and run in a scratch folder",
} as const;
export type TsKind = keyof typeof TS_KINDS;

/** The pages whose blocks are examples: README.md and every page of docs/. */
function documentationPages(root: string = ROOT): string[] {
  const docs = join(root, 'docs');
  const pages = existsSync(docs)
    ? readdirSync(docs)
        .filter((f) => f.endsWith('.md'))
        .sort()
        .map((f) => `docs/${f}`)
    : [];
  return ['README.md', ...pages];
}

/**
 * The code blocks of a Markdown text, as CommonMark reads them (commonmark.js, the reference
 * parser): fenced ones with their info string, and indented ones, which have none (and so fail).
 */
export function blocksOf(file: string, markdown: string): Block[] {
  const blocks: Block[] = [];
  const walker = new Parser().parse(markdown).walker();
  for (let step = walker.next(); step; step = walker.next()) {
    const node: MarkdownNode = step.node;
    if (!step.entering || node.type !== 'code_block') continue;
    blocks.push({
      file,
      line: node.sourcepos[0][0],
      info: (node.info ?? '').trim().split(/\s+/).filter(Boolean),
      text: node.literal ?? '',
    });
  }
  return blocks;
}

/** A page of the documentation and its text. */
export interface Page {
  /** Relative to the repository: `docs/calico.md`. */
  readonly file: string;
  readonly markdown: string;
}

/** Every page of the documentation. */
export function documentation(root: string = ROOT): Page[] {
  return documentationPages(root).map((file) => ({ file, markdown: readFileSync(join(root, file), 'utf8') }));
}

/** The text of a node and its children, as a heading's anchor is made from it. */
function textOf(node: MarkdownNode): string {
  let text = '';
  const walker = node.walker();
  for (let step = walker.next(); step; step = walker.next()) if (step.entering && step.node.literal !== null) text += step.node.literal;
  return text;
}

/**
 * The anchors of a page's headings as GitHub makes them: lower case, every character but letters,
 * digits, spaces, hyphens and underscores dropped, spaces as hyphens, and a repeated one numbered.
 */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const walker = new Parser().parse(markdown).walker();
  for (let step = walker.next(); step; step = walker.next()) {
    if (!step.entering || step.node.type !== 'heading') continue;
    const base = textOf(step.node)
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

/** A relative link of a page: where it is, and where it leads (the page itself for `#anchor`). */
interface Link {
  /** `docs/calico.md:12: dist.md#applying-and-removing`. */
  readonly at: string;
  /** The file it leads to, relative to the repository. */
  readonly target: string;
  readonly anchor?: string;
}

/** The relative links of the pages (links to other sites are not followed). */
function linksOf(pages: readonly Page[]): Link[] {
  const links: Link[] = [];
  for (const page of pages) {
    const walker = new Parser().parse(page.markdown).walker();
    for (let step = walker.next(); step; step = walker.next()) {
      const node = step.node;
      if (!step.entering || node.type !== 'link' || !node.destination || /^[a-z]+:/i.test(node.destination)) continue;
      const [path, anchor] = node.destination.split('#');
      // Inline nodes carry no position: the line is that of the block the link is in.
      let block: MarkdownNode | null = node;
      while (block && !block.sourcepos) block = block.parent;
      links.push({
        at: `${page.file}:${block?.sourcepos[0][0] ?? '?'}: ${node.destination}`,
        target: path === '' ? page.file : join(dirname(page.file), path),
        anchor,
      });
    }
  }
  return links;
}

/** A page's text, from the pages given or else from the repository. */
function pageText(pages: readonly Page[], file: string, root: string): string | undefined {
  return pages.find((p) => p.file === file)?.markdown ?? (existsSync(join(root, file)) ? readFileSync(join(root, file), 'utf8') : undefined);
}

/** The relative links that lead to no file of the repository. */
export function missingFiles(pages: readonly Page[], root: string = ROOT): string[] {
  return linksOf(pages)
    .filter((l) => pageText(pages, l.target, root) === undefined && !existsSync(join(root, l.target)))
    .map((l) => `${l.at}: no file ${l.target}`);
}

/** The links with an anchor whose page has no heading of that anchor (pages that do not exist aside: missingFiles says those). */
export function missingAnchors(pages: readonly Page[], root: string = ROOT): string[] {
  // Each page's anchors are read once, however many links lead to it.
  const anchors = new Map<string, Set<string>>();
  const anchorsOfPage = (text: string) => anchors.get(text) ?? anchors.set(text, anchorsOf(text)).get(text)!;
  return linksOf(pages).flatMap((l) => {
    const text = l.anchor === undefined || !l.target.endsWith('.md') ? undefined : pageText(pages, l.target, root);
    return text !== undefined && !anchorsOfPage(text).has(l.anchor!) ? [`${l.at}: no heading of ${l.target} has the anchor #${l.anchor}`] : [];
  });
}

/** Every block of every page of the documentation. */
export function documentationBlocks(root: string = ROOT): Block[] {
  return documentationPages(root).flatMap((page) => blocksOf(page, readFileSync(join(root, page), 'utf8')));
}

/** How a block is named in messages and test names: `docs/calico.md:120 (ts platform)`. */
export function blockName(block: Block): string {
  return `${block.file}:${block.line} (${block.info.join(' ') || 'no info string'})`;
}

/** The TypeScript kind of a block, or undefined when it is not a TypeScript block. */
export function tsKind(block: Block): TsKind | undefined {
  return block.info[0] === 'ts' && block.info[1] in TS_KINDS ? (block.info[1] as TsKind) : undefined;
}

/** What is wrong with a block's info string: empty when its kind is known. */
export function kindProblems(block: Block): string[] {
  const [lang, kind, ...rest] = block.info;
  const known = `known: ${Object.keys(TS_KINDS)
    .map((k) => `ts ${k}`)
    .join(
      ', ',
    )} (each may end in "fails" but test and program), sh, yaml, text, text output, ts|json|yaml package FILE (docs/README.md, "Every example is run")`;
  // A file of the consumer app of docs/cdk8s-app.md, which test/package.test.ts builds and runs.
  if (['ts', 'json', 'yaml'].includes(lang) && kind === 'package' && rest.length === 1) return [];
  if (lang === 'ts') {
    if (!(kind in TS_KINDS)) return [`"${block.info.join(' ')}" names no kind of TypeScript example; ${known}`];
    const fails = rest.length === 1 && rest[0] === 'fails' && kind !== 'test' && kind !== 'program';
    return rest.length === 0 || fails ? [] : [`"${block.info.join(' ')}": after "ts ${kind}" only "fails" may follow; ${known}`];
  }
  if ((lang === 'sh' || lang === 'yaml') && kind === undefined) return [];
  if (lang === 'text' && (kind === undefined || (kind === 'output' && rest.length === 0))) return [];
  return [`${lang === undefined ? 'a block with no info string' : `"${block.info.join(' ')}"`} is no kind of example; ${known}`];
}

// ---------------------------------------------------------------------------------------------
// TypeScript: the source the harness makes of a block, one tsc program for all of them.

/** The module made of a TypeScript block, and which of its lines are the block's. */
interface Generated {
  /** A file at the repository's root (never written), so that `./lib/...` resolves as in main.ts. */
  readonly path: string;
  readonly source: string;
  /** For each line of `source` (from 0), the block's line (from 0), or -1 for the harness's. */
  readonly lines: readonly number[];
}

const HEADER: Record<TsKind, string[]> = {
  'main.ts': [],
  test: [],
  program: [],
  platform: [`import { PlatformIntent as __PlatformIntent } from './lib/intent';`, `import { shipped as __shipped } from './test/fixtures/intents';`],
  app: [
    `import { AiAppIntent as __AiAppIntent, PlatformIntent as __PlatformIntent } from './lib/intent';`,
    `import { shipped as __shipped } from './test/fixtures/intents';`,
  ],
  'app-fields': [
    `import { AiAppIntent as __AiAppIntent, PlatformIntent as __PlatformIntent } from './lib/intent';`,
    `import { shipped as __shipped } from './test/fixtures/intents';`,
  ],
  destinations: [
    `import { AiAppIntent as __AiAppIntent, PlatformIntent as __PlatformIntent } from './lib/intent';`,
    `import { shipped as __shipped } from './test/fixtures/intents';`,
  ],
};

/** The harness around a fragment's body: the lines before it and after it. */
const WRAP: Record<TsKind, [string[], string[]]> = {
  'main.ts': [[], []],
  test: [[], []],
  program: [[], []],
  platform: [['export const intent: __PlatformIntent = {', '...__shipped,'], ['};']],
  app: [
    ['const __app: __AiAppIntent = ('],
    [');', 'export const intent: __PlatformIntent = { ...__shipped, apps: [__app, ...__shipped.apps.filter((a) => a.name !== __app.name)] };'],
  ],
  'app-fields': [
    ['const __app: __AiAppIntent = {', '...__shipped.apps[0],'],
    ['};', 'export const intent: __PlatformIntent = { ...__shipped, apps: [__app, ...__shipped.apps.slice(1)] };'],
  ],
  destinations: [
    ['const __app: __AiAppIntent = { ...__shipped.apps[0], egress: [...__shipped.apps[0].egress,'],
    [']};', 'export const intent: __PlatformIntent = { ...__shipped, apps: [__app, ...__shipped.apps.slice(1)] };'],
  ],
};

function generate(block: Block, kind: TsKind, index: number): Generated {
  const lines = block.text.replace(/\n$/, '').split('\n');
  // The block's leading import lines stay first (imports must lead a module); the rest is the body.
  let imports = 0;
  while (imports < lines.length && (/^import\s/.test(lines[imports]) || (imports > 0 && lines[imports].trim() === ''))) imports++;
  const [before, after] = WRAP[kind];
  const out: string[] = [];
  const map: number[] = [];
  const add = (text: string, from: number) => {
    out.push(text);
    map.push(from);
  };
  lines.slice(0, imports).forEach((l, i) => add(l, i));
  [...HEADER[kind], ...before].forEach((l) => add(l, -1));
  lines.slice(imports).forEach((l, i) => add(l, imports + i));
  after.forEach((l) => add(l, -1));
  return { path: join(ROOT, `__doc_example_${index}.ts`), source: `${out.join('\n')}\n`, lines: map };
}

/** Module names an example may use for this repository as another project installs it. */
const PACKAGE = 'secure-ai-egress';

/**
 * Type-checks every TypeScript block in one tsc program, with the project's compiler options
 * (tsconfig.json; unused imports allowed, since a fragment may import for its context), and
 * returns the errors of each, by block, located in its page.
 */
export function typeErrors(blocks: readonly Block[]): Map<Block, string[]> {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (f) => ts.sys.readFile(f));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const options: ts.CompilerOptions = {
    ...parsed.options,
    incremental: false,
    tsBuildInfoFile: undefined,
    noEmit: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
    baseUrl: ROOT,
    paths: { [PACKAGE]: ['lib/index.ts'], [`${PACKAGE}/*`]: ['*'] },
  };
  const generated = new Map<string, { block: Block; gen: Generated }>();
  blocks.forEach((block, i) => {
    const kind = tsKind(block);
    if (kind) {
      const gen = generate(block, kind, i);
      generated.set(gen.path, { block, gen });
    }
  });
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (file, language, ...rest) => {
    const g = generated.get(file);
    return g ? ts.createSourceFile(file, g.gen.source, language) : getSourceFile(file, language, ...rest);
  };
  host.fileExists = (file) => generated.has(file) || fileExists(file);
  host.readFile = (file) => generated.get(file)?.gen.source ?? readFile(file);
  // The jest matchers' types (declaration merging on jest.Matchers), from the files jest runs before
  // every test file (jest.config.js, setupFilesAfterEnv), as every test file of the project has them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest's configuration is CommonJS
  const jestConfig = require('../../jest.config.js') as { setupFilesAfterEnv?: string[] };
  const setup = (jestConfig.setupFilesAfterEnv ?? []).map((f) => f.replace('<rootDir>', ROOT));
  const roots = [...generated.keys(), ...setup];
  const program = ts.createProgram(roots, options, host);
  const errors = new Map<Block, string[]>();
  for (const { block, gen } of generated.values()) {
    const file = program.getSourceFile(gen.path)!;
    const diagnostics = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
    errors.set(
      block,
      diagnostics.map((d) => {
        const at = d.start === undefined ? -1 : gen.lines[file.getLineAndCharacterOfPosition(d.start).line];
        const where = at >= 0 ? `${block.file}:${block.line + 1 + at}` : `${blockName(block)}, in the harness around it`;
        return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      }),
    );
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// TypeScript: running a block.

/** Where a module name of an example points: relative names from the repository's root, as in main.ts. */
function resolveName(name: string): string {
  if (name === PACKAGE) return join(ROOT, 'lib');
  if (name.startsWith(`${PACKAGE}/`)) return join(ROOT, name.slice(PACKAGE.length + 1));
  return name.startsWith('.') ? join(ROOT, name) : name;
}

/**
 * Runs a block as the module the harness makes of it and returns its exports. It runs as a file
 * of `folder` (its `__dirname`): the repository's root, as main.ts, unless said otherwise (a test
 * block runs in a scratch folder whose dist/ holds the shipped scenario's manifests).
 */
export function runBlock(block: Block, folder: string = ROOT): Record<string, unknown> {
  const kind = tsKind(block);
  if (!kind) throw new Error(`${blockName(block)} is not a TypeScript example`);
  const js = ts.transpileModule(generate(block, kind, 0).source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: `${block.file}:${block.line}.ts`,
  }).outputText;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the modules an example imports, loaded through jest as the test's own
  const load = (name: string) => require(resolveName(name)) as unknown;
  const module = { exports: {} as Record<string, unknown> };
  // The example runs in the test's own realm (jest's), where the project's modules live: a function
  // of the transpiled module, as CommonJS wraps a file. Its text is the documentation's, not input.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see above
  const body = new Function('exports', 'require', 'module', '__filename', '__dirname', js) as (...args: unknown[]) => void;
  body(module.exports, load, module, join(folder, `${block.file.replace(/\W/g, '-')}-${block.line}.ts`), folder);
  return module.exports;
}

/** What `npm run synth` printed for an example's intent, with its scratch folder written as `dist/`. */
export interface ExampleSynth {
  readonly code: number;
  readonly output: string;
}

/**
 * Synthesizes the intent a block exports as `npm run synth` does (lib/synth: checked, written,
 * validated), into a scratch folder laid out as the repository is (`dist/`, `deploy/argocd/`).
 */
export function synthesizeBlock(block: Block): ExampleSynth {
  const exported = runBlock(block);
  if (!('intent' in exported)) throw new Error(`${blockName(block)} exports no intent`);
  const scratch = mkdtempSync(join(tmpdir(), 'doc-example-'));
  try {
    mkdirSync(join(scratch, 'dist'));
    mkdirSync(join(scratch, 'deploy', 'argocd'), { recursive: true });
    const run = runSynth({ ok: true, intent: exported.intent }, join(scratch, 'dist'), SYNTH_MODES.npmRunSynth);
    return { code: run.code, output: (run.stdout + run.stderr).split(`${scratch}/`).join('') };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Runs a program of another cdk8s project in a scratch folder (its working directory and cdk8s's output folder). */
export function runProgram(block: Block): void {
  const scratch = mkdtempSync(join(tmpdir(), 'doc-program-'));
  const cwd = process.cwd();
  const outdir = process.env.CDK8S_OUTDIR;
  try {
    process.chdir(scratch);
    process.env.CDK8S_OUTDIR = join(scratch, 'dist');
    runBlock(block);
  } finally {
    process.chdir(cwd);
    if (outdir === undefined) delete process.env.CDK8S_OUTDIR;
    else process.env.CDK8S_OUTDIR = outdir;
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The lines of a `text output` block that the output does not hold: each must be a line of it,
 * compared without the spaces around it; `...` stands for lines left out.
 */
export function missingOutputLines(expected: string, output: string): string[] {
  const actual = new Set(output.split('\n').map((l) => l.trim()));
  return expected
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== '...' && !actual.has(l));
}

// ---------------------------------------------------------------------------------------------
// Shell: every command a block runs.

/** Programs a shell block may run besides npm and npx: the cluster's and the machine's tools the docs use. */
const EXTERNAL_PROGRAMS = ['apt-get', 'base64', 'coredns', 'curl', 'dig', 'docker', 'git', 'grep', 'grpcurl', 'kubectl', 'ls', 'mkdir', 'tar'];
/** npm's own commands the docs use. */
const NPM_COMMANDS = ['ci', 'install'];
/** Words of the shell's grammar that start no program. */
const SHELL_WORDS = ['for', 'do', 'done', 'export'];

/** The simple commands of a shell block, each as its words (environment assignments and redirections left out). */
function shellCommands(text: string): string[][] {
  const joined = text.replace(/\\\n/g, ' ');
  const commands: string[][] = [];
  for (const line of joined.split('\n')) {
    let current: string[] = [];
    const entries: ParseEntry[] = parseShell(line, (name) => `$${name}`);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (typeof e === 'string') current.push(e);
      else if ('comment' in e) break;
      else if ('op' in e && e.op === 'glob') current.push(e.pattern);
      else if ('op' in e && (e.op === '>' || e.op === '<' || e.op === '>>' || e.op === '>&' || e.op === '<(')) i++;
      else {
        commands.push(current);
        current = [];
      }
    }
    commands.push(current);
  }
  return commands
    .map((words) => {
      let rest = words.filter((w) => w !== '$');
      while (rest.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[0]) || SHELL_WORDS.includes(rest[0]))) {
        if (rest[0] === 'for') return [];
        rest = rest.slice(1);
      }
      return rest;
    })
    .filter((words) => words.length > 0);
}

/** The commands of cdk8s-cli (`cdk8s synth`, `cdk8s import`, ...), one module each in its cmds folder. */
function cdk8sCommands(): string[] {
  const dir = join(ROOT, 'node_modules', 'cdk8s-cli', 'lib', 'cli', 'cmds');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.replace(/\.js$/, ''));
}

/**
 * How the arguments after `--` of an npm script are checked: each is run with `--help` appended,
 * in process, and must exit 0 (an unknown command or option exits 2 and says which).
 */
const SCRIPT_ARGUMENTS: Record<string, (args: readonly string[]) => string | undefined> = {
  verify: (args) => {
    const run = verifyMain([...args, '--help'], [diffCommand, migrateCommand]);
    return run.code === 0 ? undefined : run.stderr.trim();
  },
  report: (args) => {
    const run = reportMain([...args, '--help'], ROOT);
    return run.code === 0 ? undefined : run.stderr.trim();
  },
  mutation: (args) => {
    const read = readMutationArgs(args);
    return 'problem' in read ? read.problem : undefined;
  },
  cdk8s: (args) => (cdk8sCommands().includes(args[0]) ? undefined : `cdk8s has no command "${args[0]}"; known: ${cdk8sCommands().join(', ')}`),
};

/** What is wrong with the commands of a shell block: npm scripts that do not exist, options they do not take, programs the docs do not use. */
export function shellProblems(block: Block, scripts: Readonly<Record<string, string>> = packageScripts()): string[] {
  const problems: string[] = [];
  for (const words of shellCommands(block.text)) {
    const [program, ...args] = words;
    const say = (message: string) => problems.push(`${blockName(block)}: ${words.join(' ')}: ${message}`);
    if (program === 'cdk8s') {
      const wrong = SCRIPT_ARGUMENTS.cdk8s(args);
      if (wrong !== undefined) say(wrong);
    } else if (program === 'npx') {
      if (!existsSync(join(ROOT, 'node_modules', '.bin', args[0] ?? ''))) say(`npx ${args[0]}: no such program in node_modules/.bin`);
    } else if (program === 'npm') {
      const dash = args.indexOf('--');
      const [command, ...before] = (dash < 0 ? args : args.slice(0, dash)).filter((a) => a !== '--silent' && a !== '-s');
      const after = dash < 0 ? [] : args.slice(dash + 1);
      const script = command === 'run' || command === 'run-script' ? before[0] : command === 'test' ? 'test' : undefined;
      if (script === undefined) {
        if (!NPM_COMMANDS.includes(command)) say(`npm ${command}: not a command the docs use (run, test, ${NPM_COMMANDS.join(', ')})`);
      } else if (!(script in scripts)) {
        say(`package.json has no script "${script}"; scripts: ${Object.keys(scripts).join(', ')}`);
      } else if (before.length > (command === 'test' ? 0 : 1)) {
        say(`the arguments of an npm script go after "--": npm run ${script} -- ${before.slice(command === 'test' ? 0 : 1).join(' ')}`);
      } else if (after.length > 0) {
        const check = SCRIPT_ARGUMENTS[script];
        const wrong = check === undefined ? `the test cannot check the options of npm run ${script}: teach it (test/support/doc-examples.ts)` : check(after);
        if (wrong !== undefined) say(wrong);
      }
    } else if (!EXTERNAL_PROGRAMS.includes(program)) {
      say(`${program}: not a program the docs use (${['npm', 'npx', 'cdk8s', ...EXTERNAL_PROGRAMS].join(', ')}); add it to EXTERNAL_PROGRAMS if it should be`);
    }
  }
  return problems;
}

function packageScripts(): Record<string, string> {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
}

// ---------------------------------------------------------------------------------------------
// YAML.

/** cdk8s-cli's context of a validation, as it constructs one for a plugin (its `exports` map names `./plugins`). */
type ValidationContext = import('cdk8s-cli/lib/plugins').ValidationContext;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- tsc resolves modules as "node" (tsconfig.json), which does not read `exports` maps, so an import of cdk8s-cli/plugins would not resolve; require does, at run time.
const { ValidationContext } = require('cdk8s-cli/plugins') as {
  ValidationContext: new (manifests: readonly string[], pkg: string, version: string) => ValidationContext;
};

/**
 * What is wrong with the validation plugins a YAML block lists (a cdk8s.yaml's `validations`)
 * when they name this project's (`.../scripts/cdk8s-validation.js`, or the package): the class must be one the
 * entry exports, the version package.json's (cdk8s-cli wants it exact), and the properties ones
 * the plugin accepts (it is run as cdk8s-cli runs it, on no manifests, and must not report
 * `plugin-properties`).
 */
export async function pluginProblems(block: Block): Promise<string[]> {
  const problems: string[] = [];
  const entryFile = join(ROOT, 'scripts', 'cdk8s-validation.js');
  const exported = [...readFileSync(entryFile, 'utf8').matchAll(/module\.exports\s*=\s*\{\s*(\w+)\s*:/g)].map((m) => m[1]);
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  for (const doc of parseAllDocuments(block.text)) {
    if ('errors' in doc && doc.errors.length > 0) continue;
    const validations = (doc.toJS() as { validations?: unknown } | null)?.validations;
    if (!Array.isArray(validations)) continue;
    for (const [i, v] of validations.entries()) {
      const entry = v as { package?: unknown; version?: unknown; class?: unknown; properties?: unknown };
      const say = (message: string) => problems.push(`${blockName(block)}: validations[${i}]: ${message}`);
      // This project's plugin: by its entry in this repository, or as the package (docs/cdk8s-app.md).
      if (typeof entry.package !== 'string' || !(entry.package.endsWith('scripts/cdk8s-validation.js') || entry.package === PACKAGE)) continue;
      if (String(entry.version) !== version) say(`version ${String(entry.version)} is not package.json's, ${version} (cdk8s-cli wants it exact)`);
      const name = String(entry.class);
      // The entry hands over the classes of lib/checks (scripts/cdk8s-validation.js).
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
      const plugin = (require('../../lib/checks') as Record<string, unknown>)[name];
      if (!exported.includes(name) || typeof plugin !== 'function') {
        say(`class ${name} is not one scripts/cdk8s-validation.js exports (${exported.join(', ')})`);
        continue;
      }
      const context = new ValidationContext([], entry.package, version);
      await new (plugin as new (p: unknown) => { validate(c: ValidationContext): Promise<void> })(entry.properties ?? {}).validate(context);
      const report = context.report.toJson();
      if (report.violations.some((violation) => violation.ruleName === 'plugin-properties')) say(report.summary.metadata?.properties ?? 'properties refused');
    }
  }
  return problems;
}

/** The error of a JSON block, if it does not parse. */
export function jsonProblems(block: Block): string[] {
  try {
    JSON.parse(block.text);
    return [];
  } catch (e) {
    return [`${blockName(block)}: ${(e as Error).message}`];
  }
}

/** The errors of a YAML block's documents. */
export function yamlProblems(block: Block): string[] {
  return parseAllDocuments(block.text).flatMap((doc) =>
    'errors' in doc ? doc.errors.map((e) => `${block.file}:${block.line + (e.linePos?.[0].line ?? 0)}: ${e.message.split('\n')[0]}`) : [],
  );
}

// ---------------------------------------------------------------------------------------------
// The tables of fields, against the types of the intent.

/** A table of the docs that documents the fields of one interface of lib/intent/types.ts. */
interface FieldTable {
  readonly page: string;
  /** The first cell of its header. */
  readonly header: string;
  readonly type: string;
  /** Fields documented elsewhere on the page. */
  readonly elsewhere?: readonly string[];
  /** Fields whose own fields the table documents as `field.inner`, by the interface that declares them. */
  readonly nested?: Readonly<Record<string, string>>;
}

/** The tables of fields and defaults, and the interface each documents. */
const FIELD_TABLES: readonly FieldTable[] = [
  { page: 'docs/declaring-apps.md', header: 'field', type: 'AiAppIntent' },
  { page: 'docs/declaring-apps.md', header: 'setting', type: 'PlatformIntent', elsewhere: ['apps'], nested: { calico: 'CalicoOptions' } },
  { page: 'docs/clusters-and-argocd.md', header: 'cluster field', type: 'ClusterIntent' },
  { page: 'docs/clusters-and-argocd.md', header: 'setting', type: 'ArgoCdSettings' },
];

/** The fields an interface of lib/intent/types.ts declares, read from its source. */
function declaredFields(name: string): string[] | undefined {
  const file = join(ROOT, 'lib', 'intent', 'types.ts');
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
  const declaration = source.statements.find((st): st is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(st) && st.name.text === name);
  return declaration?.members.flatMap((m) => (m.name && ts.isIdentifier(m.name) ? [m.name.text] : []));
}

/** The names in backticks of the first column of the table whose header starts with `header`. */
function documentedFields(markdown: string, header: string): string[] | undefined {
  const lines = markdown.split('\n');
  const cells = (line: string) => line.split('|').map((c) => c.trim());
  const start = lines.findIndex((l) => l.startsWith('|') && cells(l)[1] === header);
  if (start < 0) return undefined;
  const rows: string[] = [];
  for (let i = start + 2; i < lines.length && lines[i].startsWith('|'); i++) rows.push(cells(lines[i])[1]);
  return rows.flatMap((first) => [...first.matchAll(/`([A-Za-z][\w.]*)`/g)].map((m) => m[1]));
}

/** What the tables of fields say that the types do not, and what the types declare that no table says. */
export function fieldTableProblems(pages: readonly Page[]): string[] {
  const problems: string[] = [];
  for (const table of FIELD_TABLES) {
    const markdown = pages.find((p) => p.file === table.page)?.markdown;
    const documented = markdown === undefined ? undefined : documentedFields(markdown, table.header);
    const where = `${table.page}, the table of "${table.header}"`;
    if (documented === undefined) {
      problems.push(`${where}: no such table`);
      continue;
    }
    const check = (type: string, names: readonly string[], prefix: string, elsewhere: readonly string[]) => {
      const declared = declaredFields(type);
      if (declared === undefined) {
        problems.push(`${where}: lib/intent/types.ts declares no interface ${type}`);
        return;
      }
      for (const n of names) if (!declared.includes(n)) problems.push(`${where}: ${prefix}${n} is no field of ${type}`);
      for (const d of declared)
        if (!names.includes(d) && !elsewhere.includes(d)) problems.push(`${where}: ${prefix}${d}, a field of ${type}, is not in the table`);
    };
    check(table.type, [...new Set(documented.map((f) => f.split('.')[0]))], '', table.elsewhere ?? []);
    for (const [field, type] of Object.entries(table.nested ?? {}))
      check(
        type,
        documented.filter((f) => f.startsWith(`${field}.`)).map((f) => f.slice(field.length + 1)),
        `${field}.`,
        [],
      );
  }
  return problems;
}
