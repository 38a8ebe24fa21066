/**
 * `networking.k8s.io/v1` NetworkPolicy, exactly as the API reference defines it
 * (https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/).
 *
 * - `policyTypes` absent: Ingress, plus Egress when `egress` has at least one rule.
 * - `podSelector: {}` (or absent) selects every pod of the policy's namespace.
 * - A rule with `from`/`to` absent or empty matches every peer, including addresses outside
 *   the cluster; with `ports` absent or empty, every port and protocol.
 * - In one peer, namespaceSelector AND podSelector; separate peers OR. podSelector alone means
 *   the policy's namespace, namespaceSelector alone every pod of the selected namespaces.
 * - ipBlock matches addresses in `cidr` and not in `except`; pods only when the network plugin
 *   matches them by IP (an option, true for Calico), and pod templates never (no IP).
 * - Named ports resolve on the destination pod's container ports, with the same protocol;
 *   `endPort` widens `port` to a range; protocol defaults to TCP.
 *
 * StagedKubernetesNetworkPolicy (Calico) has the same spec and is read the same way.
 */

import { kubernetesRuleDescriptions } from './descriptions';
import { cidrRange, IpRange, parseCidrLenient, rangeContainsIp } from '../net';
import { ANY_VALUE, crossWitnesses, LabelHint, LabelMatcher, LabelMap } from './labels';
import { Catalog } from './catalog';
import { Endpoint, NetworkSet, PacketEnd } from './endpoints';
import { Fields, Manifest } from './manifests';
import { inRange, PortRange, PortValue, describePorts } from './ports';
import { isProtocol, Protocol, labelKeyProblem, labelValueProblem, isPortName, protocolsText } from '../k8s';
import { CompiledRule, DEFAULT_TIER, Direction, KUBERNETES_POLICY_ORDER, Policy, PolicyKind, Reach, Side, stagedActionOf } from './policy';

type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

/** A Kubernetes LabelSelector (matchLabels and matchExpressions, all ANDed). */
export class KubeSelector implements LabelMatcher {
  readonly hint?: LabelHint;
  readonly key: string;

  constructor(private readonly requirements: readonly Requirement[]) {
    this.key = JSON.stringify(requirements);
    const pinned = requirements.find((r) => r.operator === 'In');
    this.hint = pinned && { key: pinned.key, values: pinned.values };
  }

  /** True when the selector is `{}`: it matches everything. */
  get empty(): boolean {
    return this.requirements.length === 0;
  }

  test(labels: LabelMap): boolean {
    return this.requirements.every((r) => {
      const v = labels.get(r.key);
      switch (r.operator) {
        case 'In':
          return v !== undefined && r.values.includes(v);
        case 'NotIn':
          return v === undefined || !r.values.includes(v);
        case 'Exists':
          return v !== undefined;
        case 'DoesNotExist':
          return v === undefined;
      }
    });
  }

  witnesses(): LabelMap[] {
    const lists = this.requirements.map((r): LabelMap[] => {
      if (r.operator === 'In') return r.values.map((v) => new Map([[r.key, v]]));
      if (r.operator === 'Exists') return [new Map([[r.key, ANY_VALUE]])];
      return [new Map()];
    });
    return crossWitnesses(lists).filter((l) => this.test(l));
  }

  toString(): string {
    if (this.empty) return '{}';
    return this.requirements
      .map((r) => {
        if (r.operator === 'Exists') return r.key;
        if (r.operator === 'DoesNotExist') return `!${r.key}`;
        if (r.operator === 'In' && r.values.length === 1) return `${r.key}=${r.values[0]}`;
        return `${r.key} ${r.operator === 'In' ? 'in' : 'notin'} (${r.values.join(',')})`;
      })
      .join(',');
  }
}

/** Reads a LabelSelector; absent is undefined (callers decide what absence means). */
export function readLabelSelector(value: unknown, field: string, f: Fields, catalog?: Catalog): KubeSelector | undefined {
  const sel = f.record(value, field);
  if (!sel) return undefined;
  const requirements: Requirement[] = [];
  const matchLabels = f.record(sel.matchLabels, `${field}.matchLabels`) ?? {};
  // The API server validates selectors as it validates labels (apimachinery
  // ValidateLabelSelector): keys are qualified names, values valid label values.
  for (const [key, v] of Object.entries(matchLabels)) {
    if (typeof v !== 'string') f.fail(`${field}.matchLabels.${key}`, `must be a string, not ${JSON.stringify(v)}`);
    const problem = labelKeyProblem(key) ?? labelValueProblem(v);
    if (problem) f.fail(`${field}.matchLabels.${key}`, `${labelKeyProblem(key) ? 'the key' : `the value ${JSON.stringify(v)}`} ${problem}`);
    requirements.push({ key, operator: 'In', values: [v] });
  }
  (f.list(sel.matchExpressions, `${field}.matchExpressions`) ?? []).forEach((raw, i) => {
    const at = `${field}.matchExpressions[${i}]`;
    const e = f.record(raw, at) ?? f.fail(at, 'must be an object');
    const key = f.string(e.key, `${at}.key`) ?? f.fail(`${at}.key`, 'is missing');
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) f.fail(`${at}.key`, `${JSON.stringify(key)} ${keyProblem}`);
    const operator = f.string(e.operator, `${at}.operator`);
    if (operator !== 'In' && operator !== 'NotIn' && operator !== 'Exists' && operator !== 'DoesNotExist') {
      f.fail(`${at}.operator`, `must be In, NotIn, Exists or DoesNotExist, not ${JSON.stringify(operator)}`);
    }
    const values = (f.list(e.values, `${at}.values`) ?? []).map((v, j) => {
      const value = f.string(v, `${at}.values[${j}]`) ?? f.fail(`${at}.values[${j}]`, 'must be a string');
      const problem = labelValueProblem(value);
      if (problem) f.fail(`${at}.values[${j}]`, `${JSON.stringify(value)} ${problem}`);
      return value;
    });
    if ((operator === 'In' || operator === 'NotIn') && values.length === 0) f.fail(`${at}.values`, `must not be empty for ${operator}`);
    if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) f.fail(`${at}.values`, `must be empty for ${operator}`);
    requirements.push({ key, operator, values });
  });
  const selector = new KubeSelector(requirements);
  // Immutable: the many peers that write one selector (a namespace by name, an app's labels) share it, once per cluster.
  return catalog ? catalog.remember(`kubernetes-selector\u0000${selector.key}`, () => selector) : selector;
}

type Peer =
  | { readonly kind: 'pods'; readonly namespaces?: KubeSelector; readonly pods?: KubeSelector }
  | { readonly kind: 'ipBlock'; readonly text: string; readonly cidr: IpRange; readonly except: readonly { readonly text: string; readonly range: IpRange }[] };

interface KubePort {
  readonly protocol: Protocol;
  readonly range?: PortRange;
  readonly name?: string;
}

/**
 * Reads a CIDR the way the API server accepts it in an ipBlock: a mask is required, host bits are
 * tolerated. `range` is what it matches (an IPv4-mapped IPv6 block, the IPv4 block it maps);
 * `maskBits` the mask's length as written (Go's `IPNet.Mask.Size()`: 104 for
 * `::ffff:10.0.0.0/104`, whose mask stays 128 bits long), which ValidateIPBlock compares.
 */
export function readCidr(value: unknown, field: string, f: Fields): { text: string; range: IpRange; maskBits: number } {
  const text = f.string(value, field) ?? f.fail(field, 'is missing');
  const parsed = text.includes('/') ? parseCidrLenient(text) : undefined;
  if (!parsed) f.fail(field, `${JSON.stringify(text)} is not a CIDR (expected e.g. 203.0.113.0/24 or 2001:db8::/32)`);
  return { text, range: cidrRange(parsed), maskBits: Number(text.slice(text.indexOf('/') + 1)) };
}

/**
 * ValidateIPBlock's test of an except (kubernetes pkg/apis/networking/validation/validation.go):
 * `!cidrIPNet.Contains(exceptCIDR.IP) || cidrMaskLen >= exceptMaskLen` refuses it, "must be a
 * strict subset of `cidr`". Contains reads both ends as IPv4 where they map IPv4 (Go's
 * net.IPNet.Contains, networkNumberAndMask), but the mask lengths are compared as written, so a
 * plain IPv4 except (at most /32) is never inside `::ffff:10.0.0.0/104`, and the whole of
 * `10.0.0.0/8` written `::ffff:10.0.0.0/104` is an except of `10.0.0.0/8` (it then matches nothing).
 */
function isStrictSubset(cidr: { range: IpRange; maskBits: number }, except: { range: IpRange; maskBits: number }): boolean {
  const inside = except.range.version === cidr.range.version && cidr.range.first <= except.range.first && except.range.first <= cidr.range.last;
  return inside && cidr.maskBits < except.maskBits;
}

function readPeer(raw: unknown, field: string, f: Fields, catalog: Catalog): Peer {
  const p = f.record(raw, field) ?? f.fail(field, 'must be an object');
  const namespaces = readLabelSelector(p.namespaceSelector, `${field}.namespaceSelector`, f, catalog);
  const pods = readLabelSelector(p.podSelector, `${field}.podSelector`, f, catalog);
  const block = f.record(p.ipBlock, `${field}.ipBlock`);
  if (block) {
    if (namespaces || pods) f.fail(field, 'ipBlock cannot be combined with podSelector or namespaceSelector');
    const cidr = readCidr(block.cidr, `${field}.ipBlock.cidr`, f);
    const except = (f.list(block.except, `${field}.ipBlock.except`) ?? []).map((e, i) => {
      const at = `${field}.ipBlock.except[${i}]`;
      const x = readCidr(e, at, f);
      if (!isStrictSubset(cidr, x)) f.fail(at, `${JSON.stringify(x.text)} is not a strict subset of the ipBlock's cidr ${cidr.text}`);
      return { text: x.text, range: x.range };
    });
    return { kind: 'ipBlock', text: cidr.text, cidr: cidr.range, except };
  }
  if (!namespaces && !pods) f.fail(field, 'a peer needs podSelector, namespaceSelector or ipBlock');
  return { kind: 'pods', namespaces, pods };
}

function readPort(raw: unknown, field: string, f: Fields): KubePort {
  const p = f.record(raw, field) ?? f.fail(field, 'must be an object');
  const protocol = f.string(p.protocol, `${field}.protocol`) ?? 'TCP';
  if (!isProtocol(protocol)) f.fail(`${field}.protocol`, `must be ${protocolsText()}, not ${JSON.stringify(protocol)}`);
  const port = p.port;
  const endPort = f.number(p.endPort, `${field}.endPort`);
  if (port === undefined || port === null) {
    if (endPort !== undefined) f.fail(`${field}.endPort`, 'needs a numeric port');
    return { protocol };
  }
  // port is an IntOrString: written as text it is a name, even when it is all digits, and a name
  // needs a letter (networking/validation ValidateNetworkPolicyPort: a string port is validated
  // by IsValidPortName only), so the API server refuses "443" as it refuses any bad name.
  if (typeof port === 'string') {
    if (!isPortName(port))
      f.fail(`${field}.port`, `${JSON.stringify(port)} is neither a port number nor a valid port name (a port number is written without quotes)`);
    if (endPort !== undefined) f.fail(`${field}.endPort`, 'cannot be used with a named port');
    return { protocol, name: port };
  }
  const from = typeof port === 'number' ? port : NaN;
  if (!Number.isInteger(from) || from < 1 || from > 65535) f.fail(`${field}.port`, `must be 1-65535 or a port name, not ${JSON.stringify(port)}`);
  if (endPort !== undefined && (!Number.isInteger(endPort) || endPort < from || endPort > 65535)) {
    f.fail(`${field}.endPort`, `must be between port (${from}) and 65535, not ${endPort}`);
  }
  return { protocol, range: { from, to: endPort ?? from } };
}

function describePeer(peer: Peer, namespace: string): string {
  if (peer.kind === 'ipBlock') {
    return `ipBlock ${peer.text}${peer.except.length ? ` except ${peer.except.map((e) => e.text).join(', ')}` : ''}`;
  }
  const ns = peer.namespaces ? (peer.namespaces.empty ? 'all namespaces' : `namespaces ${peer.namespaces.toString()}`) : `namespace ${namespace}`;
  return `${ns}, pods ${peer.pods && !peer.pods.empty ? peer.pods.toString() : 'all'}`;
}

function describePort(p: KubePort): string {
  return `${p.protocol} ${p.name ?? (p.range ? describePorts(p.range) : 'any port')}`;
}

/** A rule of a Kubernetes NetworkPolicy: Allow, when a peer and a port match. */
class KubeRule implements CompiledRule {
  readonly action = 'Allow' as const;
  readonly matchesEverything: boolean;
  readonly ports: readonly PortRange[];
  readonly portNames: readonly string[];
  /** The side the peers are on: destination for egress rules, source for ingress rules. */
  private readonly remote: Side;
  private readonly remoteNets: readonly IpRange[];
  private remoteReach?: Reach;
  private remotePhantoms?: Endpoint[];

  constructor(
    readonly index: number,
    readonly direction: Direction,
    private readonly peers: readonly Peer[],
    private readonly servicePorts: readonly KubePort[],
    private readonly namespace: string,
    private readonly catalog: Catalog,
    readonly description?: string,
  ) {
    this.remote = direction === 'egress' ? 'destination' : 'source';
    this.remoteNets = peers.flatMap((p) => (p.kind === 'ipBlock' ? [p.cidr, ...p.except.map((e) => e.range)] : []));
    this.matchesEverything = peers.length === 0 && servicePorts.length === 0;
    this.ports = servicePorts.flatMap((p) => (p.range ? [p.range] : []));
    this.portNames = servicePorts.flatMap((p) => (p.name ? [p.name] : []));
  }

  matchesSource(source: PacketEnd): boolean {
    return this.direction === 'egress' || this.matchesPeers(source);
  }

  matchesDestination(destination: PacketEnd): boolean {
    return this.direction === 'ingress' || this.matchesPeers(destination);
  }

  matchesService(protocol: Protocol, port: PortValue, destination: PacketEnd): boolean {
    if (this.servicePorts.length === 0) return true;
    return this.servicePorts.some((p) => {
      if (p.protocol !== protocol) return false;
      if (p.range) return inRange(p.range, port);
      if (p.name === undefined) return true;
      if (typeof port !== 'number') return port.name === p.name;
      return destination.kind === 'endpoint' && destination.endpoint.ports.some((c) => c.name === p.name && c.protocol === protocol && c.port === port);
    });
  }

  reach(side: Side): Reach {
    if (side !== this.remote) return { kind: 'uniform' };
    this.remoteReach ??= this.computeReach();
    return this.remoteReach;
  }

  nets(side: Side): readonly IpRange[] {
    return side === this.remote ? this.remoteNets : [];
  }

  sets(): readonly NetworkSet[] {
    return [];
  }

  phantoms(side: Side): readonly Endpoint[] {
    if (side !== this.remote) return [];
    this.remotePhantoms ??= this.peers.flatMap((peer) => {
      if (peer.kind !== 'pods') return [];
      const namespaces = peer.namespaces ? this.catalog.namespacesFor(peer.namespaces, false) : [this.catalog.namespace(this.namespace)];
      const witnesses = peer.pods ? peer.pods.witnesses() : [new Map()];
      return namespaces.flatMap((ns) => witnesses.map((w) => this.catalog.phantom(ns, w))).filter((ep) => this.peerMatches(peer, this.catalog.packetEnd(ep)));
    });
    return this.remotePhantoms;
  }

  describe(): string {
    const side = this.direction === 'egress' ? 'to' : 'from';
    const peers = this.peers.length === 0 ? `${side} anywhere` : `${side} ${this.peers.map((p) => describePeer(p, this.namespace)).join('; or ')}`;
    const ports = this.servicePorts.length === 0 ? 'any port' : this.servicePorts.map(describePort).join(', ');
    return `Allow ${ports} ${peers}`;
  }

  private computeReach(): Reach {
    if (this.peers.length === 0) return this.portNames.length > 0 ? { kind: 'some', candidates: this.catalog.endpoints } : { kind: 'uniform' };
    const found = new Set<Endpoint>();
    for (const peer of this.peers) {
      const candidates =
        peer.kind === 'ipBlock'
          ? this.catalog.endpointsWithIps()
          : this.catalog.candidates(peer.namespaces ? this.namespacesOf(peer.namespaces) : [this.namespace], peer.pods?.hint);
      for (const ep of candidates) found.add(ep);
    }
    return found.size === 0 ? { kind: 'none' } : { kind: 'some', candidates: [...found] };
  }

  private namespacesOf(selector: KubeSelector): string[] {
    return this.catalog.namespacesMatching(`kubernetes\u0000${selector.key}`, selector.hint, (ns) => selector.test(ns.labels)).map((ns) => ns.name);
  }

  private matchesPeers(e: PacketEnd): boolean {
    return this.peers.length === 0 || this.peers.some((p) => this.peerMatches(p, e));
  }

  private peerMatches(peer: Peer, e: PacketEnd): boolean {
    if (peer.kind === 'ipBlock') {
      return e.ips.some((ip) => rangeContainsIp(peer.cidr, ip) && !peer.except.some((x) => rangeContainsIp(x.range, ip)));
    }
    if (e.kind !== 'endpoint') return false;
    const ep = e.endpoint;
    const inNamespace = peer.namespaces ? peer.namespaces.test(ep.namespace.labels) : ep.namespace.name === this.namespace;
    return inNamespace && (peer.pods === undefined || peer.pods.test(ep.labels));
  }
}

/** Compiles a Kubernetes NetworkPolicy (or Calico StagedKubernetesNetworkPolicy) into a policy of the default tier. */
export function compileKubernetesPolicy(m: Manifest, kind: PolicyKind, catalog: Catalog): Policy {
  const { metadata } = m.object;
  const namespace = metadata.namespace ?? 'default';
  const f = new Fields(m.source, { kind: m.object.kind, namespace, name: metadata.name });
  const spec = f.record(m.object.spec, 'spec') ?? {};
  const podSelector = readLabelSelector(spec.podSelector, 'spec.podSelector', f) ?? new KubeSelector([]);
  const describe = kubernetesRuleDescriptions(metadata.annotations);
  const readRules = (direction: Direction): CompiledRule[] => {
    const key = direction;
    const peerKey = direction === 'egress' ? 'to' : 'from';
    return (f.list(spec[key], `spec.${key}`) ?? []).map((raw, i) => {
      const at = `spec.${key}[${i}]`;
      const r = f.record(raw, at) ?? {};
      const peers = (f.list(r[peerKey], `${at}.${peerKey}`) ?? []).map((p, j) => readPeer(p, `${at}.${peerKey}[${j}]`, f, catalog));
      const ports = (f.list(r.ports, `${at}.ports`) ?? []).map((p, j) => readPort(p, `${at}.ports[${j}]`, f));
      return new KubeRule(i, direction, peers, ports, namespace, catalog, describe(direction, i));
    });
  };
  const rules = { ingress: readRules('ingress'), egress: readRules('egress') };
  const declared = f.list(spec.policyTypes, 'spec.policyTypes');
  declared?.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') f.fail(`spec.policyTypes[${i}]`, `must be Ingress or Egress, not ${JSON.stringify(t)}`);
  });
  // An empty list is absent: the API server defaults policyTypes when `len(PolicyTypes) == 0`
  // (pkg/apis/networking/v1/defaults.go, SetDefaults_NetworkPolicy).
  const types =
    declared && declared.length > 0
      ? { ingress: declared.includes('Ingress'), egress: declared.includes('Egress') }
      : { ingress: true, egress: rules.egress.length > 0 };
  return {
    ref: { kind, namespace, name: metadata.name, tier: DEFAULT_TIER.name },
    order: KUBERNETES_POLICY_ORDER,
    sortName: `${namespace}/knp.default.${metadata.name}`,
    staged: kind !== 'KubernetesNetworkPolicy',
    ...(kind === 'KubernetesNetworkPolicy' ? {} : { stagedAction: stagedActionOf(spec.stagedAction) }),
    types,
    rules,
    hint: { namespace, label: podSelector.hint },
    source: m.source,
    selects: kubernetesSelection(namespace, podSelector),
  };
}

/** Which pods a Kubernetes policy applies to; apart, so that the closure keeps only these values (not the parsed manifest). */
function kubernetesSelection(namespace: string, podSelector: KubeSelector): (ep: Endpoint) => boolean {
  return (ep) => ep.namespace.name === namespace && podSelector.test(ep.labels);
}
