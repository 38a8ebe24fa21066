import { ReachGraph, condense, drawnEdges, fullLabel, viewOf } from './graph';
import { describeAudit, describeDecisions, describeFlows, describeWhen, inAuditMode } from './edge-words';
import { DRAW_LIMIT } from './html';
import { LeakNotes } from './leaks';
import { observedMarkdown, ObservedView } from './observed';
import { describeCaller, describeGoverned, describeReaderDecisions, describeReaderFlows, ReaderRow } from './readers';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Mermaid node ids must be plain words. */
function mermaidId(prefix: string, index: number): string {
  return `${prefix}${index}`;
}

function mermaidLabel(text: string): string {
  return `"${text.replace(/"/g, '#quot;')}"`;
}

/** Mermaid refuses diagrams whose text is longer than this (its default `maxTextSize`). */
const MERMAID_MAX_TEXT = 50_000;

/**
 * Workloads grouped by namespace, with an edge to each destination; metadata denies dashed in
 * red; audited workloads say so, and what they would reach once their staged policies are
 * enforced is drawn dotted with `once enforced`.
 */
function flowchart(graph: ReachGraph): string {
  const out = ['```mermaid', 'flowchart LR'];
  const wid = new Map(graph.workloads.map((w, i) => [w.id, mermaidId('w', i)]));
  const did = new Map(graph.destinations.map((d, i) => [d.id, mermaidId('d', i)]));
  const namespaces = [...new Set(graph.workloads.map((w) => w.namespace))].sort();
  namespaces.forEach((ns, i) => {
    out.push(`  subgraph ns${i}[${mermaidLabel(`namespace ${ns}`)}]`);
    for (const w of graph.workloads.filter((x) => x.namespace === ns))
      out.push(`    ${wid.get(w.id)}[${mermaidLabel(`${w.name} (${w.flavor}${inAuditMode(w) ? ', audit mode' : ''})`)}]`);
    out.push('  end');
  });
  for (const d of graph.destinations) {
    const label = mermaidLabel(fullLabel(d));
    const shape = d.kind === 'pods' ? `([${label}])` : d.kind === 'denied' ? `{{${label}}}` : d.kind === 'host' ? `[/${label}/]` : `[${label}]`;
    out.push(`  ${did.get(d.id)}${shape}`);
  }
  const deniedNodes = graph.destinations.filter((d) => d.kind === 'denied').map((d) => did.get(d.id));
  for (const d of drawnEdges(graph)) {
    const from = d.collapsed ? `ns${namespaces.indexOf(d.from)}` : wid.get(d.from)!;
    const flows = describeFlows(d.edges[0]);
    const staged = d.view === 'staged' ? 'once enforced: ' : '';
    out.push(
      d.verdict === 'allow' && d.view === 'enforced'
        ? `  ${from} -->|${mermaidLabel(flows)}| ${did.get(d.to)}`
        : `  ${from} -.->|${mermaidLabel(`${staged}${d.verdict === 'deny' ? 'deny ' : ''}${flows}`)}| ${did.get(d.to)}`,
    );
  }
  if (deniedNodes.length) out.push(`  classDef denied fill:#ffebe9,stroke:#cf222e,color:#82071e`, `  class ${deniedNodes.join(',')} denied`);
  out.push('```');
  return out.join('\n');
}

/** Who can read a workload: the callers it admits, which receive its responses, marked when the manifests do not govern them. */
function readerTable(rows: readonly ReaderRow[]): string[] {
  if (rows.length === 0) return ['Who can read it: no caller is admitted.', ''];
  return [
    'Who can read it: the callers it admits receive its responses.',
    '',
    '| caller | ports | governed by these manifests | admitted by |',
    '|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${cell(describeCaller(r))} | ${cell(describeReaderFlows(r))} | ${r.governed ? 'yes' : `**${cell(describeGoverned(r))}**`} | ${cell(describeReaderDecisions(r))} |`,
    ),
    '',
  ];
}

/**
 * Renders the graph as Markdown: a Mermaid flowchart of workloads (grouped by namespace) to
 * allowed destinations, with denied metadata drawn dashed in red, then one table per workload.
 * An audited workload's section says which policies are staged, what is enforced today, and
 * lists the flows its staged policies would allow once enforced. With readers, each section
 * ends with who can read the workload. With a flow log, an "observed" section follows
 * (observed.ts). Renders as a picture in a pull request.
 */
export function renderMarkdown(graph: ReachGraph, title = 'Egress of AI workloads', observed?: ObservedView, leaks?: LeakNotes): string {
  const out: string[] = [`# ${title}`, ''];
  const enforced = graph.edges.filter((e) => viewOf(e) === 'enforced');
  const allowed = enforced.filter((e) => e.verdict === 'allow').length;
  const denied = enforced.length - allowed;
  const audited = graph.workloads.filter(inAuditMode);
  out.push(`${graph.workloads.length} workloads, ${graph.destinations.length} destinations, ${allowed} allowed flows, ${denied} explicit denies.`, '');
  const ungoverned = (graph.readers ?? []).filter((r) => !r.governed);
  if (ungoverned.length)
    out.push(
      `${new Set(ungoverned.map((r) => r.workload)).size} workload${new Set(ungoverned.map((r) => r.workload)).size === 1 ? ' is' : 's are'} readable by callers these manifests do not govern (anyone who may run a pod there, or holds such an address, receives its responses): see "who can read it" below.`,
      '',
    );
  if (audited.length)
    out.push(
      `${audited.length} workload${audited.length === 1 ? ' is' : 's are'} in audit mode: ${audited.map((w) => w.id).join(', ')}. Their staged policies are not enforced yet; each section below says what is.`,
      '',
    );
  const chart = flowchart(condense(graph, DRAW_LIMIT).graph);
  if (chart.length <= MERMAID_MAX_TEXT) out.push(chart, '');
  else
    out.push(
      `The flowchart is left out: at ${graph.workloads.length} workloads it is larger than Mermaid renders in a pull request (${MERMAID_MAX_TEXT} characters). egress.html draws it; the tables below list every flow.`,
      '',
    );
  if (leaks) out.push(...leakLines(leaks));
  const byId = new Map(graph.destinations.map((d) => [d.id, d]));
  for (const w of [...graph.workloads].sort((a, b) => a.id.localeCompare(b.id))) {
    const audit = describeAudit(w);
    out.push(`## ${w.id} (${w.flavor} flavor${audit ? ', audit mode' : ''})`, '');
    if (audit) out.push(`> ${audit}`, '');
    const rows = graph.edges.filter((x) => x.from === w.id);
    if (audit) {
      out.push('| when | verdict | destination | ports | decided by |', '|---|---|---|---|---|');
      for (const e of rows)
        out.push(`| ${describeWhen(e)} | ${e.verdict} | ${cell(fullLabel(byId.get(e.to)!))} | ${cell(describeFlows(e))} | ${cell(describeDecisions(e))} |`);
    } else {
      out.push('| verdict | destination | ports | decided by |', '|---|---|---|---|');
      for (const e of rows) out.push(`| ${e.verdict} | ${cell(fullLabel(byId.get(e.to)!))} | ${cell(describeFlows(e))} | ${cell(describeDecisions(e))} |`);
    }
    out.push('');
    if (graph.readers) out.push(...readerTable(graph.readers.filter((r) => r.workload === w.id)));
  }
  if (observed) out.push(observedMarkdown(observed));
  return out.join('\n');
}

/** Names outside the cluster and ungoverned relays, as a section of its own. */
function leakLines(leaks: LeakNotes): string[] {
  const out = ['## Names outside the cluster, and ungoverned relays', ''];
  out.push(
    `${leaks.clusterNamesOnly} workload${leaks.clusterNamesOnly === 1 ? '' : 's'} resolve${leaks.clusterNamesOnly === 1 ? 's' : ''} cluster names only; ${leaks.dns.length ? `${leaks.dns.length} can resolve names outside the cluster:` : 'none can resolve names outside the cluster.'}`,
    '',
  );
  if (leaks.dns.length) {
    out.push('| workload | through | reason |', '|---|---|---|');
    for (const d of leaks.dns) out.push(`| ${d.endpoint} | ${cell(d.through.join('; '))} | ${cell(d.reason ?? 'none written')} |`);
    out.push('');
  }
  if (leaks.relays.length) {
    out.push('Ungoverned relays: pods a workload may send to that no egress policy confines (they may pass on what they receive).', '');
    out.push('| from | to | ports | reason |', '|---|---|---|---|');
    for (const r of leaks.relays) out.push(`| ${r.from} | ${cell(r.to)} | ${r.ports} | ${cell(r.reason ?? 'none written')} |`);
  } else out.push('No ungoverned relay: every pod a workload may send to is confined by an egress policy.');
  out.push('');
  return out;
}
