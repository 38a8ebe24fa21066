import { existsSync, mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { pathToFileURL } from 'url';
import { Browser } from 'playwright-core';
import { formatCidr } from '../lib/net';
import { COLLAPSE_AT, ReachGraph, buildGraph, condense, drawnEdges, renderHtml, renderMarkdown } from '../lib/review';
import { egressReport } from '../lib/verify';
import { launchChromium } from './support/browser';
import { shipped } from './fixtures/intents';
import { clusterOf } from './support/cluster';

const REPORTS = join(__dirname, '..', 'reports');
const cluster = clusterOf(shipped);
const report = egressReport(cluster);
const graph = buildGraph(cluster, report);

/** What the verifier says each workload may reach, written the way the page names it. */
const allowedNames = report.workloads.flatMap((w) => w.allowed.map((e) => {
  if (e.to.type === 'cidr') return formatCidr(e.to.cidr);
  if (e.to.endpoint) return e.to.endpoint.name;
  return Object.entries(e.to.labels).map(([k, v]) => `${k}=${v}`).join(', ');
}));

describe('the HTML egress report, in a real browser', () => {
  let browser: Browser;
  const html = join(REPORTS, 'egress.html');
  const requests: string[] = [];
  let nodes: { id: string; text: string; classes: string }[] = [];

  beforeAll(async () => {
    mkdirSync(REPORTS, { recursive: true });
    writeFileSync(html, renderHtml(graph));
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(html).href);
    await page.waitForLoadState('networkidle');
    nodes = await page.$$eval('[data-node-id]', (els) => els.map((el) => ({ id: el.getAttribute('data-node-id') ?? '', text: el.textContent ?? '', classes: el.getAttribute('class') ?? '' })));
    await page.screenshot({ path: join(REPORTS, 'egress.png'), fullPage: true });
  }, 60_000);

  afterAll(async () => browser?.close());

  it('makes no request beyond the page itself', () => {
    expect(requests).toEqual([pathToFileURL(html).href]);
  });

  it('draws every workload as a node', () => {
    const workloads = nodes.filter((n) => n.classes.includes('workload')).map((n) => n.id).sort();
    expect(workloads).toEqual(report.workloads.map((w) => w.endpoint).sort());
  });

  it('draws every destination the verifier allows as a node', () => {
    const destinations = nodes.filter((n) => n.classes.includes('destination') && !n.classes.includes('denied')).map((n) => n.text);
    expect(allowedNames.length).toBeGreaterThan(0);
    for (const name of allowedNames) expect(destinations.some((text) => text.includes(name))).toBe(true);
  });

  it('shows cloud metadata as denied', () => {
    const denied = nodes.filter((n) => n.classes.includes('denied')).map((n) => n.text).join(' ');
    expect(denied).toContain('169.254.169.254/32');
    expect(denied).toContain('fd00:ec2::254/128');
  });

  it('saved a screenshot under reports/', () => {
    expect(existsSync(join(REPORTS, 'egress.png'))).toBe(true);
  });
});

describe('the Markdown egress report', () => {
  const md = renderMarkdown(graph);

  it('has a Mermaid flowchart with every workload and a dashed deny to metadata', () => {
    expect(md).toMatch(/```mermaid\nflowchart LR\n/);
    for (const w of report.workloads) expect(md).toContain(`"${w.endpoint.split('/')[1]} (`);
    expect(md).toMatch(/-\.->\|"deny every protocol and port"\| d\d+/);
  });

  it('has a table per workload naming the rule behind every flow', () => {
    for (const w of report.workloads) expect(md).toContain(`## ${w.endpoint} (`);
    expect(md).toContain('| allow | pods in vector-db: app=qdrant | TCP 6333 | NetworkPolicy ai-application/ai-egress.ai-service rule 4 (tier ai-egress) |');
  });
});

describe('legibility of large graphs', () => {
  it('draws a destination shared by more than COLLAPSE_AT workloads once per namespace', () => {
    const workloads = Array.from({ length: COLLAPSE_AT + 3 }, (_, i) => ({ id: `team/app-${i}`, namespace: 'team', name: `app-${i}`, flavor: 'kubernetes' }));
    const big: ReachGraph = {
      workloads: [...workloads, { id: 'solo/app', namespace: 'solo', name: 'app', flavor: 'calico' }],
      destinations: [{ id: 'dns', label: 'k8s-app=kube-dns', kind: 'pods', group: 'kube-system' }, { id: 'db', label: 'app=db', kind: 'pods', group: 'data' }],
      edges: [
        ...[...workloads, { id: 'solo/app' }].map((w) => ({ from: w.id, to: 'dns', verdict: 'allow' as const, ports: 'UDP 53', policy: 'p' })),
        { from: 'team/app-0', to: 'db', verdict: 'allow' as const, ports: 'TCP 5432', policy: 'p' },
      ],
    };
    const drawn = drawnEdges(big);
    expect(drawn.filter((d) => d.to === 'dns')).toEqual([
      expect.objectContaining({ from: 'team', collapsed: true, rows: workloads.map((_, i) => i) }),
      expect.objectContaining({ from: 'solo/app', collapsed: false }),
    ]);
    expect(drawn.filter((d) => d.to === 'db')).toEqual([expect.objectContaining({ from: 'team/app-0', collapsed: false })]);
    expect(renderHtml(big).match(/class="edge /g)).toHaveLength(3);
  });

  it('groups the destinations only one workload reaches when there are too many to draw, and keeps every flow in the table', () => {
    const workloads = ['a/one', 'a/two', 'b/three'].map((id) => ({ id, namespace: id.split('/')[0], name: id.split('/')[1], flavor: 'kubernetes' }));
    const own = workloads.flatMap((w) => Array.from({ length: 4 }, (_, i) => ({ id: `${w.id} net ${i}`, label: `10.${i}.0.0/16`, kind: 'external' as const })));
    const big: ReachGraph = {
      workloads,
      destinations: [...own, { id: 'dns', label: 'k8s-app=kube-dns', kind: 'pods', group: 'kube-system' }],
      edges: [
        ...own.map((d) => ({ from: d.id.split(' ')[0], to: d.id, verdict: 'allow' as const, ports: 'TCP 443', policy: 'p' })),
        ...workloads.map((w) => ({ from: w.id, to: 'dns', verdict: 'allow' as const, ports: 'UDP 53', policy: 'p' })),
      ],
    };
    const { graph: drawn, origin } = condense(big, 5);
    expect(drawn.destinations.map((d) => d.label).sort()).toEqual([
      '4 external networks only one workload of b reaches', '8 external networks only one workload of a reaches', 'k8s-app=kube-dns',
    ]);
    expect(drawn.edges.filter((e) => e.to !== 'dns').map((e) => [e.from, e.ports])).toEqual([['a/one', '4 flows'], ['a/two', '4 flows'], ['b/three', '4 flows']]);
    expect(origin.flat().sort((x, y) => x - y)).toEqual(big.edges.map((_, i) => i));
    expect(condense(big, 100).graph).toBe(big);
    const html = renderHtml(big);
    expect(html.match(/<tr id="row-/g)).toHaveLength(big.edges.length);
  });

  it('leaves the Mermaid flowchart out, and says so, when it is too large for a pull request', () => {
    const workloads = Array.from({ length: 2000 }, (_, i) => ({ id: `team-${i % 40}/app-${i}`, namespace: `team-${i % 40}`, name: `app-${i}`, flavor: 'calico' }));
    const huge: ReachGraph = { workloads, destinations: [], edges: [] };
    const md = renderMarkdown(huge);
    expect(md).not.toContain('```mermaid');
    expect(md).toContain('The flowchart is left out: at 2000 workloads it is larger than Mermaid renders in a pull request');
    expect(md).toContain('## team-0/app-0 (calico flavor)');
  });
});
