import { ReachGraph, condense, drawnEdges, fullLabel } from './graph';
import { DRAW_LIMIT } from './html';

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
export const MERMAID_MAX_TEXT = 50_000;

/** Workloads grouped by namespace, with an edge to each destination; metadata denies dashed in red. */
function flowchart(graph: ReachGraph): string {
  const out = ['```mermaid', 'flowchart LR'];
  const wid = new Map(graph.workloads.map((w, i) => [w.id, mermaidId('w', i)]));
  const did = new Map(graph.destinations.map((d, i) => [d.id, mermaidId('d', i)]));
  const namespaces = [...new Set(graph.workloads.map((w) => w.namespace))].sort();
  namespaces.forEach((ns, i) => {
    out.push(`  subgraph ns${i}[${mermaidLabel(`namespace ${ns}`)}]`);
    for (const w of graph.workloads.filter((x) => x.namespace === ns)) out.push(`    ${wid.get(w.id)}[${mermaidLabel(`${w.name} (${w.flavor})`)}]`);
    out.push('  end');
  });
  for (const d of graph.destinations) {
    const label = mermaidLabel(fullLabel(d));
    const shape = d.kind === 'pods' ? `([${label}])` : d.kind === 'denied' ? `{{${label}}}` : `[${label}]`;
    out.push(`  ${did.get(d.id)}${shape}`);
  }
  const deniedNodes = graph.destinations.filter((d) => d.kind === 'denied').map((d) => did.get(d.id));
  for (const d of drawnEdges(graph)) {
    const from = d.collapsed ? `ns${namespaces.indexOf(d.from)}` : wid.get(d.from)!;
    out.push(d.verdict === 'allow' ? `  ${from} -->|${mermaidLabel(d.ports)}| ${did.get(d.to)}` : `  ${from} -.->|${mermaidLabel(`deny ${d.ports}`)}| ${did.get(d.to)}`);
  }
  if (deniedNodes.length) out.push(`  classDef denied fill:#ffebe9,stroke:#cf222e,color:#82071e`, `  class ${deniedNodes.join(',')} denied`);
  out.push('```');
  return out.join('\n');
}

/**
 * Renders the graph as Markdown: a Mermaid flowchart of workloads (grouped by namespace) to
 * allowed destinations, with denied metadata drawn dashed in red, then one table per workload.
 * Renders as a picture in a pull request.
 */
export function renderMarkdown(graph: ReachGraph, title = 'Egress of AI workloads'): string {
  const out: string[] = [`# ${title}`, ''];
  const allowed = graph.edges.filter((e) => e.verdict === 'allow').length;
  const denied = graph.edges.length - allowed;
  out.push(`${graph.workloads.length} workloads, ${graph.destinations.length} destinations, ${allowed} allowed flows, ${denied} explicit denies.`, '');
  const chart = flowchart(condense(graph, DRAW_LIMIT).graph);
  if (chart.length <= MERMAID_MAX_TEXT) out.push(chart, '');
  else out.push(`The flowchart is left out: at ${graph.workloads.length} workloads it is larger than Mermaid renders in a pull request (${MERMAID_MAX_TEXT} characters). egress.html draws it; the tables below list every flow.`, '');
  const byId = new Map(graph.destinations.map((d) => [d.id, d]));
  for (const w of [...graph.workloads].sort((a, b) => a.id.localeCompare(b.id))) {
    out.push(`## ${w.id} (${w.flavor} flavor)`, '', '| verdict | destination | ports | decided by |', '|---|---|---|---|');
    for (const e of graph.edges.filter((x) => x.from === w.id)) {
      out.push(`| ${e.verdict} | ${cell(fullLabel(byId.get(e.to)!))} | ${cell(e.ports)} | ${cell(e.policy)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
