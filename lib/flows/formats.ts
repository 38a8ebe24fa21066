/**
 * Calico's two written forms of a flow, read into a FlowRecord (record.ts):
 *
 * - Goldmane's `Flow` (goldmane/proto/api.proto) in protobuf's JSON mapping, as `grpcurl` prints
 *   the answers of `goldmane.Flows/List` and `Stream`: field names in lowerCamelCase or as in the
 *   proto, 64-bit integers as strings or numbers, enums by name or number, fields left out when
 *   they hold their zero value.
 * - Whisker's `FlowResponse` (whisker-backend/pkg/apis/v1/flows.go), Go's JSON of it: snake_case
 *   names, enums by name, times in RFC 3339, labels joined by ` | `, no endpoint types, and the
 *   networks named `PUBLIC NETWORK` and `PRIVATE NETWORK` (protoconvert.go, protoToName).
 */

import { camel, enumValue, field, fail, get, integer, Json, labelPairs, list, namespaceOf, object, RecordError, text } from './fields';
import { ACTIONS, ENDPOINT_TYPES, FlowEnd, FlowRecord, NetworkName, POLICY_KINDS, PolicyHit, PolicyTrigger, REPORTERS } from './record';

/** The policy a hit names (its kind, name, namespace and tier), from either form (Whisker's field names are the proto names). */
function policyOf(h: Json, path: string): PolicyTrigger {
  const namespace = namespaceOf(text(field(h, 'namespace'), `${path}.namespace`));
  return {
    kind: enumValue(field(h, 'kind'), `${path}.kind`, POLICY_KINDS, 'policy kind'),
    name: text(field(h, 'name'), `${path}.name`),
    ...(namespace === undefined ? {} : { namespace }),
    tier: text(field(h, 'tier'), `${path}.tier`),
  };
}

/** A policy hit. An EndOfTier hit's trigger is a policy only: Goldmane leaves its action unspecified (proto/methods.go HitFromString). */
function policyHit(value: unknown, path: string): PolicyHit {
  const h = object(value, path);
  const policy = policyOf(h, path);
  const trigger = field(h, 'trigger');
  if (policy.kind === 'EndOfTier' && trigger === undefined)
    throw new RecordError(`${path}.trigger is missing: an EndOfTier hit names the policy that selected the endpoint`);
  return {
    ...policy,
    action: enumValue(field(h, 'action'), `${path}.action`, ACTIONS, 'rule action'),
    policyIndex: integer(field(h, 'policy_index'), `${path}.${camel('policy_index')}`),
    ruleIndex: integer(field(h, 'rule_index'), `${path}.${camel('rule_index')}`),
    ...(trigger === undefined ? {} : { trigger: policyOf(object(trigger, `${path}.trigger`), `${path}.trigger`) }),
  };
}

/** Hits ordered as the flow went through them (by policy index, a stable sort). */
function hits(value: unknown, path: string): PolicyHit[] {
  return list(value, path)
    .map((h, i) => policyHit(h, `${path}[${i}]`))
    .sort((a, b) => a.policyIndex - b.policyIndex);
}

function port(value: unknown, path: string): number {
  const n = integer(value, path);
  return n >= 0 && n <= 65535 ? n : fail(path, value, 'a port (0-65535)');
}

function protocol(value: unknown, path: string): string {
  const p = text(value, path);
  if (p === '') throw new RecordError(`${path} is missing`);
  return p.toUpperCase();
}

/** A flow's own action: Felix reports only Allow and Deny for a connection (felix/collector/goldmane/client.go convertAction). */
const FLOW_ACTIONS: Readonly<Record<number, 'Allow' | 'Deny'>> = { 1: 'Allow', 2: 'Deny' };

function recordAction(value: unknown, path: string): 'Allow' | 'Deny' {
  return enumValue(value, path, FLOW_ACTIONS, 'flow action');
}

/** The network names Whisker shows for Goldmane's `pub` and `pvt`. */
const WHISKER_NETWORKS: Readonly<Record<string, NetworkName>> = { 'PUBLIC NETWORK': 'pub', 'PRIVATE NETWORK': 'pvt' };

/** A field's path under `at`, the path of its object (empty for the record itself). */
function under(at: string, name: string): string {
  return at ? `${at}.${name}` : name;
}

/** One end of a Goldmane flow. */
function goldmaneEnd(key: Json, side: 'source' | 'dest', labels: unknown, at: string): FlowEnd {
  const name = text(field(key, `${side}_name`), under(at, `Key.${camel(`${side}_name`)}`));
  const namespace = namespaceOf(text(field(key, `${side}_namespace`), under(at, `Key.${camel(`${side}_namespace`)}`)));
  const type = enumValue(field(key, `${side}_type`), under(at, `Key.${camel(`${side}_type`)}`), ENDPOINT_TYPES, 'endpoint type');
  if (type === 'Network' && name !== 'pub' && name !== 'pvt') fail(under(at, `Key.${camel(`${side}_name`)}`), name, 'a network name (pub, pvt)');
  return {
    type,
    name,
    ...(namespace === undefined ? {} : { namespace }),
    labels: labelPairs(list(labels, under(at, camel(`${side}_labels`))), under(at, camel(`${side}_labels`))),
  };
}

/** True when an object looks like a Goldmane Flow (it has the `Key` field). */
export function isGoldmaneFlow(value: Json): boolean {
  return get(value, 'Key', 'key') !== undefined;
}

/** True when an object looks like a Whisker FlowResponse. */
export function isWhiskerFlow(value: Json): boolean {
  return 'source_name' in value && 'dest_name' in value;
}

/** Reads a Goldmane Flow found at `at` in its JSON value (empty: the value itself). Throws RecordError with the field at fault. */
export function readGoldmaneFlow(flow: Json, line: number, at: string): FlowRecord {
  const key = object(get(flow, 'Key', 'key'), under(at, 'Key'));
  const policies = field(key, 'policies');
  const trace = policies === undefined ? {} : object(policies, under(at, 'Key.policies'));
  const connections = field(flow, 'num_connections_started');
  return {
    line,
    format: 'goldmane',
    source: goldmaneEnd(key, 'source', field(flow, 'source_labels'), at),
    destination: goldmaneEnd(key, 'dest', field(flow, 'dest_labels'), at),
    port: port(field(key, 'dest_port'), under(at, 'Key.destPort')),
    protocol: protocol(field(key, 'proto'), under(at, 'Key.proto')),
    reporter: enumValue(field(key, 'reporter'), under(at, 'Key.reporter'), REPORTERS, 'reporter'),
    action: recordAction(field(key, 'action'), under(at, 'Key.action')),
    enforced: hits(field(trace, 'enforced_policies'), under(at, 'Key.policies.enforcedPolicies')),
    pending: hits(field(trace, 'pending_policies'), under(at, 'Key.policies.pendingPolicies')),
    startTime: integer(field(flow, 'start_time'), under(at, 'startTime')),
    endTime: integer(field(flow, 'end_time'), under(at, 'endTime')),
    ...(connections === undefined ? {} : { connections: integer(connections, under(at, 'numConnectionsStarted')) }),
    packets: integer(field(flow, 'packets_in'), under(at, 'packetsIn')) + integer(field(flow, 'packets_out'), under(at, 'packetsOut')),
    bytes: integer(field(flow, 'bytes_in'), under(at, 'bytesIn')) + integer(field(flow, 'bytes_out'), under(at, 'bytesOut')),
  };
}

/** An RFC 3339 time (Go's JSON of time.Time) as seconds since the epoch. */
function time(value: unknown, path: string): number {
  const t = text(value, path);
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(t) ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? fail(path, value, 'an RFC 3339 time') : Math.floor(ms / 1000);
}

/** One end of a Whisker flow: no type is written, except that the two networks have names of their own. */
function whiskerEnd(flow: Json, side: 'source' | 'dest', at: string): FlowEnd {
  const name = text(flow[`${side}_name`], under(at, `${side}_name`));
  const namespace = namespaceOf(text(flow[`${side}_namespace`], under(at, `${side}_namespace`)));
  const labels = text(flow[`${side}_labels`], under(at, `${side}_labels`));
  const network = WHISKER_NETWORKS[name] ?? (namespace === undefined && (name === 'pub' || name === 'pvt') ? name : undefined);
  return {
    ...(network ? { type: 'Network' as const } : {}),
    name: network ?? name,
    ...(namespace === undefined ? {} : { namespace }),
    labels: labelPairs(labels.split(' | '), under(at, `${side}_labels`)),
  };
}

/** Reads a Whisker FlowResponse found at `at` in its JSON value. Throws RecordError with the field at fault. */
export function readWhiskerFlow(flow: Json, line: number, at: string): FlowRecord {
  const policies = flow.policies === undefined || flow.policies === null ? {} : object(flow.policies, under(at, 'policies'));
  return {
    line,
    format: 'whisker',
    source: whiskerEnd(flow, 'source', at),
    destination: whiskerEnd(flow, 'dest', at),
    port: port(flow.dest_port, under(at, 'dest_port')),
    protocol: protocol(flow.protocol, under(at, 'protocol')),
    reporter: enumValue(flow.reporter ?? undefined, under(at, 'reporter'), REPORTERS, 'reporter'),
    action: recordAction(flow.action ?? undefined, under(at, 'action')),
    enforced: hits(policies.enforced ?? undefined, under(at, 'policies.enforced')),
    pending: hits(policies.pending ?? undefined, under(at, 'policies.pending')),
    startTime: time(flow.start_time, under(at, 'start_time')),
    endTime: time(flow.end_time, under(at, 'end_time')),
    packets: integer(flow.packets_in ?? undefined, under(at, 'packets_in')) + integer(flow.packets_out ?? undefined, under(at, 'packets_out')),
    bytes: integer(flow.bytes_in ?? undefined, under(at, 'bytes_in')) + integer(flow.bytes_out ?? undefined, under(at, 'bytes_out')),
  };
}
