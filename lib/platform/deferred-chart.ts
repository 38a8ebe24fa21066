import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';

const DEFERRED = Symbol.for('secure-ai-egress.DeferredChart');

/**
 * A chart whose constructs are made only when it is about to be written (`fill()`), and let go
 * once it is (`release()`), so that a synthesis that writes one chart at a time holds the
 * constructs of one chart at a time, not those of the whole app: at 10,000 apps the construct
 * tree of every app at once is most of the heap.
 *
 * `synthesize` (lib/synth) fills each such chart when its turn comes, writes it and releases it.
 * cdk8s's own `app.synth()` validates every construct before it writes anything, and a chart
 * still waiting to be filled fails that validation with a message that says so: it never writes
 * an empty file in its place.
 */
export class DeferredChart extends Chart {
  /** Whether a construct is a DeferredChart, by a mark of its own, as `Chart.isChart` tells charts. */
  static isDeferredChart(x: unknown): x is DeferredChart {
    return typeof x === 'object' && x !== null && DEFERRED in x;
  }

  /** `instanceof DeferredChart`: Chart's own `Symbol.hasInstance` (cdk8s chart.ts) would answer true for every chart. */
  static [Symbol.hasInstance](x: unknown): x is DeferredChart {
    return DeferredChart.isDeferredChart(x);
  }

  private state: 'pending' | 'filled' | 'released';
  private build: ((chart: Chart) => void) | undefined;

  /** `build` makes the chart's constructs in it; without it the chart is filled from the start (its constructs added as to any chart). */
  constructor(scope: Construct, id: string, props: ChartProps, build?: (chart: Chart) => void) {
    super(scope, id, props);
    Object.defineProperty(this, DEFERRED, { value: true });
    this.build = build;
    this.state = build ? 'pending' : 'filled';
    this.node.addValidation({
      validate: () =>
        this.state === 'filled'
          ? []
          : [
              this.state === 'pending'
                ? 'its objects are made when lib/synth synthesize() writes it (deferCharts): synthesize the app with it, or build the platform without deferCharts for app.synth()'
                : 'it was written and its objects released: it can be written once',
            ],
    });
  }

  /** Whether its constructs are still to be made. */
  get pending(): boolean {
    return this.state === 'pending';
  }

  /** Makes the chart's constructs, once; a chart already filled is left as it is, a released one refused. */
  fill(): void {
    if (this.state === 'released') throw new Error(`chart ${this.node.path} was written and its objects released: it can be written once`);
    const build = this.build;
    this.build = undefined;
    this.state = 'filled';
    build?.(this);
  }

  /** Lets go of the chart's constructs (once it is written): the tree no longer holds them, and the chart cannot be written again. */
  release(): void {
    for (const child of this.node.children) this.node.tryRemoveChild(child.node.id);
    this.build = undefined;
    this.state = 'released';
  }
}
