import { spawnSync, SpawnSyncReturns } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { parse, stringify } from 'yaml';

const ROOT = join(__dirname, '..', '..');
const CDK8S = join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');

/** The plugin entry the fixture names, as the tests expect cdk8s-cli to report it. */
export const PLUGIN_ENTRY = join(ROOT, 'scripts', 'cdk8s-validation.js');

/** The program and arguments of package.json's `cdk8s` script: `npm run cdk8s -- synth` runs cdk8s-cli with these first. */
export function cdk8sScript(): { program: string; args: string[] } {
  const [program, ...args] = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.cdk8s.split(' ');
  return { program, args };
}

/**
 * Runs `cdk8s synth` of an intent file as a platform team runs it (`npm run cdk8s -- synth`:
 * cdk8s-cli with the script's arguments), but in a scratch project whose cdk8s.yaml is
 * test/fixtures/cdk8s/cdk8s.yaml (cdk8s-cli reads cdk8s.yaml from the folder it runs in,
 * lib/config.js readConfigSync): the tool's tests never read the team's own cdk8s.yaml.
 * `properties` replace the plugin's. The script's arguments turn the upgrade check off; the
 * CDK8S_* variables, which cdk8s-cli also reads (yargs' `.env('CDK8S')`, lib/cli/index.js), are
 * left out so that they alone decide, and the tests that read standard error see the check if
 * it runs (it asks the npm registry, and prints a stack trace where that fails).
 */
export function cdk8sSynth(intentFile: string, output: string, properties?: Record<string, unknown>): SpawnSyncReturns<string> {
  const project = mkdtempSync(join(tmpdir(), 'cdk8s-project-'));
  try {
    const config = parse(readFileSync(join(ROOT, 'test', 'fixtures', 'cdk8s', 'cdk8s.yaml'), 'utf8'));
    config.app = `node --max-semi-space-size=64 --require ${require.resolve('tsx/cjs')} ${join(ROOT, 'scripts', 'cdk8s-app.ts')} ${resolve(ROOT, intentFile)}`;
    config.validations[0].package = PLUGIN_ENTRY;
    config.validations[0].version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
    if (properties) config.validations[0].properties = properties;
    writeFileSync(join(project, 'cdk8s.yaml'), stringify(config));
    const { program, args } = cdk8sScript();
    if (program !== 'cdk8s') throw new Error(`package.json's cdk8s script runs ${program}, not cdk8s`);
    return spawnSync(process.execPath, [CDK8S, ...args, 'synth', '--output', resolve(output)], {
      cwd: project,
      encoding: 'utf8',
      env: Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CDK8S_'))),
    });
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}
