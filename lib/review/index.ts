/**
 * Review of manifests as a pull request changes them: the difference in reach between two
 * manifest sets (`verify diff`: egress and ingress, enforced and staged), and the reports that draw what every workload may reach
 * (Markdown with a Mermaid chart, one HTML page). Reads the verifier's answers (lib/verify), never
 * the intent; imports nothing of the project but lib/verify and lib/net.
 */

export * from './graph';
export { buildGraph } from './build';
export { diffClusters, diffWorkload } from './diff';
export { diffJson, flowChangeJson, formatDiff, ingressChangeJson, widenedWhere } from './diff-format';
export type { FlowChangeJson, IngressChangeJson, ReachDiffJson, WorkloadDiffJson } from './diff-format';
export type { AnyEntry, Change, DiffOptions, DirectionDiff, FlowChange, ReachDiff, WorkloadDiff } from './diff';
export { diffCommand, diffMain } from './cli';
export { describeAudit, describeDecisions, describeFlows, describeVerdict, describeWhen, isAudited } from './edge-words';
export { renderHtml } from './html';
export { renderMarkdown } from './markdown';
export { REPORT_SPEC, reportMain } from './report-cli';
export { flavorOf } from './workload';
export { resolveSource, SourceError } from './source';
export type { ManifestSource } from './source';
