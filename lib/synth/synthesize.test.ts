import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { generateIntent } from '../../bench/generate';
import { audit, hosts, shipped } from '../../test/fixtures/intents';
import { DeferredChart, buildApp, buildDeferredApp } from '../app';
import { CDK8S_VERIFIED, synthesize } from './synthesize';

function files(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );
}

/**
 * Synthesizes two fresh copies of an app, one through cdk8s's `app.synth()` and one through
 * `synthesize()` (of the app `ours` builds, the same app unless given).
 */
function bothWays(build: (outdir: string) => App, ours: (outdir: string) => App = build): { cdk8s: Record<string, string>; ours: Record<string, string> } {
  const root = mkdtempSync(join(tmpdir(), 'synthesize-test-'));
  try {
    build(join(root, 'cdk8s')).synth();
    synthesize(ours(join(root, 'ours')));
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

  describe('charts made as they are written (DeferredChart, buildDeferredApp)', () => {
    const map = (scope: Chart, name: string) => new ApiObject(scope, name, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
    const folders: string[] = [];
    const tmp = () => join(folders[folders.push(mkdtempSync(join(tmpdir(), 'synthesize-deferred-'))) - 1], 'out');
    afterAll(() => folders.forEach((f) => rmSync(f, { recursive: true, force: true })));

    test('writes byte for byte what app.synth() writes of the same intent built at once', () => {
      for (const intent of [shipped, hosts, audit, generateIntent({ apps: 40, destinations: 8, seed: 7 })]) {
        const { cdk8s, ours } = bothWays(
          (outdir) => buildApp(outdir, intent),
          (outdir) => buildDeferredApp(outdir, intent),
        );
        expect(Object.keys(ours).length).toBeGreaterThan(2);
        expectSameFiles(ours, cdk8s);
      }
    });

    test('lets go of each chart once it is written: the tree holds none of its objects, and they are collected', async () => {
      const app = new App({ outdir: tmp(), yamlOutputType: YamlOutputType.FILE_PER_CHART });
      const made: WeakRef<ApiObject>[] = [];
      for (const name of ['first', 'second']) new DeferredChart(app, name, {}, (chart) => made.push(new WeakRef(map(chart, `${name}-map`))));
      synthesize(app);
      expect(readdirSync(app.outdir).sort()).toEqual(['first.k8s.yaml', 'second.k8s.yaml']);
      expect(readFileSync(join(app.outdir, 'second.k8s.yaml'), 'utf8')).toContain('name: second-map');
      expect(app.node.findAll().filter((c) => ApiObject.isApiObject(c))).toEqual([]);
      // A WeakRef holds its object to the end of the job that made it; then a full collection.
      await new Promise((resolve) => setImmediate(resolve));
      setFlagsFromString('--expose-gc');
      (runInNewContext('gc') as () => void)();
      expect(made).toHaveLength(2);
      expect(made.map((ref) => ref.deref())).toEqual([undefined, undefined]);
    });

    test('lets go of every construct of the platform once its files are written', () => {
      const app = buildDeferredApp(tmp(), generateIntent({ apps: 12, destinations: 4, seed: 3 }));
      expect(app.charts.some((c) => DeferredChart.isDeferredChart(c) && c.pending)).toBe(true);
      synthesize(app);
      expect(readdirSync(app.outdir).length).toBe(app.charts.length);
      expect(app.charts.every((c) => DeferredChart.isDeferredChart(c) && c.node.children.length === 0)).toBe(true);
    });

    test('refuses a chart whose objects depend on another chart, which would change the order and names of the files', () => {
      const app = new App({ outdir: tmp(), yamlOutputType: YamlOutputType.FILE_PER_CHART });
      const a = map(new Chart(app, 'first'), 'a');
      new DeferredChart(app, 'second', {}, (chart) => map(chart, 'b').addDependency(a));
      expect(() => synthesize(app)).toThrow(
        '[second/b] depends on first/a, outside second, which is made as it is written: such a chart cannot depend on another',
      );
    });

    test('writes a chart once: a second synthesis of the same app is refused, not written empty', () => {
      const app = new App({ outdir: tmp(), yamlOutputType: YamlOutputType.FILE_PER_CHART });
      new DeferredChart(app, 'only', {}, (chart) => map(chart, 'a'));
      synthesize(app);
      expect(() => synthesize(app)).toThrow(/\[only\] it was written and its objects released: it can be written once/);
    });

    test("is refused by cdk8s's app.synth(), which writes nothing rather than the charts empty", () => {
      const app = buildDeferredApp(tmp(), shipped);
      expect(() => app.synth()).toThrow(
        /Validation failed with the following errors:\n {2}\[10-policies-[a-z-]+\] its objects are made when lib\/synth synthesize\(\) writes it/,
      );
      expect(existsSync(app.outdir) ? readdirSync(app.outdir) : []).toEqual([]);
    });
  });
});
