/**
 * Readable renderings of the verifier's answers, for the terminal and for review comments.
 */

import { DecidedBy, Destination, EgressReport, ReachEntry } from './egress';
import { DirectionAnswer, kindText, MatrixCell, QueryAnswer, RuleRef, StagedRef } from './reach';

function labelsText(labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return parts.length ? `{${parts.join(',')}}` : '{}';
}

/** `cidr 0.0.0.0/0 except 169.254.169.254/32`, `pod vector-db/qdrant`, `pods kube-system {k8s-app=kube-dns}`. */
function destinationText(d: Destination): string {
  if (d.type === 'cidr') return `cidr ${d.cidr}${d.except?.length ? ` except ${d.except.join(', ')}` : ''}`;
  if (d.endpoint) return `pod ${d.endpoint}`;
  const ns = d.namespace === '*' ? `any namespace${d.namespaceLabels ? ` ${labelsText(d.namespaceLabels)}` : ''}` : d.namespace;
  if (d.namespace === '*' && !d.namespaceLabels && Object.keys(d.labels).length === 0) return 'any other pod';
  return `pods ${ns} ${labelsText(d.labels)}`;
}

function decidedText(d: DecidedBy): string {
  if (d.reason === 'rule') return `rule ${d.rule} of ${kindText(d.kind!)} ${d.policy} (tier ${d.tier})`;
  if (d.reason === 'profile') return `tier ${d.tier} passed; namespace profile allows`;
  return 'no egress policy applies';
}

function refText(r: RuleRef): string {
  return `rule ${r.rule} (${r.action}) of ${kindText(r.kind)} ${r.policy} (tier ${r.tier})`;
}

function stagedText(s: StagedRef): string {
  return `${s.kind} ${s.policy} (tier ${s.tier})`;
}

function directionLines(name: string, a: DirectionAnswer): string[] {
  const lines = [`  ${name}: ${a.message}`];
  for (const l of a.logged) lines.push(`    logged by ${refText(l)}`);
  for (const p of a.passed) lines.push(`    passed by ${refText(p)}`);
  if (a.staged.length) lines.push(`    staged, not enforced: ${a.staged.map(stagedText).join('; ')}`);
  return lines;
}

/** A query answer as a few lines. */
export function queryText(q: QueryAnswer): string {
  const to = q.toEndpoint && q.toEndpoint !== q.to ? `${q.to} (${q.toEndpoint})` : q.to;
  const port = q.portName ? `${q.portName} (${q.port})` : String(q.port);
  return [`${q.allowed ? 'ALLOWED' : 'DENIED'}  ${q.from} -> ${to}  ${q.protocol} ${port}`, ...directionLines('egress', q.egress), ...directionLines('ingress', q.ingress)].join('\n') + '\n';
}

/** Widest matrix drawn as a grid; larger ones are listed as the allowed pairs. */
const GRID_LIMIT = 40;

/** A matrix as a grid (rows send, columns receive), or as the list of allowed pairs when large. */
export function matrixText(cells: readonly MatrixCell[], ids: readonly string[], port: number, protocol: string): string {
  if (ids.length > GRID_LIMIT) {
    const open = cells.filter((c) => c.allowed);
    return [`${protocol} ${port}: ${open.length} of ${cells.length} ordered pairs of ${ids.length} endpoints may connect:`, ...open.map((c) => `  ${c.from} -> ${c.to}`)].join('\n') + '\n';
  }
  const allowed = new Set(cells.filter((c) => c.allowed).map((c) => `${c.from}\u0000${c.to}`));
  const width = Math.max(...ids.map((id) => id.length), 4);
  const num = (i: number): string => String(i + 1).padStart(String(ids.length).length);
  const lines = [`${protocol} ${port}: may the row open a connection to the column? (Y allowed, . denied)`, ''];
  lines.push(`${' '.repeat(width + String(ids.length).length + 2)} ${ids.map((_, i) => num(i)).join(' ')}`);
  ids.forEach((from, i) => {
    const row = ids.map((to) => (from === to ? '-' : allowed.has(`${from}\u0000${to}`) ? 'Y' : '.').padStart(String(ids.length).length));
    lines.push(`${num(i)} ${from.padEnd(width)}  ${row.join(' ')}`);
  });
  return lines.join('\n') + '\n';
}

function entryLines(verb: string, entries: readonly ReachEntry[]): string[] {
  return entries.map((e) => `  ${verb.padEnd(5)} ${e.protocol.padEnd(4)} ${e.ports.padEnd(11)} ${destinationText(e.to).padEnd(48)} ${decidedText(e.decidedBy)}`);
}

/** An egress report as one block per workload. */
export function egressText(report: EgressReport): string {
  const lines = [`Note: ${report.note}`, `ipBlock/nets match pod IPs: ${report.ipblockMatchesPods}`, ''];
  for (const w of report.workloads) {
    const by = w.isolated ? `egress policies: ${w.policies.map((p) => `${p.policy} (${kindText(p.kind)}, tier ${p.tier})`).join('; ')}` : 'no egress policy applies: everything allowed';
    lines.push(`${w.endpoint} (${w.kind}) - ${by}`);
    lines.push(...entryLines('ALLOW', w.allowed), ...entryLines('DENY', w.denied));
    if (w.staged.length) lines.push(`  staged, not enforced: ${w.staged.map(stagedText).join('; ')}`);
    lines.push('');
  }
  return lines.join('\n');
}
