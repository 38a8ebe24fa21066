import { spawnSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { generateIntent } from '../bench/generate';
import { rawApps } from '../bench/phases';
import { BASELINES, SYNTH_NODE_FLAGS, baselinesAt, benchMain, parseArgs } from '../bench/run';
import { validateIntent, isAllowListDestination, isCidrDestination, isHostsDestination, isServiceDestination } from '../lib/intent';

const ROOT = join(__dirname, '..');

describe('the benchmark intent generator', () => {
  test.each([
    [1, 0, 1],
    [5, 3, 1],
    [37, 20, 2],
    [200, 20, 3],
  ])('%i apps x %i destinations (seed %i) is a valid intent', (apps, destinations, seed) => {
    const intent = generateIntent({ apps, destinations, seed });
    expect(validateIntent(intent)).toEqual([]);
    expect(intent.apps).toHaveLength(apps);
    for (const app of intent.apps) expect(app.egress).toHaveLength(destinations);
  });

  test('gives the same intent for the same seed, and another for another seed', () => {
    const options = { apps: 30, destinations: 10 };
    expect(generateIntent({ ...options, seed: 4 })).toEqual(generateIntent({ ...options, seed: 4 }));
    expect(generateIntent({ ...options, seed: 4 })).not.toEqual(generateIntent({ ...options, seed: 5 }));
  });

  test('puts half the apps in each flavor and mixes every kind of destination', () => {
    const intent = generateIntent({ apps: 100, destinations: 20 });
    expect(intent.apps.filter((a) => a.flavor === 'calico')).toHaveLength(50);
    expect(intent.apps.filter((a) => a.flavor === 'kubernetes')).toHaveLength(50);
    const all = intent.apps.flatMap((a) => a.egress);
    const cidrs = all.filter(isCidrDestination);
    expect(cidrs.some((d) => d.cidr.includes(':'))).toBe(true);
    expect(cidrs.some((d) => !d.cidr.includes(':'))).toBe(true);
    expect(all.some((d) => d.ports.some((p) => typeof p === 'object'))).toBe(true);
    expect(all.some(isServiceDestination)).toBe(true);
    expect(all.some(isAllowListDestination)).toBe(true);
  });

  test("with hostnames, makes half of each app's destinations host names, and stays a valid intent", () => {
    const intent = generateIntent({ apps: 40, destinations: 20, hostnames: true });
    expect(validateIntent(intent)).toEqual([]);
    for (const app of intent.apps) {
      expect(app.egress).toHaveLength(20);
      expect(app.egress.filter(isHostsDestination)).toHaveLength(10);
    }
  });

  test('lets every generated app be called by exactly the generated apps that call it, and the gateway', () => {
    const intent = generateIntent({ apps: 50, destinations: 20 });
    for (const callee of intent.apps) {
      const callers = intent.apps
        .filter((a) =>
          a.egress.some((d) => isServiceDestination(d) && d.namespace === callee.namespace && d.podLabels['app.kubernetes.io/name'] === callee.name),
        )
        .map((a) => ({ namespace: a.namespace, podLabels: { 'app.kubernetes.io/name': a.name } }));
      expect(callee.ingress).toEqual([{ namespace: 'ai-gateway' }, ...callers]);
    }
    expect(intent.apps.some((a) => (a.ingress ?? []).length > 1)).toBe(true);
  });

  test('the raw cdk8s-plus baseline gets one app per app, with every external block expanded', () => {
    const input = { apps: 12, destinations: 6, seed: 3 };
    const intent = generateIntent(input);
    const raw = rawApps(input);
    expect(raw.map((a) => a.name)).toEqual(intent.apps.map((a) => a.name));
    const lists = new Map((intent.allowLists ?? []).map((l) => [l.name, l.cidrs.length]));
    intent.apps.forEach((app, i) => {
      const blocks = app.egress.reduce((n, d) => n + (isCidrDestination(d) ? 1 : isAllowListDestination(d) ? lists.get(d.allowList)! : 0), 0);
      expect(raw[i].ipBlocks).toHaveLength(blocks);
      expect(raw[i].peers).toHaveLength(app.egress.filter(isServiceDestination).length);
      expect(raw[i].clients).toHaveLength((app.ingress ?? []).length);
    });
  });
});

describe('npm run bench', () => {
  test("runs its synthesis with the Node flags of npm run synth and of cdk8s.yaml's app, so that it measures what they run", () => {
    const synthScript = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.synth;
    const app = (parse(readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8')) as { app: string }).app;
    expect(SYNTH_NODE_FLAGS.length).toBeGreaterThan(0);
    expect(synthScript).toBe(`tsx ${SYNTH_NODE_FLAGS.join(' ')} scripts/synth.ts`);
    expect(app).toBe(`node ${SYNTH_NODE_FLAGS.join(' ')} --require tsx/cjs scripts/cdk8s-app.ts`);
  });

  // One baseline only: the ones that start cdk8s synth (ts-node above all) are the slowest part of
  // a run, and the smoke test only has to show that every figure of what ran is there. The fewest
  // apps that still give the matrix a pair of generated apps: each phase's cost here is its
  // process starting and loading the project, not the work.
  test('--apps 2 --destinations 2 --runs 1 --baselines raw --json prints every figure of what ran', () => {
    const run = spawnSync(
      process.execPath,
      ['--require', 'tsx/cjs', 'bench/run.ts', '--apps', '2', '--destinations', '2', '--runs', '1', '--baselines', 'raw', '--json'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ apps: 2, destinations: 2, runs: 1, baselines: ['raw'] });
    const seconds = ['synthSeconds', 'validateSeconds', 'verifyEgressSeconds', 'verifyMatrixSeconds', 'totalSeconds', 'rawCdk8sPlusSeconds'];
    for (const key of seconds) {
      expect(typeof result[key]).toBe('number');
      expect(result[key]).toBeGreaterThan(0);
    }
    for (const key of ['rawCdk8sPlusOneChartSeconds', 'defaultSynthSeconds', 'tsNodeSynthSeconds']) expect(result).not.toHaveProperty(key);
    expect(result.peakRssMb).toBeGreaterThan(10);
    expect(result.peakRssMb).toBeLessThan(4096);
    expect(Object.keys(result.ratios)).toEqual(['synthVsRawCdk8sPlus']);
    expect(result.ratios.synthVsRawCdk8sPlus).toBeGreaterThan(0);
    expect(Object.keys(result.phases).sort()).toEqual(['rawCdk8sPlus', 'synth', 'validate', 'verifyEgress', 'verifyMatrix']);
    for (const phase of Object.values<{ samples: number[]; peakRssMb: number | null }>(result.phases)) {
      expect(phase.samples).toHaveLength(1);
      expect(phase.peakRssMb === null || phase.peakRssMb > 10).toBe(true);
    }
    // The two apps and the resolver of cluster names; every object the synthesis wrote valid.
    expect(result.phases.validate.facts.invalidObjects).toBe(0);
    expect(result.phases.verifyEgress.facts.workloads).toBe(3);
    expect(result.phases.verifyMatrix.facts.cells).toBe(3 * 2);
    expect(result.phases.rawCdk8sPlus.facts.deployments).toBe(2);
  });

  test('runs every baseline unless told otherwise, and none with --baselines none', () => {
    expect([parseArgs([])!.hostnames, parseArgs(['--hostnames'])!.hostnames]).toEqual([false, true]);
    expect(parseArgs([])!.baselines).toEqual(['raw', 'raw-one-chart', 'cdk8s-synth', 'ts-node-synth']);
    expect(parseArgs(['--baselines', 'none'])!.baselines).toEqual([]);
    expect(parseArgs(['--baselines', 'ts-node-synth,raw'])!.baselines).toEqual(['ts-node-synth', 'raw']);
    expect(() => parseArgs(['--baselines', 'raw,cdk8s'])).toThrow(
      /--baselines: "raw,cdk8s" is not accepted; accepted: none, or a comma-separated list of raw, raw-one-chart, cdk8s-synth, ts-node-synth/,
    );
  });

  test('leaves the quadratic baseline out above its size, saying why, unless --baselines names it', () => {
    expect(baselinesAt(2000, BASELINES, false)).toEqual({ run: [...BASELINES], skipped: [] });
    const big = baselinesAt(10000, BASELINES, false);
    expect(big.run).toEqual(['raw-one-chart', 'cdk8s-synth', 'ts-node-synth']);
    expect(big.skipped).toEqual([
      { baseline: 'raw', reason: expect.stringMatching(/grows with the square of the apps .* left out above 2000 apps unless --baselines names it/) },
    ]);
    expect(baselinesAt(10000, ['raw'], true)).toEqual({ run: ['raw'], skipped: [] });
    expect(parseArgs(['--baselines', 'raw'])!.baselinesNamed).toBe(true);
    expect(parseArgs([])!.baselinesNamed).toBe(false);
  });

  test('refuses a value it does not accept, or an unknown option, with the usage', () => {
    expect(() => parseArgs(['--apps', 'ten'])).toThrow(/^--apps: "ten" is not accepted; accepted: a whole number, 1 or more\nusage: npm run --silent bench/);
    expect(() => parseArgs(['--apps', '5', '--app', '3'])).toThrow(
      /^unknown option "--app"; did you mean --apps\? \(known: .*\)\nusage: npm run --silent bench/,
    );
  });

  test('--help lists every option with its default, and the exit codes', () => {
    expect(parseArgs(['--help'])).toBeUndefined();
    const help = benchMain(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^npm run --silent bench --: time synthesis/);
    expect(help.stdout).toMatch(/\n {2}--apps N\[,N\.\.\.\] +the number of apps .* \(default: 10\)\n/);
    expect(help.stdout).toMatch(/\n {2}1 {2}a phase of the benchmark failed/);
    expect(benchMain(['--runs', '0'])).toEqual({
      code: 2,
      stdout: '',
      stderr: expect.stringMatching(/^bench: --runs: "0" is not accepted; .*\nusage: npm run --silent bench/),
    });
  });
});
