/**
 * The offline policy verifier: reads manifests the way a cluster would (never the intent that
 * produced them) and answers which connections they allow, and which rule decided.
 *
 * It imports nothing from the rest of the project but `lib/net` and `lib/yaml`, so it checks YAML
 * anyone wrote: `dist/`, another team's policies, a `kubectl get -A -o yaml` dump.
 *
 * Its answers are values (address blocks, port ranges, rules named by tier, kind, namespace, name,
 * direction and index); `words.ts` writes them for people and `json.ts` for tools, so nothing
 * reads back a text another module wrote.
 */

export { ANY_NAMESPACE } from './catalog';
export type { VerifyOptions } from './catalog';
export { buildCluster, Cluster } from './cluster';
export type { PolicyView } from './cluster';
export { VERIFY_COMMANDS, verifyMain } from './cli';
export type { Command, OptionValues } from './cli';
export { EXIT, helpText, parseCommand, runCommand, skippedNotes, unknownName, UsageError, usageLine } from './command';
export type { CliResult, CommandSpec, OptionSpec } from './command';
export { egressReport, workloadEgress } from './egress';
export type { EgressOptions, EgressReport, ReachEntry, StagedEgress, WorkloadEgress } from './egress';
export { ingressReport, workloadIngress } from './ingress';
export type { IngressEntry, IngressOptions, IngressReport, StagedIngress, WorkloadIngress } from './ingress';
export { directionReach, podsKey } from './workload';
export type { AddressDestination, DecidedBy, Destination, DirectionReach, PeerEntry, PodsDestination, ReachOptions } from './workload';
export type { Endpoint, EndpointKind } from './endpoints';
export { clusterFromText, loadCluster, matchSelector } from './load';
export { describeSkipped, ManifestError, parseManifests, readManifestFiles, readManifestSet } from './manifests';
export type { Manifest, ManifestSet, SkippedFile, SourceRef } from './manifests';
export { decidedByJson, destinationJson, egressJson, ingressEntryJson, ingressJson, queryJson, reachEntryJson, stagedJson } from './json';
export type { DecidedByJson, DestinationJson, DirectionAnswerJson, EgressReportJson, IngressEntryJson, IngressReportJson, ReachViewJson, WorkloadIngressJson, PolicyInTierJson, QueryAnswerJson, ReachEntryJson, RuleRefJson, StagedAnswerJson, StagedRefJson, WorkloadEgressJson } from './json';
export { ALL_PORTS, comparePorts, isAllPorts, isNamedPort, portAtoms, PROTOCOLS, samePorts } from './ports';
export type { NamedPort, PortRange, Ports, Protocol } from './ports';
export { decisionDirection, decisionKey, enforcedDecisionKey, enforcedKind } from './policy';
export type { Decision, Direction, PolicyKind, PolicyRef, RuleAction, RuleId } from './policy';
export { matrix, query, QueryError } from './reach';
export type { DirectionAnswer, MatrixCell, QueryAnswer, RuleRef, StagedAnswer } from './reach';
export { Selector, SelectorSyntaxError } from './selector';
export {
  describeBlock,
  describeDecision,
  describeDestination,
  describeKind,
  describeLabels,
  describeNamedBlock,
  describePolicy,
  describePolicyInTier,
  describePolicyRef,
  describePorts,
  describeProtocolPorts,
  describeRule,
  describeStaged,
  destinationParts,
  EGRESS_NOTE,
  INGRESS_NOTE,
  explainDirection,
  explainWhenStaged,
} from './words';
export type { Voice } from './words';
