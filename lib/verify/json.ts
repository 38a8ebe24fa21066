/**
 * The verifier's answers as the JSON its command line prints (`--json`). These shapes are a
 * contract: tools read them, so fields are only ever added. Values are written with the same
 * functions as the terminal listings (lib/verify/words.ts).
 */

import { formatCidr } from '../net';
import type { DecidedBy, Destination, EgressReport, ReachEntry, WorkloadEgress } from './egress';
import type { Protocol } from './ports';
import type { StagedRef } from './reach';
import { describePorts, EGRESS_NOTE } from './words';

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

/** What decided an entry: the rule (`reason: 'rule'`), the profile, or no policy. */
export type DecidedByJson = DecidedBy;

/** One reach entry; `ports` is `443`, `8000-8100`, `1-65535` or a port name. */
export interface ReachEntryJson {
  readonly to: DestinationJson;
  readonly protocol: Protocol;
  readonly ports: string;
  readonly decidedBy: DecidedByJson;
}

/** The egress of one workload. */
export interface WorkloadEgressJson extends Omit<WorkloadEgress, 'namespace' | 'name' | 'allowed' | 'denied' | 'staged'> {
  readonly allowed: readonly ReachEntryJson[];
  readonly denied: readonly ReachEntryJson[];
  readonly staged: readonly StagedRef[];
}

/** `verify egress --json`. */
export interface EgressReportJson {
  readonly note: string;
  readonly ipblockMatchesPods: boolean;
  readonly workloads: readonly WorkloadEgressJson[];
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

/** A reach entry as JSON. */
export function reachEntryJson(e: ReachEntry): ReachEntryJson {
  return { to: destinationJson(e.to), protocol: e.protocol, ports: describePorts(e.ports), decidedBy: e.decidedBy };
}

/** The egress report as `verify egress --json` prints it. */
export function egressJson(report: EgressReport): EgressReportJson {
  return {
    note: EGRESS_NOTE,
    ipblockMatchesPods: report.ipblockMatchesPods,
    workloads: report.workloads.map((w) => ({
      endpoint: w.endpoint,
      kind: w.kind,
      isolated: w.isolated,
      policies: w.policies,
      allowed: w.allowed.map(reachEntryJson),
      denied: w.denied.map(reachEntryJson),
      staged: w.staged,
    })),
  };
}
