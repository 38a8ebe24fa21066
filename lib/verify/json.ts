/**
 * The verifier's answers as the JSON its command line prints (`--json`). These shapes are a
 * contract: tools read them, so fields are only ever added. Values are written with the same
 * functions as the terminal listings (lib/verify/words.ts).
 */

import type { DnsReport } from './dns';
import type { Relay } from './relays';
import { formatCidr, IpVersion } from '../net';
import type { EgressReport, ReachEntry } from './egress';
import type { IngressEntry, IngressReport } from './ingress';
import type { DirectionView, WorkloadListing } from './listing';
import type { DecidedBy, Destination } from './workload';
import type { EndpointKind } from './endpoints';
import type { Decision, Direction, PolicyKind, PolicyRef } from './policy';
import type { DirectionAnswer, QueryAnswer, RuleRef } from './reach';
import type { Reader } from './readers';
import { describeDestination as destinationWords, describePolicy, EGRESS_NOTE, explainDirection, explainWhenStaged, INGRESS_NOTE } from './words';
import { describePorts } from './ports';
import { HostReachJson, hostReachJson } from './host-words';
import type { HostReach } from './hosts';
import { type Protocol } from '../k8s';

/** A destination: `{ type: 'cidr', cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] }` (no `except` when none), or pods. */
export type DestinationJson =
  | { readonly type: 'cidr'; readonly cidr: string; readonly except?: readonly string[] }
  | {
      readonly type: 'pods';
      /** The namespace, or `*` for any namespace (with `namespaceLabels` when the rule asks for some). */
      readonly namespace: string;
      readonly namespaceLabels?: Readonly<Record<string, string>>;
      readonly labels: Readonly<Record<string, string>>;
      /** `namespace/name`, when the destination is a known endpoint. */
      readonly endpoint?: string;
    };

/**
 * What decided: `reason` is `rule` (with tier, kind, policy and the rule's index), `profile`
 * (with the tier that passed last) or `no-policy`.
 */
interface DecidedByJson {
  readonly reason: DecidedBy['reason'];
  readonly action: 'Allow' | 'Deny';
  /** For `profile` and `no-policy`: the direction no rule decided (a rule says its own by its list). */
  readonly direction?: Direction;
  readonly tier?: string;
  readonly kind?: PolicyKind;
  /** `namespace/name`, or `name` for a global policy. */
  readonly policy?: string;
  /** The policy's priority within its tier (ClusterNetworkPolicy, AdminNetworkPolicy). */
  readonly priority?: number;
  readonly rule?: number;
  /** The rule's own name, for kinds whose rules have one (the network-policy-api's). */
  readonly ruleName?: string;
  /** What the rule is for, as its manifest says it (see descriptions.ts); absent when it says nothing. */
  readonly description?: string;
}

/** One reach entry; `ports` is `443`, `8000-8100`, `1-65535` or a port name. */
interface ReachEntryJson {
  readonly to: DestinationJson;
  readonly protocol: Protocol;
  readonly ports: string;
  readonly decidedBy: DecidedByJson;
  /** Present (true) when a Deny that matches every packet decided: the complement of what earlier rules decided. */
  readonly catchAll?: true;
  /** Present when only packets of this IP version are decided so (an address is unknown, and the other version is decided otherwise). */
  readonly ipVersion?: IpVersion;
}

/** One ingress entry: who may send (`from`), on which of the workload's ports. */
interface IngressEntryJson {
  readonly from: DestinationJson;
  readonly protocol: Protocol;
  readonly ports: string;
  readonly decidedBy: DecidedByJson;
  readonly catchAll?: true;
  readonly ipVersion?: IpVersion;
}

/** A policy that applies to a workload, in evaluation order. */
interface PolicyInTierJson {
  readonly tier: string;
  readonly kind: PolicyKind;
  readonly policy: string;
  /** Its priority within the tier, for the kinds that have one. */
  readonly priority?: number;
}

/** A staged policy: it exists and selects the endpoint, but is not enforced. */
export interface StagedRefJson {
  readonly kind: PolicyKind;
  readonly policy: string;
  readonly tier: string;
}

/** One direction of a workload, as enforced now or once the staged policies are. */
interface ReachViewJson<E> {
  readonly isolated: boolean;
  readonly policies: readonly PolicyInTierJson[];
  readonly allowed: readonly E[];
  readonly denied: readonly E[];
}

/** One workload's reach in one direction (its egress, or who may reach it). */
interface WorkloadListingJson<Entry> extends ReachViewJson<Entry> {
  readonly endpoint: string;
  readonly kind: EndpointKind;
  readonly staged: readonly StagedRefJson[];
  /** Present when staged policies concern the workload: its reach once they are enforced. */
  readonly whenStagedEnforced?: ReachViewJson<Entry>;
  /**
   * In `verify egress --json`: who can read the workload, every caller its ingress admits (they
   * receive its responses), `governed` false for callers in namespaces these manifests do not
   * govern (lib/verify/readers.ts) and for addresses outside the known endpoints.
   */
  readonly readers?: readonly ReaderJson[];
}

/** A caller that may receive a workload's responses. */
interface ReaderJson extends IngressEntryJson {
  readonly governed: boolean;
}

/** Every workload's reach in one direction. */
interface ListingJson<Entry> {
  readonly note: string;
  readonly ipblockMatchesPods: boolean;
  readonly workloads: readonly WorkloadListingJson<Entry>[];
}

/** `verify egress --json`: with an egress proxy among the manifests, each workload (and its staged view) also has `hosts`, what it reaches by name. */
export type EgressReportJson = ListingJson<ReachEntryJson> & {
  readonly workloads: readonly (WorkloadListingJson<ReachEntryJson> & {
    readonly hosts?: HostReachJson;
    readonly whenStagedEnforced?: ReachViewJson<ReachEntryJson> & { readonly hosts?: HostReachJson };
  })[];
};

/** `verify ingress --json`. */
export type IngressReportJson = ListingJson<IngressEntryJson>;

/** A rule, with its action: the rule that decided, or one a packet matched on its way. */
interface RuleRefJson {
  readonly tier: string;
  readonly kind: PolicyKind;
  readonly policy: string;
  /** The policy's priority within its tier, for the kinds that have one. */
  readonly priority?: number;
  readonly rule: number;
  /** The rule's own name, when it has one. */
  readonly ruleName?: string;
  readonly action: string;
  /** What the rule is for, as its manifest says it; absent when it says nothing. */
  readonly description?: string;
}

/** How one direction of a connection was decided. */
interface DirectionAnswerJson {
  /** False when the direction does not apply (ingress at an address outside the cluster). */
  readonly applies: boolean;
  readonly allowed: boolean;
  /** `rule`, `end-of-tier`, `no-policy`, `profile`, or `external` when the direction does not apply. */
  readonly reason: Decision['reason'] | 'external';
  readonly tier?: string;
  readonly kind?: PolicyKind;
  readonly policy?: string;
  readonly priority?: number;
  readonly rule?: number;
  readonly ruleName?: string;
  readonly action?: string;
  /** One sentence a reviewer can read. */
  readonly message: string;
  readonly logged: readonly RuleRefJson[];
  readonly passed: readonly RuleRefJson[];
  /**
   * Deny and Pass rules that test addresses and might have matched, an address being unknown (a
   * pod template's): the Deny was not applied, the Pass followed both ways, so that the answer is
   * the weakest. Present when there are some.
   */
  readonly uncertain?: readonly RuleRefJson[];
  readonly staged: readonly StagedRefJson[];
  /** When there are staged policies: how the direction would be decided once they are enforced. */
  readonly whenStagedEnforced?: StagedAnswerJson;
}

/** How a direction would be decided once the staged policies are enforced. */
interface StagedAnswerJson {
  readonly allowed: boolean;
  readonly reason: Decision['reason'];
  readonly tier?: string;
  readonly kind?: PolicyKind;
  readonly policy?: string;
  readonly priority?: number;
  readonly rule?: number;
  readonly ruleName?: string;
  readonly action?: string;
  /** One sentence a reviewer can read: `would deny: ...`. */
  readonly message: string;
}

/** `verify query --json`. */
export interface QueryAnswerJson {
  readonly from: string;
  /** The endpoint the sender is, when it is one (also when asked by its pod IP). */
  readonly fromEndpoint?: string;
  readonly to: string;
  readonly toEndpoint?: string;
  readonly port: number;
  readonly portName?: string;
  readonly protocol: Protocol;
  /**
   * Present when an address is unknown (a pod template's), so that both IP versions were asked,
   * and they are decided otherwise: the version this answer is about, the one that allows (the
   * weakest answer); `otherIpVersion` says how the other is decided.
   */
  readonly ipVersion?: IpVersion;
  readonly allowed: boolean;
  readonly egress: DirectionAnswerJson;
  readonly ingress: DirectionAnswerJson;
  /** Present when the other IP version is decided otherwise: how. */
  readonly otherIpVersion?: {
    readonly ipVersion: IpVersion;
    readonly allowed: boolean;
    readonly egress: DirectionAnswerJson;
    readonly ingress: DirectionAnswerJson;
  };
}

/** A destination as JSON. */
export function destinationJson(d: Destination): DestinationJson {
  if (d.type === 'cidr') return { type: 'cidr', cidr: formatCidr(d.cidr), ...(d.except.length ? { except: d.except.map(formatCidr) } : {}) };
  return {
    type: 'pods',
    namespace: d.namespace,
    ...(d.namespaceLabels ? { namespaceLabels: d.namespaceLabels } : {}),
    labels: d.labels,
    ...(d.endpoint ? { endpoint: d.endpoint.id } : {}),
  };
}

/** What decided a reach entry, as JSON. */
function decidedByJson(d: DecidedBy): DecidedByJson {
  if (d.reason === 'rule')
    return {
      reason: 'rule',
      action: d.action,
      tier: d.rule.tier,
      kind: d.rule.kind,
      policy: describePolicy(d.rule),
      ...(d.rule.priority === undefined ? {} : { priority: d.rule.priority }),
      rule: d.rule.index,
      ...(d.rule.ruleName ? { ruleName: d.rule.ruleName } : {}),
      ...(d.rule.description ? { description: d.rule.description } : {}),
    };
  if (d.reason === 'profile') return { reason: 'profile', action: 'Allow', direction: d.direction, tier: d.tier };
  return { reason: 'no-policy', action: 'Allow', direction: d.direction };
}

/** A reach entry as JSON. */
function reachEntryJson(e: ReachEntry): ReachEntryJson {
  return {
    to: destinationJson(e.to),
    protocol: e.protocol,
    ports: describePorts(e.ports),
    decidedBy: decidedByJson(e.decidedBy),
    ...(e.catchAll ? { catchAll: true } : {}),
    ...(e.ipVersion ? { ipVersion: e.ipVersion } : {}),
  };
}

/** An ingress entry as JSON. */
function ingressEntryJson(e: IngressEntry): IngressEntryJson {
  return {
    from: destinationJson(e.from),
    protocol: e.protocol,
    ports: describePorts(e.ports),
    decidedBy: decidedByJson(e.decidedBy),
    ...(e.catchAll ? { catchAll: true } : {}),
    ...(e.ipVersion ? { ipVersion: e.ipVersion } : {}),
  };
}

function viewJson<E, J>(v: DirectionView<E>, entry: (e: E) => J): ReachViewJson<J> {
  return {
    isolated: v.isolated,
    policies: v.policies.map((p) => ({ tier: p.tier, kind: p.kind, policy: describePolicy(p), ...(p.priority === undefined ? {} : { priority: p.priority }) })),
    allowed: v.allowed.map(entry),
    denied: v.denied.map(entry),
  };
}

/** A staged policy as JSON. */
export function stagedJson(ref: PolicyRef): StagedRefJson {
  return { kind: ref.kind, policy: describePolicy(ref), tier: ref.tier };
}

/** The egress report as `verify egress --json` prints it. */
export function egressJson(report: EgressReport): EgressReportJson {
  const listed = listingJson(EGRESS_NOTE, report, reachEntryJson);
  const hosts = (h: HostReach | undefined) => (h ? { hosts: hostReachJson(h) } : {});
  return {
    ...listed,
    workloads: listed.workloads.map((w, i) => {
      const source = report.workloads[i];
      return {
        ...w,
        ...hosts(source.hosts),
        ...(w.whenStagedEnforced ? { whenStagedEnforced: { ...w.whenStagedEnforced, ...hosts(source.whenStagedEnforced?.hosts) } } : {}),
      };
    }),
  };
}

/** The ingress report as `verify ingress --json` prints it. */
export function ingressJson(report: IngressReport): IngressReportJson {
  return listingJson(INGRESS_NOTE, report, ingressEntryJson);
}

function listingJson<Entry, EntryJson>(
  note: string,
  report: { readonly ipblockMatchesPods: boolean; readonly workloads: readonly (WorkloadListing<Entry> & { readonly readers?: readonly Reader[] })[] },
  entryJson: (e: Entry) => EntryJson,
): ListingJson<EntryJson> {
  return {
    note,
    ipblockMatchesPods: report.ipblockMatchesPods,
    workloads: report.workloads.map((w) => ({
      endpoint: w.endpoint,
      kind: w.kind,
      ...viewJson(w, entryJson),
      staged: w.staged.map(stagedJson),
      ...(w.whenStagedEnforced ? { whenStagedEnforced: viewJson(w.whenStagedEnforced, entryJson) } : {}),
      ...(w.readers ? { readers: w.readers.map((r) => ({ ...ingressEntryJson(r), governed: r.governed })) } : {}),
    })),
  };
}

function ruleRefJson(r: RuleRef): RuleRefJson {
  return {
    tier: r.rule.tier,
    kind: r.rule.kind,
    policy: describePolicy(r.rule),
    ...(r.rule.priority === undefined ? {} : { priority: r.rule.priority }),
    rule: r.rule.index,
    ...(r.rule.ruleName ? { ruleName: r.rule.ruleName } : {}),
    action: r.action,
    ...(r.rule.description ? { description: r.rule.description } : {}),
  };
}

/** Where a decision came from, as the fields of a direction's JSON. */
function decidedFields(d: Decision | undefined): Partial<RuleRefJson> {
  if (d?.reason === 'rule') return ruleRefJson({ rule: d.rule, action: d.action });
  if (d?.reason === 'end-of-tier' || d?.reason === 'profile') return { tier: d.tier, action: d.action };
  return {};
}

/** One direction of a query answer as JSON. */
function directionJson(a: DirectionAnswer): DirectionAnswerJson {
  const d = a.decision;
  const staged = a.whenStagedEnforced;
  return {
    applies: a.applies,
    allowed: a.allowed,
    reason: d?.reason ?? 'external',
    ...decidedFields(d),
    message: explainDirection(a),
    logged: a.logged.map(ruleRefJson),
    passed: a.passed.map(ruleRefJson),
    ...(a.uncertain.length ? { uncertain: a.uncertain.map(ruleRefJson) } : {}),
    staged: a.staged.map(stagedJson),
    ...(staged
      ? { whenStagedEnforced: { allowed: staged.allowed, reason: staged.decision.reason, ...decidedFields(staged.decision), message: explainWhenStaged(a)! } }
      : {}),
  };
}

/** A query answer as `verify query --json` prints it. */
export function queryJson(q: QueryAnswer): QueryAnswerJson {
  return {
    from: q.from,
    ...(q.fromEndpoint === undefined ? {} : { fromEndpoint: q.fromEndpoint }),
    to: q.to,
    ...(q.toEndpoint === undefined ? {} : { toEndpoint: q.toEndpoint }),
    port: q.port,
    ...(q.portName === undefined ? {} : { portName: q.portName }),
    protocol: q.protocol,
    ...(q.otherIpVersion ? { ipVersion: q.ipVersion } : {}),
    allowed: q.allowed,
    egress: directionJson(q.egress),
    ingress: directionJson(q.ingress),
    ...(q.otherIpVersion
      ? {
          otherIpVersion: {
            ipVersion: q.otherIpVersion.ipVersion,
            allowed: q.otherIpVersion.allowed,
            egress: directionJson(q.otherIpVersion.egress),
            ingress: directionJson(q.otherIpVersion.ingress),
          },
        }
      : {}),
  };
}

/** One workload's DNS as `verify egress --json` prints it under `dns`. */
export interface WorkloadDnsJson {
  readonly endpoint: string;
  readonly resolvesOutside: boolean;
  readonly dnsPolicy: string;
  readonly nameservers: readonly string[];
  readonly servers: readonly { readonly to: string; readonly answers: 'cluster-names' | 'any-name'; readonly why: string }[];
  readonly reason?: string;
  /** Set when the workload is itself a DNS server the manifests configure (CoreDNS with a Corefile): what it answers. */
  readonly serves?: 'cluster-names' | 'any-name';
}

/** The DNS report as `verify egress --json` prints it, beside the listing. */
export function dnsJson(report: DnsReport): { readonly clusterDomain: string; readonly workloads: readonly WorkloadDnsJson[] } {
  return {
    clusterDomain: report.clusterDomain,
    workloads: report.workloads.map((w) => ({
      endpoint: w.endpoint,
      resolvesOutside: w.resolvesOutside,
      dnsPolicy: w.dnsPolicy,
      nameservers: w.nameservers,
      servers: w.servers.map((s) => ({ to: destinationWords(s.to), answers: s.answers, why: s.why })),
      ...(w.reason !== undefined ? { reason: w.reason } : {}),
      ...(w.serves !== undefined ? { serves: w.serves.answers } : {}),
    })),
  };
}

/** One ungoverned relay as `verify egress --json` prints it under `relays`. */
export interface RelayJson {
  readonly from: string;
  readonly to: string;
  readonly protocol: string;
  readonly ports: string;
  readonly reason?: string;
}

/** The ungoverned relays as `verify egress --json` prints them, beside the listing. */
export function relaysJson(relays: readonly Relay[]): RelayJson[] {
  return relays.map((r) => ({
    from: r.from,
    to: destinationWords(r.to),
    protocol: r.protocol,
    ports: describePorts(r.ports),
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
  }));
}
