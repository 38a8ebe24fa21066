/**
 * Review of manifests as a pull request changes them: the difference in reach between two
 * manifest sets (`verify diff`: egress and ingress, enforced and staged), and the reports that draw what every workload may reach
 * (Markdown with a Mermaid chart, one HTML page). Reads the verifier's answers (lib/verify), never
 * the intent; imports nothing of the project but lib/verify and lib/net.
 */

export * from './graph';
export { buildGraph } from './build';
export { diffClusters, diffWorkload } from './diff';
export { diffJson, flowChangeJson, formatDiff } from './diff-format';
export type { ReachDiffJson } from './diff-format';
export type { FlowChange, ReachDiff } from './diff';
export { diffCommand, diffMain } from './cli';
export { migrateCommand } from './migrate-cli';
export { describeDecisions, describeFlows } from './edge-words';
export { renderHtml } from './html';
export { renderMarkdown } from './markdown';
export { reportMain } from './report-cli';
export { leakNotes } from './leaks';
