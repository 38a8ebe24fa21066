/**
 * Checks of manifests alone, without the intent that produced them: what the cdk8s validation
 * plugin reports for any cdk8s app (schemas, each namespace's default deny, DNS only to kube-dns
 * or named addresses, cloud metadata out of reach and carved out, reasons for internet-sized
 * blocks, Pod Security `restricted`), and what the project's own tests ask of `dist/`.
 */
export { checkManifests } from './check';
export type { CheckOptions, CheckResult, Finding } from './check';
export { RULES, RULE_NAMES } from './rules';
export type { RuleName } from './rules';
export { blockProblems } from './blocks';
export { namespacePodSecurityProblems, restrictedViolations } from './pod-security';
export { enforceStaged } from './objects';
export { SecureAiEgressChecks } from './plugin';
export type { SecureAiEgressChecksProperties } from './plugin';
