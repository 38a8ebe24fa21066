/**
 * `npm run --silent bench -- --apps N --destinations M [--runs R] [--seed S] [--json]`
 *
 * Measures, side by side in one run, on a generated intent of N apps with M egress destinations:
 * the project's synthesis, schema validation of its output, the verifier's egress report and
 * matrix, and as baselines the same objects through cdk8s-plus-27 alone and the default main.ts
 * through `cdk8s synth` with this project's app command and with the cdk8s template's
 * `npx ts-node main.ts`. Every figure is the median of R runs, the phases interleaved run by run
 * so that noise from other work on the machine spreads over all of them alike.
 *
 * `--apps` takes a comma-separated list (`10,100,1000`) to print one table across sizes with the
 * growth between consecutive sizes. `--baselines` picks which baselines run (all by default,
 * `none` for the project's own phases only).
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { cpus, tmpdir } from 'os';
import { join, resolve } from 'path';
import { parse } from 'yaml';
import { CliResult, CommandSpec, EXIT, helpText, parseCommand, runCommand, UsageError } from '../lib/cli';
import { ChildResult, RESULT_MARKER } from './child';
import { PhaseInput, PhaseName } from './phases';

const ROOT = resolve(__dirname, '..');
const CDK8S = join(ROOT, 'node_modules', '.bin', 'cdk8s');
const GNU_TIME = '/usr/bin/time';
/** The app command of `cdk8s init typescript-app`. */
export const TS_NODE_APP = 'npx ts-node main.ts';

/**
 * The baselines the project is compared with: plain cdk8s-plus-27 into the same files or into one
 * chart, and `cdk8s synth` of the default main.ts with this project's app command or ts-node's.
 */
export const BASELINES = ['raw', 'raw-one-chart', 'cdk8s-synth', 'ts-node-synth'] as const;
export type Baseline = (typeof BASELINES)[number];

/**
 * Baselines whose time grows with the square of the input, and the size above which a run leaves
 * them out unless `--baselines` names them: plain cdk8s-plus-27 into the project's files renders
 * every chart from the whole app (`App.synth()` calls `Chart.toJson()` per chart, and each
 * validates and resolves every construct of the app), 11 s at 1,000 apps and so about 18 minutes
 * at 10,000. The same objects in one chart, and the `cdk8s synth` runs of the default main.ts,
 * do not grow that way and always run.
 */
export const QUADRATIC_BASELINES: Readonly<Partial<Record<Baseline, number>>> = { raw: 2000 };

/** A baseline a run left out, and why. */
export interface SkippedBaseline {
  readonly baseline: Baseline;
  readonly reason: string;
}

/** The baselines to run at a size: those asked for, less the quadratic ones above their size unless `--baselines` named them. */
export function baselinesAt(apps: number, asked: readonly Baseline[], named: boolean): { readonly run: Baseline[]; readonly skipped: SkippedBaseline[] } {
  const run: Baseline[] = [];
  const skipped: SkippedBaseline[] = [];
  for (const b of asked) {
    const limit = QUADRATIC_BASELINES[b];
    if (!named && limit !== undefined && apps > limit)
      skipped.push({
        baseline: b,
        reason: `grows with the square of the apps (each chart rendered from the whole app); left out above ${limit} apps unless --baselines names it`,
      });
    else run.push(b);
  }
  return { run, skipped };
}

/** What to measure. */
export interface BenchOptions {
  readonly apps: number;
  readonly destinations: number;
  /** Repetitions of every measurement; figures are their medians. */
  readonly runs: number;
  readonly seed: number;
  /** The matrix covers the first this many endpoints. */
  readonly matrixEndpoints: number;
  /** The baselines to measure too. */
  readonly baselines: readonly Baseline[];
  /** Baselines asked for but left out at this size (see QUADRATIC_BASELINES). */
  readonly skippedBaselines?: readonly SkippedBaseline[];
  /** Also measure, interleaved, the same apps with half their destinations host names (through the egress proxy). */
  readonly hostnames?: boolean;
}

/** One measured figure: the median of its samples and the peak memory of the largest one. */
export interface Measurement {
  readonly seconds: number;
  readonly samples: readonly number[];
  /** Peak resident memory of the process (tree) that did the work; null where it cannot be read. */
  readonly peakRssMb: number | null;
}

/** A phase run in a child: also the untimed setup (module loading, intent generation). */
export interface PhaseMeasurement extends Measurement {
  readonly setupSeconds: number;
  /** Median CPU seconds (user and system) of the timed body: what other work on a shared machine does not stretch. */
  readonly cpuSeconds: number;
  readonly facts: Readonly<Record<string, number>>;
}

/** The figures of one run; the flat fields are the ones the issue names. */
export interface BenchResult {
  readonly apps: number;
  readonly destinations: number;
  readonly runs: number;
  readonly seed: number;
  readonly synthSeconds: number;
  readonly validateSeconds: number;
  readonly verifyEgressSeconds: number;
  readonly verifyMatrixSeconds: number;
  /** Synthesis, validation and the verifier's egress report: what a pull request re-runs. */
  readonly totalSeconds: number;
  /** The largest peak resident memory of the project's phases. */
  readonly peakRssMb: number;
  /** The baselines measured; each figure below is there when its baseline ran (all by default). */
  readonly baselines: readonly Baseline[];
  /** Baselines left out at this size, and why; absent when none was. */
  readonly skippedBaselines?: readonly SkippedBaseline[];
  /**
   * With `--hostnames`: synthesis, validation and the verifier's egress report (with what each
   * workload reaches by name) of the same apps with half their destinations host names, and its
   * total over the total above (all destinations by address).
   */
  readonly hostnames?: {
    readonly synthSeconds: number;
    readonly validateSeconds: number;
    readonly verifyEgressSeconds: number;
    readonly totalSeconds: number;
    readonly peakRssMb: number;
    readonly ratio: number;
    /** The same three phases in CPU seconds (medians), by address and by name, and their ratio: what a busy shared machine does not stretch. */
    readonly cpu: { readonly byAddress: number; readonly byName: number; readonly ratio: number };
  };
  /** cdk8s-plus-27 alone, the same objects into the same files through `app.synth()` (`raw`). */
  readonly rawCdk8sPlusSeconds?: number;
  /** The same, every object in one chart: the least plain cdk8s spends on these objects (`raw-one-chart`). */
  readonly rawCdk8sPlusOneChartSeconds?: number;
  /** `cdk8s-synth` */
  readonly defaultSynthSeconds?: number;
  /** `ts-node-synth` */
  readonly tsNodeSynthSeconds?: number;
  readonly ratios: {
    /** Ours / raw cdk8s-plus-27, for the same objects in the same files. */
    readonly synthVsRawCdk8sPlus?: number;
    /** Ours / raw cdk8s-plus-27 in one chart. */
    readonly synthVsRawCdk8sPlusOneChart?: number;
    /** `npx ts-node main.ts` / this project's app command, both through `cdk8s synth`. */
    readonly tsNodeVsDefault?: number;
  };
  readonly phases: {
    readonly synth: PhaseMeasurement;
    readonly validate: PhaseMeasurement;
    readonly verifyEgress: PhaseMeasurement;
    readonly verifyMatrix: PhaseMeasurement;
    readonly rawCdk8sPlus?: PhaseMeasurement;
    readonly rawCdk8sPlusOneChart?: PhaseMeasurement;
    readonly defaultSynth?: Measurement & { readonly app: string };
    readonly tsNodeSynth?: Measurement & { readonly app: string };
  };
  readonly environment: { readonly node: string; readonly cpus: number; readonly platform: string };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The Node flags `npm run synth` runs with (package.json's `synth` script, and cdk8s.yaml's `app`
 * for `cdk8s synth`): its two phases here, synthesis and the schema validation it does in the same
 * process, run with them too. A young generation of 64 MB (V8's default semi-space is 16 MB):
 * each namespace's charts are made, written and let go, and with 16 MB much of them lived through
 * two scavenges into the old generation, where only a full collection frees them (at 10,000 apps,
 * a quarter less CPU with it; at 1,000 apps the same).
 */
export const SYNTH_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
const SYNTH_PHASES: ReadonlySet<PhaseName> = new Set(['synth', 'validate']);

function runChild(phase: PhaseName, input: PhaseInput): ChildResult {
  const flags = SYNTH_PHASES.has(phase) ? SYNTH_NODE_FLAGS : [];
  const child = spawnSync(process.execPath, [...flags, '--require', 'tsx/cjs', join(__dirname, 'child.ts'), phase, JSON.stringify(input)], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (child.status !== 0 || !line) {
    throw new Error(`bench phase ${phase} failed (exit ${child.status}):\n${child.stderr.trim()}`);
  }
  const result = JSON.parse(line.slice(RESULT_MARKER.length)) as ChildResult;
  if ((result.facts.invalidObjects ?? 0) > 0) process.stderr.write(`bench: warning: ${input.apps} apps: ${child.stderr.trim()}\n`);
  return result;
}

/** `cdk8s synth` of the default main.ts with an app command, into `outdir`; timed from outside. */
function runCdk8sSynth(app: string, outdir: string): { seconds: number; peakRssMb: number | null } {
  // The upgrade check fetches from the npm registry (cached 30 min): network noise, not synthesis.
  const args = [CDK8S, 'synth', '--no-check-upgrade', '--app', app, '--output', outdir];
  const rssFile = `${outdir}.rss`;
  const withTime = existsSync(GNU_TIME);
  const started = performance.now();
  const child = withTime
    ? spawnSync(GNU_TIME, ['-f', '%M', '-o', rssFile, ...args], { cwd: ROOT, encoding: 'utf8' })
    : spawnSync(args[0], args.slice(1), { cwd: ROOT, encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (child.status !== 0) throw new Error(`cdk8s synth --app "${app}" failed (exit ${child.status}):\n${child.stderr.trim()}`);
  const peakRssMb = withTime ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024 : null;
  return { seconds, peakRssMb };
}

/** The `app:` command of this project's cdk8s.yaml. */
export function projectAppCommand(): string {
  return (parse(readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8')) as { app: string }).app;
}

function summarize(results: readonly ChildResult[]): PhaseMeasurement;
function summarize(results: readonly ChildResult[] | undefined): PhaseMeasurement | undefined;
function summarize(results: readonly ChildResult[] | undefined): PhaseMeasurement | undefined {
  if (!results?.length) return undefined;
  const samples = results.map((r) => r.seconds);
  return {
    seconds: median(samples),
    samples,
    setupSeconds: median(results.map((r) => r.setupSeconds)),
    cpuSeconds: median(results.map((r) => r.cpuSeconds)),
    peakRssMb: Math.max(...results.map((r) => r.peakRssMb)),
    facts: results[0].facts,
  };
}

function summarizeCli(app: string, results: readonly { seconds: number; peakRssMb: number | null }[]): (Measurement & { app: string }) | undefined {
  if (results.length === 0) return undefined;
  const samples = results.map((r) => r.seconds);
  const rss = results.map((r) => r.peakRssMb).filter((r): r is number => r !== null);
  return { app, seconds: median(samples), samples, peakRssMb: rss.length ? Math.max(...rss) : null };
}

/** Runs every measurement `runs` times, interleaved, and returns the medians. */
export function runBenchmark(options: BenchOptions): BenchResult {
  const work = mkdtempSync(join(tmpdir(), 'secure-ai-egress-bench-'));
  const size = { apps: options.apps, destinations: options.destinations, seed: options.seed };
  const ours = projectAppCommand();
  const results: Record<PhaseName, ChildResult[]> = { synth: [], validate: [], egress: [], matrix: [], raw: [], rawOneChart: [] };
  const named: Record<'synth' | 'validate' | 'egress', ChildResult[]> = { synth: [], validate: [], egress: [] };
  const namedOutput = join(work, 'output-hostnames');
  const cli: Record<'default' | 'tsNode', { seconds: number; peakRssMb: number | null }[]> = { default: [], tsNode: [] };
  const output = join(work, 'output');
  try {
    for (let run = 0; run < options.runs; run++) {
      const fresh = (name: string) => join(work, `${name}-${run}`);
      // The first synthesis writes the folder every later phase reads.
      const synthDir = run === 0 ? output : fresh('synth');
      results.synth.push(runChild('synth', { ...size, dir: synthDir }));
      if (run > 0) rmSync(synthDir, { recursive: true, force: true });
      results.validate.push(runChild('validate', { ...size, dir: output }));
      results.egress.push(runChild('egress', { ...size, dir: output }));
      results.matrix.push(runChild('matrix', { ...size, dir: output, matrixEndpoints: options.matrixEndpoints }));
      if (options.hostnames) {
        const dir = run === 0 ? namedOutput : fresh('synth-hostnames');
        named.synth.push(runChild('synth', { ...size, hostnames: true, dir }));
        if (run > 0) rmSync(dir, { recursive: true, force: true });
        named.validate.push(runChild('validate', { ...size, hostnames: true, dir: namedOutput }));
        named.egress.push(runChild('egress', { ...size, hostnames: true, dir: namedOutput }));
      }
      for (const [phase, baseline] of [
        ['raw', 'raw'],
        ['rawOneChart', 'raw-one-chart'],
      ] as const) {
        if (!options.baselines.includes(baseline)) continue;
        results[phase].push(runChild(phase, { ...size, dir: fresh(phase) }));
        rmSync(fresh(phase), { recursive: true, force: true });
      }
      if (options.baselines.includes('cdk8s-synth')) cli.default.push(runCdk8sSynth(ours, fresh('default')));
      if (options.baselines.includes('ts-node-synth')) cli.tsNode.push(runCdk8sSynth(TS_NODE_APP, fresh('ts-node')));
      for (const name of ['default', 'ts-node']) rmSync(fresh(name), { recursive: true, force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const phases = {
    synth: summarize(results.synth),
    validate: summarize(results.validate),
    verifyEgress: summarize(results.egress),
    verifyMatrix: summarize(results.matrix),
    rawCdk8sPlus: summarize(results.raw),
    rawCdk8sPlusOneChart: summarize(results.rawOneChart),
    defaultSynth: summarizeCli(ours, cli.default),
    tsNodeSynth: summarizeCli(TS_NODE_APP, cli.tsNode),
  };
  const own = [phases.synth, phases.validate, phases.verifyEgress, phases.verifyMatrix];
  const ratio = (a: Measurement | undefined, b: Measurement | undefined) => (a && b ? a.seconds / b.seconds : undefined);
  const total = phases.synth.seconds + phases.validate.seconds + phases.verifyEgress.seconds;
  const byName = options.hostnames ? [summarize(named.synth), summarize(named.validate), summarize(named.egress)] : undefined;
  const namedTotal = byName ? byName.reduce((n, m) => n + m.seconds, 0) : 0;
  const cpuOf = (lists: readonly ChildResult[][]) => lists.reduce((n, list) => n + median(list.map((r) => r.cpuSeconds)), 0);
  const cpu = options.hostnames
    ? { byAddress: cpuOf([results.synth, results.validate, results.egress]), byName: cpuOf([named.synth, named.validate, named.egress]) }
    : undefined;
  return {
    apps: options.apps,
    destinations: options.destinations,
    runs: options.runs,
    seed: options.seed,
    synthSeconds: phases.synth.seconds,
    validateSeconds: phases.validate.seconds,
    verifyEgressSeconds: phases.verifyEgress.seconds,
    verifyMatrixSeconds: phases.verifyMatrix.seconds,
    totalSeconds: total,
    peakRssMb: Math.max(...own.map((p) => p.peakRssMb ?? 0)),
    baselines: BASELINES.filter((b) => options.baselines.includes(b)),
    ...(options.skippedBaselines?.length ? { skippedBaselines: options.skippedBaselines } : {}),
    ...(byName
      ? {
          hostnames: {
            synthSeconds: byName[0].seconds,
            validateSeconds: byName[1].seconds,
            verifyEgressSeconds: byName[2].seconds,
            totalSeconds: namedTotal,
            peakRssMb: Math.max(...byName.map((p) => p.peakRssMb ?? 0)),
            ratio: namedTotal / total,
            cpu: { ...cpu!, ratio: cpu!.byName / cpu!.byAddress },
          },
        }
      : {}),
    rawCdk8sPlusSeconds: phases.rawCdk8sPlus?.seconds,
    rawCdk8sPlusOneChartSeconds: phases.rawCdk8sPlusOneChart?.seconds,
    defaultSynthSeconds: phases.defaultSynth?.seconds,
    tsNodeSynthSeconds: phases.tsNodeSynth?.seconds,
    ratios: {
      synthVsRawCdk8sPlus: ratio(phases.synth, phases.rawCdk8sPlus),
      synthVsRawCdk8sPlusOneChart: ratio(phases.synth, phases.rawCdk8sPlusOneChart),
      tsNodeVsDefault: ratio(phases.tsNodeSynth, phases.defaultSynth),
    },
    phases,
    environment: { node: process.version, cpus: cpus().length, platform: `${process.platform}-${process.arch}` },
  };
}

/** Default repetitions: five, three for the slow big sizes. */
export function defaultRuns(apps: number): number {
  return apps > 100 ? 3 : 5;
}

interface CliArgs {
  readonly sizes: readonly number[];
  readonly destinations: number;
  readonly runs?: number;
  readonly seed: number;
  readonly matrixEndpoints: number;
  readonly baselines: readonly Baseline[];
  /** True when `--baselines` named them (then the quadratic ones run at any size). */
  readonly baselinesNamed: boolean;
  readonly hostnames: boolean;
  readonly json: boolean;
}

const USAGE =
  'usage: npm run --silent bench -- --apps N[,N...] --destinations M [--runs R] [--seed S] [--matrix-endpoints E] [--baselines B[,B...]|none] [--hostnames] [--json]';

/** The benchmark's options, declared for lib/cli, which parses them and writes `--help`. */
const BENCH_SPEC: CommandSpec = {
  program: 'npm run --silent bench --',
  name: 'bench',
  summary: 'time synthesis, validation and the verifier on generated intents, beside raw cdk8s-plus-27 and cdk8s synth',
  options: [
    { name: 'apps', type: 'string', value: 'N[,N...]', default: '10', description: 'the number of apps of each generated intent, one run per size' },
    { name: 'destinations', type: 'string', value: 'M', default: '20', description: 'egress destinations per app' },
    { name: 'runs', type: 'string', value: 'R', default: '5, 3 above 100 apps', description: 'repetitions per size; the median is reported' },
    { name: 'seed', type: 'string', value: 'S', default: '1', description: 'the seed of the generated intents' },
    { name: 'matrix-endpoints', type: 'string', value: 'E', default: '200', description: 'endpoints of the verifier matrix phase' },
    {
      name: 'baselines',
      type: 'string',
      value: 'B[,B...]|none',
      default: BASELINES.join(','),
      description: 'the baselines to run beside the project (the quadratic raw one is left out above 2000 apps unless named)',
    },
    { name: 'hostnames', type: 'boolean', description: 'also time an intent with half of its destinations host names' },
    { name: 'json', type: 'boolean', description: 'print the results as JSON' },
  ],
  exitCodes: [[EXIT.failed, 'a phase of the benchmark failed (its error on stderr)']],
};

function baselineList(text: string | undefined): Baseline[] {
  if (text === 'none') return [];
  const names = (text ?? '').split(',');
  const wrong = names.find((n) => !(BASELINES as readonly string[]).includes(n));
  if (text === undefined || wrong !== undefined) {
    throw new UsageError(
      `--baselines: ${JSON.stringify(text)} is not accepted; accepted: none, or a comma-separated list of ${BASELINES.join(', ')}\n${USAGE}`,
    );
  }
  return names as Baseline[];
}

function wholeNumber(flag: string, text: string | undefined, min: number): number {
  const n = Number(text);
  if (text === undefined || !Number.isInteger(n) || n < min)
    throw new UsageError(`${flag}: ${JSON.stringify(text)} is not accepted; accepted: a whole number, ${min} or more\n${USAGE}`);
  return n;
}

/** The options of a run, or undefined when `--help` was asked for. */
export function parseArgs(argv: readonly string[]): CliArgs | undefined {
  let values: Record<string, string | string[] | boolean | undefined> | undefined;
  try {
    values = parseCommand(BENCH_SPEC, argv);
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
  if (values === undefined) return undefined;
  const text = (name: string) => values[name] as string | undefined;
  const named = text('baselines') !== undefined;
  return {
    sizes:
      text('apps') === undefined
        ? [10]
        : text('apps')!
            .split(',')
            .map((s) => wholeNumber('--apps', s, 1)),
    destinations: text('destinations') === undefined ? 20 : wholeNumber('--destinations', text('destinations'), 0),
    runs: text('runs') === undefined ? undefined : wholeNumber('--runs', text('runs'), 1),
    seed: text('seed') === undefined ? 1 : wholeNumber('--seed', text('seed'), 0),
    matrixEndpoints: text('matrix-endpoints') === undefined ? 200 : wholeNumber('--matrix-endpoints', text('matrix-endpoints'), 1),
    baselines: named ? baselineList(text('baselines')) : BASELINES,
    baselinesNamed: named,
    hostnames: values.hostnames === true,
    json: values.json === true,
  };
}

/** A figure to two decimals, or `-` where its baseline did not run. */
const fixed = (n: number | undefined, digits = 2) => (n === undefined ? '-' : n.toFixed(digits));
const mb = (n: number | null) => (n === null ? 'n/a' : fixed(n, 0));

/** One benchmark as a readable table. */
export function formatResult(r: BenchResult): string {
  const rows: [string, (Measurement & { setupSeconds?: number; cpuSeconds?: number }) | undefined][] = [
    ['synthesis (ours)', r.phases.synth],
    ['schema validation', r.phases.validate],
    ['verifier egress', r.phases.verifyEgress],
    ['verifier matrix', r.phases.verifyMatrix],
    ['raw cdk8s-plus-27, same files', r.phases.rawCdk8sPlus],
    ['raw cdk8s-plus-27, one chart', r.phases.rawCdk8sPlusOneChart],
    [`cdk8s synth, app: ${r.phases.defaultSynth?.app ?? projectAppCommand()}`, r.phases.defaultSynth],
    [`cdk8s synth, app: ${r.phases.tsNodeSynth?.app ?? TS_NODE_APP}`, r.phases.tsNodeSynth],
  ];
  const lines = [
    `${r.apps} apps x ${r.destinations} destinations, median of ${r.runs} run${r.runs === 1 ? '' : 's'} (node ${r.environment.node}, ${r.environment.cpus} cpus)`,
    '',
    '| measurement | median s | samples s | CPU s | setup s | peak RSS MB |',
    '|---|---:|---|---:|---:|---:|',
    ...rows.map(([name, m]) =>
      m
        ? `| ${name} | ${fixed(m.seconds)} | ${m.samples.map((s) => fixed(s)).join(' ')} | ${m.cpuSeconds === undefined ? '-' : fixed(m.cpuSeconds)} | ${m.setupSeconds === undefined ? '-' : fixed(m.setupSeconds)} | ${mb(m.peakRssMb)} |`
        : `| ${name} | not run | - | - | - | - |`,
    ),
    '',
    `synthesis + validation + verifier egress: ${fixed(r.totalSeconds)} s; peak RSS of the project's phases: ${mb(r.peakRssMb)} MB`,
    `ours / raw cdk8s-plus-27: ${fixed(r.ratios.synthVsRawCdk8sPlus)} (same files), ${fixed(r.ratios.synthVsRawCdk8sPlusOneChart)} (one chart); ts-node / ours (default main.ts through cdk8s synth): ${fixed(r.ratios.tsNodeVsDefault)}`,
    ...skippedLines(r),
    ...(r.hostnames
      ? [
          `half of the destinations host names: synthesis ${fixed(r.hostnames.synthSeconds)} s, validation ${fixed(r.hostnames.validateSeconds)} s, verifier egress ${fixed(r.hostnames.verifyEgressSeconds)} s; together ${fixed(r.hostnames.totalSeconds)} s, ${fixed(r.hostnames.ratio)} times the run by address; peak RSS ${mb(r.hostnames.peakRssMb)} MB`,
          `  in CPU seconds (what other work on the machine does not stretch): ${fixed(r.hostnames.cpu.byName)} by name, ${fixed(r.hostnames.cpu.byAddress)} by address, ${fixed(r.hostnames.cpu.ratio)} times`,
        ]
      : []),
  ];
  return lines.join('\n');
}

/** What a run left out, one line per baseline. */
function skippedLines(r: BenchResult): string[] {
  return (r.skippedBaselines ?? []).map((s) => `baseline ${s.baseline} left out at ${r.apps} apps: it ${s.reason}`);
}

/** Several sizes in one table, with the growth from each size to the next. */
export function formatSizes(results: readonly BenchResult[]): string {
  const lines = [
    `${results[0].destinations} destinations per app; medians (runs per size: ${results.map((r) => r.runs).join(', ')}); node ${results[0].environment.node}, ${results[0].environment.cpus} cpus`,
    '',
    '| apps | synth s | validate s | verify egress s | verify matrix s | synth+validate+egress s | peak RSS MB | raw cdk8s-plus s (same files / one chart) | ours / raw (same files / one chart) | default synth s | ts-node synth s | ts-node / ours |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.apps} | ${fixed(r.synthSeconds)} | ${fixed(r.validateSeconds)} | ${fixed(r.verifyEgressSeconds)} | ${fixed(r.verifyMatrixSeconds)} | ${fixed(r.totalSeconds)} | ${mb(r.peakRssMb)} | ${fixed(r.rawCdk8sPlusSeconds)} / ${fixed(r.rawCdk8sPlusOneChartSeconds)} | ${fixed(r.ratios.synthVsRawCdk8sPlus)} / ${fixed(r.ratios.synthVsRawCdk8sPlusOneChart)} | ${fixed(r.defaultSynthSeconds)} | ${fixed(r.tsNodeSynthSeconds)} | ${fixed(r.ratios.tsNodeVsDefault)} |`,
    ),
  ];
  for (const r of results) lines.push(...skippedLines(r).map((l) => `\n${l}`));
  const cpu = (r: BenchResult) => r.phases.synth.cpuSeconds + r.phases.validate.cpuSeconds + r.phases.verifyEgress.cpuSeconds;
  for (let i = 1; i < results.length; i++) {
    const [a, b] = [results[i - 1], results[i]];
    lines.push(
      '',
      `time(${b.apps}) / time(${a.apps}): synthesis + validation + egress ${fixed(b.totalSeconds / a.totalSeconds, 1)}, synthesis ${fixed(b.synthSeconds / a.synthSeconds, 1)}, validation ${fixed(b.validateSeconds / a.validateSeconds, 1)}, egress ${fixed(b.verifyEgressSeconds / a.verifyEgressSeconds, 1)}`,
      `in CPU seconds: synthesis + validation + egress ${fixed(cpu(b) / cpu(a), 1)}, synthesis ${fixed(b.phases.synth.cpuSeconds / a.phases.synth.cpuSeconds, 1)}, validation ${fixed(b.phases.validate.cpuSeconds / a.phases.validate.cpuSeconds, 1)}, egress ${fixed(b.phases.verifyEgress.cpuSeconds / a.phases.verifyEgress.cpuSeconds, 1)}`,
    );
  }
  return lines.join('\n');
}

/**
 * Runs the benchmark command line and returns what it printed and how it ended; never throws.
 * Bad usage exits 2 (its message ends with the usage), a phase that failed 1.
 */
export function benchMain(argv: readonly string[]): CliResult {
  return runCommand('bench', '', () => {
    const args = parseArgs(argv);
    if (args === undefined) return { code: EXIT.answered, stdout: helpText(BENCH_SPEC), stderr: '' };
    try {
      const results = args.sizes.map((apps) => {
        const baselines = baselinesAt(apps, args.baselines, args.baselinesNamed);
        return runBenchmark({
          apps,
          destinations: args.destinations,
          runs: args.runs ?? defaultRuns(apps),
          seed: args.seed,
          matrixEndpoints: args.matrixEndpoints,
          baselines: baselines.run,
          skippedBaselines: baselines.skipped,
          hostnames: args.hostnames,
        });
      });
      const stdout = args.json
        ? `${JSON.stringify(results.length === 1 ? results[0] : results, null, 2)}\n`
        : `${results.length === 1 ? formatResult(results[0]) : formatSizes(results)}\n`;
      return { code: EXIT.answered, stdout, stderr: '' };
    } catch (err) {
      return { code: EXIT.failed, stdout: '', stderr: `bench: ${(err as Error).message}\n` };
    }
  });
}

if (require.main === module) {
  const result = benchMain(process.argv.slice(2));
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.code;
}
