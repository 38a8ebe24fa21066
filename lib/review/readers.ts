/**
 * Who can read each workload, as the reports list it: the callers its ingress admits (they
 * receive its responses), one row per caller and the rules that admit it, those the manifests do
 * not govern marked (lib/verify/readers.ts says what governed means).
 */

import { DecidedBy, decisionKey, describeProtocolPorts, Destination, EgressReport, Ports, podsKey, Reader, samePorts } from '../verify';
import { reviewDecision, reviewDestination } from './words';
import { distinctDecisions, groupBy } from './group';
import { Protocol } from '../k8s';

/** One caller of a workload, with every protocol and port it may call on, and what admits it. */
export interface ReaderRow {
  /** The workload it may read, `namespace/name`. */
  readonly workload: string;
  readonly caller: Destination;
  /** False for pods of a namespace the manifests do not govern, and for addresses outside the known endpoints. */
  readonly governed: boolean;
  readonly flows: readonly { readonly protocol: Protocol; readonly ports: Ports }[];
  readonly decisions: readonly DecidedBy[];
}

const callerKey = (d: Destination): string => (d.type === 'pods' ? `pods\u0000${podsKey(d)}` : reviewDestination(d));

/**
 * The callers of every workload of an egress report made with readers. A known pod that a rule
 * naming its class of pods already admits, on the same ports by the same rule, is not listed
 * twice.
 */
export function readerRows(report: EgressReport): ReaderRow[] {
  return report.workloads.flatMap((w) => {
    const readers = w.readers ?? [];
    const classes = readers.filter((r) => r.from.type === 'pods' && !r.from.endpoint);
    const covered = (r: Reader) =>
      r.from.type === 'pods' &&
      r.from.endpoint !== undefined &&
      classes.some((c) => c.protocol === r.protocol && samePorts(c.ports, r.ports) && decisionKey(c.decidedBy) === decisionKey(r.decidedBy));
    return [
      ...groupBy(
        readers.filter((r) => !covered(r)),
        (r) => callerKey(r.from),
      ).values(),
    ].map((list): ReaderRow => ({
      workload: w.endpoint,
      caller: list[0].from,
      governed: list[0].governed,
      flows: list.map((r) => ({ protocol: r.protocol, ports: r.ports })),
      decisions: distinctDecisions(list.map((r) => r.decidedBy)),
    }));
  });
}

/** A caller in words: `pods ai-gateway {}`, `pod ai-application/ai-service`, `cidr 0.0.0.0/0`. */
export function describeCaller(r: ReaderRow): string {
  return reviewDestination(r.caller);
}

/** Its protocols and ports: `TCP 8000`. */
export function describeReaderFlows(r: ReaderRow): string {
  return describeProtocolPorts(r.flows);
}

/** What admits it: the rule, or `several rules`. */
export function describeReaderDecisions(r: ReaderRow): string {
  return r.decisions.length === 1 ? reviewDecision(r.decisions[0]) : r.decisions.map((d) => reviewDecision(d)).join('; ');
}

/** Whether the manifests govern it: `yes`, or why not. */
export function describeGoverned(r: ReaderRow): string {
  if (r.governed) return 'yes';
  if (r.caller.type === 'cidr') return 'no: addresses outside the cluster';
  return r.caller.namespace === '*' ? 'no: pods of any namespace' : `no: these manifests do not declare namespace ${r.caller.namespace} with a default deny`;
}
