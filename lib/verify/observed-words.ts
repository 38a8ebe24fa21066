/**
 * `verify observed` for people: the lists, the findings and the suggested entries, each value
 * written by one function here (ends, outcomes, recorded hits, times), and the suggested entries
 * as TypeScript. Nothing reads these texts back.
 */

import { PolicyHit } from '../flows';
import { compactCidrs, formatCidr, IpRange } from '../net';
import { DirectionVerdict, ObservedFinding, ObservedFlow, ObservedReport, Outcome, RecordedDecision, UnusedRule } from './observed';
import { ObservedEnd } from './observed-ends';
import { NoSuggestion, SuggestedValue, Suggestion, Suggestions } from './observed-suggest';
import { describeDestination, describeRule, explainDecision } from './words';
import { describePorts } from './ports';
import { formatObjectRef } from '../k8s';

/** What the comparison can and cannot see, said once with its output. */
export const OBSERVED_NOTE =
  'Compared at the granularity Calico records flows: pods by their workload (Goldmane names a set of pods by its generated-name prefix and namespace), ' +
  'and an end outside the cluster only by the NetworkSet or GlobalNetworkSet it fell in, or as pub or pvt (a public or private address in no network set): Goldmane keeps no address. ' +
  'Such an end stands for every address it may be; a flow is decided only when the manifests decide all of them alike (among those the enforced verdict it recorded fits), and is unattributed otherwise. ' +
  'What the staged policies would do is the manifests’ answer; what the record says is compared with it, and every difference is a finding.';

/** A time as the reports write it: `2025-06-02T09:00:00Z`. */
export function describeTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** An end: `ai-application/ai-service`, `cache/redis-*`, `global network set model-registry`, `pub (a public address in no network set)`. */
export function describeEnd(end: ObservedEnd): string {
  switch (end.kind) {
    case 'workload':
      return end.known ? end.label : `${end.label} (pods the manifests do not hold)`;
    case 'network-set':
      return `${end.set.namespace ? 'network set' : 'global network set'} ${end.label}`;
    case 'network':
      return `${end.network} (a ${end.network === 'pub' ? 'public' : 'private'} address in no network set)`;
    case 'unknown':
      return end.label;
  }
}

/** A flow on one line: `ai-application/ai-service -> cache/redis-* TCP 6379`. */
function describeFlow(f: ObservedFlow): string {
  return `${describeEnd(f.source)} -> ${describeEnd(f.destination)} ${f.protocol}${f.port ? ` ${f.port}` : ''}`;
}

/** `1 record`, `2 records`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Lines of the file: `line 3` or `lines 3, 17`. */
function describeLines(lines: readonly number[]): string {
  return `${lines.length === 1 ? 'line' : 'lines'} ${lines.join(', ')}`;
}

/** How much of it was seen, and when: `2 records, 42 connections, 2025-06-02T09:00:00Z to 2025-06-02T09:00:15Z, lines 1, 2`. */
function describeSeen(f: Pick<ObservedFlow, 'records' | 'connections' | 'firstSeen' | 'lastSeen' | 'lines'>): string {
  return [
    plural(f.records.length, 'record'),
    ...(f.connections === undefined ? [] : [plural(f.connections, 'connection')]),
    `first seen ${describeTime(f.firstSeen)}, last seen ${describeTime(f.lastSeen)}`,
    describeLines(f.lines),
  ].join(', ');
}

/** Addresses: the fewest blocks, with exceptions. */
export function describeAddresses(ranges: readonly IpRange[]): string {
  return compactCidrs(ranges)
    .map((c) => `${formatCidr(c.cidr)}${c.except.length ? ` except ${c.except.map(formatCidr).join(', ')}` : ''}`)
    .join(', ');
}

/** One outcome as a sentence: `allowed by rule 0 (Allow) of ...`. */
export function describeOutcome(o: Outcome, v: DirectionVerdict): string {
  return explainDecision(o.allowed, o.decision, o.ruleText, v.local.label, v.direction);
}

/**
 * The outcomes of an end that stands for addresses, the fewest addresses first, each with its
 * addresses; the most, often most of the address space, as `any other address it may be`.
 */
export function byAddresses(list: readonly Outcome[]): { readonly outcome: Outcome; readonly addresses: string }[] {
  const sized = [...list].sort((a, b) => {
    const [x, y] = [size(a.addresses ?? []), size(b.addresses ?? [])];
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return sized.map((outcome, i) => ({
    outcome,
    addresses: i === sized.length - 1 ? 'any other address it may be' : describeAddresses(outcome.addresses ?? []),
  }));
}

/** Outcomes of one view: one sentence when alike, else one line per outcome with its addresses. */
function outcomeLines(list: readonly Outcome[], v: DirectionVerdict, indent: string): string[] {
  if (list.length === 1) return [`${indent}${describeOutcome(list[0], v)}`];
  return [
    `${indent}it depends on the address:`,
    ...byAddresses(list).map(({ outcome, addresses }) => `${indent}  ${addresses}: ${describeOutcome(outcome, v)}`),
  ];
}

function size(ranges: readonly IpRange[]): bigint {
  return ranges.reduce((n, r) => n + (r.last - r.first + 1n), 0n);
}

/** Both views of one direction. */
function directionLines(v: DirectionVerdict, indent: string): string[] {
  const out = [`${indent}${v.direction} of ${v.local.label}, today:`, ...outcomeLines(v.enforced, v, `${indent}  `)];
  if (v.hasStaged) out.push(`${indent}  once the staged policies are enforced:`, ...outcomeLines(v.staged, v, `${indent}    `));
  if ([...v.enforced, ...v.staged].some((o) => o.inlineNets && o.allowed) && (v.enforced.length > 1 || v.staged.length > 1))
    out.push(
      `${indent}  an allow rule here names its addresses inline (nets, ipBlock): Goldmane cannot name flows to them; in a NetworkSet or GlobalNetworkSet it would (this project's intent: networkSet on a calico app's cidr destination, or an allow-list)`,
    );
  return out;
}

function flowLines(f: ObservedFlow): string[] {
  return [`  ${describeFlow(f)}  (${describeSeen(f)})`, ...[f.egress, f.ingress].flatMap((v) => (v ? directionLines(v, '    ') : []))];
}

/** A recorded hit: `rule 0 (Deny) of GlobalNetworkPolicy security.quarantine (tier security)`, `the end of tier default (Deny), ...`, `the profile kns.cache (Allow)`. */
function describeHit(h: PolicyHit): string {
  const where = (p: { readonly kind: string; readonly name: string; readonly namespace?: string; readonly tier: string }) =>
    `${formatObjectRef(p)} (tier ${p.tier})`;
  if (h.kind === 'Profile') return `the profile ${h.name} (${h.action})`;
  if (h.kind === 'EndOfTier') return `the end of tier ${h.tier} (${h.action})${h.trigger ? `, which ${where(h.trigger)} made apply` : ''}`;
  return `rule ${h.ruleIndex} (${h.action}) of ${where(h)}`;
}

/** What a record said: `denied by rule 0 (Deny) of ...`, with the tiers passed. */
function describeRecorded(r: RecordedDecision): string {
  const verdict = r.action === 'Allow' ? 'allowed' : 'denied';
  const by = r.hit ? ` by ${describeHit(r.hit)}` : '';
  const passed = r.passes.length ? `, after passing ${r.passes.map(describeHit).join(', ')}` : '';
  return `${verdict}${by}${passed}`;
}

const FINDING_WORDS: Readonly<Record<ObservedFinding['kind'], string>> = {
  verdict: 'the verdicts differ',
  rule: 'the same verdict by another rule',
  passes: 'other tiers passed on the way',
  unexplained: 'no address it may stand for is decided the way the record says',
};

/** A finding in a few lines. */
function findingLines(f: ObservedFinding): string[] {
  const view = f.view === 'enforced' ? 'today' : 'once the staged policies are enforced';
  const v = f.direction === 'egress' ? f.flow.egress! : f.flow.ingress!;
  const out = [
    `  ${describeLines(f.lines)}: ${describeFlow(f.flow)}, ${f.direction} ${view}: ${FINDING_WORDS[f.kind]}`,
    `    the record: ${describeRecorded(f.recorded)}`,
    `    the verifier:`,
    ...outcomeLines(f.verifier, v, '      '),
  ];
  if (f.policyHeld === false)
    out.push(
      '    the manifests hold no such policy: the cluster runs policies they do not (or they were renamed, or removed since); compare the manifests with what is applied',
    );
  if (f.view === 'staged' && f.policyHeld !== false)
    out.push('    expected when the staged policies of the manifests differ from those the cluster ran: apply them, and observe again');
  return out;
}

function unusedLines(u: UnusedRule): string[] {
  const allows = u.entries.map((e) => `${e.protocol} ${describePorts(e.ports)} ${u.direction === 'egress' ? 'to' : 'from'} ${describeDestination(e.peer)}`);
  const out = [`  ${u.endpoint.id} ${u.direction}: ${describeRule(u.rule, 'Allow')}: ${allows.join('; ')}`];
  if (u.possibly.length)
    out.push(
      `    perhaps observed: it may have decided the unattributed ${u.possibly.map((f) => `${describeFlow(f)} (${describeLines(f.lines)})`).join(', ')}`,
    );
  return out;
}

/** A suggested entry as TypeScript: `{ namespace: 'cache', podLabels: { app: 'redis' }, ports: [6379], protocol: 'TCP' }`. */
export function typescript(value: SuggestedValue): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `[${value.map(typescript).join(', ')}]`;
  const entries = Object.entries(value as { readonly [key: string]: SuggestedValue });
  if (entries.length === 0) return '{}';
  return `{ ${entries.map(([k, v]) => `${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : typescript(k)}: ${typescript(v)}`).join(', ')} }`;
}

/** What a suggestion allows, seen when: summed over its flows. */
export function suggestionSeen(s: Suggestion): Pick<ObservedFlow, 'records' | 'connections' | 'firstSeen' | 'lastSeen' | 'lines'> {
  const counted = s.flows.filter((f) => f.connections !== undefined);
  return {
    records: s.flows.flatMap((f) => f.records),
    ...(counted.length ? { connections: counted.reduce((n, f) => n + f.connections!, 0) } : {}),
    firstSeen: Math.min(...s.flows.map((f) => f.firstSeen)),
    lastSeen: Math.max(...s.flows.map((f) => f.lastSeen)),
    lines: [...new Set(s.flows.flatMap((f) => f.lines))].sort((a, b) => a - b),
  };
}

function suggestionLines(entries: readonly Suggestion[], none: readonly NoSuggestion[]): string[] {
  if (entries.length === 0 && none.length === 0) return [];
  const out = [
    `Suggested intent entries (${entries.length}): a suggestion, never an edit. Review each, add it to the app's list in main.ts, then npm run synth.`,
    'Addresses only: no proxy access log is read yet, so no entry names a host.',
  ];
  const apps = [...new Set(entries.map((e) => `${e.namespace}/${e.app}\u0000${e.field}`))];
  for (const key of apps) {
    const [app, field] = key.split('\u0000');
    out.push(`  ${app}: add to ${field}:`);
    for (const s of entries.filter((e) => `${e.namespace}/${e.app}` === app && e.field === field)) {
      out.push(`    // ${s.flows.map(describeFlow).join('; ')} (${describeSeen(suggestionSeen(s))})`, `    ${typescript(s.entry)},`);
    }
  }
  if (none.length) {
    out.push(`No entry can be suggested for (${none.length}):`);
    for (const n of none) out.push(`  ${describeFlow(n.flow)} (${n.direction}, ${describeLines(n.flow.lines)}): ${n.why}`);
  }
  return [...out, ''];
}

function section(title: string, lines: readonly string[]): string[] {
  return lines.length ? [title, ...lines, ''] : [];
}

/** `verify observed` as text. */
export function observedText(report: ObservedReport, suggestions: Suggestions, flows: string): string {
  const out = [
    `Observed flows of ${flows} compared with the manifests: ${plural(report.records, 'record')} read, ${report.malformed.length} malformed; ${plural(report.outside, 'record')} of flows that no policy of the manifests concerns (no end is a pod of theirs, or in a namespace they declare) left out.`,
    `Note: ${OBSERVED_NOTE}`,
    '',
  ];
  out.push(
    ...section(
      `Malformed records (${report.malformed.length}), not compared:`,
      report.malformed.map((m) => `  line ${m.line}: ${m.reason}`),
    ),
  );
  const list = (title: string, flows: readonly ObservedFlow[]) => [`${title} (${flows.length}):`, ...flows.flatMap(flowLines), ''];
  out.push(...list('1. Observed and allowed, today and once the staged policies are enforced', report.allowed));
  out.push(...list('2. Observed and denied by the enforced policies today', report.deniedToday));
  out.push(...list('3. Observed, allowed today, denied once the staged policies are enforced: would break', report.wouldBreak));
  out.push(`4. Declared and allowed, never observed: candidates to remove (${report.neverObserved.length}):`, ...report.neverObserved.flatMap(unusedLines), '');
  out.push(
    ...section(
      `Unattributed (${report.unattributed.length}): where these went is not recorded finely enough to decide them`,
      report.unattributed.flatMap((f) => [
        ...flowLines(f),
        ...f.records
          .filter((r) => r.pending.length > 0)
          .slice(0, 1)
          .map((r) => {
            const pending = r.pending.filter((h) => h.action !== 'Pass');
            const last = pending[pending.length - 1];
            return `    the cluster's staged policies, as recorded: ${last ? describeHit(last) : 'every tier passed'}`;
          }),
      ]),
    ),
  );
  out.push(
    ...section(
      `Not compared (${report.notCompared.length}):`,
      report.notCompared.map((f) => `  ${describeFlow(f)} (${describeLines(f.lines)}): ${f.notCompared}`),
    ),
  );
  out.push(...section(`Findings: the flow log and the verifier disagree (${report.findings.length}):`, report.findings.flatMap(findingLines)));
  out.push(...suggestionLines(suggestions.entries, suggestions.none));
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}
