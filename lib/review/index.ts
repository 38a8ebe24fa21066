export * from './graph';
export { buildGraph } from './build';
export { diffReports, diffWorkload, formatDiff, flavorOf } from './diff';
export type { Change, EgressDiff, FlowChange, WorkloadDiff } from './diff';
export { renderHtml } from './html';
export { renderMarkdown } from './markdown';
export { resolveSource, SourceError } from './source';
export type { ManifestSource } from './source';
