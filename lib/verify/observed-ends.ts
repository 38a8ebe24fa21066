/**
 * The ends of observed flows as the verifier knows them: a flow log names pods by their workload's
 * generated-name prefix, addresses outside the cluster by the NetworkSet or GlobalNetworkSet they
 * fell in, or only as the public or private network (Goldmane keeps no address), and this module
 * says which endpoint, network set or addresses of the manifests each stands for.
 *
 * Felix names the ends (projectcalico/calico v3.32.1, commit 0ca9d1b9):
 * `felix/collector/types/endpoint/endpoint.go` GetMetadata (a pod by its GenerateName and `*`,
 * else its name; an address in no set as `pvt` when in 10/8, 172.16/12 or 192.168/16 and `pub`
 * otherwise, IPv6 included), `felix/collector/collector.go` findEndpointBestMatch (a set only for
 * an address that is no endpoint; sets are on: `EnableNetworkSets: true` in dpstatshelper.go) and
 * `felix/calc/networkset_lookup_cache.go` GetNetworkSetFromIPWithNamespace (the longest prefix
 * match, a set of the other end's namespace first).
 */

import { FlowEnd } from '../flows';
import { cidr, cidrRange, IpRange, subtractRanges } from '../net';
import { Cluster } from './cluster';
import { Endpoint, NetworkSet } from './endpoints';

/** One end of an observed flow, resolved against the manifests. */
export type ObservedEnd =
  /**
   * A pod: a known endpoint (`known`, labelled by its id), or pods the manifests do not hold
   * (labelled `namespace/<name in the flow log>`), standing as a representative pod with the
   * flow's labels.
   */
  | {
      readonly kind: 'workload';
      readonly label: string;
      readonly namespace: string;
      readonly endpoint: Endpoint;
      readonly known: boolean;
      readonly labels: Readonly<Record<string, string>>;
    }
  /** An address inside a network set of the manifests. */
  | { readonly kind: 'network-set'; readonly label: string; readonly set: NetworkSet; readonly addresses: readonly IpRange[] }
  /** An address in no network set: the public or private network, as Goldmane aggregates it. */
  | { readonly kind: 'network'; readonly label: string; readonly network: 'pub' | 'pvt'; readonly addresses: readonly IpRange[] }
  /** What the manifests cannot place: a network set they do not hold, a host endpoint. Any address. */
  | { readonly kind: 'unknown'; readonly label: string; readonly why: string; readonly addresses: readonly IpRange[] };

const PRIVATE_BLOCKS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((c) => cidrRange(cidr(c)));
const EVERYTHING: readonly IpRange[] = [cidrRange(cidr('0.0.0.0/0')), cidrRange(cidr('::/0'))];

/**
 * The addresses Goldmane's `pub` or `pvt` may stand for: the private blocks Felix tests, or
 * everything else, less the network sets of the manifests (Felix would have named the set).
 * Network sets the manifests do not hold are not subtracted, so the candidates can only be more.
 */
function networkAddresses(network: 'pub' | 'pvt', sets: readonly NetworkSet[]): IpRange[] {
  const base = network === 'pvt' ? PRIVATE_BLOCKS : subtractRanges(EVERYTHING, PRIVATE_BLOCKS);
  return subtractRanges(
    base,
    sets.flatMap((s) => s.nets),
  );
}

/**
 * How a workload's pods are named in a flow log, by the kind of their owner: the pods of a
 * Deployment are named by their ReplicaSet `<deployment>-<pod-template-hash>-`, those of a CronJob
 * by their Job `<cronjob>-<scheduled minute>-`, the others `<owner>-`; a bare Pod by its name.
 */
function namesWorkload(ep: Endpoint, name: string): boolean {
  if (ep.kind === 'Pod') return name === ep.name;
  if (!name.startsWith(`${ep.name}-`) || !name.endsWith('*')) return false;
  const middle = name.slice(ep.name.length + 1, -1);
  if (ep.kind === 'Deployment') return /^[a-z0-9]+-$/.test(middle);
  if (ep.kind === 'CronJob') return /^[0-9]+-$/.test(middle);
  return middle === '';
}

/** Resolves the ends of flow records against one cluster, remembering what it resolved. */
export class EndResolver {
  private readonly memo = new Map<string, ObservedEnd>();
  private readonly namespaces: ReadonlySet<string>;

  constructor(private readonly cluster: Cluster) {
    this.namespaces = new Set(cluster.catalog.knownNamespaces().map((n) => n.name));
  }

  /** True when the manifests declare the namespace or hold an endpoint in it: their policies may apply to any pod there. */
  inScope(end: ObservedEnd): boolean {
    return end.kind === 'workload' && (end.known || this.namespaces.has(end.namespace));
  }

  resolve(end: FlowEnd): ObservedEnd {
    const key = JSON.stringify([end.type ?? '', end.namespace ?? '', end.name, end.labels]);
    let found = this.memo.get(key);
    if (!found) {
      found = this.place(end);
      this.memo.set(key, found);
    }
    return found;
  }

  private place(end: FlowEnd): ObservedEnd {
    const { catalog } = this.cluster;
    if (end.type === 'Network')
      return {
        kind: 'network',
        label: end.name,
        network: end.name as 'pub' | 'pvt',
        addresses: networkAddresses(end.name as 'pub' | 'pvt', catalog.networkSets),
      };
    const setId = end.namespace === undefined ? end.name : `${end.namespace}/${end.name}`;
    const set = end.type === undefined || end.type === 'NetworkSet' ? catalog.networkSets.find((s) => s.kind !== 'HostEndpoint' && s.id === setId) : undefined;
    if (set) return { kind: 'network-set', label: set.id, set, addresses: set.nets };
    if (end.type === 'NetworkSet')
      return {
        kind: 'unknown',
        label: setId,
        why: `network set ${setId} is not among the manifests (add its manifest with --manifests to compare it)`,
        addresses: EVERYTHING,
      };
    if (end.type === 'HostEndpoint')
      return { kind: 'unknown', label: `host ${end.name}`, why: 'a host endpoint: its addresses are not among the manifests', addresses: EVERYTHING };
    if (end.namespace === undefined)
      return {
        kind: 'unknown',
        label: end.name,
        why: `"${end.name}" has no namespace and is no network set of the manifests: a host, or a global network set they do not hold`,
        addresses: EVERYTHING,
      };
    return this.workload(end.namespace, end.name, end.labels);
  }

  /** The known endpoint a flow's pod name stands for in its namespace (the longest workload name that fits), or a representative pod with the flow's labels. */
  private workload(namespace: string, name: string, labels: Readonly<Record<string, string>>): ObservedEnd {
    const { catalog } = this.cluster;
    const known = catalog
      .candidates([namespace], undefined)
      .filter((ep) => namesWorkload(ep, name))
      .sort((a, b) => b.name.length - a.name.length)[0];
    if (known) return { kind: 'workload', label: known.id, namespace, endpoint: known, known: true, labels };
    const phantom = catalog.phantom(catalog.namespace(namespace), new Map(Object.entries(labels)));
    return { kind: 'workload', label: `${namespace}/${name}`, namespace, endpoint: phantom, known: false, labels };
  }
}
