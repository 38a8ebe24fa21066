/**
 * Checks of manifests alone, without the intent that produced them: what the cdk8s validation
 * plugin reports for any cdk8s app (schemas, each namespace's default deny, DNS only to kube-dns
 * or named addresses, cloud metadata out of reach and carved out, reasons for internet-sized
 * blocks, Pod Security `restricted`), and what the project's own tests ask of `dist/`.
 */
export { checkManifests } from './check';
export type { CheckOptions, CheckResult, CheckSummary, Finding } from './check';
export { RULES, RULE_NAMES } from './rules';
export type { Rule, RuleName } from './rules';
export { allowedBlocks, blockProblems } from './blocks';
export type { AllowedBlock, BlockProblem } from './blocks';
export { namespacePodSecurityProblems, podSpecOf, restrictedViolations } from './pod-security';
export { describeObject, previewStaged } from './objects';
export type { K8sObject, ObjectRef } from './objects';
export { PROBE_LABEL } from './reach';
export { SecureAiEgressChecks } from './plugin';
export type { SecureAiEgressChecksProperties } from './plugin';
