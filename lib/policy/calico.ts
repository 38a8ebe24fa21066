import { Construct } from 'constructs';
import {
  GlobalNetworkPolicy,
  GlobalNetworkPolicySpecEgressAction,
  GlobalNetworkPolicySpecEgressDestinationNotPorts,
  GlobalNetworkPolicySpecEgressDestinationPorts,
  GlobalNetworkPolicySpecEgressNotProtocol,
  GlobalNetworkPolicySpecEgressProtocol,
  GlobalNetworkPolicySpecIngressAction,
  GlobalNetworkPolicySpecIngressDestinationNotPorts,
  GlobalNetworkPolicySpecIngressDestinationPorts,
  GlobalNetworkPolicySpecIngressNotProtocol,
  GlobalNetworkPolicySpecIngressProtocol,
  GlobalNetworkPolicySpecTypes,
} from '../../imports/calico-globalnetworkpolicy-projectcalico.org';
import { GlobalNetworkSet } from '../../imports/calico-globalnetworkset-projectcalico.org';
import {
  NetworkPolicy,
  NetworkPolicySpecEgressAction,
  NetworkPolicySpecEgressDestinationNotPorts,
  NetworkPolicySpecEgressDestinationPorts,
  NetworkPolicySpecEgressNotProtocol,
  NetworkPolicySpecEgressProtocol,
  NetworkPolicySpecIngressAction,
  NetworkPolicySpecIngressDestinationNotPorts,
  NetworkPolicySpecIngressDestinationPorts,
  NetworkPolicySpecIngressNotProtocol,
  NetworkPolicySpecIngressProtocol,
  NetworkPolicySpecTypes,
} from '../../imports/calico-networkpolicy-projectcalico.org';
import {
  StagedKubernetesNetworkPolicy,
  StagedKubernetesNetworkPolicySpecStagedAction,
} from '../../imports/calico-stagedkubernetesnetworkpolicy-projectcalico.org';
import {
  StagedNetworkPolicy,
  StagedNetworkPolicySpecEgressAction,
  StagedNetworkPolicySpecEgressDestinationNotPorts,
  StagedNetworkPolicySpecEgressDestinationPorts,
  StagedNetworkPolicySpecEgressNotProtocol,
  StagedNetworkPolicySpecEgressProtocol,
  StagedNetworkPolicySpecIngressAction,
  StagedNetworkPolicySpecIngressDestinationNotPorts,
  StagedNetworkPolicySpecIngressDestinationPorts,
  StagedNetworkPolicySpecIngressNotProtocol,
  StagedNetworkPolicySpecIngressProtocol,
  StagedNetworkPolicySpecStagedAction,
  StagedNetworkPolicySpecTypes,
} from '../../imports/calico-stagednetworkpolicy-projectcalico.org';
import { Tier } from '../../imports/calico-tier-projectcalico.org';
import { AllowList, CalicoLog, Cloud, DEFAULT_AI_TIER_ORDER, Labels, PlatformIntent, Protocol, TierOwners } from '../intent';
import { cidr, cidrContains, endpointsAt, metadataCidrs, metadataNat64Cidrs } from '../net';
import {
  ALLOW_LIST_LABEL,
  DESCRIPTION_ANNOTATION,
  GOVERNED_NAMESPACE_LABEL,
  NETWORK_SET_LABEL,
  SyncWave,
  TIER_POLICY_NAMES,
  appSelector,
  pruneLast,
  serviceAccountName,
  syncWave,
} from '../conventions';
import { NamespaceDefaultDeny, NamespaceDefaultDenyProps } from './kubernetes';
import { TierOwnersRbac } from './tier-rbac';
import type { AppPlan, PlannedBlock, PlannedPort, PlannedRule, PolicyPeer } from '../intent';
import { reasonAnnotations } from './plan';
import { NAMESPACE_NAME_LABEL, CALICO_LABEL } from '../k8s';

/**
 * The Calico flavor: `projectcalico.org/v3` policies in a tier of their own.
 *
 * Kubernetes NetworkPolicies only ever add allows, so a looser policy written later that selects
 * an AI pod reopens its egress. Calico evaluates tiers in order, and within a tier policies in
 * order; the first Allow, Deny or Pass that matches decides. A tier that has a policy selecting
 * the endpoint but makes no decision applies its `defaultAction`. Kubernetes NetworkPolicies
 * live in the `default` tier (order 1000000), so policies in an earlier tier that end in an
 * explicit Deny cannot be reopened by anything an app team writes there.
 * See https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy
 *
 * The tier runs after Calico's admin tier (order 1000: `adminnetworkpolicy` in 3.29 to 3.31,
 * `kube-admin` from 3.32), so a cluster admin's AdminNetworkPolicy or ClusterNetworkPolicy
 * decides before it does: an admin Deny wins over this tier's Allow, and an admin Pass hands the
 * packet on to it (see CALICO_TIER_ORDERS in lib/intent).
 *
 * Inside the tier, by order:
 * 1. `<tier>.deny-cloud-metadata` (GlobalNetworkPolicy): every protected workload, of either
 *    flavor. Denies (and logs, unless `calico.log` is 'none') egress to each metadata address,
 *    and to each IPv4 one in its NAT64 form (64:ff9b::/96), then matches nothing else, so evaluation goes on to the next policy of the tier.
 * 2. `<tier>.<app>` (NetworkPolicy, one per calico-flavor app): the app's pods by label and by
 *    ServiceAccount. Allow DNS, the declared destinations and clients, then Deny in both
 *    directions, each Deny after a Log where `calico.log` says so (denied egress by default).
 *    Nothing after it is reached for that app's pods.
 * 3. The Pass policies, order 1000, namespaced, in the chart of the tier's policies before its
 *    GlobalNetworkPolicies (and a sync wave before them, SyncWave.tierPass: on a running cluster
 *    the pods they hand on are passed before the closing Deny could take them): `<tier>.<app>` (NetworkPolicy, one per
 *    kubernetes-flavor app, the name a calico-flavor app's own policy has) selects the app's
 *    pods by label and by ServiceAccount, and `<tier>.pass-to-kubernetes-policies` (NetworkPolicy,
 *    one per namespace whose apps are all in audit mode) every pod of that namespace. Each Passes
 *    both directions: the app's Kubernetes NetworkPolicies (or the staged policies audited) in
 *    the default tier decide. Only pods that no per-app policy decided for get here. Without them
 *    the policies of the tier would apply to these pods with nobody deciding, and the closing Deny
 *    would cut them off. They are policies of their own, and not a closing Pass rule in the
 *    guardrail: a Pass skips every remaining policy of the tier, so it would skip the per-app
 *    policies of calico apps too. One policy per app (and not one global policy listing every
 *    app) keeps each selector short: Calico's CRD caps `spec.selector` at 1024 characters
 *    (projectcalico.org_globalnetworkpolicies.yaml, `maxLength: 1024`).
 * 4. `<tier>.deny-undeclared-pods` (GlobalNetworkPolicy): every pod of the governed namespaces,
 *    `all()`, Deny in both directions (after a Log where `calico.log` says so). Only pods that no
 *    policy above decided for reach it: a pod that runs as no declared app (a copy of an app's
 *    labels under another ServiceAccount, or any pod someone adds), so no NetworkPolicy written
 *    later in the default tier can open it.
 *
 * Names carry the tier prefix (`ai-egress.ai-service`): Calico 3.29 to 3.31 require it for
 * policies outside the default tier, and 3.32, which dropped the requirement, still accepts it
 * and keeps such names unchanged (its name migration only touches the `default.` prefix).
 *
 * Audit mode renders each app's policy, and the default deny of a namespace whose apps are all
 * audited, as Staged kinds (Calico 3.30+): flow logs show what they would allow and deny while
 * nothing is enforced by them. The metadata guardrail and the Pass policies after it stay
 * enforced even then: auditing an app's egress is no reason to open cloud metadata to it, and
 * the Pass keeps the enforced guardrail and the closing Deny from denying the audited namespace
 * everything.
 */

/** Settings that apply to every calico-flavor app, with their defaults resolved. */
export interface CalicoSettings {
  readonly tier: string;
  readonly tierOrder: number;
  readonly log: CalicoLog;
  /** The platform's cloud, whose metadata addresses the guardrail denies. */
  readonly cloud: Cloud;
  /** Who may write the tier; no RBAC is written without them. @default none: cluster admins only */
  readonly owners?: TierOwners;
}

/** The intent's `calico` options with defaults. Which apps are in audit mode is `isAudited` (lib/intent). */
export function calicoSettings(intent: PlatformIntent): CalicoSettings {
  return {
    tier: intent.calico?.tier ?? 'ai-egress',
    tierOrder: intent.calico?.tierOrder ?? DEFAULT_AI_TIER_ORDER,
    log: intent.calico?.log ?? 'denied-egress',
    cloud: intent.cloud ?? 'any',
    owners: intent.calico?.owners,
  };
}

/** Orders of the policies inside the tier; lower runs first. */
const CalicoPolicyOrder = {
  guardrail: 10,
  app: 100,
  passToKubernetes: 1000,
  denyUndeclared: 2000,
} as const;

/** Names of the Calico objects, tier-prefixed so that Calico 3.29 through 3.32 accept them. */
const CalicoName = {
  guardrail: (tier: string) => `${tier}.${TIER_POLICY_NAMES.guardrail}`,
  app: (tier: string, app: string) => `${tier}.${app}`,
  passToKubernetes: (tier: string) => `${tier}.${TIER_POLICY_NAMES.passToKubernetes}`,
  denyUndeclared: (tier: string) => `${tier}.${TIER_POLICY_NAMES.denyUndeclared}`,
} as const;

/** What a Calico rule does when it matches. */
type CalicoAction = 'Allow' | 'Deny' | 'Log' | 'Pass';

/** One side of a rule, as Calico's EntityRule. All fields must match. */
interface EntityRule {
  readonly selector?: string;
  readonly notSelector?: string;
  readonly namespaceSelector?: string;
  readonly nets?: readonly string[];
  readonly notNets?: readonly string[];
  /** Only endpoints running as one of these ServiceAccounts (ANDed with the selectors). */
  readonly serviceAccounts?: { readonly names: readonly string[] };
  /** Numbers, or `"from:to"` ranges. */
  readonly ports?: readonly (number | string)[];
  readonly notPorts?: readonly (number | string)[];
}

/** A rule before it is given the generated types of a kind: one protocol, one IP version at most. */
interface CalicoRule {
  readonly action: CalicoAction;
  readonly protocol?: Protocol;
  readonly notProtocol?: Protocol;
  readonly ipVersion?: 4 | 6;
  readonly source?: EntityRule;
  readonly destination?: EntityRule;
  readonly description: string;
}

/**
 * Whether the Log rules of a direction are written. A Log rule only ever comes right before the
 * Deny it logs, with the same match, so only denied packets are logged. Felix writes each to the
 * kernel log with the `calico-packet` prefix, at any rate a sender can cause: only
 * FelixConfiguration's `logActionRateLimit` (Calico 3.30.6, 3.31.4 and 3.32 on, iptables and
 * nftables data planes) limits it; in the eBPF data plane before 3.30 Log rules are skipped
 * (felix/bpf/polprog/pol_prog_builder.go at v3.29.0: "Skipping log rule. Not supported in BPF mode.").
 */
function logs(log: CalicoLog, direction: 'egress' | 'ingress'): boolean {
  return log === 'denied' || (log === 'denied-egress' && direction === 'egress');
}

/** The closing Deny of a direction, after its Log when that is logged. */
function closingDeny(log: CalicoLog, direction: 'egress' | 'ingress'): CalicoRule[] {
  return [
    ...(logs(log, direction) ? [{ action: 'Log' as const, description: 'log what the next rule denies' }] : []),
    { action: 'Deny', description: 'deny everything not allowed above' },
  ];
}

/** `key == 'value' && ...`, the Calico selector for a set of labels. */
function labelSelector(labels: Labels): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key} == '${value}'`)
    .join(' && ');
}

function namespaceSelector(namespace: string): string {
  return labelSelector({ [NAMESPACE_NAME_LABEL]: namespace });
}

/** Splits ports by protocol, in first-seen order, rendering ranges as `from:to`. */
function portsByProtocol(ports: readonly PlannedPort[]): [Protocol, (number | string)[]][] {
  const groups = new Map<Protocol, (number | string)[]>();
  for (const p of ports) {
    groups.set(p.protocol, [...(groups.get(p.protocol) ?? []), p.from === p.to ? p.from : `${p.from}:${p.to}`]);
  }
  return [...groups.entries()];
}

/** Blocks grouped by IP version (4 first), since Calico rejects a rule that mixes versions. */
function blocksByVersion(blocks: readonly PlannedBlock[]): [4 | 6, PlannedBlock[]][] {
  return ([4, 6] as const).map((v): [4 | 6, PlannedBlock[]] => [v, blocks.filter((b) => b.version === v)]).filter(([, group]) => group.length > 0);
}

function carvedOut(blocks: readonly PlannedBlock[]): string[] {
  return [...new Set(blocks.flatMap((b) => b.except))];
}

/**
 * The blocks of a peer that lie inside what another of its blocks carves out: a declared block
 * within link-local addresses (minus the metadata addresses it holds) beside a wide block of the
 * same allow-list that carves all of link-local out. One rule's `notNets` is the union of every
 * block's carve-outs (Calico ANDs `notNets` with the rule's nets or set: docs, "Entity rule"), so
 * it would remove them whole; each gets a rule of its own, with only its own carve-outs.
 */
function shadowedBlocks(blocks: readonly PlannedBlock[]): PlannedBlock[] {
  const all = carvedOut(blocks);
  return blocks.filter((b) => all.some((u) => !b.except.includes(u) && cidrContains(cidr(u), cidr(b.cidr))));
}

/** A block alone, inline, with its own carve-outs. */
function blockEntity(block: PlannedBlock): { entity: EntityRule } {
  return { entity: { nets: [block.cidr], ...(block.except.length ? { notNets: [...block.except] } : {}) } };
}

/**
 * What every pod selector of a rule adds: Calico's selectors also see namespaced NetworkSets, which
 * carry their namespace's labels (libcalico-go updateprocessors/networksetprocessor.go), and
 * HostEndpoints, so a selector written for pods says it wants pods, as Calico's own conversion of
 * Kubernetes NetworkPolicies does (libcalico-go lib/backend/k8s/conversion/conversion.go,
 * k8sSelectorToCalico: `projectcalico.org/orchestrator == 'k8s'` on every pod selector; the label
 * is set on every Kubernetes workload endpoint, workload_endpoint_default.go). A NetworkSet or
 * HostEndpoint labelled like the pods then matches nothing.
 */
const PODS_ONLY = `${CALICO_LABEL.orchestrator} == 'k8s'`;

/**
 * What the selector of an allow-list's network set adds. `namespaceSelector: global()` matches
 * every non-namespaced endpoint: GlobalNetworkSets and HostEndpoints alike. Automatic
 * HostEndpoints copy their node's labels, so whoever may label a node could give one the
 * allow-list's label and make the node's addresses a destination; calico-kube-controllers always
 * adds `projectcalico.org/created-by: calico-kube-controllers` to them (kube-controllers
 * pkg/controllers/node/hostendpoints.go, generateAutoHostendpointFromNode, and controller.go
 * hepCreatedLabelKey), and no GlobalNetworkSet of this project carries it. A HostEndpoint created by
 * hand without it needs the right to create HostEndpoints, as a GlobalNetworkSet with the label
 * needs the right to create GlobalNetworkSets (docs/security-model.md).
 */
const NOT_AUTO_HOST_ENDPOINT = `!has(${CALICO_LABEL.createdBy})`;

/** The selector of a class of pods: its labels (none: every pod of the namespace), and pods only. */
function podsSelector(labels: Labels): string {
  return Object.keys(labels).length ? `${labelSelector(labels)} && ${PODS_ONLY}` : PODS_ONLY;
}

/**
 * The entity rules that select one planned peer: pods by selector (and by ServiceAccount when the
 * peer is a declared app), the network set of an allow-list or of a destination (its
 * `networkSet`), or blocks. Blocks are grouped by IP version, since Calico rejects a rule that
 * mixes versions; a network set holds both, so its rule is split by `ipVersion` only where
 * addresses are carved out of it. A set is selected by its label with `namespaceSelector:
 * global()`, which matches GlobalNetworkSets and HostEndpoints (no pod, no namespaced NetworkSet),
 * and without the label of automatic HostEndpoints.
 */
function peerEntities(peer: PolicyPeer): { ipVersion?: 4 | 6; entity: EntityRule }[] {
  if (peer.kind === 'pods') {
    const serviceAccounts = peer.serviceAccount !== undefined ? { serviceAccounts: { names: [peer.serviceAccount] } } : {};
    return [{ entity: { selector: podsSelector(peer.podLabels), namespaceSelector: namespaceSelector(peer.namespace), ...serviceAccounts } }];
  }
  const versions = blocksByVersion(peer.blocks);
  const setSelector =
    peer.allowList !== undefined
      ? `${ALLOW_LIST_LABEL} == '${peer.allowList}' && ${NOT_AUTO_HOST_ENDPOINT}`
      : peer.networkSet !== undefined
        ? `${NETWORK_SET_LABEL} == '${peer.networkSet}' && ${NOT_AUTO_HOST_ENDPOINT}`
        : undefined;
  if (setSelector !== undefined) {
    const set = { selector: setSelector, namespaceSelector: 'global()' };
    if (carvedOut(peer.blocks).length === 0) return [{ entity: set }];
    // The set itself cannot exclude addresses, so the rule does, one IP version at a time; the
    // blocks that those exclusions would remove whole are allowed by rules of their own.
    return [
      ...versions.map(([ipVersion, blocks]) => {
        const notNets = carvedOut(blocks);
        return { ipVersion, entity: { ...set, ...(notNets.length ? { notNets } : {}) } };
      }),
      ...shadowedBlocks(peer.blocks).map(blockEntity),
    ];
  }
  const shadowed = shadowedBlocks(peer.blocks);
  return [
    ...blocksByVersion(peer.blocks.filter((b) => !shadowed.includes(b))).map(([, blocks]) => {
      const notNets = carvedOut(blocks);
      return { entity: { nets: blocks.map((b) => b.cidr), ...(notNets.length ? { notNets } : {}) } };
    }),
    ...shadowed.map(blockEntity),
  ];
}

/** A client, for the description annotation of the rule that admits it. */
function describeClient(peer: PolicyPeer): string {
  return peer.kind === 'pods' ? `client in namespace ${peer.namespace}` : `client in ${peer.blocks.map((b) => b.cidr).join(', ')}`;
}

/**
 * One direction of a calico-flavor app: an Allow per planned rule, protocol and peer (DNS first
 * in egress), then Log and Deny. The peer is the packet's destination in egress and its source in
 * ingress; the ports are the destination's either way.
 */
function allowThenDeny(plan: readonly PlannedRule[], direction: 'egress' | 'ingress', log: CalicoLog): CalicoRule[] {
  const allows = plan.flatMap((rule) => {
    const peers = groupedPeers(rule.peers);
    return portsByProtocol(rule.ports).flatMap(([protocol, ports]) =>
      peers.flatMap(({ entities, client }) =>
        entities.map(({ ipVersion, entity }): CalicoRule => ({
          action: 'Allow',
          protocol,
          ...(ipVersion ? { ipVersion } : {}),
          ...(direction === 'egress'
            ? { description: rule.description ?? 'declared destination', destination: { ...entity, ports } }
            : { description: rule.description ?? client, source: entity, destination: { ports } }),
        })),
      ),
    );
  });
  return [...allows, ...closingDeny(log, direction)];
}

/** The entity rules of one peer or of a group of namespaces, and how an ingress rule names its clients. */
interface GroupedPeer {
  readonly entities: ReturnType<typeof peerEntities>;
  readonly client: string;
}

/**
 * The entity rules of a planned rule's peers, with pods that differ only in their namespace (the
 * same labels, no ServiceAccount: the resolver's clients, every pod of several namespaces) selected
 * by one `namespaceSelector: kubernetes.io/metadata.name in {...}` instead of one rule each. A
 * policy holds at most 1024 rules per direction (projectcalico.org_networkpolicies.yaml,
 * `maxItems: 1024`), and the resolver admits every namespace that uses it, two protocols each: one
 * rule per namespace made synth refuse its own output from 513 such namespaces. A selector holds
 * at most 1024 characters (`maxLength: 1024`), so the namespaces are split into as few groups as
 * keep each selector within it.
 */
function groupedPeers(peers: readonly PolicyPeer[]): GroupedPeer[] {
  const groups = new Map<string, { first: PolicyPeer & { kind: 'pods' }; namespaces: string[] }>();
  const out: ({ peer: PolicyPeer } | { group: { first: PolicyPeer & { kind: 'pods' }; namespaces: string[] } })[] = [];
  for (const peer of peers) {
    if (peer.kind !== 'pods' || peer.serviceAccount !== undefined) {
      out.push({ peer });
      continue;
    }
    const key = JSON.stringify({ ...peer, namespace: undefined });
    const group = groups.get(key);
    if (group) {
      if (!group.namespaces.includes(peer.namespace)) group.namespaces.push(peer.namespace);
      continue;
    }
    const created = { first: peer, namespaces: [peer.namespace] };
    groups.set(key, created);
    out.push({ group: created });
  }
  return out.flatMap((o): GroupedPeer[] => {
    if ('peer' in o) return [{ entities: peerEntities(o.peer), client: describeClient(o.peer) }];
    const { first, namespaces } = o.group;
    if (namespaces.length === 1) return [{ entities: peerEntities(first), client: describeClient(first) }];
    return namespaceChunks(namespaces).map((chunk) => ({
      entities: [{ entity: { selector: podsSelector(first.podLabels), namespaceSelector: namespacesSelector(chunk) } }],
      client: chunk.length === 1 ? `client in namespace ${chunk[0]}` : `clients in namespaces ${chunk.join(', ')}`,
    }));
  });
}

/** The longest a Calico selector may be (projectcalico.org_networkpolicies.yaml, `maxLength: 1024`). */
const MAX_SELECTOR_LENGTH = 1024;

/** `kubernetes.io/metadata.name in {'a', 'b'}`, or `== 'a'` for one namespace. */
function namespacesSelector(namespaces: readonly string[]): string {
  return namespaces.length === 1 ? namespaceSelector(namespaces[0]) : `${NAMESPACE_NAME_LABEL} in {${namespaces.map((n) => `'${n}'`).join(', ')}}`;
}

/** Namespaces in order, split where the next would make the group's selector too long. */
function namespaceChunks(namespaces: readonly string[]): string[][] {
  const chunks: string[][] = [];
  let chunk: string[] = [];
  for (const namespace of namespaces) {
    if (chunk.length > 0 && namespacesSelector([...chunk, namespace]).length > MAX_SELECTOR_LENGTH) {
      chunks.push(chunk);
      chunk = [];
    }
    chunk.push(namespace);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** A Deny after its Log, when egress is logged; both match the same. */
function loggedDeny(log: CalicoLog, match: Omit<CalicoRule, 'action' | 'description'>, what: string): CalicoRule[] {
  return [
    ...(logs(log, 'egress') ? [{ action: 'Log' as const, ...match, description: `log ${what}` }] : []),
    { action: 'Deny', ...match, description: `deny ${what}` },
  ];
}

/**
 * A Deny (after its Log, when egress is logged) for each metadata address of the cloud, one
 * address (and so one IP version) per rule, its description naming the endpoints there; then the
 * same for the NAT64 form of each IPv4 one (`nat64Rules`).
 *
 * The address of a pod credential endpoint that apps declared is denied, instead, to every pod
 * but theirs (`source.notSelector` on their namespace, ServiceAccount and label), and to theirs
 * on any other protocol (`notProtocol`) or port (`notPorts`): what is left, the declared ports,
 * matches no rule here, and the app's own policies allow it.
 */
function guardrailRules(settings: CalicoSettings, users: readonly CredentialsUser[]): CalicoRule[] {
  return [...metadataCidrs(settings.cloud).flatMap((cidr) => addressRules(settings, users, cidr)), ...nat64Rules(settings)];
}

/** The names of the cloud's endpoints at a metadata address (or at the IPv4 address of its NAT64 form): `aws-imds, gcp-metadata`. */
function endpointNames(settings: CalicoSettings, cidr: string): string {
  return endpointsAt(cidr)
    .filter((e) => settings.cloud === 'any' || e.clouds.includes(settings.cloud))
    .map((e) => e.name)
    .join(', ');
}

/** The rules of one metadata address as written (see `guardrailRules`). */
function addressRules(settings: CalicoSettings, users: readonly CredentialsUser[], cidr: string): CalicoRule[] {
  const what = `egress to cloud metadata ${cidr} (${endpointNames(settings, cidr)})`;
  const destination = { nets: [cidr] };
  const allowed = users.filter((u) => u.cidrs.includes(cidr));
  if (allowed.length === 0) return loggedDeny(settings.log, { destination }, what);
  const others = { notSelector: allowed.map((u) => (allowed.length > 1 ? `(${appEndpoints(u)})` : appEndpoints(u))).join(' || ') };
  return [
    ...loggedDeny(settings.log, { source: others, destination }, `${what}, except from ${allowed.map((u) => `${u.namespace}/${u.app}`).join(', ')}`),
    ...allowed.flatMap((u) => {
      const [[protocol, ports]] = portsByProtocol(u.ports);
      const from = { selector: appEndpoints(u) };
      const app = `${u.namespace}/${u.app}`;
      return [
        ...loggedDeny(settings.log, { notProtocol: protocol, source: from, destination }, `${what} from ${app} other than ${protocol}`),
        ...loggedDeny(
          settings.log,
          { protocol, source: from, destination: { ...destination, notPorts: ports } },
          `${what} from ${app} on ${protocol} ports other than ${ports.join(', ')}`,
        ),
      ];
    }),
  ];
}

/**
 * A Deny (after its Log, when egress is logged) for the NAT64 form of each IPv4 metadata address
 * (`64:ff9b::a9fe:a9fe/128`; RFC 6052, 2.1, the well-known prefix 64:ff9b::/96), to every pod, an
 * app's declared credential endpoint included: where a NAT64 translator is on the path (RFC 6146),
 * on the node or at the network's edge, such a packet reaches the IPv4 address. Without these, a
 * kubernetes-flavor app whose NetworkPolicies allow `64:ff9b::/96` (its namespace's admins may
 * write one) would reach metadata past the guardrail. An app declares a credential endpoint as
 * written, never in this form (lib/intent refuses the NAT64 form of any metadata address).
 */
function nat64Rules(settings: CalicoSettings): CalicoRule[] {
  return metadataNat64Cidrs(settings.cloud).flatMap((cidr) =>
    loggedDeny(settings.log, { destination: { nets: [cidr] } }, `egress to cloud metadata ${cidr} through NAT64 (${endpointNames(settings, cidr)})`),
  );
}

/**
 * The generated enum and int-or-string wrappers of one kind and direction. The four policy kinds
 * share one rule schema, but `cdk8s import` gives each its own (nominal) enums.
 */
interface Dialect<A, P, NP, Port, NotPort> {
  readonly action: Readonly<Record<'ALLOW' | 'DENY' | 'LOG' | 'PASS', A>>;
  readonly protocol: { fromString(value: string): P };
  readonly notProtocol: { fromString(value: string): NP };
  readonly port: { fromNumber(value: number): Port; fromString(value: string): Port };
  readonly notPort: { fromNumber(value: number): NotPort; fromString(value: string): NotPort };
}

const ACTION_KEY = { Allow: 'ALLOW', Deny: 'DENY', Log: 'LOG', Pass: 'PASS' } as const;

function render<A, P, NP, Port, NotPort>(dialect: Dialect<A, P, NP, Port, NotPort>, rule: CalicoRule) {
  const entity = (e: EntityRule | undefined) =>
    e && {
      selector: e.selector,
      notSelector: e.notSelector,
      namespaceSelector: e.namespaceSelector,
      nets: e.nets && [...e.nets],
      notNets: e.notNets && [...e.notNets],
      serviceAccounts: e.serviceAccounts && { names: [...e.serviceAccounts.names] },
      ports: e.ports?.map((p) => (typeof p === 'number' ? dialect.port.fromNumber(p) : dialect.port.fromString(p))),
      notPorts: e.notPorts?.map((p) => (typeof p === 'number' ? dialect.notPort.fromNumber(p) : dialect.notPort.fromString(p))),
    };
  return {
    action: dialect.action[ACTION_KEY[rule.action]],
    protocol: rule.protocol && dialect.protocol.fromString(rule.protocol),
    notProtocol: rule.notProtocol && dialect.notProtocol.fromString(rule.notProtocol),
    ipVersion: rule.ipVersion,
    source: entity(rule.source),
    destination: entity(rule.destination),
    metadata: { annotations: { [DESCRIPTION_ANNOTATION]: rule.description } },
  };
}

const NP_EGRESS = {
  action: NetworkPolicySpecEgressAction,
  protocol: NetworkPolicySpecEgressProtocol,
  notProtocol: NetworkPolicySpecEgressNotProtocol,
  port: NetworkPolicySpecEgressDestinationPorts,
  notPort: NetworkPolicySpecEgressDestinationNotPorts,
};
const NP_INGRESS = {
  action: NetworkPolicySpecIngressAction,
  protocol: NetworkPolicySpecIngressProtocol,
  notProtocol: NetworkPolicySpecIngressNotProtocol,
  port: NetworkPolicySpecIngressDestinationPorts,
  notPort: NetworkPolicySpecIngressDestinationNotPorts,
};
const SNP_EGRESS = {
  action: StagedNetworkPolicySpecEgressAction,
  protocol: StagedNetworkPolicySpecEgressProtocol,
  notProtocol: StagedNetworkPolicySpecEgressNotProtocol,
  port: StagedNetworkPolicySpecEgressDestinationPorts,
  notPort: StagedNetworkPolicySpecEgressDestinationNotPorts,
};
const SNP_INGRESS = {
  action: StagedNetworkPolicySpecIngressAction,
  protocol: StagedNetworkPolicySpecIngressProtocol,
  notProtocol: StagedNetworkPolicySpecIngressNotProtocol,
  port: StagedNetworkPolicySpecIngressDestinationPorts,
  notPort: StagedNetworkPolicySpecIngressDestinationNotPorts,
};
const GNP_INGRESS = {
  action: GlobalNetworkPolicySpecIngressAction,
  protocol: GlobalNetworkPolicySpecIngressProtocol,
  notProtocol: GlobalNetworkPolicySpecIngressNotProtocol,
  port: GlobalNetworkPolicySpecIngressDestinationPorts,
  notPort: GlobalNetworkPolicySpecIngressDestinationNotPorts,
};
const GNP_EGRESS = {
  action: GlobalNetworkPolicySpecEgressAction,
  protocol: GlobalNetworkPolicySpecEgressProtocol,
  notProtocol: GlobalNetworkPolicySpecEgressNotProtocol,
  port: GlobalNetworkPolicySpecEgressDestinationPorts,
  notPort: GlobalNetworkPolicySpecEgressDestinationNotPorts,
};

interface GlobalPolicyProps {
  readonly name: string;
  readonly tier: string;
  readonly order: number;
  readonly selector: string;
  readonly namespaceSelector?: string;
  readonly egress: readonly CalicoRule[];
}

/** An egress-only GlobalNetworkPolicy; enforced in audit mode too (see the class doc above). */
function globalEgressPolicy(scope: Construct, id: string, props: GlobalPolicyProps): void {
  new GlobalNetworkPolicy(scope, id, {
    metadata: { name: props.name, annotations: pruneLast(SyncWave.globalPolicy) },
    spec: {
      tier: props.tier,
      order: props.order,
      selector: props.selector,
      ...(props.namespaceSelector !== undefined ? { namespaceSelector: props.namespaceSelector } : {}),
      types: [GlobalNetworkPolicySpecTypes.EGRESS],
      egress: props.egress.map((r) => render(GNP_EGRESS, r)),
    },
  });
}

/** An app (of either flavor) allowed a pod credential endpoint: the guardrail leaves those addresses to its own policies. */
export interface CredentialsUser {
  readonly app: string;
  readonly namespace: string;
  /** The endpoint's addresses, as blocks. */
  readonly cidrs: readonly string[];
  /** The ports the app declared there, all of one protocol. */
  readonly ports: readonly PlannedPort[];
}

export interface CalicoClusterPoliciesProps {
  readonly settings: CalicoSettings;
  /** The shared allow-lists that calico-flavor apps use; each becomes a GlobalNetworkSet. */
  readonly allowLists: readonly AllowList[];
  /** The blocks calico-flavor apps declared as network sets of their own (a destination's `networkSet`); each becomes a GlobalNetworkSet. @default none */
  readonly networkSets?: readonly AllowList[];
  /** The apps allowed a pod credential endpoint, and its addresses. */
  readonly credentialsUsers: readonly CredentialsUser[];
  /**
   * Whether the tier holds the metadata guardrail; false where the intent writes it in the
   * network-policy-api instead (cluster-guardrail.ts). @default true
   */
  readonly guardrail?: boolean;
}

/** The pods of the namespaces this project writes: `secure-ai-egress/governed == 'true'` on the Namespace, which no pod's author can set. */
const GOVERNED_NAMESPACES = `${GOVERNED_NAMESPACE_LABEL} == 'true'`;

/**
 * The pods of one app as a Calico selector that holds across namespaces: its namespace,
 * ServiceAccount and app label, and pods only (PODS_ONLY): a HostEndpoint's labels are its
 * writer's to choose, so one labelled like the app's pods would otherwise share their exemption
 * from the guardrail.
 */
function appEndpoints(user: CredentialsUser): string {
  const labels = labelSelector({
    [CALICO_LABEL.namespace]: user.namespace,
    [CALICO_LABEL.serviceAccount]: serviceAccountName(user.app),
    ...appSelector(user.app),
  });
  return `${labels} && ${PODS_ONLY}`;
}

/** Where the cluster-scoped half of the flavor goes, each a chart (a file of dist/) of its own, in apply order. */
export interface CalicoClusterScopes {
  /** With the Namespaces: the RBAC of the tier's owners. */
  readonly cluster: Construct;
  /** The tier and the GlobalNetworkSets. */
  readonly tier: Construct;
  /** The GlobalNetworkPolicies of the tier. */
  readonly globalPolicies: Construct;
}

/**
 * The cluster-scoped half of the flavor: the RBAC of the tier's owners (when declared), the tier
 * (Deny by default, ordered after the admin tier and before `default`), a GlobalNetworkSet per
 * shared allow-list and per destination declared as a network set, the metadata guardrail (unless
 * the intent writes it in the network-policy-api) and the closing Deny. The Pass policies before
 * that Deny are namespaced: CalicoPassToKubernetes.
 */
export function addCalicoClusterPolicies(scopes: CalicoClusterScopes, props: CalicoClusterPoliciesProps): void {
  const { tier, tierOrder, owners } = props.settings;
  const networkSets = props.networkSets ?? [];
  if (owners) new TierOwnersRbac(scopes.cluster, 'calico-tier-owners', { tier, owners, networkSets: [...props.allowLists, ...networkSets].map((l) => l.name) });
  new Tier(scopes.tier, 'Tier', {
    metadata: { name: tier, annotations: pruneLast(SyncWave.tier) },
    spec: { order: tierOrder, defaultAction: 'Deny' },
  });
  const sets: [string, string, AllowList][] = [
    ...props.allowLists.map((l): [string, string, AllowList] => ['allow-list', ALLOW_LIST_LABEL, l]),
    ...networkSets.map((l): [string, string, AllowList] => ['network-set', NETWORK_SET_LABEL, l]),
  ];
  for (const [prefix, label, list] of sets) {
    new GlobalNetworkSet(scopes.tier, `${prefix}-${list.name}`, {
      metadata: {
        name: list.name,
        labels: { [label]: list.name },
        annotations: { ...syncWave(SyncWave.networkSet), ...(list.description ? { [DESCRIPTION_ANNOTATION]: list.description } : {}) },
      },
      spec: { nets: [...list.cidrs] },
    });
  }
  // Every pod of the namespaces this project writes, selected by the Namespace's label: a pod's
  // author cannot take a pod out of the guardrail by leaving out a label of its own.
  // Left out where the intent writes the guardrail in the network-policy-api (cluster-guardrail.ts).
  if (props.guardrail ?? true) {
    globalEgressPolicy(scopes.globalPolicies, 'Guardrail', {
      name: CalicoName.guardrail(tier),
      tier,
      order: CalicoPolicyOrder.guardrail,
      selector: 'all()',
      namespaceSelector: GOVERNED_NAMESPACES,
      egress: guardrailRules(props.settings, props.credentialsUsers),
    });
  }
  // Every pod of those namespaces that no policy above decided for, both ways: a pod that runs as
  // no declared app (a copy of an app's labels under another ServiceAccount, or any pod someone
  // adds) is denied here, so no NetworkPolicy written later in the default tier can open it. The
  // pods handed on to the default tier were passed before (CalicoPassToKubernetes).
  new GlobalNetworkPolicy(scopes.globalPolicies, 'DenyUndeclared', {
    metadata: { name: CalicoName.denyUndeclared(tier), annotations: pruneLast(SyncWave.globalPolicy) },
    spec: {
      tier,
      order: CalicoPolicyOrder.denyUndeclared,
      selector: 'all()',
      namespaceSelector: GOVERNED_NAMESPACES,
      types: [GlobalNetworkPolicySpecTypes.INGRESS, GlobalNetworkPolicySpecTypes.EGRESS],
      ingress: closingDeny(props.settings.log, 'ingress').map((r) => render(GNP_INGRESS, r)),
      egress: closingDeny(props.settings.log, 'egress').map((r) => render(GNP_EGRESS, r)),
    },
  });
}

export interface CalicoAppPolicyProps {
  /** The app's plan (egress DNS first): the same plan the kubernetes flavor renders. */
  readonly plan: AppPlan;
  readonly settings: CalicoSettings;
  /** Render the policy as a StagedNetworkPolicy: audit mode (see `isAudited` in lib/intent). */
  readonly staged: boolean;
}

/** `<tier>.<app>`: the app's own policy in the tier, both directions, ending in Log then Deny. */
export class CalicoAppPolicy extends Construct {
  constructor(scope: Construct, id: string, props: CalicoAppPolicyProps) {
    super(scope, id);
    const { plan, settings } = props;
    const metadata = {
      name: CalicoName.app(settings.tier, plan.name),
      namespace: plan.namespace,
      annotations: { ...pruneLast(SyncWave.policy), ...reasonAnnotations(plan) },
    };
    // The pods' labels and their ServiceAccount, both: Calico ANDs `serviceAccountSelector` with
    // `selector` (libcalico-go networkpolicyprocessor.go), so a pod relabelled to look like the app
    // but running as another ServiceAccount is selected by no per-app policy and gets nothing.
    const common = {
      tier: settings.tier,
      order: CalicoPolicyOrder.app,
      selector: labelSelector(appSelector(plan.name)),
      serviceAccountSelector: labelSelector({ [CALICO_LABEL.name]: serviceAccountName(plan.name) }),
    };
    const ingress = allowThenDeny(plan.ingress, 'ingress', settings.log);
    const egress = allowThenDeny(plan.egress, 'egress', settings.log);
    if (props.staged) {
      new StagedNetworkPolicy(this, 'Resource', {
        metadata,
        spec: {
          stagedAction: StagedNetworkPolicySpecStagedAction.SET,
          ...common,
          types: [StagedNetworkPolicySpecTypes.INGRESS, StagedNetworkPolicySpecTypes.EGRESS],
          ingress: ingress.map((r) => render(SNP_INGRESS, r)),
          egress: egress.map((r) => render(SNP_EGRESS, r)),
        },
      });
    } else {
      new NetworkPolicy(this, 'Resource', {
        metadata,
        spec: {
          ...common,
          types: [NetworkPolicySpecTypes.INGRESS, NetworkPolicySpecTypes.EGRESS],
          ingress: ingress.map((r) => render(NP_INGRESS, r)),
          egress: egress.map((r) => render(NP_EGRESS, r)),
        },
      });
    }
  }
}

export interface CalicoPassToKubernetesProps {
  readonly settings: CalicoSettings;
  readonly namespace: string;
  /**
   * The kubernetes-flavor app whose pods (by label and ServiceAccount) are handed on.
   * @default none: every pod of the namespace, whose apps are all in audit mode
   */
  readonly app?: string;
}

/**
 * A Pass in both directions, order 1000 in the tier: the pods of a kubernetes-flavor app
 * (`<tier>.<app>`), or every pod of a namespace whose apps are all in audit mode
 * (`<tier>.pass-to-kubernetes-policies`), are handed on to the default tier, where their
 * Kubernetes NetworkPolicies decide (or the staged policies are evaluated, not enforced). Enforced in audit mode
 * too: without it the tier's closing Deny would decide for them.
 */
export class CalicoPassToKubernetes extends Construct {
  constructor(scope: Construct, id: string, props: CalicoPassToKubernetesProps) {
    super(scope, id);
    const { settings, namespace, app } = props;
    // An app's pods by label and ServiceAccount, as CalicoAppPolicy selects them: a pod that
    // copies the labels under another ServiceAccount is not passed, and the closing Deny takes it.
    const selection =
      app === undefined
        ? { selector: 'all()' }
        : {
            selector: labelSelector(appSelector(app)),
            serviceAccountSelector: labelSelector({ [CALICO_LABEL.name]: serviceAccountName(app) }),
          };
    const pass: CalicoRule = {
      action: 'Pass',
      description:
        app === undefined
          ? 'a namespace in audit mode: its staged policies in the default tier are evaluated there, not enforced'
          : 'a kubernetes-flavor app: its Kubernetes NetworkPolicies in the default tier decide',
    };
    new NetworkPolicy(this, 'Resource', {
      metadata: {
        name: app === undefined ? CalicoName.passToKubernetes(settings.tier) : CalicoName.app(settings.tier, app),
        namespace,
        annotations: pruneLast(SyncWave.tierPass),
      },
      spec: {
        tier: settings.tier,
        order: CalicoPolicyOrder.passToKubernetes,
        ...selection,
        types: [NetworkPolicySpecTypes.INGRESS, NetworkPolicySpecTypes.EGRESS],
        ingress: [render(NP_INGRESS, pass)],
        egress: [render(NP_EGRESS, pass)],
      },
    });
  }
}

/**
 * The namespace's `default-deny-all` as a StagedKubernetesNetworkPolicy, for namespaces whose
 * apps are all in audit mode: enforcing it would cut those apps off while their own policies are
 * only staged (audit mode).
 */
export class StagedNamespaceDefaultDeny extends Construct {
  constructor(scope: Construct, id: string, props: NamespaceDefaultDenyProps) {
    super(scope, id);
    new StagedKubernetesNetworkPolicy(this, 'Resource', {
      metadata: { name: NamespaceDefaultDeny.NAME, namespace: props.namespace, annotations: pruneLast(SyncWave.policy) },
      spec: { stagedAction: StagedKubernetesNetworkPolicySpecStagedAction.SET, podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  }
}
