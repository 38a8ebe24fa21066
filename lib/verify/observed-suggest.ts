/**
 * A suggestion, never an edit: for each observed flow that would break once the staged policies
 * are enforced, the intent entry that would allow it, as data (printed as TypeScript to paste
 * into `main.ts` by observed-words.ts). The verifier never reads the intent or imports the code
 * that writes it: the entries are built from what the verifier knows (the workload, the peer's
 * namespace and labels, the network set and its addresses), in the shapes the intent's
 * destinations and clients take (`{ namespace, podLabels, ports, protocol }`, `{ allowList, ports }`,
 * `{ cidr, ports }`; clients `{ namespace, podLabels }`). A test holds those shapes to the intent's.
 *
 * Names: an app of the intent is the workload of its name in its namespace (its Deployment).
 * Addresses: only those the flow log or the manifests give; Goldmane records none for `pub` and
 * `pvt`, so a flow there gets no entry, only the reason. No proxy access log is read yet, so no
 * entry names a host.
 */

import { cidrContains, Cidr, metadataBlocks, rangesToCidrs, formatCidr } from '../net';
import { labelsToObject } from './labels';
import { DirectionVerdict, ObservedFlow, ObservedReport, statusOf } from './observed';
import { ObservedEnd } from './observed-ends';
import { Direction } from './policy';
import { Protocol, CALICO_LABEL_PREFIX } from '../k8s';
import { ALLOW_LIST_LABEL, GOVERNED_NAMESPACE_LABEL, NETWORK_SET_LABEL } from '../conventions';

// The intent refuses an in-cluster destination outside the namespaces it governs
// (GOVERNED_NAMESPACE_LABEL) unless it is declared an ungoverned relay with a written reason, so a
// suggestion there carries the field, its reason a question for the reviewer to answer. A
// destination in an allow-list (ALLOW_LIST_LABEL) or a network set of its own (NETWORK_SET_LABEL)
// is suggested as an entry of that set (test/audit-flows.test.ts suggests entries to sets of both labels
// that the intent's renderer wrote).

/** Whether the manifests' Namespace of that name carries the governed label. */
export type GovernedNamespace = (namespace: string) => boolean;

/** Reads the governed label from the manifests' Namespaces, as `verify observed` does. */
export function governedBy(namespaceLabels: (namespace: string) => ReadonlyMap<string, string>): GovernedNamespace {
  return (namespace) => namespaceLabels(namespace).get(GOVERNED_NAMESPACE_LABEL) === 'true';
}

/** A value of a suggested entry, as TypeScript literals write it. */
export type SuggestedValue = string | number | readonly SuggestedValue[] | { readonly [key: string]: SuggestedValue };

/** One intent entry to add to one app: a destination to its `egress`, or a client to its `ingress`. */
export interface Suggestion {
  /** The workload's name and namespace: the app of the intent. */
  readonly app: string;
  readonly namespace: string;
  readonly field: Direction;
  readonly entry: { readonly [key: string]: SuggestedValue };
  /** The observed flows it would allow. */
  readonly flows: readonly ObservedFlow[];
}

/** A flow that would break and that no entry can be suggested for, and why. */
export interface NoSuggestion {
  readonly flow: ObservedFlow;
  readonly direction: Direction;
  readonly why: string;
}

export interface Suggestions {
  readonly entries: readonly Suggestion[];
  readonly none: readonly NoSuggestion[];
}

/** Labels that name a workload, in the order they are preferred as its selector. */
const NAMING_LABELS = ['app.kubernetes.io/name', 'app', 'k8s-app', 'name'];

/** Labels a controller puts on each revision or pod, which change with every rollout: never a selector. */
const VOLATILE_LABELS: ReadonlySet<string> = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'controller-uid',
  'job-name',
  'batch.kubernetes.io/controller-uid',
  'batch.kubernetes.io/job-name',
  'batch.kubernetes.io/job-completion-index',
]);

/** The labels to select a workload's pods by: the one that names it, else every label that outlives a rollout; undefined when none. */
function selectorLabels(labels: Readonly<Record<string, string>>): Record<string, string> | undefined {
  for (const key of NAMING_LABELS) if (labels[key]) return { [key]: labels[key] };
  const kept = Object.entries(labels).filter(([k]) => !VOLATILE_LABELS.has(k) && !k.startsWith(CALICO_LABEL_PREFIX));
  return kept.length ? Object.fromEntries(kept) : undefined;
}

function podLabelsOf(end: Extract<ObservedEnd, { kind: 'workload' }>): Record<string, string> | undefined {
  return selectorLabels(end.known ? labelsToObject(end.endpoint.labels) : end.labels);
}

/** Prefixes shorter than this need a written reason in the intent (internet egress): never proposed. */
const SHORTEST_PREFIX = 8;

/** An entry (without ports), or why there is none. */
type Made = { readonly entry: { readonly [key: string]: SuggestedValue }; readonly ports: boolean } | { readonly why: string };

/** The egress destination that allows the peer, without its ports. */
function destination(peer: ObservedEnd, protocol: Protocol, app: string, governed?: GovernedNamespace): Made[] {
  switch (peer.kind) {
    case 'workload': {
      const podLabels = podLabelsOf(peer);
      if (!podLabels) return [{ why: `the pods of ${peer.label} carry no labels to select them by` }];
      const ungoverned: { [key: string]: SuggestedValue } =
        governed && !governed(peer.namespace)
          ? { ungoverned: { reason: `TODO: ${peer.namespace} is no namespace this intent governs: why may ${app} send to it, and where may it pass data on?` } }
          : {};
      return [{ entry: { namespace: peer.namespace, podLabels, protocol, ...ungoverned }, ports: true }];
    }
    case 'network-set': {
      const allowList = peer.set.calicoLabels.get(ALLOW_LIST_LABEL);
      if (allowList !== undefined && peer.set.namespace === undefined) return [{ entry: { allowList, protocol }, ports: true }];
      const networkSet = peer.set.namespace === undefined ? peer.set.calicoLabels.get(NETWORK_SET_LABEL) : undefined;
      return rangesToCidrs(peer.set.nets).map((block: Cidr): Made => {
        if (block.prefix < SHORTEST_PREFIX)
          return { why: `${formatCidr(block)} of network set ${peer.set.id} is internet-sized: declare it with a written reason if it is meant` };
        if (metadataBlocks().some((m) => cidrContains(block, m) || cidrContains(m, block)))
          return { why: `${formatCidr(block)} of network set ${peer.set.id} holds cloud metadata addresses, which the intent never allows` };
        return { entry: { cidr: formatCidr(block), ...(networkSet ? { networkSet } : {}), protocol }, ports: true };
      });
    }
    case 'network':
      return [
        {
          why: `Goldmane records no address for ${peer.network} (a ${peer.network === 'pub' ? 'public' : 'private'} address in no network set), so the flow log cannot say which to declare; no proxy access log is read yet, so no host name either`,
        },
      ];
    case 'unknown':
      return [{ why: `${peer.why}: its addresses are unknown` }];
  }
}

/** The ingress client that admits the peer. */
function client(peer: ObservedEnd): Made {
  if (peer.kind !== 'workload')
    return { why: `the intent admits clients by namespace and pod labels only, and ${peer.label} is addresses outside the cluster` };
  const podLabels = podLabelsOf(peer);
  return { entry: { namespace: peer.namespace, ...(podLabels ? { podLabels } : {}) }, ports: false };
}

/** What is gathered for one suggested entry. */
interface Gathered {
  readonly app: string;
  readonly namespace: string;
  readonly field: Direction;
  readonly entry: { readonly [key: string]: SuggestedValue };
  /** Undefined for a client, which the intent admits on the app's own port. */
  readonly ports?: number[];
  readonly peers: string[];
  readonly flows: ObservedFlow[];
}

/** The entries that would allow the flows that would break, one per app, field and peer, ports merged. */
export function suggest(report: ObservedReport, governed?: GovernedNamespace): Suggestions {
  const gathered = new Map<string, Gathered>();
  const none: NoSuggestion[] = [];
  for (const flow of report.wouldBreak) {
    for (const v of [flow.egress, flow.ingress].filter((x): x is DirectionVerdict => x !== undefined)) {
      if (statusOf(v.staged) !== 'denied') continue;
      if (!v.local.known) {
        none.push({ flow, direction: v.direction, why: `${v.local.label} is no workload of the manifests: there is no app to add an entry to` });
        continue;
      }
      const peer = v.direction === 'egress' ? flow.destination : flow.source;
      const made = v.direction === 'egress' ? destination(peer, flow.protocol as Protocol, v.local.endpoint.name, governed) : [client(peer)];
      for (const m of made) {
        if ('why' in m) {
          none.push({ flow, direction: v.direction, why: m.why });
          continue;
        }
        const app = v.local.endpoint;
        const key = JSON.stringify([app.id, v.direction, m.entry]);
        const g = gathered.get(key) ?? {
          app: app.name,
          namespace: app.namespace.name,
          field: v.direction,
          entry: m.entry,
          ...(m.ports ? { ports: [] } : {}),
          peers: [],
          flows: [],
        };
        if (g.ports && !g.ports.includes(flow.port)) g.ports.push(flow.port);
        if (!g.peers.includes(peer.label)) g.peers.push(peer.label);
        if (!g.flows.includes(flow)) g.flows.push(flow);
        gathered.set(key, g);
      }
    }
  }
  const entries = [...gathered.values()].map(({ app, namespace, field, entry, ports, peers, flows }) => ({
    app,
    namespace,
    field,
    entry: field === 'egress' ? { description: `observed: ${peers.join(', ')}`, ...withPorts(entry, ports ?? []) } : entry,
    flows,
  }));
  return { entries, none };
}

/** The entry with its ports, sorted, placed before the protocol as the intent's examples write them. */
function withPorts(entry: { readonly [key: string]: SuggestedValue }, ports: readonly number[]): { readonly [key: string]: SuggestedValue } {
  const { protocol, ungoverned, ...rest } = entry;
  return { ...rest, ports: [...ports].sort((a, b) => a - b), protocol, ...(ungoverned === undefined ? {} : { ungoverned }) };
}
