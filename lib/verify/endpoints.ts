/**
 * What policies select and what packets travel between: namespaces, endpoints (pods and the pod
 * templates of workloads), the labelled addresses Calico rule selectors also match (NetworkSets,
 * GlobalNetworkSets and HostEndpoints), and the two ends of a packet.
 *
 * Calico evaluates selectors on more labels than an object declares, each as Felix's label index
 * sees it (felix/labelindex/label_inheritance_index.go, itemData.GetHandle: an item's own labels
 * first, then those of its profiles in order):
 * - a pod (libcalico-go `k8s/conversion/workload_endpoint_default.go` and
 *   `updateprocessors/workloadendpointprocessor.go`): its own labels without any `pcns.` or
 *   `pcsa.` key (dropped, "so that a wep cannot pretend it is in another namespace"), plus
 *   `projectcalico.org/namespace`, `projectcalico.org/orchestrator: k8s` and
 *   `projectcalico.org/serviceaccount`, and through its profiles `kns.<namespace>` and
 *   `ksa.<namespace>.<serviceaccount>` its namespace's labels as `pcns.<key>` and its service
 *   account's as `pcsa.<key>` (`conversion.go` NamespaceToProfile, ServiceAccountToProfile);
 * - a namespaced NetworkSet (`updateprocessors/networksetprocessor.go`): its own labels, every
 *   key kept, plus `projectcalico.org/namespace`, and through the profile `kns.<namespace>` its
 *   namespace's labels: so a selector written for pods, `app == 'qdrant'` with a namespace
 *   selector, also matches a NetworkSet of that namespace labelled `app: qdrant`;
 * - a GlobalNetworkSet (`globalnetworksetprocessor.go`): its own labels only;
 * - a HostEndpoint (`hostendpointprocessor.go`): its own labels, any key at all (Calico's
 *   validator checks only their syntax), and its profiles' (`spec.profiles`).
 * Kubernetes selectors see only the pod's own labels.
 */

import { IpAddress, IpRange, IpVersion } from '../net';
import { LabelMap } from './labels';
import { SourceRef } from './manifests';
import { Protocol, CALICO_LABEL, NAMESPACE_NAME_LABEL, WorkloadKind, ObjectRef, CALICO_PROFILE } from '../k8s';

/** A namespace; one the manifests only refer to has just its name label. */
export interface Namespace {
  readonly name: string;
  /** Labels as Kubernetes namespaceSelectors see them (declared plus `kubernetes.io/metadata.name`). */
  readonly labels: LabelMap;
  /** Labels as Calico namespaceSelectors see them (plus `projectcalico.org/name`). */
  readonly calicoLabels: LabelMap;
  /** False when the namespace is not among the manifests but assumed to exist. */
  readonly declared: boolean;
}

/** Makes a namespace from its declared labels (undefined: not declared). */
export function makeNamespace(name: string, declared: LabelMap | undefined): Namespace {
  const labels = new Map(declared ?? []);
  labels.set(NAMESPACE_NAME_LABEL, name);
  const calicoLabels = new Map(labels);
  calicoLabels.set(CALICO_LABEL.name, name);
  return { name, labels, calicoLabels, declared: declared !== undefined };
}

/** The kinds that become endpoints; `Phantom` is a representative pod the verifier made up. */
export type EndpointKind = WorkloadKind | 'Phantom';

/** A container port, for resolving named ports. */
export interface ContainerPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
}

/** A pod, or the pod template of a workload, as policies see it. */
export interface Endpoint {
  /** `namespace/name`: the Pod's name or the workload's. */
  readonly id: string;
  readonly name: string;
  readonly kind: EndpointKind;
  readonly namespace: Namespace;
  /** The pod's own labels, as Kubernetes selectors see them. */
  readonly labels: LabelMap;
  /** The labels Calico selectors see. */
  readonly calicoLabels: LabelMap;
  readonly serviceAccount: string;
  /** The service account's labels plus `projectcalico.org/name`. */
  readonly serviceAccountLabels: LabelMap;
  /** From `status.podIP(s)`; empty for templates. */
  readonly ips: readonly IpAddress[];
  readonly ports: readonly ContainerPort[];
  readonly source?: SourceRef;
}

/** Builds an endpoint, adding the labels Calico adds (and leaving out the inherited-label keys a pod may not set). */
export function makeEndpoint(e: Omit<Endpoint, 'id' | 'calicoLabels'>): Endpoint {
  const calicoLabels = new Map([...e.labels].filter(([k]) => !isInheritedKey(k)));
  calicoLabels.set(CALICO_LABEL.namespace, e.namespace.name);
  calicoLabels.set(CALICO_LABEL.orchestrator, 'k8s');
  calicoLabels.set(CALICO_LABEL.serviceAccount, e.serviceAccount);
  inherit(calicoLabels, INHERITED_PREFIX.namespace, e.namespace.calicoLabels);
  inherit(calicoLabels, INHERITED_PREFIX.serviceAccount, e.serviceAccountLabels);
  return { ...e, id: `${e.namespace.name}/${e.name}`, calicoLabels };
}

/** The workload an endpoint is, as an object of the manifests. */
export function endpointRef(e: Endpoint): ObjectRef {
  return { kind: e.kind, namespace: e.namespace.name, name: e.name };
}

/** The prefixes of the labels an item inherits from its namespace's and its service account's profiles. */
export const INHERITED_PREFIX = { namespace: CALICO_PROFILE.namespaceLabelPrefix, serviceAccount: CALICO_PROFILE.serviceAccountLabelPrefix } as const;

/** True for a key of the kind profiles give (`pcns.`, `pcsa.`), which libcalico-go drops from a pod's own labels. */
function isInheritedKey(key: string): boolean {
  return key.startsWith(INHERITED_PREFIX.namespace) || key.startsWith(INHERITED_PREFIX.serviceAccount);
}

/** Adds a parent's labels under a prefix where the item has no label of that key: its own come first. */
function inherit(into: Map<string, string>, prefix: string, from: LabelMap): void {
  for (const [k, v] of from) if (!into.has(prefix + k)) into.set(prefix + k, v);
}

/** The labels the profile `kns.<namespace>` gives: the namespace's, as `pcns.<key>`. */
export function namespaceProfileLabels(namespace: Namespace): LabelMap {
  const out = new Map<string, string>();
  inherit(out, INHERITED_PREFIX.namespace, namespace.calicoLabels);
  return out;
}

/** Service account labels as Calico sees them when none are declared. */
export function serviceAccountLabels(name: string, declared?: LabelMap): LabelMap {
  const out = new Map(declared ?? []);
  out.set(CALICO_LABEL.name, name);
  return out;
}

/** The kinds of labelled addresses Calico rule selectors match besides pods. */
type NetworkSetKind = 'NetworkSet' | 'GlobalNetworkSet' | 'HostEndpoint';

/**
 * Labelled addresses a Calico rule selector can match besides pods: a NetworkSet (namespaced), a
 * GlobalNetworkSet, or a HostEndpoint (its expected IPs, as Felix puts them in a selector's IP
 * set: felix/labelindex/named_port_index.go, extractCIDRsFromHostEndpoint).
 */
export interface NetworkSet {
  readonly kind: NetworkSetKind;
  /** `namespace/name` for a NetworkSet, `name` otherwise. */
  readonly id: string;
  readonly namespace?: Namespace;
  /** Its labels as Calico selectors see them (see the top of this file). */
  readonly calicoLabels: LabelMap;
  readonly nets: readonly IpRange[];
  readonly source: SourceRef;
  /** For a HostEndpoint that calico-kube-controllers creates for a Node: that Node's name. */
  readonly node?: string;
}

/** Builds a NetworkSet (with its namespace) or GlobalNetworkSet, adding the labels Calico adds to namespaced ones. */
export function makeNetworkSet(name: string, namespace: Namespace | undefined, labels: LabelMap, nets: readonly IpRange[], source: SourceRef): NetworkSet {
  const calicoLabels = new Map(labels);
  if (namespace) {
    calicoLabels.set(CALICO_LABEL.namespace, namespace.name);
    inherit(calicoLabels, INHERITED_PREFIX.namespace, namespace.calicoLabels);
  }
  return { kind: namespace ? 'NetworkSet' : 'GlobalNetworkSet', id: namespace ? `${namespace.name}/${name}` : name, namespace, calicoLabels, nets, source };
}

/** Builds a HostEndpoint from its own labels and its profiles' labels, in the order of `spec.profiles`. */
export function makeHostEndpoint(
  name: string,
  labels: LabelMap,
  profiles: readonly LabelMap[],
  addresses: readonly IpAddress[],
  source: SourceRef,
  node?: string,
): NetworkSet {
  const calicoLabels = new Map(labels);
  for (const parent of profiles) for (const [k, v] of parent) if (!calicoLabels.has(k)) calicoLabels.set(k, v);
  const nets = addresses.map((a): IpRange => ({ version: a.version, first: a.value, last: a.value }));
  return { kind: 'HostEndpoint', id: name, calicoLabels, nets, source, ...(node === undefined ? {} : { node }) };
}

/**
 * One end of a packet of one IP version (`family`): an endpoint, or an address outside the known
 * endpoints. `ips` are the addresses of that version policies may match it by (for an endpoint,
 * none when ipBlock/nets must not match pods), `sets` the network sets and host endpoints that
 * contain one of them. `unknown` is set for an endpoint whose address the manifests do not say (a
 * pod template, a Pod without status) when addresses match pods: it has some address of the
 * version, which a block may or may not hold.
 */
export type PacketEnd =
  | {
      readonly kind: 'endpoint';
      readonly endpoint: Endpoint;
      readonly family: IpVersion;
      readonly ips: readonly IpAddress[];
      readonly unknown: boolean;
      readonly sets: readonly NetworkSet[];
    }
  | { readonly kind: 'external'; readonly ip: IpAddress; readonly family: IpVersion; readonly ips: readonly [IpAddress]; readonly sets: readonly NetworkSet[] };

/** The IP versions an endpoint's packets may have: those of its addresses, or both when they are unknown. */
export function ipVersionsOf(endpoint: Endpoint): readonly IpVersion[] {
  if (endpoint.ips.length === 0) return BOTH_VERSIONS;
  const has4 = endpoint.ips.some((ip) => ip.version === 4);
  const has6 = endpoint.ips.some((ip) => ip.version === 6);
  return has4 && has6 ? BOTH_VERSIONS : has4 ? ONLY_4 : ONLY_6;
}

/**
 * The IP versions a packet between two ends may have: those both can have (an address outside
 * the known endpoints has its own; an endpoint those of its addresses, or either when they are
 * unknown). Ends with no version in common (an IPv4-only pod and an IPv6 address) are still asked
 * about, in the version of the address, or else the sender's.
 */
export function packetVersions(from: Endpoint | IpAddress, to: Endpoint | IpAddress): readonly IpVersion[] {
  const of = (end: Endpoint | IpAddress): readonly IpVersion[] => ('version' in end ? (end.version === 4 ? ONLY_4 : ONLY_6) : ipVersionsOf(end));
  const a = of(from);
  const b = of(to);
  const both = a.filter((v) => b.includes(v));
  if (both.length === 0) return 'version' in to ? b : a;
  return both.length === 2 ? BOTH_VERSIONS : both[0] === 4 ? ONLY_4 : ONLY_6;
}

const BOTH_VERSIONS: readonly IpVersion[] = [4, 6];
const ONLY_4: readonly IpVersion[] = [4];
const ONLY_6: readonly IpVersion[] = [6];
