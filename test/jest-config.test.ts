/**
 * Which test files jest runs (jest.config.js `testMatch`) and what `npm run snapshots` runs, asked
 * of jest itself (`--listTests`) in a scratch folder laid out like a platform team's clone: a test
 * file the team adds beside main.test.ts or under team/ runs with the rest, and the snapshot
 * command runs main.test.ts alone. (That `npm run cdk8s` turns cdk8s-cli's upgrade check off is
 * asked of cdk8s-cli where the tests run it: test/validation-plugin.test.ts.)
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
