import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { generateIntent } from '../../bench/generate';
import { shipped } from '../../test/fixtures/intents';
import { buildApp } from '../app';
import { CDK8S_VERIFIED, synthesize } from './synthesize';

function files(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );
}

/** Synthesizes two fresh copies of an app, one through cdk8s's `app.synth()` and one through `synthesize()`. */
function bothWays(build: (outdir: string) => App): { cdk8s: Record<string, string>; ours: Record<string, string> } {
  const root = mkdtempSync(join(tmpdir(), 'synthesize-test-'));
  try {
    build(join(root, 'cdk8s')).synth();
    synthesize(build(join(root, 'ours')));
    return { cdk8s: files(join(root, 'cdk8s')), ours: files(join(root, 'ours')) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const packageJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { version: string; devDependencies: Record<string, string> };
const INSTALLED = packageJson(require.resolve('cdk8s/package.json')).version;

/** The private internals of cdk8s that synthesize() mirrors, in cdk8s's src/app.ts. */
const MIRRORED =
  'App.synth(), validate(), resolveDependencies() with buildDependencies(), chartToKube() (also the body of ' +
  'Chart.toJson()), SimpleChartNamer and IndexedChartNamer, and the private field App.recordConstructMetadata';

/** What to do when synthesize() and app.synth() disagree, or cdk8s is not the version verified. */
const UPGRADE_HINT =
  INSTALLED === CDK8S_VERIFIED
    ? `cdk8s ${INSTALLED} is the version synthesize() was verified against, so the change is in lib/synth/: it must do what
these private internals of cdk8s ${INSTALLED} do: ${MIRRORED}.`
    : `synthesize() mirrors private internals of cdk8s ${CDK8S_VERIFIED}, but cdk8s ${INSTALLED} is installed: ${MIRRORED}.
To move to cdk8s ${INSTALLED}: read what changed in those between ${CDK8S_VERIFIED} and ${INSTALLED}, make
lib/synth/synthesize.ts do the same, set CDK8S_VERIFIED there to ${INSTALLED}, and pin cdk8s to exactly ${INSTALLED} in
package.json (npm install --save-dev --save-exact cdk8s@${INSTALLED}). Until then keep cdk8s at ${CDK8S_VERIFIED}.`;

/** Asserts that both ways wrote the same files, byte for byte, and says what to do when they did not. */
function expectSameFiles(ours: Record<string, string>, cdk8s: Record<string, string>): void {
  try {
    expect(ours).toEqual(cdk8s);
  } catch (err) {
    throw new Error(`synthesize() no longer writes what app.synth() writes.\n${UPGRADE_HINT}\n\n${(err as Error).message}`, { cause: err });
  }
}

describe('synthesize', () => {
  test(`mirrors the cdk8s that is installed: ${CDK8S_VERIFIED}, pinned exactly in package.json`, () => {
    // The repository's own cdk8s (devDependencies); the package asks its users for a range (peerDependencies), and lib/synth is not in it.
    const pinned = packageJson(join(__dirname, '..', '..', 'package.json')).devDependencies.cdk8s;
    if (INSTALLED !== CDK8S_VERIFIED || pinned !== CDK8S_VERIFIED)
      throw new Error(`package.json asks for cdk8s "${pinned}", cdk8s ${INSTALLED} is installed.\n${UPGRADE_HINT}`);
  });

  test('writes byte for byte what app.synth() writes for the shipped scenario', () => {
    const { cdk8s, ours } = bothWays((outdir) => buildApp(outdir, shipped));
    expect(Object.keys(ours).length).toBeGreaterThan(2);
    expectSameFiles(ours, cdk8s);
  });

  test('writes byte for byte what app.synth() writes for many apps of both flavors in many namespaces', () => {
    const generated = generateIntent({ apps: 40, destinations: 8, seed: 7 });
    const { cdk8s, ours } = bothWays((outdir) => buildApp(outdir, generated));
    // The cluster file, the Calico tier and global policy files, the resolver of cluster names, and two files per namespace.
    expect(Object.keys(ours)).toHaveLength(4 + 2 * 4);
    expectSameFiles(ours, cdk8s);
  });

  test('orders objects and numbers files like app.synth() when charts and objects depend on each other', () => {
    const build = (outdir: string) => {
      const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
      const first = new Chart(app, 'first', { disableResourceNameHashes: true });
      const second = new Chart(app, 'second', { disableResourceNameHashes: true });
      const nested = new Chart(second, 'nested', { disableResourceNameHashes: true });
      const map = (scope: Chart, name: string) => new ApiObject(scope, name, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
      const a = map(first, 'a');
      const b = map(first, 'b');
      const c = map(second, 'c');
      map(nested, 'd');
      a.addDependency(b);
      b.addDependency(c);
      return app;
    };
    const { cdk8s, ours } = bothWays(build);
    expect(Object.keys(ours)[0]).toMatch(/^0000-/);
    expectSameFiles(ours, cdk8s);
  });

  test('throws the validation errors of every construct, as app.synth() does', () => {
    const app = new App({ outdir: join(tmpdir(), 'never-written'), yamlOutputType: YamlOutputType.FILE_PER_CHART });
    const chart = new Chart(app, 'chart');
    chart.node.addValidation({ validate: () => ['first problem', 'second problem'] });
    expect(() => synthesize(app)).toThrow(/Validation failed with the following errors:\n {2}\[chart\] first problem\n {2}\[chart\] second problem/);
  });
});
