/**
 * The offline policy verifier: reads manifests the way a cluster would (never the intent that
 * produced them) and answers which connections they allow, and which rule decided.
 *
 * It imports nothing from the rest of the project but the leaves `lib/k8s`, `lib/conventions`,
 * `lib/net`, `lib/yaml`, `lib/squid` and `lib/flows`, and the command-line framework `lib/cli`,
 * so it checks YAML anyone wrote: `dist/`, another team's policies, a `kubectl get -A -o yaml` dump; and compares them with
 * a cluster's flow logs.
 *
 * Its answers are values (address blocks, port ranges, rules named by tier, kind, namespace, name,
 * direction and index), made text only at the edge: `words.ts` (with `text.ts`, `host-words.ts`
 * and `observed-words.ts`) writes them for people in the verifier's listings, `json.ts` for
 * tools, and lib/review's `words.ts` for the review's outputs.
 */

export { CALICO_VERSION_ACCEPTED, parseCalicoVersion, servesClusterNetworkPolicy } from './calico-version';
export type { CalicoVersion } from './calico-version';
export type { ClusterNote } from './admin-tiers';
export { clusterNetworkPolicyOf, isV1alpha1Kind } from './migrate';
export { ANY_NAMESPACE } from './catalog';
export type { VerifyOptions } from './catalog';
export { buildCluster, Cluster } from './cluster';
export type { PolicyView } from './cluster';
export { calicoOption, verifyMain } from './cli';
export { manifestsInputError, readingNotes } from './reading';
export { egressReport, workloadEgress } from './egress';
export { dnsReport, workloadDns } from './dns';
export { parseCorefile, resolverZones } from './corefile';
export { relayReport } from './relays';
export { hostReach, isHostName, queryHost, withoutProxyPorts } from './hosts';
export type { HostEntry, HostQueryAnswer, HostReach } from './hosts';
export { hostQueryText } from './host-words';
export type { HostQueryAnswerJson } from './host-words';
export { formatHostPattern, hostCovers, parseHostPattern } from '../squid';
export type { HostPattern } from '../squid';
export type { EgressReport, ReachEntry, StagedEgress, WorkloadEgress } from './egress';
export { workloadIngress } from './ingress';
export type { IngressEntry } from './ingress';
export { directionReach, podsKey } from './workload';
export { protectionOf } from './protection';
export type { Reader } from './readers';
export type { DecidedBy, Destination, DirectionReach, PeerEntry, PodsDestination } from './workload';
export { endpointRef } from './endpoints';
export type { Endpoint } from './endpoints';
export { clusterFromText, loadCluster } from './load';
export { ManifestError, describeSource, parseManifests, readManifestFiles, readManifestSet } from './manifests';
export type { Manifest, SourceRef } from './manifests';
export { queryJson, stagedJson } from './json';
export type { EgressReportJson, IngressReportJson, QueryAnswerJson, StagedRefJson } from './json';
export { describePorts, isAllPorts, isNamedPort, portAtoms, samePorts } from './ports';
export type { PortRange, Ports } from './ports';
export { decisionKey, enforcedDecisionKey, policyKindOf } from './policy';
export type { Direction, PolicyKind, PolicyRef, RuleId } from './policy';
export { loadFlowLog } from './observed-cli';
export { observe } from './observed';
export type { ObservedFlow, ObservedReport, Outcome } from './observed';
export type { ObservedReportJson } from './observed-json';
export { byAddresses, describeAddresses, describeEnd, describeTime, OBSERVED_NOTE, plural } from './observed-words';
export { query, QueryError } from './reach';
/** @public bench/phases.ts loads it with require, in the phase that measures it. */
export { matrix } from './reach';
export type { QueryAnswer } from './reach';
export { Selector } from './selector';
export {
  describeDecision,
  describeDestination,
  describeLabels,
  describeNamedBlock,
  describePolicy,
  describeRuleNumber,
  describeTierOf,
  describeProtocolPorts,
  describeStaged,
  describeUncertain,
  destinationParts,
  explainDirection,
  explainWhenStaged,
} from './words';
