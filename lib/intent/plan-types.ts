/**
 * The plan's types, in one place: what a destination lets an app reach, flavor-neutral (external
 * blocks, pods of a namespace, or names through the egress proxy), and the plan made of it: rules
 * of peers on ports, per app. Each kind of destination says its peer (destinations/); the plan
 * (lib/policy/plan.ts) adds ports, turns the names into the app's way to the proxy, and the
 * renderers of both flavors write the plan, never destinations.
 */
import { Cidr, carvedInside, cidr, formatCidr } from '../net';
import type { Labels, Protocol } from './values';

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

/** What a destination lets an app reach: what a policy rule can name, or names through the egress proxy. */
export type DestinationPeer = PolicyPeer | ProxyPeer;

/** A protocol with a port or inclusive range. */
export interface PlannedPort {
  readonly protocol: Protocol;
  readonly from: number;
  readonly to: number;
}

/** Every one of the peers on every one of the ports. */
export interface PlannedRule {
  /** Never empty. */
  readonly peers: readonly PolicyPeer[];
  /** Never empty; may mix protocols (DNS is UDP and TCP 53). */
  readonly ports: readonly PlannedPort[];
  /** What the rule is for: the destination's own description, or which DNS; Calico keeps it as an annotation. */
  readonly description?: string;
}

/** What one app may send and receive, beyond which nothing is allowed. */
export interface AppPlan {
  /** The app's name and namespace: its policies select the pods of the app. */
  readonly name: string;
  readonly namespace: string;
  /** DNS first, then one rule per declared destination, in declaration order. */
  readonly egress: readonly PlannedRule[];
  /** The declared clients on the app's port over TCP, as one rule, then its scrapers on its metrics port; empty when there are none. */
  readonly ingress: readonly PlannedRule[];
  /** Written reasons of what needs one beyond the blocks' own (public DNS), kept as annotations on the policy. */
  readonly reasons?: Readonly<Record<string, string>>;
}

/**
 * A block with what it carves out: those of `carved` (link-local addresses, the cloud's metadata
 * endpoints, the cluster's pod, Service and node ranges; see lib/intent `intentCarvedBlocks`) that
 * lie strictly inside it. A block inside one of them carves nothing: it is what was declared.
 */
export function planBlock(text: string, carved: readonly Cidr[]): PlannedBlock {
  const block: Cidr = cidr(text);
  return { cidr: formatCidr(block), version: block.version, except: carvedInside(block, carved).map(formatCidr) };
}
