/**
 * What a destination lets an app reach, flavor-neutral: external blocks, pods of a namespace, or
 * names through the egress proxy. Each kind of destination says which (its `peer`); the plan
 * (lib/policy/plan.ts) adds ports, turns the names into the app's way to the proxy, and the
 * renderers of both flavors write peers, never destinations.
 */
import { Cidr, carvedInside, cidr, formatCidr } from '../../net';
import type { Labels } from '../types';

/** An external block to allow, with the blocks inside it that stay denied: link-local, metadata, the cluster's own ranges. */
export interface PlannedBlock {
  readonly cidr: string;
  readonly version: 4 | 6;
  readonly except: readonly string[];
}

/** External blocks: one declared CIDR, the contents of a shared allow-list, NodeLocal DNS addresses. */
export interface NetsPeer {
  readonly kind: 'nets';
  readonly blocks: readonly PlannedBlock[];
  /** Set when the blocks come from a shared allow-list (Calico selects its network set instead). */
  readonly allowList?: string;
  /** Set when the destination asks for its block as a network set of its own (Calico selects that set instead). */
  readonly networkSet?: string;
  /** Written reason, when the blocks are internet egress. */
  readonly internetReason?: string;
  /** Written reason, when the blocks are a pod credential endpoint that the cloud's metadata addresses otherwise include. */
  readonly credentialsReason?: string;
  /** Written reason, when the blocks lie inside a published range of a cloud or CDN, shared by its customers. */
  readonly sharedReason?: string;
}

/** Pods in the cluster, by namespace name and pod labels; no labels is every pod of the namespace. */
interface PodsPeer {
  readonly kind: 'pods';
  readonly namespace: string;
  readonly podLabels: Labels;
  /**
   * Set when the labels name an app the intent declares in that namespace (its name label): the
   * app's ServiceAccount, which the Calico flavor selects as well, so a pod that copies the labels
   * under another ServiceAccount is no peer. The kubernetes flavor has no way to say it.
   */
  readonly serviceAccount?: string;
  /** Written reason, when the namespace is one this intent does not govern: whatever runs there may relay what it receives. */
  readonly ungovernedReason?: string;
}

/**
 * Names the app reaches through the egress proxy: the plan allows the proxy's pods on the app's
 * own port of the proxy instead (one rule for all of them), and the proxy's configuration holds
 * the names (lib/proxy).
 */
interface ProxyPeer {
  readonly kind: 'proxy';
  /** Normalized (`api.openai.com`, `*.hf.co`), each once. */
  readonly hosts: readonly string[];
}

/** What a policy rule can name: blocks, or pods. */
export type PolicyPeer = NetsPeer | PodsPeer;

export type Peer = PolicyPeer | ProxyPeer;

/**
 * A block with what it carves out: those of `carved` (link-local addresses, the cloud's metadata
 * endpoints, the cluster's pod, Service and node ranges; see lib/intent `intentCarvedBlocks`) that
 * lie strictly inside it. A block inside one of them carves nothing: it is what was declared.
 */
export function planBlock(text: string, carved: readonly Cidr[]): PlannedBlock {
  const block: Cidr = cidr(text);
  return { cidr: formatCidr(block), version: block.version, except: carvedInside(block, carved).map(formatCidr) };
}
