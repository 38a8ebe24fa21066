/**
 * The HTML egress report as a person sees it: the page is opened in headless Chromium and every
 * assertion reads the rendered page (what is drawn where, in which colour, what hovering does),
 * compared with the verifier's reading of the synthesized shipped scenario.
 *
 * Mutations of lib/review/html.ts tried, each of which turned this file red (the test that went
 * red in brackets):
 * - workload labels drawn 400px right of their boxes (labelled box)
 * - edges ending 50px short of the destination column; edges ending one row too low (line from
 *   box to box, cloud metadata)
 * - the dash of denied edges left out of the stylesheet; denied edges in the allowed green
 *   (line colours, cloud metadata)
 * - the hover script left out; table rows numbered from 1 (highlighting)
 * - nodes of a group stacked closer than their height (no box over another)
 * - group boxes drawn after, so over, the nodes; workload labels hidden; a 40px font that
 *   overflows the boxes (labelled box)
 * - destination labels left empty (destination boxes, cloud metadata)
 * - a stylesheet @import of a web font (no request)
 * - the summary counting every flow as a deny (summary)
 * - the policy column left empty (table); edge tooltips left empty (tooltip)
 */

// The page-side callbacks below run in the browser and use its DOM.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { pathToFileURL } from 'url';
import { Browser, Page } from 'playwright-core';
import { formatCidr } from '../lib/net';
import { COLLAPSE_AT, ReachGraph, buildGraph, condense, describeDecisions, describeFlows, drawnEdges, renderHtml, renderMarkdown } from '../lib/review';
import { DecidedBy, egressReport, loadCluster } from '../lib/verify';
import { launchChromium } from './support/browser';
import { shipped } from './fixtures/intents';
import { synthesized } from './support/synth';

/** A rule standing in for whatever decided an edge of a graph made by hand. */
const p: DecidedBy = {
  reason: 'rule',
  action: 'Allow',
  rule: { kind: 'NetworkPolicy', tier: 'default', namespace: 'team', name: 'p', direction: 'egress', index: 0 },
};

const REPORTS = join(__dirname, '..', 'reports');
const cluster = synthesized(shipped, (dist) => loadCluster([dist]));
const report = egressReport(cluster);
const graph = buildGraph(cluster, report);

/** What the verifier says each workload may reach, written the way the page names it. */
const allowedNames = report.workloads.flatMap((w) =>
  w.allowed.map((e) => {
    if (e.to.type === 'cidr') return formatCidr(e.to.cidr);
    if (e.to.endpoint) return e.to.endpoint.name;
    return Object.entries(e.to.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
  }),
);

/** A box on the page, in CSS pixels from the top left of the page. */
interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A node of the SVG graph as rendered. */
interface DrawnNode {
  id: string;
  classes: string;
  label: string;
  box: Box;
  labelBox: Box;
  /** Whether the node itself is what lies under the middle of its label (nothing covers it). */
  onTop: boolean;
  stroke: string;
}

/** An edge of the SVG graph as rendered: where it starts and ends on the page. */
interface DrawnPath {
  index: number;
  rows: number[];
  start: { x: number; y: number };
  end: { x: number; y: number };
  stroke: string;
  dashed: boolean;
  tooltip: string;
}

const inside = (p: { x: number; y: number }, b: Box, slack = 1) =>
  p.x >= b.x - slack && p.x <= b.x + b.width + slack && p.y >= b.y - slack && p.y <= b.y + b.height + slack;
const contains = (outer: Box, inner: Box) =>
  inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

const GREEN = 'rgb(26, 127, 55)';
const RED = 'rgb(207, 34, 46)';

describe('the HTML egress report, in a real browser', () => {
  let browser: Browser;
  let page: Page;
  const html = join(REPORTS, 'egress.html');
  const requests: string[] = [];
  let nodes: DrawnNode[] = [];
  let paths: DrawnPath[] = [];
  let rows: string[][] = [];
  let summary = '';
  let graphBox: Box;

  beforeAll(async () => {
    mkdirSync(REPORTS, { recursive: true });
    writeFileSync(html, renderHtml(graph));
    browser = await launchChromium();
    // Tall enough that the whole graph (the resolver of cluster names included) fits its 90vh frame: boxes measured one by one after scrolling compare only without scrolling.
    page = await browser.newPage({ viewport: { width: 1600, height: 1600 } });
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(html).href);
    await page.waitForLoadState('networkidle');
    const seen = await page.evaluate(() => {
      const box = (el: Element) => {
        const r = el.getBoundingClientRect();
        return { x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height };
      };
      const nodes = [...document.querySelectorAll('[data-node-id]')].map((g) => {
        const label = g.querySelector('text')!;
        label.scrollIntoView({ block: 'center', inline: 'center' });
        const l = label.getBoundingClientRect();
        const hit = document.elementFromPoint(l.x + l.width / 2, l.y + l.height / 2);
        return {
          id: g.getAttribute('data-node-id') ?? '',
          classes: g.getAttribute('class') ?? '',
          label: label.textContent ?? '',
          box: box(g.querySelector('rect')!),
          labelBox: box(label),
          onTop: hit !== null && hit.closest('[data-node-id]') === g,
          stroke: getComputedStyle(g.querySelector('rect')!).stroke,
        };
      });
      window.scrollTo(0, 0);
      const paths = [...document.querySelectorAll<SVGPathElement>('path.edge')].map((p, index) => {
        const m = p.getScreenCTM()!;
        const at = (length: number) => {
          const q = p.getPointAtLength(length).matrixTransform(m);
          return { x: q.x + window.scrollX, y: q.y + window.scrollY };
        };
        const style = getComputedStyle(p);
        return {
          index,
          rows: (p.getAttribute('data-rows') ?? '')
            .split(' ')
            .filter((r) => r !== '')
            .map(Number),
          start: at(0),
          end: at(p.getTotalLength()),
          stroke: style.stroke,
          dashed: style.strokeDasharray !== 'none' && style.strokeDasharray !== '',
          tooltip: p.querySelector('title')?.textContent ?? '',
        };
      });
      const rows = [...document.querySelectorAll('#flows tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => (td as HTMLElement).innerText));
      return { nodes, paths, rows, summary: (document.querySelector('.summary') as HTMLElement).innerText, graphBox: box(document.querySelector('#graph')!) };
    });
    // What the page looks like: reports/egress.html, written above, in any browser. A full-page
    // screenshot here, which no assertion read, took Chromium about 1.5 CPU seconds, more than
    // opening and drawing the page.
    ({ nodes, paths, rows, summary, graphBox } = seen);
  }, 60_000);

  afterAll(async () => browser?.close());

  const nodeOf = (id: string) => nodes.find((n) => n.id === id);
  const pathsOf = (row: number) => paths.filter((p) => p.rows.includes(row));

  it('makes no request beyond the page itself', () => {
    expect(requests).toEqual([pathToFileURL(html).href]);
  });

  it('shows every workload as a labelled box inside the graph, by name, with its flavor', () => {
    expect(report.workloads.length).toBeGreaterThan(0);
    for (const w of graph.workloads) {
      const node = nodeOf(w.id);
      expect(node).toMatchObject({ label: w.name, onTop: true });
      expect(node!.classes.split(' ')).toEqual(expect.arrayContaining(['workload', w.flavor]));
      expect(contains(graphBox, node!.box)).toBe(true);
      expect(node!.labelBox.width).toBeGreaterThan(0);
      expect(contains(node!.box, node!.labelBox)).toBe(true);
    }
    expect(
      nodes
        .filter((n) => n.classes.includes('workload'))
        .map((n) => n.id)
        .sort(),
    ).toEqual(report.workloads.map((w) => w.endpoint).sort());
  });

  it('shows every destination the verifier allows as a labelled box naming it', () => {
    const shown = nodes.filter((n) => n.classes.includes('destination') && !n.classes.includes('denied'));
    expect(allowedNames.length).toBeGreaterThan(0);
    for (const name of allowedNames) expect(shown.some((n) => n.label.includes(name))).toBe(true);
    for (const n of shown) {
      expect(n.onTop).toBe(true);
      expect(contains(graphBox, n.box)).toBe(true);
      expect(n.labelBox.width).toBeGreaterThan(0);
      expect(contains(n.box, n.labelBox)).toBe(true);
    }
  });

  it('draws no box over another', () => {
    for (const [i, a] of nodes.entries()) for (const b of nodes.slice(i + 1)) expect([a.id, b.id, overlap(a.box, b.box)]).toEqual([a.id, b.id, false]);
  });

  it('lists every flow of the graph in the table: from, to, ports, verdict and the policy behind it', () => {
    const destinations = new Map(graph.destinations.map((d) => [d.id, d]));
    expect(rows).toHaveLength(graph.edges.length);
    graph.edges.forEach((e, i) => {
      const [from, to, ports, verdict, policy] = rows[i];
      expect({ from, ports, verdict, policy }).toEqual({ from: e.from, ports: describeFlows(e), verdict: e.verdict, policy: describeDecisions(e) });
      expect(to).toContain(destinations.get(e.to)!.label);
    });
  });

  it('draws each flow as a line from the box of its workload to the box of its destination, green when allowed, dashed red when denied', () => {
    graph.edges.forEach((e, i) => {
      const drawn = pathsOf(i);
      expect(drawn).toHaveLength(1);
      const [p] = drawn;
      expect(inside(p.start, nodeOf(e.from)!.box)).toBe(true);
      expect(inside(p.end, nodeOf(e.to)!.box)).toBe(true);
      expect([p.stroke, p.dashed]).toEqual(e.verdict === 'allow' ? [GREEN, false] : [RED, true]);
    });
  });

  it('shows cloud metadata as denied, in red, for every workload', () => {
    // One node for every metadata block (lib/review/build.ts), which its id names.
    const node = nodes.find((n) => n.classes.includes('denied') && n.label.startsWith('cloud metadata'));
    expect(node).toMatchObject({ onTop: true, stroke: RED });
    for (const address of ['169.254.169.254/32', 'fd00:ec2::254/128']) expect(node!.id).toContain(address);
    const into = paths.filter((p) => inside(p.end, node!.box));
    for (const w of graph.workloads) expect(into.some((p) => inside(p.start, nodeOf(w.id)!.box) && p.stroke === RED && p.dashed)).toBe(true);
  });

  it('names the policy of an edge in its tooltip', () => {
    graph.edges.forEach((e, i) => expect(pathsOf(i)[0].tooltip).toContain(describeDecisions(e)));
  });

  it('highlights the rows of an edge when the pointer is on the edge, and the edge when it is on a row', async () => {
    // A point of some edge where no other edge or box lies on top of it.
    const target = await page.evaluate(() => {
      for (const [index, p] of [...document.querySelectorAll<SVGPathElement>('path.edge')].entries()) {
        p.scrollIntoView({ block: 'center', inline: 'center' });
        for (let t = 0.1; t < 0.95; t += 0.05) {
          const q = p.getPointAtLength(t * p.getTotalLength()).matrixTransform(p.getScreenCTM()!);
          if (document.elementFromPoint(q.x, q.y) === p) return { index, x: q.x, y: q.y };
        }
      }
      return undefined;
    });
    expect(target).toBeDefined();
    const edge = paths[target!.index];
    const rowBackground = () => page.$$eval('#flows tbody tr', (trs) => trs.map((tr) => getComputedStyle(tr.querySelector('td')!).backgroundColor));
    const plain = await rowBackground();
    await page.mouse.move(target!.x, target!.y);
    const hovered = await rowBackground();
    expect(hovered.flatMap((bg, i) => (bg !== plain[i] ? [i] : []))).toEqual(edge.rows);
    await page.mouse.move(0, 0);
    expect(await rowBackground()).toEqual(plain);

    const width = () => page.$eval(`#edge-${edge.index}`, (el) => parseFloat(getComputedStyle(el).strokeWidth));
    const before = await width();
    await page.hover(`#row-${edge.rows[0]}`);
    expect(await width()).toBeGreaterThan(before);
    await page.mouse.move(0, 0);
    expect(await width()).toBe(before);
  });

  it('sums up the graph in words', () => {
    const allowed = graph.edges.filter((e) => e.verdict === 'allow').length;
    const denied = graph.edges.length - allowed;
    expect(summary).toContain(
      `${graph.workloads.length} workloads, ${graph.destinations.length} destinations, ${allowed} allowed flows, ${denied} explicit denies.`,
    );
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
    expect(md).toContain(
      '| allow | pods in vector-db: app=qdrant | TCP 6333 | NetworkPolicy ai-application/ai-egress.ai-service rule 4 (tier ai-egress): vector database |',
    );
  });
});

describe('legibility of large graphs', () => {
  it('draws a destination shared by more than COLLAPSE_AT workloads once per namespace', () => {
    const workloads = Array.from({ length: COLLAPSE_AT + 3 }, (_, i) => ({
      id: `team/app-${i}`,
      namespace: 'team',
      name: `app-${i}`,
      flavor: 'kubernetes' as const,
    }));
    const big: ReachGraph = {
      workloads: [...workloads, { id: 'solo/app', namespace: 'solo', name: 'app', flavor: 'calico' }],
      destinations: [
        { id: 'dns', label: 'k8s-app=kube-dns', kind: 'pods', group: 'kube-system' },
        { id: 'db', label: 'app=db', kind: 'pods', group: 'data' },
      ],
      edges: [
        ...[...workloads, { id: 'solo/app' }].map((w) => ({
          from: w.id,
          to: 'dns',
          verdict: 'allow' as const,
          flows: [{ protocol: 'UDP' as const, ports: { from: 53, to: 53 } }],
          decisions: [p],
        })),
        { from: 'team/app-0', to: 'db', verdict: 'allow' as const, flows: [{ protocol: 'TCP' as const, ports: { from: 5432, to: 5432 } }], decisions: [p] },
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
    const workloads = ['a/one', 'a/two', 'b/three'].map((id) => ({ id, namespace: id.split('/')[0], name: id.split('/')[1], flavor: 'kubernetes' as const }));
    const own = workloads.flatMap((w) => Array.from({ length: 4 }, (_, i) => ({ id: `${w.id} net ${i}`, label: `10.${i}.0.0/16`, kind: 'external' as const })));
    const big: ReachGraph = {
      workloads,
      destinations: [...own, { id: 'dns', label: 'k8s-app=kube-dns', kind: 'pods', group: 'kube-system' }],
      edges: [
        ...own.map((d) => ({
          from: d.id.split(' ')[0],
          to: d.id,
          verdict: 'allow' as const,
          flows: [{ protocol: 'TCP' as const, ports: { from: 443, to: 443 } }],
          decisions: [p],
        })),
        ...workloads.map((w) => ({
          from: w.id,
          to: 'dns',
          verdict: 'allow' as const,
          flows: [{ protocol: 'UDP' as const, ports: { from: 53, to: 53 } }],
          decisions: [p],
        })),
      ],
    };
    const { graph: drawn, origin } = condense(big, 5);
    expect(drawn.destinations.map((d) => d.label).sort()).toEqual([
      '4 external networks only one workload of b reaches',
      '8 external networks only one workload of a reaches',
      'k8s-app=kube-dns',
    ]);
    expect(drawn.edges.filter((e) => e.to !== 'dns').map((e) => [e.from, describeFlows(e)])).toEqual([
      ['a/one', '4 flows'],
      ['a/two', '4 flows'],
      ['b/three', '4 flows'],
    ]);
    expect(origin.flat().sort((x, y) => x - y)).toEqual(big.edges.map((_, i) => i));
    expect(condense(big, 100).graph).toBe(big);
    const html = renderHtml(big);
    expect(html.match(/<tr id="row-/g)).toHaveLength(big.edges.length);
  });

  it('leaves the Mermaid flowchart out, and says so, when it is too large for a pull request', () => {
    const workloads = Array.from({ length: 2000 }, (_, i) => ({
      id: `team-${i % 40}/app-${i}`,
      namespace: `team-${i % 40}`,
      name: `app-${i}`,
      flavor: 'calico' as const,
    }));
    const huge: ReachGraph = { workloads, destinations: [], edges: [] };
    const md = renderMarkdown(huge);
    expect(md).not.toContain('```mermaid');
    expect(md).toContain('The flowchart is left out: at 2000 workloads it is larger than Mermaid renders in a pull request');
    expect(md).toContain('## team-0/app-0 (calico flavor)');
  });
});
