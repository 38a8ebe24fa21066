import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { ApiObject, App, Chart, DependencyGraph, Names, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { DeferredChart } from '../app';
import { stringifyDocuments } from './yaml';

/**
 * The cdk8s release whose private internals `synthesize` mirrors, byte for byte: in its
 * `src/app.ts`, `App.synth()` and the module functions it calls (`validate`,
 * `resolveDependencies` with `buildDependencies`, `chartToKube`, which is also the body of
 * `Chart.toJson()`), the file names of `SimpleChartNamer` and `IndexedChartNamer`, and the
 * private field `App.recordConstructMetadata`. package.json pins cdk8s (a devDependency) to exactly this version;
 * `synthesize.test.ts` fails, naming what to re-read, when another one is installed.
 */
export const CDK8S_VERIFIED = '2.70.106';

/**
 * Writes the same files as `app.synth()` (one per chart), in time linear in the size of the app.
 *
 * cdk8s renders each chart through `Chart.toJson()`, which validates every construct of the
 * whole app and re-derives all its dependencies again, once per chart. With one chart per
 * namespace and kind, that is quadratic in the number of namespaces: at 1,000 apps in 100
 * namespaces (201 charts) it is most of the synthesis time. Here the app is validated and its
 * dependencies resolved once, as `App.synth()` itself does first, and each chart is then
 * rendered from its own subtree only. The YAML is written by `stringifyDocuments`, which gives
 * the bytes cdk8s writes several times faster.
 *
 * A `DeferredChart` (lib/app, `buildDeferredApp`) is made when its turn comes, then validated
 * and its dependencies resolved as above, written, and let go, so that the constructs of one such
 * chart are held at a time. Its constructs may depend only on constructs of the same chart (a
 * dependency on another chart would change the order and names of files already written): it is
 * refused otherwise. A problem in a chart made as it is written is found when its turn comes,
 * after the files before it: lib/synth writes into a staging folder, which a failure discards.
 *
 * Output types other than one file per chart, and construct metadata, go through `app.synth()`.
 */
export function synthesize(app: App): void {
  // recordConstructMetadata is private to App; the bracket reads it without widening the type.
  if (app.yamlOutputType !== YamlOutputType.FILE_PER_CHART || app['recordConstructMetadata']) {
    app.synth();
    return;
  }
  mkdirSync(app.outdir, { recursive: true });
  const constructs = app.node.findAll();
  // A chart still to be made is validated once it is made (its own validation refuses it until then).
  validate(constructs.filter((c) => !(DeferredChart.isDeferredChart(c) && c.pending)));
  const dependantCharts = resolveDependencies(constructs);
  app.charts.forEach((chart, index) => {
    const name = dependantCharts ? `${String(index).padStart(4, '0')}-${Names.toDnsLabel(chart)}` : Names.toDnsLabel(chart);
    if (DeferredChart.isDeferredChart(chart) && chart.pending) make(chart);
    writeFileSync(join(app.outdir, `${name}${app.outputFileExtension}`), stringifyDocuments(renderChart(chart)), 'utf8');
    if (DeferredChart.isDeferredChart(chart)) chart.release();
  });
}

/** Makes a deferred chart's constructs, validates them and resolves their dependencies, which must stay within the chart. */
function make(chart: DeferredChart): void {
  chart.fill();
  const constructs = chart.node.findAll();
  validate(constructs);
  for (const c of constructs) {
    if (c !== chart && Chart.isChart(c))
      throw new Error(`[${c.node.path}] a chart inside ${chart.node.path}, which is made as it is written: such a chart cannot hold charts`);
    for (const target of c.node.dependencies) {
      if (!target.node.scopes.includes(chart))
        throw new Error(
          `[${c.node.path}] depends on ${target.node.path}, outside ${chart.node.path}, which is made as it is written: such a chart cannot depend on another`,
        );
    }
  }
  resolveDependencies(constructs);
}

/** Every construct's own validation, all errors at once, worded as cdk8s words them. */
function validate(constructs: readonly IConstruct[]): void {
  const errors = constructs.flatMap((c) => c.node.validate().map((e) => `[${c.node.path}] ${e}`));
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
}

/**
 * The dependencies cdk8s derives before rendering: a nested chart before its parent, and for a
 * dependency between constructs, between the charts and the API objects under them.
 * Returns whether any chart depends on another (cdk8s then numbers the files).
 */
function resolveDependencies(constructs: readonly IConstruct[]): boolean {
  let dependantCharts = false;
  for (const parent of constructs) {
    if (!(parent instanceof Chart)) continue;
    for (const child of parent.node.children) {
      if (child instanceof Chart) {
        parent.node.addDependency(child);
        dependantCharts = true;
      }
    }
  }
  // Each pass reads the dependencies the previous one added, as cdk8s's own passes do.
  for (const { source, target } of dependencyEdges(constructs)) {
    const sourceChart = Chart.of(source);
    const targetChart = Chart.of(target);
    if (sourceChart !== targetChart) {
      sourceChart.node.addDependency(targetChart);
      dependantCharts = true;
    }
  }
  const apiObjectsUnder = new Map<IConstruct, ApiObject[]>();
  const under = (c: IConstruct): ApiObject[] => {
    let objects = apiObjectsUnder.get(c);
    if (!objects) {
      objects = c.node.findAll().filter((x): x is ApiObject => x instanceof ApiObject);
      apiObjectsUnder.set(c, objects);
    }
    return objects;
  };
  for (const { source, target } of dependencyEdges(constructs)) {
    const sourceChart = Chart.of(source);
    const targetChart = Chart.of(target);
    const sources = under(source).filter((x) => Chart.of(x) === sourceChart);
    for (const t of under(target).filter((x) => Chart.of(x) === targetChart)) {
      for (const s of sources) if (t !== s) s.node.addDependency(t);
    }
  }
  return dependantCharts;
}

function dependencyEdges(constructs: readonly IConstruct[]): { source: IConstruct; target: IConstruct }[] {
  return constructs.flatMap((source) => source.node.dependencies.map((target) => ({ source, target })));
}

/** The chart's API objects in dependency order, as `Chart.toJson()` returns them. */
function renderChart(chart: Chart): unknown[] {
  return new DependencyGraph(chart.node)
    .topology()
    .filter((x): x is ApiObject => x instanceof ApiObject && Chart.of(x) === chart)
    .map((x): unknown => x.toJson());
}
