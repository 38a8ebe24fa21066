/**
 * The app `cdk8s synth` runs (cdk8s.yaml): the intent main.ts exports (or the file given as the
 * first argument), synthesized into CDK8S_OUTDIR through the fail-closed synthesis. main.ts is
 * loaded from here, not run itself, so that a syntax error in it is reported as one line rather
 * than a stack trace. cdk8s synth deletes its output folder before it starts the app; the
 * message on failure says so, and that `npm run synth` keeps dist/.
 */
import { existsSync } from 'fs';
import { join, resolve } from 'path';
import { finish, loadIntent, runSynth, SYNTH_MODES } from '../lib/synth';

const root = resolve(__dirname, '..');
const intentFile = process.argv[2] === undefined ? join(root, 'main.ts') : resolve(process.argv[2]);
const outdir = process.env.CDK8S_OUTDIR ?? join(root, 'dist');
const run = runSynth(loadIntent(intentFile, root), outdir, SYNTH_MODES.cdk8sSynth);
// cdk8s-cli answers an app that exits non-zero with its own stack trace (lib/util.js `shell`),
// but one that exits 0 without creating the output folder with one line and exit code 1
// (`synthApp`: "app expected to create"). After a failure here the folder is gone (cdk8s
// removed it and nothing was written), so under cdk8s the message above is followed by that
// one line, and `cdk8s synth` still fails.
const cdk8sFailsTheRun = run.code !== 0 && process.env.CDK8S_OUTDIR !== undefined && !existsSync(outdir);
finish(cdk8sFailsTheRun ? { ...run, code: 0 } : run);
