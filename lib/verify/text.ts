/**
 * The verifier's answers laid out for the terminal (`verify query`, `matrix`, `egress`); each
 * value is written by its function in words.ts.
 */

import { EgressReport, ReachEntry } from './egress';
import { DirectionAnswer, MatrixCell, QueryAnswer } from './reach';
import { describeDecision, describeDestination, describePolicyInTier, describePorts, describeRule, describeStaged, EGRESS_NOTE, explainDirection, explainWhenStaged } from './words';

function directionLines(a: DirectionAnswer): string[] {
  const lines = [`  ${a.direction}: ${explainDirection(a)}`];
  for (const l of a.logged) lines.push(`    logged by ${describeRule(l.rule, 'verifier', l.action)}`);
  for (const p of a.passed) lines.push(`    passed by ${describeRule(p.rule, 'verifier', p.action)}`);
  if (a.staged.length) lines.push(`    staged, not enforced: ${a.staged.map(describeStaged).join('; ')}`);
  const staged = explainWhenStaged(a);
  if (staged) lines.push(`    once the staged policies are enforced, ${staged}`);
  return lines;
}

/** A query answer as a few lines. */
export function queryText(q: QueryAnswer): string {
  const from = q.fromEndpoint && q.fromEndpoint !== q.from ? `${q.from} (${q.fromEndpoint})` : q.from;
  const to = q.toEndpoint && q.toEndpoint !== q.to ? `${q.to} (${q.toEndpoint})` : q.to;
  const port = q.portName ? `${q.portName} (${q.port})` : String(q.port);
  return [`${q.allowed ? 'ALLOWED' : 'DENIED'}  ${from} -> ${to}  ${q.protocol} ${port}`, ...directionLines(q.egress), ...directionLines(q.ingress)].join('\n') + '\n';
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
  return entries.map((e) => `  ${verb.padEnd(5)} ${e.protocol.padEnd(4)} ${describePorts(e.ports).padEnd(11)} ${describeDestination(e.to, 'verifier').padEnd(48)} ${describeDecision(e.decidedBy, 'verifier')}`);
}

/** An egress report as one block per workload. */
export function egressText(report: EgressReport): string {
  const lines = [`Note: ${EGRESS_NOTE}`, `ipBlock/nets match pod IPs: ${report.ipblockMatchesPods}`, ''];
  for (const w of report.workloads) {
    const by = w.isolated ? `egress policies: ${w.policies.map(describePolicyInTier).join('; ')}` : 'no egress policy applies: everything allowed';
    lines.push(`${w.endpoint} (${w.kind}) - ${by}`);
    lines.push(...entryLines('ALLOW', w.allowed), ...entryLines('DENY', w.denied));
    if (w.staged.length) lines.push(`  staged, not enforced: ${w.staged.map(describeStaged).join('; ')}`);
    lines.push('');
  }
  return lines.join('\n');
}
