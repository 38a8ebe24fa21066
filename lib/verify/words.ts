/**
 * How the verifier's values are written for people in its own listings (`verify egress`, `verify
 * query`): one function per concept (ports, a destination, a policy, the rule or default that
 * decided, a staged policy). The review outputs (`verify diff`, the reports) word a few of these
 * concepts their own way, in lib/review's words.ts, from the parts exported here. Nothing reads
 * these texts back.
 */

import { Cidr, formatCidr, formatIp, IpVersion, isMetadataBlock } from '../net';
import { ANY_NAMESPACE } from './catalog';
import type { AddressDestination, DecidedBy, Destination } from './workload';
import type { Decision, Direction, PolicyKind, PolicyRef, RuleAction, RuleId } from './policy';
import { describePorts, isAllPorts, Ports } from './ports';
import type { DirectionAnswer } from './reach';
import { Protocol, PROTOCOLS, formatObjectRef } from '../k8s';

/** What a pod of unknown address, and a Deny on addresses it may hold, do to a listing. */
const UNKNOWN_ADDRESSES =
  'A pod whose address is unknown (a template) is asked in IPv4 and IPv6, an entry holding when either allows ("IPv4 only" when only it does), ' +
  'and a Deny that tests addresses it may or may not hold is not applied: the weakest answer is given.';

/** How the terminal listing shows the entries of one direction, `peer` being where they go (egress) or come from (ingress). */
const textEntries = (peer: string): string =>
  `One ALLOW line per ${peer}, protocol, contiguous port range and deciding rule. ` +
  `The explicit denies are merged: one DENY line per ${peer}, ports and deciding rule, with every protocol it denies (TCP/UDP/SCTP), ` +
  'and one for the address blocks that rules of one policy deny alike on the same protocols and ports, listing the blocks and the rules; ' +
  'what else is denied (by what a catch-all Deny leaves, or as no rule allows it) is one line, DENY everything else, and when the rules decide every packet (an allow-all rule) one line says nothing else is left. ' +
  `--json lists one entry per ${peer}, protocol, contiguous port range and deciding rule. `;

const EGRESS_SCOPE =
  "Sender side only: each workload's own egress policies are evaluated; the receiver's ingress policies are not part of this listing. " +
  'cidr: addresses outside the known endpoints. pods: known endpoints that a rule names (with endpoint), representative pods for each class of pods a rule names, ' +
  'and namespace "*" with no labels for any other pod. ';

const INGRESS_SCOPE =
  "Receiver side only: each workload's own ingress policies are evaluated; the sender's egress policies are not part of this listing. " +
  'cidr: addresses outside the known endpoints that may send to it. pods: known endpoints that a rule names (with endpoint), representative pods for each class of pods a rule names, ' +
  'and namespace "*" with no labels for any other pod. Ports are the workload\'s own. ';

/** What the egress listing says about itself, in `--json` (one entry per destination, protocol, port range and rule). */
export const EGRESS_NOTE = `${EGRESS_SCOPE}One entry per destination, protocol, contiguous port range and deciding rule. ${UNKNOWN_ADDRESSES}`;

/** What the egress listing says about itself at the terminal, whose denies are merged (text.ts denyLines). */
export const EGRESS_TEXT_NOTE = `${EGRESS_SCOPE}${textEntries('destination')}${UNKNOWN_ADDRESSES}`;

/** What the ingress listing says about itself, in `--json`. */
export const INGRESS_NOTE = `${INGRESS_SCOPE}One entry per source, protocol, contiguous port range and deciding rule. ${UNKNOWN_ADDRESSES}`;

/** What the ingress listing says about itself at the terminal. */
export const INGRESS_TEXT_NOTE = `${INGRESS_SCOPE}${textEntries('source')}${UNKNOWN_ADDRESSES}`;

/**
 * The protocols and ports of one drawn flow: `TCP 443, UDP 53`, `TCP all ports`, or `every
 * protocol and port` when the list is exactly all ports of TCP, UDP and SCTP.
 */
export function describeProtocolPorts(list: readonly { readonly protocol: Protocol; readonly ports: Ports }[]): string {
  const everything = PROTOCOLS.every((p) => list.some((e) => e.protocol === p && isAllPorts(e.ports)));
  if (everything && list.length === 3) return 'every protocol and port';
  return list.map((e) => `${e.protocol} ${isAllPorts(e.ports) ? 'all ports' : describePorts(e.ports)}`).join(', ');
}

/** Labels as `k=v` pairs joined by `separator`. */
export function describeLabels(labels: Readonly<Record<string, string>>, separator: string): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(separator);
}

/** `Kubernetes NetworkPolicy`; Calico and network-policy-api kinds as they are. */
function describeKind(kind: PolicyKind): string {
  return kind === 'KubernetesNetworkPolicy' ? 'Kubernetes NetworkPolicy' : kind;
}

/** An address block and its exceptions: `0.0.0.0/0 except 169.254.169.254/32`. */
function describeBlock(d: AddressDestination): string {
  return `${formatCidr(d.cidr)}${d.except.length ? ` except ${d.except.map(formatCidr).join(', ')}` : ''}`;
}

/** A block the reports name: `169.254.169.254/32 cloud metadata (IPv4)`; other blocks as they are. */
export function describeNamedBlock(block: Cidr): string {
  return isMetadataBlock(block) ? `${formatCidr(block)} cloud metadata (IPv${block.version})` : formatCidr(block);
}

/**
 * A destination on one line: `cidr 0.0.0.0/0 except 169.254.169.254/32`, `pod vector-db/qdrant`,
 * `pods kube-system {k8s-app=kube-dns}`, `any other pod`. A class of pods in any namespace reads
 * `pods any namespace {team=ml} {app=x}`.
 */
export function describeDestination(d: Destination): string {
  if (d.type === 'cidr') return `cidr ${describeBlock(d)}`;
  if (d.endpoint) return `pod ${d.endpoint.id}`;
  const labels = `{${describeLabels(d.labels, ',')}}`;
  if (d.namespace !== ANY_NAMESPACE) return `pods ${d.namespace} ${labels}`;
  if (!d.namespaceLabels && Object.keys(d.labels).length === 0) return 'any other pod';
  const namespaceLabels = d.namespaceLabels ? `{${describeLabels(d.namespaceLabels, ',')}}` : undefined;
  return `pods any namespace${namespaceLabels ? ` ${namespaceLabels}` : ''} ${labels}`;
}

/**
 * Destinations on one line: one as describeDestination writes it; several blocks (a policy's
 * denies merged) as `cidr 15 blocks (cloud metadata): 100.100.100.200/32, ...`, with `(cloud
 * metadata)` when each is a cloud's metadata address.
 */
export function describeDestinations(peers: readonly Destination[]): string {
  if (peers.length === 1) return describeDestination(peers[0]);
  const blocks = peers.flatMap((p) => (p.type === 'cidr' ? [p.cidr] : []));
  if (blocks.length < peers.length) return peers.map(describeDestination).join('; ');
  return `cidr ${blocks.length} blocks${blocks.every(isMetadataBlock) ? ' (cloud metadata)' : ''}: ${blocks.map(formatCidr).join(', ')}`;
}

/**
 * A destination as the reports draw it: the group it is drawn under (its namespace, or the
 * labels of the namespaces it may be in) and its own label.
 */
export function destinationParts(d: Destination): { readonly group?: string; readonly label: string } {
  if (d.type === 'cidr') return { label: describeBlock(d) };
  if (d.endpoint) return { group: d.namespace, label: d.endpoint.name };
  const label = describeLabels(d.labels, ', ') || 'any pod';
  if (d.namespace !== ANY_NAMESPACE) return { group: d.namespace, label };
  return { group: d.namespaceLabels ? describeLabels(d.namespaceLabels, ', ') : 'any namespace', label };
}

/** A policy by name: `namespace/name` for namespaced policies, `name` for global ones. */
export function describePolicy(ref: PolicyRef): string {
  return ref.namespace === undefined ? ref.name : `${ref.namespace}/${ref.name}`;
}

/** A policy with its kind and tier, as the egress listing heads a workload: `ai/p (NetworkPolicy, tier ai-egress)`. */
export function describePolicyInTier(ref: PolicyRef): string {
  return `${describePolicy(ref)} (${describeKind(ref.kind)}, ${describeTierOf(ref)})`;
}

/** Where a policy sits: `tier ai-egress`, or `tier Admin, priority 5` for the kinds that have a priority. */
export function describeTierOf(ref: PolicyRef): string {
  return `tier ${ref.tier}${ref.priority === undefined ? '' : `, priority ${ref.priority}`}`;
}

/** A rule's index, and its own name when it has one: `3`, `3 "deny-metadata"`. */
export function describeRuleNumber(rule: RuleId): string {
  return `${rule.index}${rule.ruleName ? ` ${JSON.stringify(rule.ruleName)}` : ''}`;
}

/**
 * A rule: `rule 3 of NetworkPolicy ai/p (tier ai-egress)`, with its action when given (`rule 0
 * (Log) of ...`), and what it is for when its policy says (`...: model registry mirror`). A rule
 * of the network-policy-api says its name and its policy's priority: `rule 1 "deny-metadata" of
 * ClusterNetworkPolicy guard (tier Admin, priority 5)`.
 */
export function describeRule(rule: RuleId, action?: RuleAction): string {
  const policy = `${describeKind(rule.kind)} ${describePolicy(rule)}`;
  const what = rule.description ? `: ${rule.description}` : '';
  return `rule ${describeRuleNumber(rule)}${action ? ` (${action})` : ''} of ${policy} (${describeTierOf(rule)})${what}`;
}

/**
 * Several rules of one policy: `rules 1, 3, 5 of GlobalNetworkPolicy g (tier t)`, with what they
 * are for when they all say the same (see describeRule); one rule as describeRule writes it.
 */
export function describeRules(rules: readonly RuleId[]): string {
  if (rules.length === 1) return describeRule(rules[0]);
  const first = rules[0];
  const description = rules.every((r) => r.description === first.description) ? first.description : undefined;
  return `rules ${rules.map(describeRuleNumber).join(', ')} of ${describeKind(first.kind)} ${describePolicy(first)} (${describeTierOf(first)})${description ? `: ${description}` : ''}`;
}

/** What decided a reach entry: the rule (see describeRule), the profile, or no policy. */
export function describeDecision(d: DecidedBy): string {
  if (d.reason === 'rule') return describeRule(d.rule);
  return d.reason === 'profile' ? `tier ${d.tier} passed; namespace profile allows` : `no ${d.direction} policy applies`;
}

/** A staged policy: `StagedNetworkPolicy ai/lockdown (tier default)`. */
export function describeStaged(ref: PolicyRef): string {
  return `${formatObjectRef(ref)} (tier ${ref.tier})`;
}

/**
 * How one direction of a connection was decided, in one sentence a reviewer can read, e.g.
 * `denied by rule 1 (Deny) of GlobalNetworkPolicy security.block in tier security: Deny ...`.
 */
export function explainDirection(a: DirectionAnswer): string {
  const d = a.decision;
  if (!a.applies || !d) {
    const address = a.outside ? formatIp(a.outside) : a.direction === 'egress' ? 'the sender' : 'the destination';
    return `${address} is outside the known endpoints: only the ${a.direction === 'egress' ? "receiver's ingress" : "sender's egress"} applies`;
  }
  return explainDecision(a.allowed, d, a.ruleText, a.endpoint ?? '', a.direction);
}

/**
 * The Deny and Pass rules that might have matched an unknown address, one line per policy and
 * action: `not applied, an address being unknown (a pod template's): rules 1, 3 (Deny) of
 * GlobalNetworkPolicy g (tier t) test addresses it may not be in; the weakest answer is given`.
 */
export function describeUncertain(rules: readonly { readonly rule: RuleId; readonly action: RuleAction }[]): string[] {
  const groups = new Map<string, { rule: RuleId; action: RuleAction; indexes: number[] }>();
  for (const r of rules) {
    const key = `${r.action}\u0000${r.rule.kind}\u0000${r.rule.namespace ?? ''}\u0000${r.rule.name}`;
    const g = groups.get(key);
    if (g) g.indexes.push(r.rule.index);
    else groups.set(key, { rule: r.rule, action: r.action, indexes: [r.rule.index] });
  }
  return [...groups.values()].map(({ rule, action, indexes }) => {
    const how = action === 'Pass' ? 'followed both ways' : 'not applied';
    const which = `${indexes.length > 1 ? 'rules' : 'rule'} ${indexes.join(', ')} (${action}) of ${describeKind(rule.kind)} ${describePolicy(rule)} (tier ${rule.tier})`;
    return `${how}, an address being unknown (a pod template's): ${which} ${indexes.length > 1 ? 'test' : 'tests'} addresses it may not be in; the weakest answer is given`;
  });
}

/**
 * Which IP version an answer is about when an address is unknown and the two versions are decided
 * otherwise: `(over IPv4, an address being unknown: IPv6 is decided otherwise, below)`.
 */
export function describeIpVersions(version: IpVersion): string {
  return `(over IPv${version}, an address being unknown: IPv${version === 4 ? 6 : 4} is decided otherwise, below)`;
}

/** How one direction would be decided once the staged policies are enforced: `would deny: end of tier ...`. */
export function explainWhenStaged(a: DirectionAnswer): string | undefined {
  const s = a.whenStagedEnforced;
  if (!s) return undefined;
  return `${s.allowed ? 'would allow' : 'would deny'}: ${explainDecision(s.allowed, s.decision, s.ruleText, a.endpoint ?? '', a.direction)}`;
}

/** How a decision reads in one sentence, for the endpoint whose policies made it. */
export function explainDecision(allowed: boolean, d: Decision, ruleText: string | undefined, endpoint: string, direction: Direction): string {
  switch (d.reason) {
    case 'rule':
      return `${allowed ? 'allowed' : 'denied'} by rule ${describeRuleNumber(d.rule)} (${d.action}) of ${describeKind(d.rule.kind)} ${describePolicy(d.rule)} in tier ${d.rule.tier}${d.rule.priority === undefined ? '' : ` at priority ${d.rule.priority}`}: ${ruleText}`;
    case 'end-of-tier': {
      const names = d.policies.map(describePolicy).join(', ');
      if (d.policies.every((p) => p.kind === 'KubernetesNetworkPolicy' || p.kind === 'StagedKubernetesNetworkPolicy')) {
        return `${endpoint} is isolated for ${direction} by ${d.policies
          .map((p) => describeKind(p.kind))
          .filter((k, i, all) => all.indexOf(k) === i)
          .join(' and ')} ${names}, and no rule of theirs allows this: denied`;
      }
      return `end of tier ${d.tier}: it applies to ${endpoint} for ${direction} (${names}) and no rule matched: default action Deny`;
    }
    case 'no-policy':
      return `no policy selects ${endpoint} for ${direction}: allowed by default`;
    case 'profile':
      return `tier ${d.tier} passed the packet and no later tier applies to ${endpoint}: the namespace profile allows it`;
  }
}
