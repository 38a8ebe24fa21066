import type { LeakNotes } from './leaks';
import { COLLAPSE_AT, DestinationNodeKind, DestinationNode, DrawnEdge, ReachGraph, WorkloadNode, condense, drawnEdges, fullLabel, viewOf } from './graph';
import { groupBy } from './group';
import { observedHtml, ObservedView } from './observed';
import { describeAudit, describeDecisions, describeFlows, describeVerdict, describeWhen, inAuditMode } from './edge-words';
import { describeCaller, describeGoverned, describeReaderDecisions, describeReaderFlows } from './readers';

/** Above this many destinations, those reached by one workload only are drawn grouped (see condense). */
export const DRAW_LIMIT = 300;

const NODE_H = 24;
const NODE_GAP = 6;
const HEADER_H = 24;
const GROUP_GAP = 16;
const COL_W = 300;
const LEFT_X = 20;
const RIGHT_X = 720;
const WIDTH = RIGHT_X + COL_W + 20;

const KIND_TITLE: Record<DestinationNodeKind, string> = {
  pods: 'pods in namespace',
  'allow-list': 'allow-list',
  external: 'external networks',
  host: 'host names, through an egress proxy',
  denied: 'explicitly denied',
};
const KIND_ORDER: DestinationNodeKind[] = ['pods', 'allow-list', 'external', 'host', 'denied'];

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Placed {
  readonly y: number;
}
interface Group {
  readonly title: string;
  readonly x: number;
  readonly y: number;
  readonly height: number;
  readonly kind: string;
}

/** Stacks groups of nodes in a column and returns each node's centre line and each group's box. */
function stack<T>(groups: [string, string, T[]][], x: number, idOf: (t: T) => string): { at: Map<string, Placed>; boxes: Group[]; height: number } {
  const at = new Map<string, Placed>();
  const boxes: Group[] = [];
  let y = 40;
  for (const [title, kind, items] of groups) {
    const height = HEADER_H + items.length * (NODE_H + NODE_GAP) + NODE_GAP;
    boxes.push({ title, x, y, height, kind });
    items.forEach((item, i) => at.set(idOf(item), { y: y + HEADER_H + i * (NODE_H + NODE_GAP) + NODE_H / 2 }));
    y += height + GROUP_GAP;
  }
  return { at, boxes, height: y };
}

/** The tooltip of a drawn edge: who, where, which ports, and what decided (or that it is collapsed). */
function edgeTitle(d: DrawnEdge): string {
  const first = d.edges[0];
  if (d.collapsed)
    return `all ${d.edges.length} workloads of ${d.from} → ${d.to}: ${describeFlows(first)}${viewOf(first) === 'staged' ? ` (${describeWhen(first)})` : ''}`;
  return `${d.from} → ${d.to}: ${describeFlows(first)} (${describeVerdict(first)} by ${describeDecisions(first)})`;
}

/**
 * Renders the graph as one self-contained HTML page: an SVG of namespaces, workloads,
 * destinations and allow-lists, each edge titled with its ports and the policy behind it, and a
 * side table of every flow. Audited workloads (staged policies, not enforced) are marked, say
 * what is enforced today, and what they would reach once their staged policies are enforced is
 * drawn dotted in purple. With readers, a second table says who can read each workload. No
 * scripts, styles or fonts are fetched from anywhere.
 */
export function renderHtml(full: ReachGraph, title = 'Egress of AI workloads', observed?: ObservedView, leaks?: LeakNotes): string {
  const { graph, origin } = condense(full, DRAW_LIMIT);
  const byNamespace = groupBy(
    [...graph.workloads].sort((a, b) => a.id.localeCompare(b.id)),
    (w) => w.namespace,
  );
  const left = stack<WorkloadNode>(
    [...byNamespace].sort(([a], [b]) => a.localeCompare(b)).map(([ns, ws]) => [ns, 'namespace', ws]),
    LEFT_X,
    (w) => w.id,
  );

  const destGroups = groupBy(graph.destinations, (d) => `${KIND_ORDER.indexOf(d.kind)}\u0000${d.group ?? ''}\u0000${d.kind}`);
  const right = stack<DestinationNode>(
    [...destGroups]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, ds]) => {
        const { group, kind } = ds[0];
        const heading = group ? `${KIND_TITLE[kind]} ${group}` : KIND_TITLE[kind];
        return [heading, kind, ds.sort((a, b) => a.label.localeCompare(b.label))];
      }),
    RIGHT_X,
    (d) => d.id,
  );

  const nsBox = new Map(left.boxes.map((b) => [b.title, b]));
  const drawn = drawnEdges(graph, origin).flatMap((d) => {
    const toY = right.at.get(d.to)?.y;
    const fromY = d.collapsed ? nsBox.get(d.from)!.y + HEADER_H / 2 : left.at.get(d.from)?.y;
    return toY === undefined || fromY === undefined ? [] : [{ ...d, fromY, toY }];
  });

  const height = Math.max(left.height, right.height, 120);
  const svg: string[] = [];
  svg.push(
    `<svg xmlns="http://www.w3.org/2000/svg" id="graph" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${esc(title)}">`,
  );
  svg.push(`<text class="colhead" x="${LEFT_X}" y="24">workloads, by namespace</text><text class="colhead" x="${RIGHT_X}" y="24">destinations</text>`);
  for (const box of [...left.boxes, ...right.boxes]) {
    svg.push(
      `<g class="group ${box.kind}"><rect x="${box.x - 8}" y="${box.y}" width="${COL_W + 16}" height="${box.height}" rx="8"/><text x="${box.x}" y="${box.y + 16}">${esc(box.title)}</text></g>`,
    );
  }
  drawn.forEach((d, n) => {
    const x1 = LEFT_X + COL_W;
    const x2 = RIGHT_X;
    const mid = (x1 + x2) / 2;
    svg.push(
      `<path class="edge ${d.verdict}${d.view === 'staged' ? ' staged' : ''}" data-rows="${d.rows.join(' ')}" id="edge-${n}" d="M${x1},${d.fromY} C${mid},${d.fromY} ${mid},${d.toY} ${x2},${d.toY}"><title>${esc(edgeTitle(d))}</title></path>`,
    );
  });
  for (const w of graph.workloads) {
    const y = left.at.get(w.id)!.y;
    const audit = describeAudit(w);
    const tag = audit ? `${w.flavor}, audit mode` : w.flavor;
    svg.push(
      `<g class="node workload ${esc(w.flavor)}${audit ? ' audited' : ''}" data-node-id="${esc(w.id)}"><rect x="${LEFT_X}" y="${y - NODE_H / 2}" width="${COL_W}" height="${NODE_H}" rx="5"/><text x="${LEFT_X + 8}" y="${y + 4}">${esc(w.name)}</text><text class="flavor" x="${LEFT_X + COL_W - 8}" y="${y + 4}" text-anchor="end">${esc(tag)}</text><title>${esc(w.id)} (${esc(w.flavor)} flavor)${audit ? ` ${esc(audit)}` : ''}</title></g>`,
    );
  }
  for (const d of graph.destinations) {
    const y = right.at.get(d.id)!.y;
    svg.push(
      `<g class="node destination ${d.kind}" data-node-id="${esc(d.id)}"><rect x="${RIGHT_X}" y="${y - NODE_H / 2}" width="${COL_W}" height="${NODE_H}" rx="5"/><text x="${RIGHT_X + 8}" y="${y + 4}">${esc(d.label)}</text><title>${esc(d.id)}</title></g>`,
    );
  }
  svg.push('</svg>');

  const byId = new Map(full.destinations.map((d) => [d.id, d]));
  const table = full.edges
    .map(
      (e, i) =>
        `<tr id="row-${i}" class="${e.verdict}${viewOf(e) === 'staged' ? ' staged' : ''}"><td>${esc(e.from)}</td><td>${esc(fullLabel(byId.get(e.to)!))}</td><td>${esc(describeFlows(e))}</td><td>${e.verdict}</td><td>${esc(describeDecisions(e))}</td><td>${esc(describeWhen(e))}</td></tr>`,
    )
    .join('\n');
  const readerRowsHtml = (full.readers ?? [])
    .map(
      (r) =>
        `<tr class="${r.governed ? 'governed' : 'ungoverned'}"><td>${esc(r.workload)}</td><td>${esc(describeCaller(r))}</td><td>${esc(describeReaderFlows(r))}</td><td>${esc(describeGoverned(r))}</td><td>${esc(describeReaderDecisions(r))}</td></tr>`,
    )
    .join('\n');
  const readers = full.readers
    ? `<h2>Who can read each workload</h2><p class="summary">The callers a workload admits receive its responses; those these manifests do not govern are marked.</p><table id="readers"><thead><tr><th>workload</th><th>caller</th><th>ports</th><th>governed</th><th>admitted by</th></tr></thead><tbody>\n${readerRowsHtml}\n</tbody></table>`
    : '';
  const enforced = full.edges.filter((e) => viewOf(e) === 'enforced');
  const audited = full.workloads.filter(inAuditMode);
  const audits = audited.map((w) => `<li><strong>${esc(w.id)}</strong>: ${esc(describeAudit(w)!)}</li>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${esc(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#1b1f24;background:#fff}
h1{font-size:20px;margin:0 0 4px}
.summary{color:#57606a;margin:0 0 12px}
.layout{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
.graph{flex:0 0 auto;border:1px solid #d0d7de;border-radius:8px;overflow:auto;max-height:90vh}
.side{flex:1 1 640px;max-height:90vh;overflow:auto}
svg text{font:13px system-ui,sans-serif;fill:#1b1f24}
svg .colhead{font-weight:600;fill:#57606a}
.group rect{fill:#f6f8fa;stroke:#d0d7de}
.group.denied rect{fill:#fff5f5;stroke:#ffb3b3}
.group text{font-weight:600;fill:#57606a}
.node rect{fill:#fff;stroke:#8c959f}
.node.workload.calico rect{stroke:#8250df}
.node.workload.kubernetes rect{stroke:#0969da}
.node.denied rect{stroke:#cf222e;fill:#ffebe9}
.flavor{fill:#57606a;font-size:11px}
.edge{fill:none;stroke-width:1.6;opacity:.65}
.edge.allow{stroke:#1a7f37}
.edge.deny{stroke:#cf222e;stroke-dasharray:5 4}
.edge.staged{stroke:#8250df;stroke-dasharray:2 3}
.node.workload.audited rect{stroke-dasharray:4 3;fill:#fbefff}
.audits{margin:0 0 12px;padding:8px 12px 8px 28px;background:#fbefff;border:1px solid #d8b9ff;border-radius:8px}
tr.staged td{color:#8250df}
.edge:hover,.edge.hl{stroke-width:4;opacity:1}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #d0d7de;padding:4px 6px;text-align:left;vertical-align:top}
th{position:sticky;top:0;background:#f6f8fa}
tr.deny td{color:#cf222e}
tr.hl td{background:#fff8c5}
tr.ungoverned td{color:#9a6700;font-weight:600}
h2{font-size:16px;margin:16px 0 4px}
.legend span{margin-right:16px}
#observed{margin-top:24px}
#observed .note{color:#57606a;max-width:80em}
</style></head>
<body>
<h1>${esc(title)}</h1>
<p class="summary">${full.workloads.length} workloads, ${full.destinations.length} destinations, ${enforced.filter((e) => e.verdict === 'allow').length} allowed flows, ${enforced.filter((e) => e.verdict === 'deny').length} explicit denies.${audited.length ? ` ${audited.length} in audit mode: their staged policies are not enforced yet (below).` : ''} Hover an edge or a row to see the policy behind it. A destination reached by more than ${COLLAPSE_AT} workloads is drawn once per namespace${full.destinations.length > DRAW_LIMIT ? `; with more than ${DRAW_LIMIT} destinations, those only one workload reaches are drawn as one node per namespace (the table lists each)` : ''}.</p>
<p class="legend"><span style="color:#1a7f37">━ allowed</span><span style="color:#cf222e">╌ denied</span>${audited.length ? '<span style="color:#8250df">┈ once the staged policies are enforced</span>' : ''}<span style="color:#8250df">▭ calico flavor</span><span style="color:#0969da">▭ kubernetes flavor</span></p>
${audited.length ? `<ul class="audits">\n${audits}\n</ul>` : ''}
<div class="layout">
<div class="graph">
${svg.join('\n')}
</div>
<div class="side"><table id="flows"><thead><tr><th>from</th><th>to</th><th>ports</th><th>verdict</th><th>policy</th><th>when</th></tr></thead><tbody>
${table}
</tbody></table>${readers}</div>
</div>
${observed ? observedHtml(observed) : ''}${leaks ? leakSection(leaks) : ''}<script>
(function () {
  var edges = document.querySelectorAll('.edge');
  function mark(edge, on) {
    edge.classList.toggle('hl', on);
    edge.getAttribute('data-rows').split(' ').forEach(function (r) {
      var row = document.getElementById('row-' + r); if (row) row.classList.toggle('hl', on);
    });
  }
  edges.forEach(function (edge) {
    edge.addEventListener('mouseenter', function () { mark(edge, true); });
    edge.addEventListener('mouseleave', function () { mark(edge, false); });
  });
  document.querySelectorAll('#flows tbody tr').forEach(function (row) {
    var n = row.id.slice(4);
    row.addEventListener('mouseenter', function () {
      edges.forEach(function (e) { if (e.getAttribute('data-rows').split(' ').indexOf(n) >= 0) e.classList.add('hl'); });
    });
    row.addEventListener('mouseleave', function () { edges.forEach(function (e) { e.classList.remove('hl'); }); });
  });
})();
</script>
</body></html>
`;
}

/** Names outside the cluster and ungoverned relays, below the graph. */
function leakSection(leaks: LeakNotes): string {
  const dns = leaks.dns.length
    ? `<table id="dns"><thead><tr><th>workload</th><th>resolves names outside the cluster through</th><th>reason</th></tr></thead><tbody>${leaks.dns
        .map((d) => `<tr><td>${esc(d.endpoint)}</td><td>${esc(d.through.join('; '))}</td><td>${esc(d.reason ?? 'none written')}</td></tr>`)
        .join('')}</tbody></table>`
    : '';
  const relays = leaks.relays.length
    ? `<table id="relays"><thead><tr><th>from</th><th>ungoverned relay</th><th>ports</th><th>reason</th></tr></thead><tbody>${leaks.relays
        .map((r) => `<tr><td>${esc(r.from)}</td><td>${esc(r.to)}</td><td>${esc(r.ports)}</td><td>${esc(r.reason ?? 'none written')}</td></tr>`)
        .join('')}</tbody></table>`
    : '<p>No ungoverned relay: every pod a workload may send to is confined by an egress policy.</p>';
  return `<h2>Names outside the cluster, and ungoverned relays</h2>\n<p>${leaks.clusterNamesOnly} workloads resolve cluster names only; ${leaks.dns.length} can resolve names outside the cluster.</p>\n${dns}\n${relays}`;
}
