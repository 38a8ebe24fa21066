/**
 * Review of manifests as a pull request changes them: the difference in reach between two
 * manifest sets (`verify diff`), and the reports that draw what every workload may reach
 * (Markdown with a Mermaid chart, one HTML page). Reads the verifier's answers (lib/verify), never
 * the intent; imports nothing of the project but lib/verify and lib/net.
 */

export * from './graph';
export { buildGraph } from './build';
export { diffReports, diffWorkload } from './diff';
export { diffJson, flowChangeJson, formatDiff } from './diff-format';
export type { EgressDiffJson, FlowChangeJson, WorkloadDiffJson } from './diff-format';
export type { Change, EgressDiff, FlowChange, WorkloadDiff } from './diff';
export { diffMain, DIFF_USAGE } from './cli';
export { renderHtml } from './html';
export { renderMarkdown } from './markdown';
export { flavorOf } from './workload';
export { resolveSource, SourceError } from './source';
export type { ManifestSource } from './source';
