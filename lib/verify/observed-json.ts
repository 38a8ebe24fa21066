/**
 * `verify observed --json`: the same lists, findings and suggestions as the text, for tools.
 * A contract like the other commands' shapes (json.ts): fields are only ever added.
 */

import { PolicyHit } from '../flows';
import { destinationJson, DestinationJson } from './json';
import { DirectionVerdict, FlowStatus, ObservedFinding, ObservedFlow, ObservedReport, Outcome, RecordedDecision, statusOf, UnusedRule } from './observed';
import { ObservedEnd } from './observed-ends';
import { SuggestedValue, Suggestions } from './observed-suggest';
import { describeAddresses, describeOutcome, describeTime, OBSERVED_NOTE, suggestionSeen, typescript } from './observed-words';
import { describePolicy } from './words';
import { describePorts } from './ports';
import { Decision, Direction, PolicyKind } from './policy';

/** One end of a flow: a pod (`endpoint` when the manifests hold its workload), a network set, `pub`/`pvt`, or what the manifests cannot place (`why`). */
interface EndJson {
  readonly type: ObservedEnd['kind'];
  /** As the output names it: `namespace/name` of a workload (the flow log's name for pods the manifests do not hold), a set's id, `pub`, `pvt`. */
  readonly name: string;
  readonly endpoint?: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly why?: string;
}

/** What decided, as the other commands write a decision. */
interface OutcomeJson {
  readonly allowed: boolean;
  readonly reason: Decision['reason'];
  readonly tier?: string;
  readonly kind?: PolicyKind;
  readonly policy?: string;
  readonly rule?: number;
  readonly action: 'Allow' | 'Deny';
  readonly message: string;
  /** For an end outside the cluster: the addresses this outcome holds for, as blocks (`0.0.0.0/0 except ...`). */
  readonly addresses?: string;
  readonly passed: readonly { readonly tier: string; readonly kind: PolicyKind; readonly policy: string; readonly rule: number }[];
}

interface DirectionJson {
  /** The workload whose policies decide. */
  readonly endpoint: string;
  readonly status: FlowStatus;
  readonly outcomes: readonly OutcomeJson[];
  /** Present when staged policies concern it. */
  readonly whenStagedEnforced?: { readonly status: FlowStatus; readonly outcomes: readonly OutcomeJson[] };
}

/** Which flow: enough to find it in the text and the file. */
interface FlowRefJson {
  readonly from: string;
  readonly to: string;
  readonly protocol: string;
  readonly port: number;
  readonly lines: readonly number[];
}

interface ObservedFlowJson extends FlowRefJson {
  readonly source: EndJson;
  readonly destination: EndJson;
  readonly records: number;
  readonly connections?: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** `allowed`, `denied`, or `depends` (on which address an end outside the cluster was). */
  readonly enforced: FlowStatus;
  readonly whenStagedEnforced: FlowStatus;
  readonly egress?: DirectionJson;
  readonly ingress?: DirectionJson;
  readonly notCompared?: string;
}

interface HitJson {
  readonly kind: string;
  readonly tier: string;
  readonly policy: string;
  readonly action: string;
  readonly rule: number;
  readonly trigger?: { readonly kind: string; readonly tier: string; readonly policy: string };
}

interface FindingJson extends FlowRefJson {
  readonly direction: Direction;
  readonly view: 'enforced' | 'whenStagedEnforced';
  readonly kind: ObservedFinding['kind'];
  readonly recorded: { readonly action: 'Allow' | 'Deny'; readonly hit?: HitJson; readonly passes: readonly HitJson[] };
  readonly verifier: readonly OutcomeJson[];
  readonly policyHeld?: boolean;
}

interface UnusedJson {
  readonly endpoint: string;
  readonly direction: Direction;
  readonly tier: string;
  readonly kind: PolicyKind;
  readonly policy: string;
  readonly rule: number;
  readonly allows: readonly { readonly peer: DestinationJson; readonly protocol: string; readonly ports: string }[];
  readonly possiblyObserved: readonly FlowRefJson[];
}

interface SuggestionJson {
  readonly app: string;
  readonly namespace: string;
  /** The list of the app to add it to: `egress` (a destination) or `ingress` (a client). */
  readonly field: Direction;
  readonly entry: { readonly [key: string]: SuggestedValue };
  /** The entry as TypeScript to paste. */
  readonly typescript: string;
  readonly flows: readonly FlowRefJson[];
  readonly records: number;
  readonly connections?: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

/** `verify observed --json`. */
export interface ObservedReportJson {
  readonly note: string;
  readonly records: number;
  readonly malformed: readonly { readonly line: number; readonly reason: string }[];
  /** Records of flows that no policy of the manifests concerns. */
  readonly outsideManifests: number;
  readonly allowed: readonly ObservedFlowJson[];
  readonly deniedToday: readonly ObservedFlowJson[];
  readonly wouldBreak: readonly ObservedFlowJson[];
  readonly neverObserved: readonly UnusedJson[];
  readonly unattributed: readonly ObservedFlowJson[];
  readonly notCompared: readonly ObservedFlowJson[];
  readonly findings: readonly FindingJson[];
  readonly suggestions: readonly SuggestionJson[];
  readonly noSuggestion: readonly (FlowRefJson & { readonly direction: Direction; readonly why: string })[];
}

function endJson(e: ObservedEnd): EndJson {
  switch (e.kind) {
    case 'workload':
      return { type: e.kind, name: e.label, namespace: e.namespace, ...(e.known ? { endpoint: e.endpoint.id } : {}), labels: e.labels };
    case 'network-set':
      return { type: e.kind, name: e.label, ...(e.set.namespace ? { namespace: e.set.namespace.name } : {}) };
    case 'network':
      return { type: e.kind, name: e.network };
    case 'unknown':
      return { type: e.kind, name: e.label, why: e.why };
  }
}

function outcomeJson(o: Outcome, v: DirectionVerdict): OutcomeJson {
  const d = o.decision;
  return {
    allowed: o.allowed,
    reason: d.reason,
    ...(d.reason === 'rule'
      ? { tier: d.rule.tier, kind: d.rule.kind, policy: describePolicy(d.rule), rule: d.rule.index }
      : d.reason === 'no-policy'
        ? {}
        : { tier: d.tier }),
    action: d.action,
    message: describeOutcome(o, v),
    ...(o.addresses ? { addresses: describeAddresses(o.addresses) } : {}),
    passed: o.passed.map((r) => ({ tier: r.tier, kind: r.kind, policy: describePolicy(r), rule: r.index })),
  };
}

function directionJson(v: DirectionVerdict): DirectionJson {
  return {
    endpoint: v.local.label,
    status: statusOf(v.enforced),
    outcomes: v.enforced.map((o) => outcomeJson(o, v)),
    ...(v.hasStaged ? { whenStagedEnforced: { status: statusOf(v.staged), outcomes: v.staged.map((o) => outcomeJson(o, v)) } } : {}),
  };
}

function refJson(f: ObservedFlow): FlowRefJson {
  return { from: f.source.label, to: f.destination.label, protocol: f.protocol, port: f.port, lines: f.lines };
}

function flowJson(f: ObservedFlow): ObservedFlowJson {
  return {
    ...refJson(f),
    source: endJson(f.source),
    destination: endJson(f.destination),
    records: f.records.length,
    ...(f.connections === undefined ? {} : { connections: f.connections }),
    firstSeen: describeTime(f.firstSeen),
    lastSeen: describeTime(f.lastSeen),
    enforced: f.enforced,
    whenStagedEnforced: f.staged,
    ...(f.egress ? { egress: directionJson(f.egress) } : {}),
    ...(f.ingress ? { ingress: directionJson(f.ingress) } : {}),
    ...(f.notCompared ? { notCompared: f.notCompared } : {}),
  };
}

function hitJson(h: PolicyHit): HitJson {
  const policy = (p: { readonly name: string; readonly namespace?: string }) => (p.namespace ? `${p.namespace}/${p.name}` : p.name);
  return {
    kind: h.kind,
    tier: h.tier,
    policy: policy(h),
    action: h.action,
    rule: h.ruleIndex,
    ...(h.trigger ? { trigger: { kind: h.trigger.kind, tier: h.trigger.tier, policy: policy(h.trigger) } } : {}),
  };
}

function recordedJson(r: RecordedDecision): FindingJson['recorded'] {
  return { action: r.action, ...(r.hit ? { hit: hitJson(r.hit) } : {}), passes: r.passes.map(hitJson) };
}

function findingJson(f: ObservedFinding): FindingJson {
  const v = (f.direction === 'egress' ? f.flow.egress : f.flow.ingress)!;
  return {
    ...refJson(f.flow),
    lines: f.lines,
    direction: f.direction,
    view: f.view === 'enforced' ? 'enforced' : 'whenStagedEnforced',
    kind: f.kind,
    recorded: recordedJson(f.recorded),
    verifier: f.verifier.map((o) => outcomeJson(o, v)),
    ...(f.policyHeld === undefined ? {} : { policyHeld: f.policyHeld }),
  };
}

function unusedJson(u: UnusedRule): UnusedJson {
  return {
    endpoint: u.endpoint.id,
    direction: u.direction,
    tier: u.rule.tier,
    kind: u.rule.kind,
    policy: describePolicy(u.rule),
    rule: u.rule.index,
    allows: u.entries.map((e) => ({ peer: destinationJson(e.peer), protocol: e.protocol, ports: describePorts(e.ports) })),
    possiblyObserved: u.possibly.map(refJson),
  };
}

/** The report and suggestions as `verify observed --json` prints them. */
export function observedJson(report: ObservedReport, suggestions: Suggestions): ObservedReportJson {
  return {
    note: OBSERVED_NOTE,
    records: report.records,
    malformed: report.malformed.map((m) => ({ line: m.line, reason: m.reason })),
    outsideManifests: report.outside,
    allowed: report.allowed.map(flowJson),
    deniedToday: report.deniedToday.map(flowJson),
    wouldBreak: report.wouldBreak.map(flowJson),
    neverObserved: report.neverObserved.map(unusedJson),
    unattributed: report.unattributed.map(flowJson),
    notCompared: report.notCompared.map(flowJson),
    findings: report.findings.map(findingJson),
    suggestions: suggestions.entries.map((s) => {
      const seen = suggestionSeen(s);
      return {
        app: s.app,
        namespace: s.namespace,
        field: s.field,
        entry: s.entry,
        typescript: typescript(s.entry),
        flows: s.flows.map(refJson),
        records: seen.records.length,
        ...(seen.connections === undefined ? {} : { connections: seen.connections }),
        firstSeen: describeTime(seen.firstSeen),
        lastSeen: describeTime(seen.lastSeen),
      };
    }),
    noSuggestion: suggestions.none.map((n) => ({ ...refJson(n.flow), direction: n.direction, why: n.why })),
  };
}
