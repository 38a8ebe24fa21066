/**
 * One flow record, whichever way Calico wrote it: Goldmane's `Flow` message in its protobuf JSON
 * form, or Whisker's `FlowResponse`. Both say the same things (Whisker's backend converts one into
 * the other), so both are read into this one shape.
 *
 * The shapes are Calico's, read at v3.32.1 (commit 0ca9d1b93644778cafdf1812f3dda02ac0c361e8):
 * `goldmane/proto/api.proto` (Flow, FlowKey, PolicyTrace, PolicyHit and their enums),
 * `whisker-backend/pkg/apis/v1/flows.go` (FlowResponse, PolicyTrace, PolicyHit) and
 * `whisker-backend/pkg/handlers/v1/protoconvert.go` (protoToFlow). Calico 3.30 and 3.31 wrote the
 * same messages with two more policy kinds, AdminNetworkPolicy (7) and BaselineAdminNetworkPolicy
 * (8), which 3.32 reserved (api.proto at v3.30.7, commit 74485ea40911c4868ae83ddb5da489c1533d1dba).
 */

/**
 * What a flow's end is (proto `EndpointType`): a pod, a host, an address inside a NetworkSet or
 * GlobalNetworkSet, or an address in no set ("a public or private network not known by Calico").
 */
export type EndpointType = 'WorkloadEndpoint' | 'HostEndpoint' | 'NetworkSet' | 'Network';

/** The endpoint types by their proto number. */
export const ENDPOINT_TYPES: Readonly<Record<number, EndpointType>> = { 1: 'WorkloadEndpoint', 2: 'HostEndpoint', 3: 'NetworkSet', 4: 'Network' };

/** The two networks Goldmane names an address in no NetworkSet by (Felix `getSubnetType`: `pvt` is 10/8, 172.16/12 and 192.168/16, `pub` everything else). */
export type NetworkName = 'pub' | 'pvt';

/** One end of a flow. */
export interface FlowEnd {
  /** As the record says; absent in Whisker's JSON, which carries no endpoint type. */
  readonly type?: EndpointType;
  /**
   * WorkloadEndpoint: the pods' generated-name prefix and `*` (`ai-service-7d9f8b6c4-*`), or the
   * pod's name when it has no generated name; NetworkSet: the set's name; Network: `pub` or `pvt`
   * (Whisker's `PUBLIC NETWORK` and `PRIVATE NETWORK` are read back as these); HostEndpoint: the
   * host's name.
   */
  readonly name: string;
  /** The namespace; absent for what has none (Goldmane writes `-`). */
  readonly namespace?: string;
  /** The labels every pod of the flow carries (Felix leaves out Calico's own `projectcalico.org/` labels). */
  readonly labels: Readonly<Record<string, string>>;
}

/** What a rule or a flow did (proto `Action`, without ActionUnspecified). */
export type FlowAction = 'Allow' | 'Deny' | 'Pass';

/** The actions by their proto number. */
export const ACTIONS: Readonly<Record<number, FlowAction>> = { 1: 'Allow', 2: 'Deny', 3: 'Pass' };

/**
 * The kind of policy a hit names (proto `PolicyKind`): Calico's `CalicoNetworkPolicy` is
 * projectcalico.org/v3 NetworkPolicy and `NetworkPolicy` is Kubernetes' own; `Profile` is the
 * namespace or service account profile that allows what no tier decided; `EndOfTier` the default
 * action of a tier whose policies selected the endpoint and matched nothing.
 */
export type PolicyHitKind =
  | 'CalicoNetworkPolicy'
  | 'GlobalNetworkPolicy'
  | 'StagedNetworkPolicy'
  | 'StagedGlobalNetworkPolicy'
  | 'StagedKubernetesNetworkPolicy'
  | 'NetworkPolicy'
  | 'AdminNetworkPolicy'
  | 'BaselineAdminNetworkPolicy'
  | 'Profile'
  | 'EndOfTier'
  | 'ClusterNetworkPolicy';

/** The policy kinds by their proto number (7 and 8 from Calico 3.30 and 3.31). */
export const POLICY_KINDS: Readonly<Record<number, PolicyHitKind>> = {
  1: 'CalicoNetworkPolicy',
  2: 'GlobalNetworkPolicy',
  3: 'StagedNetworkPolicy',
  4: 'StagedGlobalNetworkPolicy',
  5: 'StagedKubernetesNetworkPolicy',
  6: 'NetworkPolicy',
  7: 'AdminNetworkPolicy',
  8: 'BaselineAdminNetworkPolicy',
  9: 'Profile',
  10: 'EndOfTier',
  11: 'ClusterNetworkPolicy',
};

/** Which end reported the flow (proto `Reporter`): the sender's node (its egress policies) or the receiver's (its ingress). */
export type Reporter = 'Src' | 'Dst';

/** The reporters by their proto number. */
export const REPORTERS: Readonly<Record<number, Reporter>> = { 1: 'Src', 2: 'Dst' };

/**
 * A policy rule a flow went through (proto `PolicyHit`). The name is as Felix reports it: Calico
 * 3.30 and 3.31 drop the tier prefix of a tiered policy (`ai-service` for `ai-egress.ai-service`),
 * 3.32 keeps the name as written. The rule index counts the policy's rules as Felix holds them,
 * which for a Kubernetes NetworkPolicy are its rules after Calico's conversion (one per protocol
 * and peer: libcalico-go `k8sRuleToCalico`), not the rules as written.
 */
export interface PolicyHit {
  readonly kind: PolicyHitKind;
  readonly name: string;
  /** Absent for global policies and profiles. */
  readonly namespace?: string;
  /** The tier; empty for a profile. */
  readonly tier: string;
  readonly action: FlowAction;
  /** The order of the policy among those the flow went through. */
  readonly policyIndex: number;
  /** The rule's index in the policy; -1 for EndOfTier. */
  readonly ruleIndex: number;
  /** For EndOfTier: the first policy of the tier that selected the flow's endpoint (Felix records no action or index for it). */
  readonly trigger?: PolicyTrigger;
}

/** The policy an EndOfTier hit names. */
export interface PolicyTrigger {
  readonly kind: PolicyHitKind;
  readonly name: string;
  readonly namespace?: string;
  readonly tier: string;
}

/** One flow record as read, with the line of the file it starts on. */
export interface FlowRecord {
  /** The line (from 1) where the record starts. */
  readonly line: number;
  /** Which of Calico's forms it was read from. */
  readonly format: 'goldmane' | 'whisker';
  readonly source: FlowEnd;
  readonly destination: FlowEnd;
  /** The destination port (0 for protocols without ports). */
  readonly port: number;
  /** Upper case, as policies name it: `TCP`, `UDP`, `SCTP`, `ICMP`, or a number. */
  readonly protocol: string;
  readonly reporter: Reporter;
  /** What the enforced policies did to the flow's connections. */
  readonly action: 'Allow' | 'Deny';
  /** The rules of enforced policies that acted on it, ordered by policy index. */
  readonly enforced: readonly PolicyHit[];
  /** The rules that would have acted once the staged policies are enforced, ordered by policy index; empty when the record has none. */
  readonly pending: readonly PolicyHit[];
  /** Seconds since the Unix epoch. */
  readonly startTime: number;
  readonly endTime: number;
  /** New connections in the record's interval (Goldmane's `num_connections_started`; Whisker's JSON does not carry it). */
  readonly connections?: number;
  readonly packets: number;
  readonly bytes: number;
}

/** A record that could not be read: where it starts, and why. */
export interface MalformedRecord {
  readonly line: number;
  readonly reason: string;
}

/** What a flow log held: the records read, and those that could not be. */
export interface FlowLog {
  readonly records: readonly FlowRecord[];
  readonly malformed: readonly MalformedRecord[];
}
