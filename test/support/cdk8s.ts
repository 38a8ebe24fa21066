import { spawnSync, SpawnSyncReturns } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { parse, stringify } from 'yaml';

const ROOT = join(__dirname, '..', '..');
const CDK8S = join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');

/** The plugin entry the fixture names, as the tests expect cdk8s-cli to report it. */
export const PLUGIN_ENTRY = join(ROOT, 'scripts', 'cdk8s-validation.js');

/**
 * Runs `cdk8s synth` of an intent file as a platform team runs it, but in a scratch project whose
 * cdk8s.yaml is test/fixtures/cdk8s/cdk8s.yaml (cdk8s-cli reads cdk8s.yaml from the folder it
 * runs in, lib/config.js readConfigSync): the tool's tests never read the team's own cdk8s.yaml.
 * `properties` replace the plugin's. The upgrade check is off (CDK8S_CHECK_UPGRADE=false, which
 * cdk8s-cli reads through yargs' `.env('CDK8S')`, lib/cli/index.js), so nothing leaves the machine.
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
    return spawnSync(process.execPath, [CDK8S, 'synth', '--output', resolve(output)], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
    });
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}
