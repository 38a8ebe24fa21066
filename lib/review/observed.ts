/**
 * The reports' "observed" view, when a flow log is given (`npm run report -- --flows FILE`): the
 * verifier's comparison of the log with the manifests (lib/verify observe), as tables for the
 * Markdown report and the HTML page.
 *
 * Flows to the public or private network (`pub`, `pvt`) or to a network set the manifests do not
 * hold carry no address: one that some declared destination (an allow rule) may explain says
 * which, as a possibility only; one that none explains is listed as unattributed. None is ever
 * shown as a declared block.
 */

import {
  byAddresses,
  describeAddresses,
  describeEnd,
  describePorts,
  describeTime,
  ObservedFlow,
  ObservedReport,
  OBSERVED_NOTE,
  Outcome,
  plural,
} from '../verify';
import { reviewDestination, reviewPolicyRef, reviewRule } from './words';
import { formatObjectRef } from '../k8s';

/** A flow log compared with the manifests, and what to call it. */
export interface ObservedView {
  /** The flow log, as the report names it. */
  readonly source: string;
  readonly report: ObservedReport;
}

/** A table: its title, what it says, its header and rows of cells (plain text). */
interface Table {
  readonly id: string;
  readonly title: string;
  readonly note?: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** How one outcome reads in a cell: `allowed by NetworkPolicy ai/p rule 3 (tier ai-egress)`, `denied: end of tier default`. */
function outcomeWords(o: Outcome): string {
  const d = o.decision;
  const verdict = o.allowed ? 'allowed' : 'denied';
  switch (d.reason) {
    case 'rule':
      return `${verdict} by ${reviewRule(d.rule)}`;
    case 'end-of-tier':
      return `denied: end of tier ${d.tier} (${d.policies.map((p) => reviewPolicyRef(p)).join(', ')})`;
    case 'profile':
      return `allowed: every tier passed (${d.tier})`;
    case 'no-policy':
      return `allowed: no ${d.direction} policy selects it`;
  }
}

/** Outcomes of one view, per address when they differ. */
function outcomesWords(list: readonly Outcome[]): string {
  if (list.length === 1) return outcomeWords(list[0]);
  return `depends on the address: ${byAddresses(list)
    .map(({ outcome, addresses }) => `${addresses} ${outcomeWords(outcome)}`)
    .join('; ')}`;
}

/** Both directions of a flow in one view, each named. */
function viewWords(f: ObservedFlow, view: 'enforced' | 'staged'): string {
  return [f.egress, f.ingress].flatMap((v) => (v ? [`${v.direction}: ${outcomesWords(view === 'enforced' ? v.enforced : v.staged)}`] : [])).join('; ');
}

/** True when an end is addresses Goldmane recorded no address for. */
function unplaced(f: ObservedFlow): boolean {
  return [f.source, f.destination].some((e) => e.kind === 'network' || e.kind === 'unknown');
}

/** The allow rules that may explain a flow to addresses outside the cluster, once the staged policies are enforced: possibilities, never a match. */
function mayBe(f: ObservedFlow): string[] {
  return [f.egress, f.ingress].flatMap((v) =>
    (v?.staged ?? [])
      .filter((o) => o.allowed && o.decision.reason === 'rule' && o.addresses)
      .map((o) => `${describeAddresses(o.addresses!)} (${o.decision.reason === 'rule' ? reviewRule(o.decision.rule) : ''})`),
  );
}

function seenCells(f: ObservedFlow): string[] {
  return [
    `${f.records.length}${f.connections === undefined ? '' : ` (${plural(f.connections, 'connection')})`}`,
    describeTime(f.firstSeen),
    describeTime(f.lastSeen),
    f.lines.join(', '),
  ];
}

function flowRow(f: ObservedFlow): string[] {
  const explained = unplaced(f) ? mayBe(f) : [];
  return [
    describeEnd(f.source),
    describeEnd(f.destination),
    `${f.protocol}${f.port ? ` ${f.port}` : ''}`,
    ...seenCells(f),
    viewWords(f, 'enforced'),
    viewWords(f, 'staged'),
    explained.length ? `may be ${explained.join(', or ')}: no address was recorded` : '',
  ];
}

const FLOW_HEADER = [
  'from',
  'to',
  'port',
  'records',
  'first seen',
  'last seen',
  'lines',
  'today',
  'once the staged policies are enforced',
  'declared destination',
];

/** The observed view's tables, in the order a reviewer reads them: what would break first. */
function tables(view: ObservedView): Table[] {
  const r = view.report;
  const compared = [...r.allowed, ...r.deniedToday, ...r.wouldBreak, ...r.unattributed];
  const unexplained = compared.filter((f) => unplaced(f) && mayBe(f).length === 0);
  return [
    { id: 'would-break', title: 'Would break once the staged policies are enforced', header: FLOW_HEADER, rows: r.wouldBreak.map(flowRow) },
    {
      id: 'undecided',
      title: 'Undecided: where they went is not recorded finely enough',
      note: 'The manifests decide the addresses these may have gone to differently; the flow log does not say which it was.',
      header: FLOW_HEADER,
      rows: r.unattributed.map(flowRow),
    },
    { id: 'denied-today', title: 'Denied today', header: FLOW_HEADER, rows: r.deniedToday.map(flowRow) },
    { id: 'allowed', title: 'Allowed, today and once the staged policies are enforced', header: FLOW_HEADER, rows: r.allowed.map(flowRow) },
    {
      id: 'never-observed',
      title: 'Declared and allowed, never observed: candidates to remove',
      header: ['workload', 'direction', 'rule', 'allows', 'perhaps observed'],
      rows: r.neverObserved.map((u) => [
        u.endpoint.id,
        u.direction,
        reviewRule(u.rule),
        u.entries.map((e) => `${e.protocol} ${describePorts(e.ports)} ${reviewDestination(e.peer)}`).join('; '),
        u.possibly.map((f) => `${describeEnd(f.source)} -> ${describeEnd(f.destination)} ${f.protocol} ${f.port}`).join('; '),
      ]),
    },
    {
      id: 'unattributed',
      title: 'Unattributed: flows outside the cluster that no declared destination explains',
      note: 'Goldmane records no address for the public or private network (pub, pvt) or for a network set the manifests do not hold, and no allow rule of these manifests could have allowed these: where they went is unknown, and none is matched to a declared block.',
      header: FLOW_HEADER,
      rows: unexplained.map(flowRow),
    },
    {
      id: 'findings',
      title: 'Findings: the flow log and the manifests disagree',
      header: ['lines', 'flow', 'direction', 'when', 'what'],
      rows: r.findings.map((f) => [
        f.lines.join(', '),
        `${describeEnd(f.flow.source)} -> ${describeEnd(f.flow.destination)} ${f.flow.protocol} ${f.flow.port}`,
        f.direction,
        f.view === 'enforced' ? 'today' : 'once the staged policies are enforced',
        `${f.kind}: recorded ${f.recorded.action}${f.recorded.hit ? ` by ${formatObjectRef(f.recorded.hit)}` : ''}; the manifests: ${outcomesWords(f.verifier)}${f.policyHeld === false ? ' (the manifests hold no such policy)' : ''}`,
      ]),
    },
  ];
}

function summary(view: ObservedView): string {
  const r = view.report;
  return `${plural(r.records, 'flow record')} of ${view.source} (${r.malformed.length} malformed; ${plural(r.outside, 'record')} of flows that no policy of these manifests concerns left out): ${r.wouldBreak.length} would break, ${r.unattributed.length} undecided, ${r.deniedToday.length} denied today, ${r.allowed.length} allowed; ${plural(r.neverObserved.length, 'allow rule')} never observed.`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The observed view as a Markdown section. */
export function observedMarkdown(view: ObservedView): string {
  const out = ['## Observed flows', '', summary(view), '', `> ${OBSERVED_NOTE}`, ''];
  for (const t of tables(view)) {
    out.push(`### ${t.title} (${t.rows.length})`, '');
    if (t.note) out.push(t.note, '');
    if (t.rows.length === 0) continue;
    out.push(`| ${t.header.join(' | ')} |`, `|${t.header.map(() => '---').join('|')}|`, ...t.rows.map((row) => `| ${row.map(cell).join(' | ')} |`), '');
  }
  return `${out.join('\n')}\n`;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The observed view as a section of the HTML page. */
export function observedHtml(view: ObservedView): string {
  const out = [
    '<section id="observed">',
    '<h2>Observed flows</h2>',
    `<p class="summary">${esc(summary(view))}</p>`,
    `<p class="note">${esc(OBSERVED_NOTE)}</p>`,
  ];
  for (const t of tables(view)) {
    out.push(`<h3 id="observed-${t.id}">${esc(t.title)} (${t.rows.length})</h3>`);
    if (t.note) out.push(`<p class="note">${esc(t.note)}</p>`);
    if (t.rows.length === 0) continue;
    out.push(
      `<table class="observed"><thead><tr>${t.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>`,
      ...t.rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`),
      '</tbody></table>',
    );
  }
  out.push('</section>');
  return `${out.join('\n')}\n`;
}
