/**
 * Which test files jest runs (jest.config.js `testMatch`) and what `npm run snapshots` runs, asked
 * of jest itself (`--listTests`) in a scratch folder laid out like a platform team's clone: a test
 * file the team adds beside main.test.ts or under team/ runs with the rest, and the snapshot
 * command runs main.test.ts alone.
 */
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, relative } from 'path';

const ROOT = join(__dirname, '..');
const JEST = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
const FILES = [
  'main.test.ts',
  'team.test.ts',
  'team/egress.test.ts',
  'lib/verify/x.test.ts',
  'test/y.test.ts',
  'dist/z.test.ts',
  'bench/w.test.ts',
  'node_modules/p/q.test.ts',
];

let clone: string;
beforeAll(() => {
  clone = realpathSync(mkdtempSync(join(tmpdir(), 'jest-config-')));
  for (const file of FILES) {
    mkdirSync(dirname(join(clone, file)), { recursive: true });
    writeFileSync(join(clone, file), "it('runs', () => undefined);\n");
  }
});
afterAll(() => rmSync(clone, { recursive: true, force: true }));

/** The files jest would run in the scratch clone with the project's configuration and these arguments. */
function listed(...args: string[]): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the configuration as jest loads it, laid over the scratch clone.
  const config: Record<string, unknown> = { ...(require(join(ROOT, 'jest.config.js')) as Record<string, unknown>), rootDir: clone };
  delete config.globalSetup;
  delete config.setupFiles;
  delete config.setupFilesAfterEnv;
  delete config.transform;
  const run = spawnSync(process.execPath, [JEST, '--config', JSON.stringify(config), '--listTests', ...args], { cwd: clone, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout
    .trim()
    .split('\n')
    .map((f) => relative(clone, f))
    .sort();
}

it("runs main.test.ts, a team's test file beside it or under team/, and the tool's own tests; nothing in dist/, bench/ or node_modules/", () => {
  expect(listed()).toEqual(['lib/verify/x.test.ts', 'main.test.ts', 'team.test.ts', 'team/egress.test.ts', 'test/y.test.ts']);
});

it('npm run snapshots updates the snapshots of main.test.ts alone, outside CI mode', () => {
  const script: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.snapshots;
  const [node, jest, ...args] = script.split(' ');
  expect([node, jest]).toEqual(['node', 'node_modules/jest/bin/jest.js']);
  expect(args).toEqual(expect.arrayContaining(['--ci=false', '--updateSnapshot']));
  expect(listed(...args)).toEqual(['main.test.ts']);
});

it('npm run cdk8s runs cdk8s-cli without its upgrade check, which asks the npm registry and prints a stack trace where that fails', () => {
  const script: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.cdk8s;
  const [cli, ...args] = script.split(' ');
  expect(cli).toBe('cdk8s');
  // cdk8s-cli reads CDK8S_* variables too (yargs .env): left out, so the script's own argument
  // decides. The check runs before a command (not before --help or --version): a synth of an app
  // that writes nothing, which fails after it, on loopback only.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CDK8S_')));
  const cdk8s = join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
  const run = spawnSync(process.execPath, [cdk8s, ...args, 'synth', '--app', 'node -e 0', '--output', join(clone, 'out')], {
    cwd: clone,
    encoding: 'utf8',
    env,
  });
  expect(run.stderr).toContain('app expected to create');
  expect(run.stderr).not.toMatch(/http error|A new version|_loadurl/);
});
