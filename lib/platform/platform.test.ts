import { App, Chart } from 'cdk8s';
import { generateIntent } from '../../bench/generate';
import { DeferredChart } from './deferred-chart';
import { DeferredPlatformProps, SecureAiPlatform, SecureAiPlatformProps } from './platform';

const intent = generateIntent({ apps: 4, destinations: 2, seed: 5 });
const deferred: DeferredPlatformProps = { intent, validateSchemas: false, printWarnings: false, deferCharts: true };

describe('SecureAiPlatform with deferCharts', () => {
  test("makes each namespace's charts only when they are filled, and the charts of the whole cluster at once", () => {
    const app = new App();
    new SecureAiPlatform(app, 'platform', deferred);
    const charts = app.node.children.filter((c): c is DeferredChart => DeferredChart.isDeferredChart(c));
    expect(charts.length).toBe(app.node.children.length - 1);
    const pending = charts.filter((c) => c.pending).map((c) => c.node.id);
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.every((id) => /^(10-policies|20-workloads)-/.test(id))).toBe(true);
    expect(charts.filter((c) => !c.pending).every((c) => c.node.children.length > 0)).toBe(true);
    const policies = charts.find((c) => c.pending && c.node.id.startsWith('10-policies-'))!;
    expect(policies.node.children).toEqual([]);
    policies.fill();
    expect(policies.pending).toBe(false);
    expect(policies.node.children.length).toBeGreaterThan(1);
  });

  test('is refused inside a chart of the user, and with validateSchemas, before anything is added', () => {
    const app = new App();
    const chart = new Chart(app, 'mine');
    expect(() => new SecureAiPlatform(chart, 'platform', deferred)).toThrow(
      'SecureAiPlatform platform: deferCharts is set inside the chart mine; accepted: deferCharts in an App, with validateSchemas: false (lib/synth validates the written files)',
    );
    expect(chart.node.children).toEqual([]);
    const withSchemas = { ...deferred, validateSchemas: true } as SecureAiPlatformProps;
    expect(() => new SecureAiPlatform(app, 'platform', withSchemas)).toThrow(/deferCharts is set with validateSchemas; accepted/);
    expect(app.node.children.map((c) => c.node.id)).toEqual(['mine']);
  });
});

describe('DeferredChart', () => {
  test('is told apart from other charts, by instanceof too (cdk8s answers instanceof Chart for any chart)', () => {
    const app = new App();
    const plain = new Chart(app, 'plain');
    const later = new DeferredChart(app, 'later', {}, () => {});
    expect([DeferredChart.isDeferredChart(plain), DeferredChart.isDeferredChart(later)]).toEqual([false, true]);
    expect([plain instanceof DeferredChart, later instanceof DeferredChart, later instanceof Chart]).toEqual([false, true, true]);
  });

  test('is filled once, and refuses to be filled again once released', () => {
    const app = new App();
    let built = 0;
    const chart = new DeferredChart(app, 'later', {}, () => built++);
    chart.fill();
    chart.fill();
    expect(built).toBe(1);
    chart.release();
    expect(() => chart.fill()).toThrow('chart later was written and its objects released: it can be written once');
  });
});
