/**
 * What policies select and what packets travel between: namespaces, endpoints (pods and the pod
 * templates of workloads), Calico network sets, and the two ends of a packet.
 *
 * Calico evaluates selectors on more labels than a pod declares: it adds
 * `projectcalico.org/namespace`, `projectcalico.org/orchestrator: k8s` and
 * `projectcalico.org/serviceaccount`, and lets the endpoint inherit its namespace's labels as
 * `pcns.<key>` and its service account's as `pcsa.<key>`. Kubernetes selectors see only the
 * pod's own labels.
 */

import { IpAddress, IpRange } from '../net';
import { Labels } from './labels';
import { SourceRef } from './manifests';
import { Protocol } from './ports';

/** Label keys Calico adds to endpoints and namespaces. */
export const CALICO_LABEL = {
  namespace: 'projectcalico.org/namespace',
  orchestrator: 'projectcalico.org/orchestrator',
  serviceAccount: 'projectcalico.org/serviceaccount',
  name: 'projectcalico.org/name',
} as const;

/** The label Kubernetes puts on every namespace. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A namespace; one the manifests only refer to has just its name label. */
export interface Namespace {
  readonly name: string;
  /** Labels as Kubernetes namespaceSelectors see them (declared plus `kubernetes.io/metadata.name`). */
  readonly labels: Labels;
  /** Labels as Calico namespaceSelectors see them (plus `projectcalico.org/name`). */
  readonly calicoLabels: Labels;
  /** False when the namespace is not among the manifests but assumed to exist. */
  readonly declared: boolean;
}

/** Makes a namespace from its declared labels (undefined: not declared). */
export function makeNamespace(name: string, declared: Labels | undefined): Namespace {
  const labels = new Map(declared ?? []);
  labels.set(NAMESPACE_NAME_LABEL, name);
  const calicoLabels = new Map(labels);
  calicoLabels.set(CALICO_LABEL.name, name);
  return { name, labels, calicoLabels, declared: declared !== undefined };
}

/** The kinds that become endpoints; `Phantom` is a representative pod the verifier made up. */
export type EndpointKind = 'Pod' | 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'ReplicationController' | 'Job' | 'CronJob' | 'Phantom';

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
  readonly labels: Labels;
  /** The labels Calico selectors see. */
  readonly calicoLabels: Labels;
  readonly serviceAccount: string;
  /** The service account's labels plus `projectcalico.org/name`. */
  readonly serviceAccountLabels: Labels;
  /** From `status.podIP(s)`; empty for templates. */
  readonly ips: readonly IpAddress[];
  readonly ports: readonly ContainerPort[];
  readonly source?: SourceRef;
}

/** Builds an endpoint, adding the labels Calico adds. */
export function makeEndpoint(e: Omit<Endpoint, 'id' | 'calicoLabels'>): Endpoint {
  const calicoLabels = new Map(e.labels);
  calicoLabels.set(CALICO_LABEL.namespace, e.namespace.name);
  calicoLabels.set(CALICO_LABEL.orchestrator, 'k8s');
  calicoLabels.set(CALICO_LABEL.serviceAccount, e.serviceAccount);
  inherit(calicoLabels, 'pcns.', e.namespace.calicoLabels);
  inherit(calicoLabels, 'pcsa.', e.serviceAccountLabels);
  return { ...e, id: `${e.namespace.name}/${e.name}`, calicoLabels };
}

function inherit(into: Map<string, string>, prefix: string, from: Labels): void {
  for (const [k, v] of from) if (!into.has(prefix + k)) into.set(prefix + k, v);
}

/** Service account labels as Calico sees them when none are declared. */
export function serviceAccountLabels(name: string, declared?: Labels): Labels {
  const out = new Map(declared ?? []);
  out.set(CALICO_LABEL.name, name);
  return out;
}

/** A Calico NetworkSet (namespaced) or GlobalNetworkSet (namespace undefined). */
export interface NetworkSet {
  readonly id: string;
  readonly namespace?: Namespace;
  readonly calicoLabels: Labels;
  readonly nets: readonly IpRange[];
  readonly source: SourceRef;
}

/** Builds a network set, adding the labels Calico adds to namespaced ones. */
export function makeNetworkSet(name: string, namespace: Namespace | undefined, labels: Labels, nets: readonly IpRange[], source: SourceRef): NetworkSet {
  const calicoLabels = new Map(labels);
  if (namespace) {
    calicoLabels.set(CALICO_LABEL.namespace, namespace.name);
    inherit(calicoLabels, 'pcns.', namespace.calicoLabels);
  }
  return { id: namespace ? `${namespace.name}/${name}` : name, namespace, calicoLabels, nets, source };
}

/**
 * One end of a packet: an endpoint, or an address outside the known endpoints. `ips` are the
 * addresses policies may match it by (for an endpoint, none when ipBlock/nets must not match
 * pods), `sets` the network sets that contain one of them.
 */
export type PacketEnd =
  | { readonly kind: 'endpoint'; readonly endpoint: Endpoint; readonly ips: readonly IpAddress[]; readonly sets: readonly NetworkSet[] }
  | { readonly kind: 'external'; readonly ip: IpAddress; readonly ips: readonly [IpAddress]; readonly sets: readonly NetworkSet[] };
