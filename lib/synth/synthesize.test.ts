import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { generateIntent } from '../../bench/generate';
import { shipped } from '../../test/fixtures/intents';
import { buildApp } from '../app';
import { synthesize } from './synthesize';

function files(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
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

describe('synthesize', () => {
  test('writes byte for byte what app.synth() writes for the shipped scenario', () => {
    const { cdk8s, ours } = bothWays((outdir) => buildApp(outdir, shipped));
    expect(Object.keys(ours).length).toBeGreaterThan(2);
    expect(ours).toEqual(cdk8s);
  });

  test('writes byte for byte what app.synth() writes for many apps of both flavors in many namespaces', () => {
    const generated = generateIntent({ apps: 40, destinations: 8, seed: 7 });
    const { cdk8s, ours } = bothWays((outdir) => buildApp(outdir, generated));
    expect(Object.keys(ours)).toHaveLength(1 + 2 * 4);
    expect(ours).toEqual(cdk8s);
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
    expect(ours).toEqual(cdk8s);
  });

  test('throws the validation errors of every construct, as app.synth() does', () => {
    const app = new App({ outdir: join(tmpdir(), 'never-written'), yamlOutputType: YamlOutputType.FILE_PER_CHART });
    const chart = new Chart(app, 'chart');
    chart.node.addValidation({ validate: () => ['first problem', 'second problem'] });
    expect(() => synthesize(app)).toThrow(/Validation failed with the following errors:\n {2}\[chart\] first problem\n {2}\[chart\] second problem/);
  });
});
