import { spawnSync } from 'child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildApp } from '../lib/app';
import { loadIntent, runSynth, safeSynth, SYNTH_MODES } from '../lib/synth';
import { shipped } from './fixtures/intents';
import { cdk8sSynth } from './support/cdk8s';

const ROOT = join(__dirname, '..');
const ENTRY = 'test/fixtures/entry';

/**
 * Each child process here starts Node, tsx and the project (about a second): only what needs the
 * real entry runs in one. The program itself (scripts/synth.ts) is a few lines around runSynth:
 * its options and one failing run go through it; the messages of a file that does not load
 * depend on tsx (esbuild's syntax errors, positions in the user's file), so those files are
 * loaded by tsx, in one process; what runSynth prints for a file that loads is the same in a
 * test, and checked here in-process.
 */
let work: string;
let shippedDist: string;
beforeAll(() => {
  shippedDist = mkdtempSync(join(tmpdir(), 'entry-shipped-'));
  const first = safeSynth((outdir) => buildApp(outdir, shipped), shippedDist);
  if (!first.ok) throw new Error(first.message);
});
afterAll(() => rmSync(shippedDist, { recursive: true, force: true }));
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'entry-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** A dist/ holding the shipped scenario, and a way to read it back. */
function existingDist(): { dist: string; read: () => string[] } {
  const dist = join(work, 'dist');
  cpSync(shippedDist, dist, { recursive: true });
  return {
    dist,
    read: () =>
      readdirSync(dist)
        .sort()
        .map((f) => `${f}\n${readFileSync(join(dist, f), 'utf8')}`),
  };
}

/** `npm run synth -- --intent FILE --out DIR`, as the package script runs it (through tsx). */
function npmSynth(intentFile: string, dist: string, ...extra: string[]) {
  return spawnSync(process.execPath, ['--require', 'tsx/cjs', 'scripts/synth.ts', '--intent', intentFile, '--out', dist, ...extra], {
    cwd: ROOT,
    encoding: 'utf8',
  });
}

/** What `npm run synth -- --intent FILE --out DIR` prints and exits with, for a file that loads: runSynth is all the script adds to loading it. */
function synthRun(intentFile: string, dist: string) {
  const run = runSynth(loadIntent(intentFile, ROOT), dist, SYNTH_MODES.npmRunSynth);
  return { status: run.code, stdout: run.stdout, stderr: run.stderr };
}

/** loadIntent's message for each file, loaded as npm run synth loads main.ts: through tsx, in one process. */
function loadedThroughTsx(files: readonly string[]): string[] {
  const script = `const { loadIntent } = require('./lib/synth');
for (const file of JSON.parse(process.argv[1])) { const loaded = loadIntent(file); console.log(loaded.ok ? 'loaded' : loaded.message); }`;
  const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script, JSON.stringify(files)], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout.trimEnd().split('\n');
}

describe('npm run synth fails with one line for a main.ts that does not load, and leaves dist/ unchanged', () => {
  it('a syntax error: file:line:column and esbuild\'s message, then "dist/ was left unchanged", exit 1', () => {
    const { dist, read } = existingDist();
    const before = read();
    const run = npmSynth(`${ENTRY}/broken/syntax-error.ts`, dist);
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({
      status: 1,
      stdout: '',
      stderr: `synth: ${ENTRY}/broken/syntax-error.ts:6:26: Expected "}" but found "namespace"\n${dist}/ was left unchanged.\n`,
    });
    expect(read()).toEqual(before);
  });

  it("a name that does not exist, a misspelled preset option: the place in the user's file, as tsx loads it", () => {
    expect(loadedThroughTsx([`${ENTRY}/broken/reference-error.ts`, `${ENTRY}/broken/preset-option.ts`])).toEqual([
      `${ENTRY}/broken/reference-error.ts:6:127: ReferenceError: registryMirror is not defined`,
      `${ENTRY}/broken/preset-option.ts:6:45: vllm({ gpu }): 1 is not an option of vllm; accepted: model, gpus, image, args, env, nodeSelector, hub, egress. Did you mean "gpus"?`,
    ]);
  });

  it('no exported intent: says what to export, then "dist/ was left unchanged", exit 1', () => {
    const { dist, read } = existingDist();
    const before = read();
    expect(synthRun(`${ENTRY}/no-intent.ts`, dist)).toEqual({
      status: 1,
      stdout: '',
      stderr: `synth: ${ENTRY}/no-intent.ts: exports no intent; accepted: export const intent: PlatformIntent = { apps: [...] }\n${dist}/ was left unchanged.\n`,
    });
    expect(read()).toEqual(before);
  });

  it('lists every problem of an intent that loads but means nothing, and leaves dist/ unchanged', () => {
    const { dist, read } = existingDist();
    const before = read();
    const run = synthRun(`${ENTRY}/misspelled.ts`, dist);
    expect(run.status).toBe(1);
    expect(run.stderr.split('\n')).toEqual([
      'synth: the declared intent has 2 problems; nothing was written:',
      '  sample-app.egress[0].protocoll: "UDP" is not a field of a cidr destination; accepted: cidr, ports, protocol, description, internet, networkSet, shared. Did you mean "protocol"?',
      expect.stringMatching(/^ {2}sample-app\.egress\[1\]: \{"cidr":"10\.0\.0\.0\/8","namespace":"vector-db"\} is more than one kind of destination/),
      `${dist}/ was left unchanged.`,
      '',
    ]);
    expect(read()).toEqual(before);
  });

  it('writes a minimal app, and prints the defaults it relies on and what its image must support', () => {
    const { dist } = existingDist();
    const run = synthRun(`${ENTRY}/minimal.ts`, dist);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toContain(`synth: wrote 4 files to ${dist}/, all valid:\n  ${dist}/00-cluster.k8s.yaml\n  ${dist}/05-dns-resolver.k8s.yaml\n`);
    expect(run.stdout).toContain(
      'defaults applied (declare the field to choose otherwise):\n  dnsResolver.clusterIp: 10.96.0.53, in 10.96.0.0/12, the default Service range of cloud "any"',
    );
    expect(run.stdout).toContain('\n  sample-app.resources: requests cpu 250m, memory 512Mi; limits cpu 1, memory 512Mi\n');
    expect(run.stdout).toMatch(
      /synth: 1 warning \(not errors: synthesis goes on\):\n {2}sample-app\.image: "nginxinc\/nginx-unprivileged:1\.27-alpine" must run as the non-root numeric user 10001/,
    );
    expect(readdirSync(dist)).toEqual([
      '00-cluster.k8s.yaml',
      '05-dns-resolver.k8s.yaml',
      '10-policies-ai-application.k8s.yaml',
      '20-workloads-ai-application.k8s.yaml',
    ]);
  });

  it('refuses an unknown option, naming the known ones, with the usage', () => {
    const run = npmSynth(`${ENTRY}/minimal.ts`, join(work, 'dist'), '--outdir', 'x');
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('synth: unknown option "--outdir" (known: --intent, --out, --help)\nusage: npm run synth [-- --intent FILE] [--out DIR]\n');
  });

  it('lists its options and exit codes with --help, and writes nothing', () => {
    const dist = join(work, 'help-dist');
    const run = npmSynth(`${ENTRY}/minimal.ts`, dist, '--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^npm run synth --: write dist\/ .*\n\nusage: npm run synth -- \[--intent FILE\] \[--out DIR\]\n/);
    expect(run.stdout).toMatch(/\n {2}1 {2}main\.ts does not load, or the intent or the manifests are invalid/);
    expect(existsSync(dist)).toBe(false);
  });
});

describe('cdk8s synth (cdk8s.yaml runs scripts/cdk8s-app.ts)', () => {
  it('fails with one line for a syntax error, says that cdk8s removed the output folder and that npm run synth keeps it, and prints no stack trace', () => {
    const { dist } = existingDist();
    const run = cdk8sSynth(`${ENTRY}/broken/syntax-error.ts`, dist);
    expect(run.status).toBe(1);
    expect(run.stderr.split('\n')).toEqual([
      `synth: ${ENTRY}/broken/syntax-error.ts:6:26: Expected "}" but found "namespace"`,
      `cdk8s synth removed ${dist}/ before it ran the app, so ${dist}/ is gone now; npm run synth leaves ${dist}/ as it was when it fails (git checkout -- ${dist}/ restores it).`,
      `ERROR: synthesis failed, app expected to create "${dist}"`,
      '',
    ]);
    expect(existsSync(dist)).toBe(false);
  });

  // A valid intent through cdk8s synth, with its warnings on standard error: test/validation-plugin.test.ts, whose run of
  // cdk8s synth (the app, then the plugin) checks both.
});
