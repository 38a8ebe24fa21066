/**
 * The npm package as a user meets it: `npm pack`, then, in a scratch folder, a fresh cdk8s
 * TypeScript app laid out as `cdk8s init typescript-app` lays it out, whose package.json,
 * main.ts, main.test.ts and cdk8s.yaml are the blocks of docs/cdk8s-app.md marked `package`
 * (tsconfig.json and jest.config.js: the template's own, from cdk8s-cli). One `npm install` of
 * the tarball and its peers (from the registry, or npm's cache); the app type-checks with tsc,
 * `cdk8s synth` runs the validation plugin from the package (its plugins folder filled from the
 * tarball by the shell block of the same page, so cdk8s-cli installs nothing), and the app's own
 * jest test asserts reach with the package's matchers.
 *
 * Minutes, and the registry: not part of `npm test`, where it is skipped with one line.
 * `npm run test:package` runs it (RUN_PACKAGE_TEST=1), as `.ci/run` does after `npm test`.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { builtinModules, createRequire } from 'module';
import { tmpdir } from 'os';
import { dirname, join, relative, resolve, sep } from 'path';
import type { ValidationContext as Context } from 'cdk8s-cli/lib/plugins';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..');
const RUN = process.env.RUN_PACKAGE_TEST === '1';
const PAGE = 'docs/cdk8s-app.md';
const NAME = 'secure-ai-egress';
const TEMPLATE = join(ROOT, 'node_modules', 'cdk8s-cli', 'templates', 'typescript-app');
const CDK8S_BIN = join(ROOT, 'node_modules', '.bin');
const MINUTES = 60_000;

interface PackedFile {
  readonly path: string;
  readonly size: number;
}
interface Packed {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly PackedFile[];
}

/** The fenced blocks of a page whose info string is `<language> package <file>`, by file. */
function packageBlocks(markdown: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const m of markdown.matchAll(/^```(\w+) package (\S+)\n([\s\S]*?)^```$/gm)) blocks.set(m[2], m[3]);
  return blocks;
}

/** The shell block of the page that fills the plugins folder (the one that names `--plugins-dir`). */
function pluginsDirBlock(markdown: string): string {
  const found = [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]).filter((b) => b.includes('--plugins-dir'));
  if (found.length !== 1) throw new Error(`${PAGE}: expected one sh block with --plugins-dir, found ${found.length}`);
  return found[0];
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  // The npm that started the tests passes its own settings down as npm_config_* variables
  // (`npm run --silent test:package`, as .ci/run runs it, sets npm_config_loglevel=silent, which
  // would silence what the npm commands here print); each command starts from the user's settings.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_loglevel$/i.test(k)));
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...inherited, CDK8S_CHECK_UPGRADE: 'false', ...env }, maxBuffer: 64 * 1024 * 1024 });
}

/** A failed command, as an error that shows what it printed. */
function ok(result: SpawnSyncReturns<string>, what: string): SpawnSyncReturns<string> {
  if (result.status !== 0) throw new Error(`${what} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** Every file a module loads, following its relative requires, and the bare specifiers it requires. */
function walkRequires(entry: string): { files: Set<string>; bare: Set<string> } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    if (!file.endsWith('.js')) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/\brequire\(\s*(["'`])([^"'`]+)\1\s*\)/g)) {
      const spec = m[2];
      if (spec.startsWith('.')) {
        const base = resolve(dirname(file), spec);
        const target = [base, `${base}.js`, `${base}.json`, join(base, 'index.js')].find((f) => existsSync(f) && !readdirSafe(f));
        if (!target) throw new Error(`${file} requires ${spec}, which is not in the package`);
        pending.push(target);
      } else bare.add(spec);
    }
  }
  return { files, bare };
}

/** Whether a path is a folder (a require of `./x` may name a folder with an index.js). */
function readdirSafe(path: string): boolean {
  try {
    readdirSync(path);
    return true;
  } catch {
    return false;
  }
}

const skipLine = 'slow (npm pack, npm install from the registry, cdk8s synth, jest in the app): npm run test:package runs it, as .ci/run does';

if (!RUN) {
  process.stderr.write(`test/package.test.ts skipped: ${skipLine}\n`);
  test.skip(skipLine, () => undefined);
} else {
  const work = mkdtempSync(join(tmpdir(), 'package-'));
  const app = join(work, 'my-cdk8s-app');
  const page = readFileSync(join(ROOT, PAGE), 'utf8');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
    exports: Record<string, string | { default: string }>;
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
  };
  let packed: Packed;
  let tarball: string;
  let installed: string;

  beforeAll(() => {
    // npm pack runs `prepack`, which builds build/ first (scripts/build-package.ts).
    const pack = ok(run('npm', ['pack', '--json', '--pack-destination', work], ROOT), 'npm pack');
    packed = (JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Packed[])[0];
    tarball = join(work, packed.filename);
    process.stderr.write(
      `${NAME} tarball: ${(packed.size / 1e6).toFixed(2)} MB packed, ${(packed.unpackedSize / 1e6).toFixed(1)} MB unpacked, ${packed.files.length} files\n`,
    );

    const files = packageBlocks(page);
    mkdirSync(app);
    for (const [name, text] of files) writeFileSync(join(app, name), text);
    const manifest = JSON.parse(files.get('package.json') ?? '{}') as { dependencies: Record<string, string> };
    expect(manifest.dependencies[NAME]).toBe(pkg.version);
    manifest.dependencies[NAME] = `file:${tarball}`;
    writeFileSync(join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    // The template's own files; tsconfig.json with the one line the page adds.
    copyFileSync(join(TEMPLATE, 'jest.config.js'), join(app, 'jest.config.js'));
    const tsconfig = JSON.parse(readFileSync(join(TEMPLATE, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    tsconfig.compilerOptions.skipLibCheck = true;
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));

    ok(run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], app), 'npm install in the app');
    installed = join(app, 'node_modules', NAME);
  }, 15 * MINUTES);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  describe('the tarball', () => {
    it('is the app blocks of the page: package.json, main.ts, main.test.ts and cdk8s.yaml', () => {
      expect([...packageBlocks(page).keys()].sort()).toEqual(['cdk8s.yaml', 'main.test.ts', 'main.ts', 'package.json']);
    });

    it('holds the build, the README and the CHANGELOG, and no tests, fixtures, benchmark, dist/ or TypeScript sources', () => {
      const paths = packed.files.map((f) => f.path);
      expect(paths.filter((p) => !p.startsWith('build/')).sort()).toEqual(['CHANGELOG.md', 'README.md', 'package.json']);
      expect(paths.filter((p) => /(^|\/)(test|fixtures|bench|dist|__snapshots__)\//.test(p) || /\.test\.|(?<!\.d)\.ts$/.test(p))).toEqual([]);
      // The generated imports/ the build loads at run time: the Argo CD constructs and the schema validators.
      expect(paths).toEqual(
        expect.arrayContaining(['build/imports/argocd-validators.js', 'build/imports/calico-validators.js', 'build/imports/argocd-application-argoproj.io.js']),
      );
    });

    it('publishes cleanly (npm publish --dry-run: no warning but that no one is logged in)', () => {
      const publish = ok(run('npm', ['publish', '--dry-run', tarball], work), 'npm publish --dry-run');
      const warnings = publish.stderr.split('\n').filter((l) => /^npm (warn|WARN|error|ERR)/.test(l) && !/requires you to be logged in/.test(l));
      expect(warnings).toEqual([]);
      expect(publish.stdout).toContain(`+ ${NAME}@${pkg.version}`);
    });
  });

  describe('the entries of the exports map', () => {
    const entries = () => Object.entries(pkg.exports).filter(([key]) => key !== './package.json');

    it('load, from the tarball, only files of the tarball, none of lib/synth, and only its dependencies, its peers and Node', () => {
      const allowed = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies), ...builtinModules]);
      for (const [key, target] of entries()) {
        const file = join(installed, typeof target === 'string' ? target : target.default);
        const { files, bare } = walkRequires(file);
        const outside = [...files].filter((f) => relative(installed, f).startsWith('..'));
        expect({ key, outside }).toEqual({ key, outside: [] });
        expect({ key, synth: [...files].filter((f) => f.includes(`${sep}lib${sep}synth${sep}`)) }).toEqual({ key, synth: [] });
        // A deep import of cdk8s (cdk8s/lib/...) would tie the package to one release's internals.
        const packages = [...bare].map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]).replace(/^node:/, ''));
        expect({ key, unknown: packages.filter((p) => !allowed.has(p)) }).toEqual({ key, unknown: [] });
        expect({ key, deep: [...bare].filter((s) => /^(cdk8s|cdk8s-plus-27|constructs)\//.test(s)) }).toEqual({ key, deep: [] });
      }
    });

    it("export what the page says, as the app's require resolves them", () => {
      const appRequire = createRequire(join(app, 'main.ts'));
      const names = (entry: string) => Object.keys(appRequire(entry) as object);
      expect(names(NAME)).toEqual(expect.arrayContaining(['SecureAiPlatform', 'SecureAiEgressChecks', 'validateIntent', 'vllm', 'loadCluster']));
      expect(names(`${NAME}/presets`)).toEqual(expect.arrayContaining(['vllm', 'tei', 'HUGGING_FACE_HUB']));
      expect(names(`${NAME}/verify`)).toEqual(expect.arrayContaining(['loadCluster', 'query', 'egressReport']));
      expect(names(`${NAME}/plugin`)).toEqual(expect.arrayContaining(['SecureAiEgressChecks', 'RULES', 'checkManifests']));
      expect(names(`${NAME}/testing`)).toEqual(expect.arrayContaining(['reachMatchers']));
      // cdk8s-cli requires the package's folder, which loads `main`: the plugin class must be there.
      expect(names(installed)).toContain('SecureAiEgressChecks');
    });

    it("declare a plugin class that is cdk8s-cli's Validation, and takes cdk8s-cli's ValidationContext", () => {
      const check = join(app, 'plugin-types.ts');
      writeFileSync(
        check,
        [
          `import type { Validation, ValidationContext } from '${join(ROOT, 'node_modules', 'cdk8s-cli', 'lib', 'plugins')}';`,
          `import { SecureAiEgressChecks } from '${NAME}';`,
          'export const plugin: Validation = new SecureAiEgressChecks({ cloud: "aws" });',
          'export const validate = (context: ValidationContext): Promise<void> => new SecureAiEgressChecks().validate(context);',
        ].join('\n'),
      );
      try {
        const program = ts.createProgram([check], {
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          module: ts.ModuleKind.CommonJS,
          target: ts.ScriptTarget.ES2022,
          types: ['node'],
        });
        const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        expect(problems).toEqual([]);
      } finally {
        rmSync(check);
      }
    });
  });

  describe('a cdk8s app that installed it', () => {
    it('type-checks with tsc and the template tsconfig.json', () => {
      ok(run(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', app], app), 'tsc in the app');
    });

    it("synthesizes with `cdk8s synth`, the plugin loaded from the plugins folder the page's block fills from the tarball", () => {
      copyFileSync(tarball, join(app, packed.filename));
      const synth = ok(
        run('bash', ['-euo', 'pipefail', '-c', pluginsDirBlock(page)], app, { PATH: `${CDK8S_BIN}:${process.env.PATH ?? ''}` }),
        'the plugins-dir block',
      );
      expect(synth.stdout).not.toContain('Installing validation plugin');
      expect(synth.stdout).toMatch(/Plugin\s+│ secure-ai-egress/);
      expect(synth.stdout).toMatch(/pod-security-restricted\s+│ passed/);
      expect(synth.stdout).toContain('Validations ended succesfully');
      expect(
        readdirSync(join(app, 'dist'))
          .filter((f) => f.endsWith('.yaml'))
          .sort(),
      ).toEqual(['00-cluster.k8s.yaml', '05-dns-resolver.k8s.yaml', '10-policies-ai.k8s.yaml', '20-workloads-ai.k8s.yaml', 'website.k8s.yaml']);
    });

    it("reports what this repository's own plugin (scripts/cdk8s-validation.js) reports on the app's manifests, violations included", async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- cdk8s-cli's `exports` map names ./plugins, which tsc's "node" resolution does not read; require resolves it at run time.
      const { ValidationContext } = require('cdk8s-cli/plugins') as {
        ValidationContext: new (
          manifests: readonly string[],
          pkg: string,
          version: string,
          metadata?: Record<string, { path: string }>,
          stdout?: boolean,
        ) => Context;
      };
      type Plugin = new (properties?: object) => { validate(context: Context): Promise<void> };
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the package as cdk8s-cli loads it: its folder, by require.
      const packaged = (require(installed) as { SecureAiEgressChecks: Plugin }).SecureAiEgressChecks;
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the local plugin as cdk8s.yaml of this repository names it.
      const local = (require(join(ROOT, 'scripts', 'cdk8s-validation.js')) as { SecureAiEgressChecks: Plugin }).SecureAiEgressChecks;
      const manifests = readdirSync(join(app, 'dist'))
        .filter((f) => f.endsWith('.yaml'))
        .sort()
        .map((f) => join(app, 'dist', f));
      const report = async (plugin: Plugin, properties: object) => {
        const context = new ValidationContext(manifests, NAME, pkg.version, {}, false);
        await new plugin(properties).validate(context);
        return context.report.toJson();
      };
      // Without the website's namespace exempt, its Deployment breaks rules: the two reports name the same violations.
      for (const properties of [{ cloud: 'any', exemptNamespaces: ['website'] }, {}]) {
        const [fromPackage, fromRepository] = [await report(packaged, properties), await report(local, properties)];
        expect(fromPackage).toEqual(fromRepository);
      }
      expect((await report(packaged, {})).violations.length).toBeGreaterThan(0);
    });

    it("runs the app's own jest test, with the package's matchers", () => {
      const jest = ok(run(process.execPath, [join(app, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '--verbose'], app), 'jest in the app');
      const out = `${jest.stdout}${jest.stderr}`;
      expect(out).toContain('✓ the model server reaches its mirror on 443, and nothing else');
      expect(out).toContain('✓ the website may call the model server, on its port only');
      expect(out).toMatch(/Tests:\s+2 passed, 2 total/);
    });
  });
}
