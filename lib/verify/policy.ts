/**
 * Policies of both flavors in one shape, and the order Calico evaluates them in.
 *
 * Calico (https://docs.tigera.io/calico/latest/reference/resources/tier) processes, for each
 * direction, only the tiers that hold a policy applying to the endpoint, lowest `order` first.
 * Within a tier, policies by `order` (absent: after all ordered ones) then name, rules in order:
 * Allow and Deny decide, Log goes on, Pass skips to the next tier. A tier whose policies match
 * no rule applies its default action (Deny unless set to Pass). When no policy applies at all,
 * or the last tier passes, the endpoint's profile decides, and for a Kubernetes pod that profile
 * allows. Kubernetes NetworkPolicies are policies of the `default` tier with order 1000 whose
 * rules all Allow, which yields exactly the Kubernetes rule: a pod isolated for a direction by
 * some policy accepts only what some such policy allows.
 */

import { IpRange } from '../net';
import { Endpoint, NetworkSet, PacketEnd } from './endpoints';
import { LabelHint } from './labels';
import { SourceRef } from './manifests';
import { PortRange, PortValue } from './ports';
import {
  Protocol,
  isStagedPolicyKind,
  NETWORKING_API_VERSION,
  STAGED_POLICY_KINDS,
  CalicoPolicyKind,
  ClusterPolicyKind,
  StagedPolicyKind,
  CALICO_API_VERSION,
  NETWORK_POLICY_API_GROUP,
  isCalicoPolicyKind,
  isClusterPolicyKind,
} from '../k8s';

/** Which way a packet crosses the endpoint a policy applies to. */
export type Direction = 'ingress' | 'egress';

/** One end of a rule: who sends, who receives. */
export type Side = 'source' | 'destination';

/** What a rule does when it matches. */
export type RuleAction = 'Allow' | 'Deny' | 'Log' | 'Pass';

/** The kinds of policy the verifier reads: Kubernetes', Calico's, and the network-policy-api's (admin-tiers.ts). */
export type PolicyKind = 'KubernetesNetworkPolicy' | CalicoPolicyKind | StagedPolicyKind | ClusterPolicyKind;

/**
 * The verifier's kind of a policy object (as the cluster reads it: by API group and kind), or
 * undefined for any other object. Kubernetes' and Calico's NetworkPolicy share the kind
 * `NetworkPolicy` and are two objects of the API even with the same namespace and name: the
 * first is `KubernetesNetworkPolicy` here.
 */
export function policyKindOf(o: { readonly apiVersion?: unknown; readonly kind: string }): PolicyKind | undefined {
  const group = typeof o.apiVersion === 'string' && o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.indexOf('/')) : '';
  if (group === groupOf(NETWORKING_API_VERSION)) return o.kind === 'NetworkPolicy' ? 'KubernetesNetworkPolicy' : undefined;
  if (group === groupOf(CALICO_API_VERSION)) return isCalicoPolicyKind(o.kind) || isStagedPolicyKind(o.kind) ? o.kind : undefined;
  return group === NETWORK_POLICY_API_GROUP && isClusterPolicyKind(o.kind) ? o.kind : undefined;
}

const groupOf = (apiVersion: string): string => apiVersion.slice(0, apiVersion.indexOf('/'));

/** Names a policy as its manifest does: an ObjectRef (lib/k8s) whose kind is the verifier's (policyKindOf), with its tier. */
export interface PolicyRef {
  readonly kind: PolicyKind;
  readonly namespace?: string;
  /** As written in metadata.name (with a `tier.` prefix if the manifest has one). */
  readonly name: string;
  readonly tier: string;
  /** The policy's `spec.priority` within its tier, for the kinds that have one (ClusterNetworkPolicy, AdminNetworkPolicy). */
  readonly priority?: number;
}

/** Names one rule the way its manifest does: its policy, the direction's list of rules, and its index there. */
export interface RuleId extends PolicyRef {
  readonly direction: Direction;
  readonly index: number;
  /** The rule's own `name`, for the kinds whose rules have one (the network-policy-api's). */
  readonly ruleName?: string;
  /** What the rule is for, as its manifest says it; not part of what identifies it. */
  readonly description?: string;
}

/** Which known endpoints a rule side can match, so that reports need not try every endpoint. */
export type Reach =
  /** None: e.g. only addresses, and addresses do not match pods. */
  | { readonly kind: 'none' }
  /** Every endpoint, all alike: the side says nothing about endpoints. */
  | { readonly kind: 'uniform' }
  /** Any endpoint, depending on the endpoint: e.g. notSelector alone. */
  | { readonly kind: 'varying' }
  /** Only endpoints among these candidates (a superset of the matches). */
  | { readonly kind: 'some'; readonly candidates: readonly Endpoint[] };

/**
 * Whether a rule matches a packet: yes, no, or `maybe` when the answer depends on an address the
 * manifests do not say (a pod template's). Only a Deny or Pass rule answers `maybe`: an Allow (or
 * Log) rule takes such an address to lie outside every block it names, and the blocks themselves
 * are listed as reachable, so nothing is hidden by it.
 */
export type Match = boolean | 'maybe';

/** Both matches hold: no when either is no, maybe when either is maybe. */
export function bothMatch(a: Match, b: Match): Match {
  if (!a || !b) return false;
  return a === 'maybe' || b === 'maybe' ? 'maybe' : true;
}

/** A rule of either flavor, compiled. */
export interface CompiledRule {
  /** Index in the policy's list of rules for its direction. */
  readonly index: number;
  /** The policy's list of rules it is in. */
  readonly direction: Direction;
  /** The rule's own `name`, when its kind has one. */
  readonly name?: string;
  readonly action: RuleAction;
  /** What the rule is for, as its manifest says it (descriptions.ts); absent when it says nothing. */
  readonly description?: string;
  /** True when the rule sets no criterion at all (protocol, ports, peers, selectors): it matches every packet. */
  readonly matchesEverything: boolean;
  /** Whether the packet's sender fits the rule's source side (`maybe`: see Match). */
  matchesSource(source: PacketEnd): Match;
  /** Whether the packet's receiver fits the rule's destination side (`maybe`: see Match). */
  matchesDestination(destination: PacketEnd): Match;
  /** True when protocol, IP version and destination port fit; named ports resolve on the destination. */
  matchesService(protocol: Protocol, port: PortValue, destination: PacketEnd): boolean;
  /**
   * True when the rule may decide a packet between two pods of unknown addresses differently for
   * IPv4 and IPv6 (it tests the IP version, or it is a Deny or Pass that tests addresses), so that
   * both versions must be asked. Absent: false.
   */
  readonly dependsOnIpVersion?: boolean;
  /** Address blocks a side tests, so that a partition of address space can respect them. */
  nets(side: Side): readonly IpRange[];
  /** Numeric destination port ranges the rule tests. */
  readonly ports: readonly PortRange[];
  /** Destination port names the rule tests. */
  readonly portNames: readonly string[];
  /** Network sets a side can match by their labels, so that their addresses count as boundaries. */
  sets(side: Side): readonly NetworkSet[];
  /** Which known endpoints a side can match (for the side a policy applies to, every endpoint alike). */
  reach(side: Side): Reach;
  /** Representative pods for the classes of pods a side names. */
  phantoms(side: Side): readonly Endpoint[];
  /** A short human account of the rule, e.g. `Allow TCP 443 to 203.0.113.10/32`. */
  describe(): string;
}

/** A tier: a bucket of policies with an order and a default action. */
export interface Tier {
  readonly name: string;
  /** 1,000,000 when absent, as Calico reads it. */
  readonly order: number;
  readonly defaultAction: 'Deny' | 'Pass';
}

/** The `default` tier as Calico creates it. */
export const DEFAULT_TIER: Tier = { name: 'default', order: 1_000_000, defaultAction: 'Deny' };

/** The order Calico gives Kubernetes NetworkPolicies in the default tier. */
export const KUBERNETES_POLICY_ORDER = 1000;

/** How a policy finds the endpoints it applies to, for index look-ups. */
export interface SelectionHint {
  readonly namespace?: string;
  readonly label?: LabelHint;
}

/** A policy of either flavor, compiled. */
export interface Policy {
  readonly ref: PolicyRef;
  /** Infinity when absent. */
  readonly order: number;
  /** The name Calico breaks order ties with. */
  readonly sortName: string;
  readonly staged: boolean;
  /**
   * For a staged policy, what enforcing it would do (`spec.stagedAction`, default Set): Set
   * creates or replaces the enforced policy of the same name, Delete removes it.
   */
  readonly stagedAction?: 'Set' | 'Delete';
  readonly types: Readonly<Record<Direction, boolean>>;
  readonly rules: Readonly<Record<Direction, readonly CompiledRule[]>>;
  readonly hint: SelectionHint;
  readonly source: SourceRef;
  /** True when the policy applies to the endpoint (types aside). */
  selects(endpoint: Endpoint): boolean;
}

/** The kind a policy of this kind is once enforced: its own, or the enforced twin of a staged kind (a Kubernetes NetworkPolicy the verifier calls KubernetesNetworkPolicy). */
export function enforcedKind(kind: PolicyKind): PolicyKind {
  if (!isStagedPolicyKind(kind)) return kind;
  const twin = STAGED_POLICY_KINDS[kind];
  return twin.apiVersion === NETWORKING_API_VERSION ? 'KubernetesNetworkPolicy' : twin.kind;
}

/**
 * Identifies the enforced policy a policy is or previews: kind, namespace and name, a staged
 * kind standing for its enforced twin (StagedNetworkPolicy ai/x for NetworkPolicy ai/x).
 */
export function enforcedIdentity(ref: PolicyRef): string {
  return [enforcedKind(ref.kind), ref.namespace ?? '', ref.name].join('\u0000');
}

/** Reads `spec.stagedAction`: Delete, or Set (its default; Calico Open Source treats Learn and Ignore like Set). */
export function stagedActionOf(value: unknown): 'Set' | 'Delete' {
  return value === 'Delete' ? 'Delete' : 'Set';
}

/** Orders policies within a tier: by order, then name. */
export function comparePolicies(a: Policy, b: Policy): number {
  if (a.order !== b.order) return a.order < b.order ? -1 : 1;
  return a.sortName < b.sortName ? -1 : a.sortName > b.sortName ? 1 : 0;
}

/** Orders tiers: by order, then name. */
export function compareTiers(a: Tier, b: Tier): number {
  if (a.order !== b.order) return a.order < b.order ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The policies of one tier that apply to an endpoint in one direction, in evaluation order. */
export interface TierPlan {
  readonly tier: Tier;
  readonly policies: readonly { readonly policy: Policy; readonly rules: readonly CompiledRule[] }[];
}

/** How a direction was decided. */
export type Verdict =
  | { readonly reason: 'rule'; readonly allowed: boolean; readonly tier: Tier; readonly policy: Policy; readonly rule: CompiledRule }
  | { readonly reason: 'end-of-tier'; readonly allowed: false; readonly direction: Direction; readonly tier: Tier; readonly policies: readonly Policy[] }
  | { readonly reason: 'no-policy'; readonly allowed: true; readonly direction: Direction }
  | { readonly reason: 'profile'; readonly allowed: true; readonly direction: Direction; readonly tier: Tier };

/** A rule that matched without deciding (Log, Pass), recorded when tracing. */
export interface Hit {
  readonly tier: Tier;
  readonly policy: Policy;
  readonly rule: CompiledRule;
}

/** What a traced evaluation saw on the way to its verdict. */
export interface Trace {
  readonly logged: Hit[];
  readonly passed: Hit[];
  /**
   * Deny and Pass rules that might have matched, had an address the manifests do not say been
   * another: a Deny is then not applied and a Pass is followed both ways, so that the verdict is
   * the weakest the packet can get (see Match).
   */
  readonly uncertain: Hit[];
}

/**
 * How a direction was decided, named the way the manifests name things: a rule (Allow or
 * Deny), the end of a tier whose policies applied and matched nothing (Deny), the profile after
 * the last tier passed (Allow), or no policy at all (Allow).
 */
export type Decision =
  | { readonly reason: 'rule'; readonly action: 'Allow' | 'Deny'; readonly rule: RuleId }
  | { readonly reason: 'end-of-tier'; readonly action: 'Deny'; readonly direction: Direction; readonly tier: string; readonly policies: readonly PolicyRef[] }
  | { readonly reason: 'profile'; readonly action: 'Allow'; readonly direction: Direction; readonly tier: string }
  | { readonly reason: 'no-policy'; readonly action: 'Allow'; readonly direction: Direction };

const decisions = new WeakMap<Verdict, Decision>();

/**
 * Names a rule of a policy: the policy, the direction's list, the rule's index there and its own
 * name when it has one, and, when asked, what it is for (`description`).
 */
export function ruleIdOf(policy: Policy, rule: CompiledRule, withDescription = true): RuleId {
  return {
    ...policy.ref,
    direction: rule.direction,
    index: rule.index,
    ...(rule.name ? { ruleName: rule.name } : {}),
    ...(withDescription && rule.description ? { description: rule.description } : {}),
  };
}

/** The decision a verdict stands for (the same object for the same verdict). */
export function decisionOf(v: Verdict): Decision {
  let d = decisions.get(v);
  if (!d) {
    if (v.reason === 'rule') d = { reason: 'rule', action: v.allowed ? 'Allow' : 'Deny', rule: ruleIdOf(v.policy, v.rule) };
    else if (v.reason === 'end-of-tier')
      d = { reason: 'end-of-tier', action: 'Deny', direction: v.direction, tier: v.tier.name, policies: v.policies.map((p) => p.ref) };
    else if (v.reason === 'profile') d = { reason: 'profile', action: 'Allow', direction: v.direction, tier: v.tier.name };
    else d = { reason: 'no-policy', action: 'Allow', direction: v.direction };
    decisions.set(v, d);
  }
  return d;
}

/**
 * Identifies a decision as it will be once staged policies are enforced: a rule of a staged
 * policy is the same rule of its enforced twin (`StagedNetworkPolicy ai/x` rule 3 and
 * `NetworkPolicy ai/x` rule 3 decide alike once the staged one is enforced).
 */
export function enforcedDecisionKey(d: Decision): string {
  if (d.reason === 'rule') return decisionKey({ ...d, rule: { ...d.rule, kind: enforcedKind(d.rule.kind) } });
  if (d.reason === 'end-of-tier') return decisionKey({ ...d, policies: d.policies.map((p) => ({ ...p, kind: enforcedKind(p.kind) })) });
  return decisionKey(d);
}

/** Identifies a decision: equal for equal decisions, whatever object carries them. */
export function decisionKey(d: Decision): string {
  switch (d.reason) {
    case 'rule': {
      const r = d.rule;
      return ['rule', d.action, r.tier, r.kind, r.namespace ?? '', r.name, r.direction, r.index].join('\u0000');
    }
    case 'end-of-tier':
      return ['end-of-tier', d.direction, d.tier, ...d.policies.map((p) => `${p.kind}/${p.namespace ?? ''}/${p.name}`)].join('\u0000');
    case 'profile':
      return ['profile', d.direction, d.tier].join('\u0000');
    case 'no-policy':
      return ['no-policy', d.direction].join('\u0000');
  }
}

// Verdicts are cached because reports evaluate millions of packets against a few rules.
const NO_POLICY: Readonly<Record<Direction, Verdict>> = {
  ingress: { reason: 'no-policy', allowed: true, direction: 'ingress' },
  egress: { reason: 'no-policy', allowed: true, direction: 'egress' },
};
const ruleVerdicts = new WeakMap<CompiledRule, Verdict>();
const tierVerdicts = new WeakMap<TierPlan, Verdict>();
const profileVerdicts: Readonly<Record<Direction, WeakMap<Tier, Verdict>>> = { ingress: new WeakMap(), egress: new WeakMap() };

/**
 * Runs the tiers for one direction; `matches` says whether a rule matches the packet. A Deny that
 * only might match (`maybe`) is not applied: it must not hide an Allow behind it. A Pass that
 * might match is followed both ways, and the weaker verdict (allowed over denied) is the answer.
 */
export function decide(plans: readonly TierPlan[], direction: Direction, matches: (rule: CompiledRule) => Match, trace?: Trace): Verdict {
  if (plans.length === 0) return NO_POLICY[direction];
  return decideFrom(plans, START, direction, matches, trace);
}

/** Where an evaluation resumes: a tier, a policy of it, a rule of that. */
interface Position {
  readonly tier: number;
  readonly policy: number;
  readonly rule: number;
}

const START: Position = { tier: 0, policy: 0, rule: 0 };

function ruleVerdict(plan: TierPlan, policy: Policy, rule: CompiledRule): Verdict {
  let v = ruleVerdicts.get(rule);
  if (!v) {
    v = { reason: 'rule', allowed: rule.action === 'Allow', tier: plan.tier, policy, rule };
    ruleVerdicts.set(rule, v);
  }
  return v;
}

function profileVerdict(direction: Direction, tier: Tier): Verdict {
  let v = profileVerdicts[direction].get(tier);
  if (!v) {
    v = { reason: 'profile', allowed: true, direction, tier };
    profileVerdicts[direction].set(tier, v);
  }
  return v;
}

function decideFrom(plans: readonly TierPlan[], at: Position, direction: Direction, matches: (rule: CompiledRule) => Match, trace?: Trace): Verdict {
  for (let t = at.tier; t < plans.length; t++) {
    const plan = plans[t];
    const resume = t === at.tier;
    let passed = false;
    policies: for (let p = resume ? at.policy : 0; p < plan.policies.length; p++) {
      const { policy, rules } = plan.policies[p];
      for (let r = resume && p === at.policy ? at.rule : 0; r < rules.length; r++) {
        const rule = rules[r];
        const m = matches(rule);
        if (!m) continue;
        const action = rule.action;
        if (m === 'maybe' && (action === 'Deny' || action === 'Pass')) {
          trace?.uncertain.push({ tier: plan.tier, policy, rule });
          if (action === 'Deny') continue;
          return weaker(
            plans,
            { tier: t, policy: p, rule: r + 1 },
            { tier: t + 1, policy: 0, rule: 0 },
            direction,
            matches,
            { passedBy: { tier: plan.tier, policy, rule }, last: plan.tier },
            trace,
          );
        }
        if (action === 'Log') {
          trace?.logged.push({ tier: plan.tier, policy, rule });
          continue;
        }
        if (action === 'Pass') {
          trace?.passed.push({ tier: plan.tier, policy, rule });
          passed = true;
          break policies;
        }
        return ruleVerdict(plan, policy, rule);
      }
    }
    if (passed) continue;
    if (plan.tier.defaultAction === 'Deny') {
      let v = tierVerdicts.get(plan);
      if (!v) {
        v = { reason: 'end-of-tier', allowed: false, direction, tier: plan.tier, policies: plan.policies.map((x) => x.policy) };
        tierVerdicts.set(plan, v);
      }
      return v;
    }
  }
  return profileVerdict(direction, plans[plans.length - 1].tier);
}

/**
 * The weaker of the two ways a Pass that might match leads: on in its tier, or to the next tier
 * (the profile after the last one). Each way is traced apart, and the trace of the one taken kept.
 */
function weaker(
  plans: readonly TierPlan[],
  stay: Position,
  pass: Position,
  direction: Direction,
  matches: (rule: CompiledRule) => Match,
  how: { readonly passedBy: Hit; readonly last: Tier },
  trace?: Trace,
): Verdict {
  const stayTrace: Trace | undefined = trace && { logged: [], passed: [], uncertain: [] };
  const passTrace: Trace | undefined = trace && { logged: [], passed: [how.passedBy], uncertain: [] };
  const stayed = decideFrom(plans, stay, direction, matches, stayTrace);
  const passed = pass.tier < plans.length ? decideFrom(plans, pass, direction, matches, passTrace) : profileVerdict(direction, how.last);
  const taken = !stayed.allowed && passed.allowed ? { verdict: passed, trace: passTrace } : { verdict: stayed, trace: stayTrace };
  if (trace && taken.trace) {
    trace.logged.push(...taken.trace.logged);
    trace.passed.push(...taken.trace.passed);
    trace.uncertain.push(...taken.trace.uncertain);
  }
  return taken.verdict;
}

const versionDependence = new WeakMap<readonly TierPlan[], boolean>();

/**
 * True when some rule of the plans may decide differently for IPv4 and IPv6 between pods whose
 * addresses are unknown (CompiledRule.dependsOnIpVersion): only then are both versions asked.
 */
export function dependsOnIpVersion(plans: readonly TierPlan[]): boolean {
  let d = versionDependence.get(plans);
  if (d === undefined) {
    d = plans.some((p) => p.policies.some(({ rules }) => rules.some((r) => r.dependsOnIpVersion === true)));
    versionDependence.set(plans, d);
  }
  return d;
}

/** Keeps, for each policy of the plans, only the rules that pass the filter (policies stay, so tiers still end the same way). */
export function filterPlans(plans: readonly TierPlan[], keep: (rule: CompiledRule) => Match): TierPlan[] {
  return plans.map((p) => ({ tier: p.tier, policies: p.policies.map(({ policy, rules }) => ({ policy, rules: rules.filter(keep) })) }));
}
