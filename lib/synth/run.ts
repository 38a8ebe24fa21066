import { existsSync } from 'fs';
import { isAbsolute, relative } from 'path';
import { IntentIssue, PlatformIntent, formatWarnings } from '../intent';
import { deployDirOf, platformOutputs } from './outputs';
import { safeWrite } from './safe';
import { LoadedIntent } from './load';
import { formatDefaults, formatStorage } from './summary';

/** What a synthesis command prints, and its exit code. */
export interface SynthRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * How a synthesis runs: what it writes besides the output folder, where its summary goes, and
 * what a failure leaves of the folder. One of `SYNTH_MODES`.
 */
export interface SynthMode {
  /** Also writes the Argo CD manifests into `deploy/argocd/` beside the output folder, in the same all-or-nothing write. */
  readonly writesArgoCd: boolean;
  /** Where the summary of a run that succeeds is printed (failures always go to standard error). */
  readonly summaryTo: 'stdout' | 'stderr';
  /** The output folder was deleted before the run started, so a failure leaves none. */
  readonly outdirRemovedFirst: boolean;
}

/**
 * The two ways the project synthesizes. `npmRunSynth`: `npm run synth` (scripts/synth.ts), which
 * keeps dist/ and deploy/argocd/ unchanged on any failure. `cdk8sSynth`: the app that `cdk8s
 * synth` runs, which keeps the app's standard output to itself and deletes its output folder
 * before it starts the app (cdk8s-cli `synth`: `fs.rmSync(outdir)`).
 */
export const SYNTH_MODES = {
  npmRunSynth: { writesArgoCd: true, summaryTo: 'stdout', outdirRemovedFirst: false },
  cdk8sSynth: { writesArgoCd: false, summaryTo: 'stderr', outdirRemovedFirst: true },
} as const satisfies Record<string, SynthMode>;

/** The folder as the user would type it: relative to where the command runs, unless it lies elsewhere. */
function folder(dist: string): string {
  const rel = relative(process.cwd(), dist);
  return `${rel.startsWith('..') || isAbsolute(rel) ? dist : rel || '.'}/`;
}

/**
 * What follows a failure. `npm run synth` never touched the folder. `cdk8s synth` deleted its
 * output folder before it started the app, so the folder is gone, and the way that keeps it is
 * `npm run synth`.
 */
function afterFailure(mode: SynthMode, dist: string): string {
  const out = folder(dist);
  return !mode.outdirRemovedFirst
    ? `${out} was left unchanged.\n`
    : `cdk8s synth removed ${out} before it ran the app, so ${out} is gone now; npm run synth leaves ${out} as it was when it fails (git checkout -- ${out} restores it).\n`;
}

/**
 * Synthesizes a loaded intent into `dist` through the fail-closed synthesis (lib/synth): on any
 * problem, one message and exit code 1, `dist` as it was. On success, the files written, the
 * defaults the intent relies on and its warnings. Under `cdk8s synth`, which keeps the app's
 * standard output to itself, everything is printed on standard error.
 *
 * `npm run synth` also writes the Argo CD manifests into `deploy/argocd/` beside `dist`, in the
 * same all-or-nothing write: a failure leaves both as they were. `cdk8s synth` writes its output
 * folder only.
 */
export function runSynth(loaded: LoadedIntent, dist: string, mode: SynthMode): SynthRun {
  const deploy = mode.writesArgoCd ? deployDirOf(dist) : undefined;
  const failure = (message: string) =>
    `synth: ${message}\n${afterFailure(mode, dist)}${deploy && existsSync(deploy) ? `${folder(deploy)} was left unchanged.\n` : ''}`;
  if (!loaded.ok) return { code: 1, stdout: '', stderr: failure(loaded.message) };
  const intent = loaded.intent as PlatformIntent;
  const hadDeploy = deploy !== undefined && existsSync(deploy);
  // The intent is checked once, as dist/ is written: its errors stop the write, its warnings are printed here.
  let warnings: readonly IntentIssue[] = [];
  const result = safeWrite(platformOutputs(intent, dist, deploy, (found) => (warnings = found)));
  if (!result.ok) return { code: 1, stdout: '', stderr: failure(result.message) };
  const written = (dir: string, files: readonly string[]) =>
    `synth: wrote ${files.length} file${files.length === 1 ? '' : 's'} to ${folder(dir)}, all valid:\n${files.map((f) => `  ${folder(dir)}${f}`).join('\n')}\n`;
  const argoCd =
    deploy === undefined
      ? ''
      : intent.argocd !== undefined
        ? written(deploy, result.files[1])
        : hadDeploy
          ? `synth: removed ${folder(deploy)}: the intent declares no argocd settings\n`
          : '';
  const report = [
    written(dist, result.files[0]),
    argoCd,
    formatDefaults(intent),
    formatStorage(intent),
    warnings.length ? `synth: ${formatWarnings(warnings)}` : '',
  ].join('');
  return mode.summaryTo === 'stdout' ? { code: 0, stdout: report, stderr: '' } : { code: 0, stdout: '', stderr: report };
}

/** Prints a run and sets the exit code, for the scripts and main.ts. */
export function finish(run: SynthRun): void {
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  process.exitCode = run.code;
}

/** main.ts run directly: synthesizes its intent as the app of `cdk8s synth` would. */
export function runAsCdk8sApp(intent: PlatformIntent): void {
  finish(runSynth({ ok: true, intent }, process.env.CDK8S_OUTDIR ?? 'dist', SYNTH_MODES.cdk8sSynth));
}
