/**
 * Calico's flow logs, read: Goldmane's flow messages in their protobuf JSON form and Whisker's
 * HTTP JSON (a `/flows` answer or its event stream), from a saved file or stdin, into one record
 * shape. A leaf: it imports nothing of the project, so the verifier may use it.
 */

export { readFlowLog } from './read';
export type { FlowEnd, FlowLog, FlowRecord, MalformedRecord, PolicyHit, PolicyHitKind } from './record';
