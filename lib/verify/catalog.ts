/**
 * The known namespaces, endpoints, service accounts and network sets, indexed for the look-ups
 * policies make, plus the representative pods the verifier synthesizes for classes of pods that
 * policies name but the manifests do not hold.
 */

import { IpAddress, IpVersion, partitionFamily } from '../net';
import { Endpoint, ipVersionsOf, PacketEnd, makeEndpoint, makeNamespace, Namespace, NetworkSet, serviceAccountLabels } from './endpoints';
import { LabelHint, LabelMatcher, LabelMap, labelsKey } from './labels';
import { CALICO_LABEL, NAMESPACE_NAME_LABEL, CALICO_LABEL_PREFIX, CALICO_PROFILE } from '../k8s';
import type { CalicoVersion } from './calico-version';

/** Choices that depend on the cluster's network plugin. */
export interface VerifyOptions {
  /**
   * Whether ipBlock (Kubernetes) and nets (Calico) match pods by their IP, as Calico does.
   * @default true
   */
  readonly ipblockMatchesPods?: boolean;
  /**
   * The Calico release the cluster runs, when declared: which kinds of the network-policy-api it
   * enforces, in which tiers (admin-tiers.ts). Undeclared, every kind is read as its API specifies.
   * @default undeclared
   */
  readonly calico?: CalicoVersion;
}

/** Name of the namespace of a representative pod whose namespace is "any that matches". */
export const ANY_NAMESPACE = '*';

const EMPTY: LabelMap = new Map();

/** Everything policies select from, indexed. */
export class Catalog {
  /** Whether ipBlock/nets match pods by IP. */
  readonly ipblockMatchesPods: boolean;
  /** Known endpoints, sorted by id. */
  readonly endpoints: readonly Endpoint[];
  readonly networkSets: readonly NetworkSet[];
  private readonly namespaceMap: Map<string, Namespace>;
  private readonly serviceAccounts: ReadonlyMap<string, LabelMap>;
  private readonly byNamespace = new Map<string, Endpoint[]>();
  private readonly byLabel = new Map<string, Endpoint[]>();
  private readonly withIps: Endpoint[] = [];
  private readonly entities: Record<IpVersion, Map<Endpoint, PacketEnd>> = { 4: new Map(), 6: new Map() };
  private readonly declared: readonly Namespace[];
  private known?: readonly Namespace[];
  private knownByName?: ReadonlyMap<string, Namespace>;
  private setIndex?: Record<IpVersion, SetIndex>;
  private readonly phantoms = new Map<string, Endpoint>();
  private readonly memo = new Map<string, unknown>();

  constructor(init: {
    readonly options: VerifyOptions;
    readonly namespaces: ReadonlyMap<string, LabelMap>;
    readonly serviceAccounts: ReadonlyMap<string, LabelMap>;
    readonly endpoints: (catalog: Catalog) => Endpoint[];
    readonly networkSets: (catalog: Catalog) => NetworkSet[];
  }) {
    this.ipblockMatchesPods = init.options.ipblockMatchesPods ?? true;
    this.namespaceMap = new Map([...init.namespaces].map(([name, labels]) => [name, makeNamespace(name, labels)]));
    this.declared = [...this.namespaceMap.values()];
    this.serviceAccounts = init.serviceAccounts;
    this.endpoints = init.endpoints(this).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.networkSets = init.networkSets(this);
    for (const ep of this.endpoints) {
      push(this.byNamespace, ep.namespace.name, ep);
      const keys = new Set<string>();
      for (const labels of [ep.labels, ep.calicoLabels]) for (const [k, v] of labels) keys.add(labelIndexKey(k, v));
      for (const key of keys) push(this.byLabel, key, ep);
      if (ep.ips.length > 0) this.withIps.push(ep);
    }
  }

  /** A namespace by name: the declared one, or one assumed to exist with only its name label. */
  namespace(name: string): Namespace {
    let ns = this.namespaceMap.get(name);
    if (!ns) {
      ns = makeNamespace(name, undefined);
      this.namespaceMap.set(name, ns);
    }
    return ns;
  }

  /** Namespaces the manifests declare or hold endpoints in. */
  knownNamespaces(): readonly Namespace[] {
    this.known ??= [...new Set([...this.declared, ...this.endpoints.map((ep) => ep.namespace)])].sort((a, b) => (a.name < b.name ? -1 : 1));
    return this.known;
  }

  /**
   * The known namespaces a namespace selector matches, remembered by `key` (what identifies the
   * selector and how it is read), so that the many rules naming the same namespaces ask once.
   * When the selector pins the namespace's name (a hint on its name label), only those
   * namespaces are tested.
   */
  namespacesMatching(key: string, hint: LabelHint | undefined, test: (ns: Namespace) => boolean): readonly Namespace[] {
    return this.remember(`namespaces\u0000${key}`, () => {
      let candidates = this.knownNamespaces();
      if (hint && (hint.key === NAMESPACE_NAME_LABEL || hint.key === CALICO_LABEL.name)) {
        this.knownByName ??= new Map(candidates.map((ns) => [ns.name, ns]));
        const byName = this.knownByName;
        candidates = hint.values.flatMap((name) => byName.get(name) ?? []);
      }
      return candidates.filter(test);
    });
  }

  /**
   * A value computed once per key for this catalog: what many rules would otherwise compute
   * alike (the network sets a selector matches, the namespaces it picks). The key must identify
   * everything the value depends on besides the catalog.
   */
  remember<T>(key: string, make: () => T): T {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = make();
    this.memo.set(key, value);
    return value;
  }

  /** A service account's labels as Calico sees them. */
  serviceAccountLabels(namespace: string, name: string): LabelMap {
    return serviceAccountLabels(name, this.serviceAccounts.get(`${namespace}/${name}`));
  }

  /** Known endpoints that may match: those in the namespaces and carrying the hinted label. */
  candidates(namespaces: readonly string[] | undefined, hint: LabelHint | undefined): readonly Endpoint[] {
    const byNs = namespaces && namespaces.flatMap((n) => this.byNamespace.get(n) ?? []);
    const byLabel = hint && hint.values.flatMap((v) => this.byLabel.get(labelIndexKey(hint.key, v)) ?? []);
    if (byNs && byLabel) {
      const inNs = new Set(namespaces);
      return byLabel.filter((ep) => inNs.has(ep.namespace.name));
    }
    return byLabel ?? byNs ?? this.endpoints;
  }

  /** Known endpoints that have a pod IP. */
  endpointsWithIps(): readonly Endpoint[] {
    return this.withIps;
  }

  /**
   * An endpoint as one end of a packet of one IP version (by default its first): its addresses of
   * that version, or an unknown one when the manifests say none (see PacketEnd).
   */
  packetEnd(endpoint: Endpoint, family: IpVersion = ipVersionsOf(endpoint)[0]): PacketEnd {
    const known = this.entities[family];
    let e = known.get(endpoint);
    if (!e) {
      const ips = this.ipblockMatchesPods ? endpoint.ips.filter((ip) => ip.version === family) : [];
      const unknown = this.ipblockMatchesPods && endpoint.ips.length === 0;
      e = { kind: 'endpoint', endpoint, family, ips, unknown, sets: this.setsContaining(ips) };
      known.set(endpoint, e);
    }
    return e;
  }

  /** An address outside the known endpoints as one end of a packet. */
  external(ip: IpAddress): PacketEnd {
    const ips = [ip] as const;
    return { kind: 'external', ip, family: ip.version, ips, sets: this.setsContaining(ips) };
  }

  /** The endpoint whose pod IP this is, if any. */
  endpointWithIp(ip: IpAddress): Endpoint | undefined {
    return this.withIps.find((ep) => ep.ips.some((a) => a.version === ip.version && a.value === ip.value));
  }

  private setsContaining(ips: readonly IpAddress[]): readonly NetworkSet[] {
    if (ips.length === 0 || this.networkSets.length === 0) return [];
    this.setIndex ??= { 4: indexSets(this.networkSets, 4), 6: indexSets(this.networkSets, 6) };
    const found = ips.flatMap((ip) => {
      const { starts, sets } = this.setIndex![ip.version];
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= ip.value) lo = mid;
        else hi = mid - 1;
      }
      return sets[lo];
    });
    return ips.length === 1 ? found : [...new Set(found)];
  }

  /**
   * Namespaces to place representative pods in for a namespace selector: the one a name label
   * pins, else one "any namespace" when the selector matches every namespace, else the known
   * namespaces that match, else an "any namespace" carrying the labels the selector asks for.
   */
  namespacesFor(selector: LabelMatcher, calico: boolean): Namespace[] {
    const labelsOf = (ns: Namespace): LabelMap => (calico ? ns.calicoLabels : ns.labels);
    const witnesses = selector.witnesses();
    const named = witnesses
      .map((w) => w.get(NAMESPACE_NAME_LABEL) ?? w.get(CALICO_LABEL.name))
      .filter((n): n is string => n !== undefined)
      .map((n) => this.namespace(n))
      .filter((ns) => selector.test(labelsOf(ns)));
    if (named.length > 0) return unique(named);
    if (witnesses.some((w) => w.size === 0)) return [this.anyNamespace(EMPTY)];
    const known = this.namespacesMatching(`${calico ? 'calico' : 'kubernetes'}\u0000${selector.key}`, selector.hint, (ns) => selector.test(labelsOf(ns)));
    if (known.length > 0) return [...known];
    return witnesses.slice(0, 1).map((w) => this.anyNamespace(w));
  }

  /** A stand-in for "any namespace with these labels". */
  anyNamespace(labels: LabelMap): Namespace {
    const key = `${ANY_NAMESPACE}${labelsKey(labels)}`;
    let ns = this.namespaceMap.get(key);
    if (!ns) {
      const own = makeNamespace(ANY_NAMESPACE, labels);
      ns = { ...own, declared: false };
      this.namespaceMap.set(key, ns);
    }
    return ns;
  }

  /** A representative pod: no IP, no container ports, the labels a selector asks for. One object per namespace, labels and service account. */
  phantom(namespace: Namespace, witness: LabelMap, serviceAccount = 'default'): Endpoint {
    const labels = new Map([...witness].filter(([k]) => !isCalicoAdded(k)));
    const key = `${namespace.name}\u0000${labelsKey(namespace.labels)}\u0000${labelsKey(labels)}\u0000${serviceAccount}`;
    const known = this.phantoms.get(key);
    if (known) return known;
    const ep = makeEndpoint({
      name: `~${labelsKey(labels)}`,
      kind: 'Phantom',
      namespace,
      labels,
      serviceAccount,
      serviceAccountLabels: namespace.name === ANY_NAMESPACE ? serviceAccountLabels(serviceAccount) : this.serviceAccountLabels(namespace.name, serviceAccount),
      ips: [],
      ports: [],
    });
    this.phantoms.set(key, ep);
    return ep;
  }
}

/** The address space of one family cut where network sets begin and end, with the sets holding each piece. */
interface SetIndex {
  readonly starts: readonly bigint[];
  readonly sets: readonly (readonly NetworkSet[])[];
}

function indexSets(networkSets: readonly NetworkSet[], version: IpVersion): SetIndex {
  const pieces = partitionFamily(
    version,
    networkSets.flatMap((s) => s.nets),
  );
  const sets = pieces.map((p) => networkSets.filter((s) => s.nets.some((r) => r.version === version && r.first <= p.first && p.first <= r.last)));
  return { starts: pieces.map((p) => p.first), sets };
}

/** True for label keys that Calico derives rather than a pod declaring them. */
function isCalicoAdded(key: string): boolean {
  return key.startsWith(CALICO_LABEL_PREFIX) || key.startsWith(CALICO_PROFILE.namespaceLabelPrefix) || key.startsWith(CALICO_PROFILE.serviceAccountLabelPrefix);
}

function labelIndexKey(key: string, value: string): string {
  return `${key}\u0000${value}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function unique<T>(list: readonly T[]): T[] {
  return [...new Set(list)];
}
