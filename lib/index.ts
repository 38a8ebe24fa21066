/**
 * The one entry for a cdk8s project that adds secured AI apps to an App of its own:
 *
 * ```ts
 * import { App, Chart } from 'cdk8s';
 * import { SecureAiPlatform, vllm } from 'secure-ai-egress/lib';
 *
 * const app = new App();
 * new MyWebsite(app, 'website');                                      // your own charts
 * new SecureAiPlatform(app, 'ai', { intent: { apps: [{ name: 'llm', namespace: 'ai', ...vllm({ model: 'Qwen/Qwen2.5-1.5B-Instruct' }), egress: [] }] } });
 * app.synth();
 * ```
 *
 * It holds the constructs (SecureAiPlatform, and the per-app pieces it is made of), the intent
 * they are declared with and its checks, the model server presets, the checks any manifests must
 * keep (and the cdk8s validation plugin that reports them), and the verifier. The jest matchers
 * for reach are test code, with their own entry: lib/testing.
 */
export { SecureAiPlatform } from './platform';
export type { SecureAiPlatformProps } from './platform';
export { buildApp } from './app';

export {
  DEFAULT_CLUSTER_DOMAIN,
  DEFAULT_DNS_NAMESPACE,
  IntentError,
  assertValidIntent,
  checkIntent,
  clusterIntents,
  clusterRangesOf,
  formatIssue,
  formatIssues,
  formatPath,
  formatScope,
  intentCarvedBlocks,
  intentClusterRanges,
  resolverSettings,
  validateIntent,
} from './intent';
// The cluster's own ranges, declared or by the cloud's defaults: what no allowed block may hold, and where the resolver's address is placed.
export { CLUSTER_RANGE_DEFAULTS, PRIVATE_CIDRS, carvedBlocks, defaultClusterRanges } from './net';
export type { ClusterRanges } from './net';
export type {
  AiAppIntent,
  AllowList,
  ArgoCdDestination,
  ArgoCdSettings,
  CalicoLog,
  CalicoOptions,
  Cloud,
  ClusterIntent,
  ClusterNetwork,
  ClusterTarget,
  ComputeResources,
  DnsIntent,
  DnsResolverOptions,
  PublicNames,
  ResolverSettings,
  SharedRange,
  UngovernedRelay,
  EgressDestination,
  EgressProxyOptions,
  Flavor,
  GuardrailKind,
  HostsDestination,
  IngressClient,
  AppPlan,
  IntentIssue,
  IssueCode,
  IssuePath,
  IssueScope,
  Labels,
  PlatformIntent,
  PortSpec,
  Protocol,
  TierOwners,
  Toleration,
} from './intent';
// An intent with clusters is rendered one cluster at a time: SecureAiPlatform per clusterIntents(intent) entry.
export { buildArgoCdApps } from './argocd';
export { tei, vllm } from './presets';
// Host lists for { hosts, ports: [443] } destinations, each with its source and the day it was checked.
export { ANTHROPIC_API, HUGGING_FACE_HUB, NVIDIA_NGC, OPENAI_API, PYPI, awsS3, azureBlobStorage, googleCloudStorage } from './presets';
export type { PresetOptions, ServerPreset, VllmOptions } from './presets';

// The per-app pieces SecureAiPlatform is made of. They check nothing across apps (the intent's
// consistency, the calico tier every calico app needs): SecureAiPlatform does.
export { AiWorkload, DnsResolver, RestrictedNamespace } from './workload';
export type { AiWorkloadOptions, DnsResolverProps, RestrictedNamespaceProps } from './workload';
export {
  AppIdentityPolicy,
  CalicoAppPolicy,
  ClusterGuardrail,
  KubernetesAppPolicies,
  NamespaceDefaultDeny,
  StagedNamespaceDefaultDeny,
  planApp,
  planContext,
  planResolver,
} from './policy';
export type {
  AppIdentityPolicyProps,
  CalicoAppPolicyProps,
  ClusterGuardrailProps,
  KubernetesAppPoliciesProps,
  NamespaceDefaultDenyProps,
  PlanContext,
} from './policy';

export { RULES, SecureAiEgressChecks, checkManifests } from './checks';
export type { CheckOptions, CheckResult, Finding, RuleName, SecureAiEgressChecksProperties } from './checks';

export {
  buildCluster,
  dnsReport,
  egressReport,
  explainDirection,
  loadCluster,
  parseCalicoVersion,
  parseManifests,
  query,
  queryHost,
  readManifestFiles,
  relayReport,
} from './verify';
export type {
  CalicoVersion,
  Cluster,
  ClusterNote,
  EgressReport,
  HostQueryAnswer,
  HostReach,
  QueryAnswer,
  ReachEntry,
  VerifyOptions,
  WorkloadEgress,
} from './verify';
// The `--json` shapes of `verify egress`, `verify ingress`, `verify query` (by address or by name), `verify observed` and `verify diff`, for tools written in TypeScript.
export type { EgressReportJson, HostQueryAnswerJson, IngressReportJson, ObservedReportJson, QueryAnswerJson } from './verify';
export type { ReachDiffJson } from './review';
