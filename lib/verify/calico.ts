/**
 * Calico `projectcalico.org/v3` Tier, NetworkPolicy, GlobalNetworkPolicy, their Staged forms,
 * NetworkSet and GlobalNetworkSet (https://docs.tigera.io/calico/latest/reference/resources/).
 *
 * A rule side (source or destination) matches when every field it sets matches. Its selector
 * fields combine as libcalico-go combines them: `selector`, `serviceAccounts` and the namespace
 * scope are ANDed into one positive selector; in a namespaced NetworkPolicy the scope is the
 * policy's namespace unless `namespaceSelector` says otherwise, and `namespaceSelector: global()`
 * limits it to non-namespaced network sets. `notSelector` is not scoped. A selector matches an
 * endpoint by its labels, or any address inside a network set whose labels it matches.
 *
 * A connection is modelled by its destination port. Its source port is the client's choice: a
 * client binds any port from 1 to 65535 before it connects (bind(2); a container keeps
 * CAP_NET_BIND_SERVICE by default), so a rule whose `source.ports` or `source.notPorts` admit some
 * such port matches for the client that picks it, and a Deny or Pass that some port escapes does
 * not stop the client that picks that one (sourcePortMatch). `http` match criteria (application
 * layer policy) are not modelled: such a rule matches every request.
 */

import { calicoRuleDescription } from './descriptions';
import { cidrRange, IpRange, IpVersion, parseCidrLenient, rangeContainsIp, unionRanges } from '../net';
import { ANY_NAMESPACE, Catalog } from './catalog';
import { Endpoint, makeNetworkSet, Namespace, NetworkSet, PacketEnd } from './endpoints';
import { LabelMap } from './labels';
import { Fields, Manifest } from './manifests';
import { canonicalProtocol, inRange, isNamedPort, PortRange, Ports, PortValue, describePorts } from './ports';
import { Protocol, isProtocol, CALICO_LABEL, isStagedPolicyKind, protocolsText, CALICO_PROFILE } from '../k8s';
import {
  bothMatch,
  CompiledRule,
  DEFAULT_TIER,
  Direction,
  Match,
  Policy,
  PolicyKind,
  Reach,
  RuleAction,
  SelectionHint,
  Side,
  stagedActionOf,
  Tier,
} from './policy';
import { Selector, SelectorSyntaxError } from './selector';

/** Reads a Tier. */
export function compileTier(m: Manifest): Tier {
  const f = new Fields(m.source, { kind: 'Tier', name: m.object.metadata.name });
  const spec = f.record(m.object.spec, 'spec') ?? {};
  const order = f.number(spec.order, 'spec.order');
  const defaultAction = f.string(spec.defaultAction, 'spec.defaultAction') ?? 'Deny';
  if (defaultAction !== 'Deny' && defaultAction !== 'Pass') f.fail('spec.defaultAction', `must be Deny or Pass, not ${JSON.stringify(defaultAction)}`);
  // A tier without order is read as 1,000,000, the default tier's: "nil order is treated similar
  // to the value of 1,000,000" (libcalico-go lib/resources/tier.go DefaultTierFields, which the
  // Kubernetes datastore applies to every Tier it reads, since 3.29), ties broken by name.
  return { name: m.object.metadata.name, order: order ?? DEFAULT_TIER.order, defaultAction: defaultAction as 'Deny' | 'Pass' };
}

interface Nets {
  readonly texts: readonly string[];
  readonly ranges: readonly IpRange[];
  /** For an address known only by its IP version: whether the blocks hold every address of the version, none, or some. */
  readonly holds: Readonly<Record<IpVersion, 'all' | 'none' | 'some'>>;
}

const LAST_ADDRESS: Readonly<Record<IpVersion, bigint>> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };

/** Whether blocks hold an address known only by its IP version: surely when they hold all of the version, surely not when none. */
function holdsUnknown(nets: Nets, version: IpVersion): Match {
  const holds = nets.holds[version];
  return holds === 'all' ? true : holds === 'none' ? false : 'maybe';
}

function holding(ranges: readonly IpRange[], version: IpVersion): 'all' | 'none' | 'some' {
  const mine = unionRanges(ranges.filter((r) => r.version === version));
  if (mine.length === 0) return 'none';
  return mine.length === 1 && mine[0].first === 0n && mine[0].last === LAST_ADDRESS[version] ? 'all' : 'some';
}

function readNets(value: unknown, field: string, f: Fields): Nets | undefined {
  const list = f.list(value, field);
  if (!list) return undefined;
  const texts = list.map((n, i) => f.string(n, `${field}[${i}]`) ?? f.fail(`${field}[${i}]`, 'must be a CIDR'));
  const ranges = texts.map((text, i) => {
    const parsed = parseCidrLenient(text);
    if (!parsed) f.fail(`${field}[${i}]`, `${JSON.stringify(text)} is not a CIDR or address (expected e.g. 203.0.113.0/24)`);
    return cidrRange(parsed);
  });
  return { texts, ranges, holds: { 4: holding(ranges, 4), 6: holding(ranges, 6) } };
}

/**
 * Reads a network set (namespaced when `namespace` is given). Calico's validator refuses the
 * label `projectcalico.org/namespace` on both kinds (libcalico-go `validator/v3/validator.go`,
 * validateNetworkSet, validateGlobalNetworkSet): Calico sets it itself on namespaced ones.
 */
export function compileNetworkSet(m: Manifest, namespace: Namespace | undefined): NetworkSet {
  const f = new Fields(m.source, { kind: m.object.kind, ...(namespace ? { namespace: namespace.name } : {}), name: m.object.metadata.name });
  const spec = f.record(m.object.spec, 'spec') ?? {};
  const nets = readNets(spec.nets, 'spec.nets', f)?.ranges ?? [];
  const labels = f.labels(m.object.metadata.labels, 'metadata.labels');
  if (labels.has(CALICO_LABEL.namespace))
    f.fail(`metadata.labels["${CALICO_LABEL.namespace}"]`, `${CALICO_LABEL.namespace} is not a valid label name (Calico sets it on namespaced network sets)`);
  return makeNetworkSet(m.object.metadata.name, namespace, labels, nets, m.source);
}

/**
 * Reads a selector. Only the empty string counts as absent: libcalico-go tests each selector field
 * with `!= ""` (`updateprocessors/rules.go` getEndpointSelector, `globalnetworkpolicyprocessor.go`),
 * so a selector of spaces is present and parses as all(): in a rule it then matches endpoints
 * only (not outside addresses), and as a namespaceSelector it means every namespace. For a
 * policy's own selector absent and all() both select everything.
 */
function readSelector(value: unknown, field: string, f: Fields, catalog: Catalog): Selector | undefined {
  const text = f.string(value, field);
  if (text === undefined || text === '') return undefined;
  try {
    // A Selector is immutable: the many rules that write one expression (a namespace's scope, a
    // peer's labels) share it, parsed once per cluster.
    return catalog.remember(`selector\u0000${text}`, () => new Selector(text));
  } catch (e) {
    if (e instanceof SelectorSyntaxError) f.fail(field, `invalid selector: ${e.message}`);
    throw e;
  }
}

function readPorts(value: unknown, field: string, f: Fields): Ports[] {
  return (f.list(value, field) ?? []).map((p, i) => {
    const at = `${field}[${i}]`;
    const text = typeof p === 'number' ? String(p) : (f.string(p, at) ?? f.fail(at, 'must be a port, a range or a name'));
    const m = /^([0-9]+)(?::([0-9]+))?$/.exec(text);
    if (m) {
      const from = Number(m[1]);
      const to = m[2] === undefined ? from : Number(m[2]);
      if (from > 65535 || to > 65535 || from > to) f.fail(at, `${JSON.stringify(p)} is not a port (0-65535) or range "low:high"`);
      return { from, to };
    }
    if (!/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(text)) f.fail(at, `${JSON.stringify(p)} is not a port, a range "low:high" or a port name`);
    return { name: text };
  });
}

function portMatches(p: Ports, protocol: Protocol, port: PortValue, destination: PacketEnd): boolean {
  if (!isNamedPort(p)) return inRange(p, port);
  if (typeof port !== 'number') return port.name === p.name;
  return destination.kind === 'endpoint' && destination.endpoint.ports.some((c) => c.name === p.name && c.protocol === protocol && c.port === port);
}

/** The source ports a client can bind to (port 0 asks the kernel for one; it is never on the wire). */
const FIRST_SOURCE_PORT = 1;
const LAST_SOURCE_PORT = 65535;

/**
 * How a rule's `source.ports` and `source.notPorts` match a connection whose client picks its own
 * source port: true when every port it can pick matches, false when none does, and otherwise true
 * for an Allow or Log (the client picks a port that matches) and `maybe` for a Deny or Pass (the
 * client picks one that does not: the Deny is not applied, the Pass is followed both ways; policy.ts,
 * decide). A port name stands for a port of the client's own endpoint, which it may bind: some
 * port matches, not every one.
 */
function sourcePortMatch(ports: readonly Ports[], notPorts: readonly Ports[], action: RuleAction): Match {
  if (ports.length === 0 && notPorts.length === 0) return true;
  const taken = new Uint8Array(LAST_SOURCE_PORT + 1);
  const mark = (list: readonly Ports[], value: number) => {
    for (const p of list) if (!isNamedPort(p)) taken.fill(value, Math.max(p.from, FIRST_SOURCE_PORT), Math.min(p.to, LAST_SOURCE_PORT) + 1);
  };
  if (ports.length === 0) taken.fill(1, FIRST_SOURCE_PORT);
  else mark(ports, 1);
  mark(notPorts, 0);
  const matching = taken.reduce((n, t) => n + t, 0);
  const named = ports.some(isNamedPort);
  const all = matching === LAST_SOURCE_PORT - FIRST_SOURCE_PORT + 1 && !notPorts.some(isNamedPort);
  if (all) return true;
  if (matching === 0 && !named) return false;
  return action === 'Deny' || action === 'Pass' ? 'maybe' : true;
}

/** What selectors test: an endpoint, or a network set or host endpoint, by its labels as Calico sees them. */
interface Selectable {
  readonly calicoLabels: LabelMap;
}

/** Where a rule side's selectors look: the policy's namespace, or the namespaces a namespaceSelector picks. */
type NamespaceScope = { readonly kind: 'namespace'; readonly name: string } | { readonly kind: 'selector'; readonly selector: Selector };

/** One side (source or destination) of a Calico rule. */
class RuleSide {
  readonly nets?: Nets;
  readonly notNets?: Nets;
  readonly selector?: Selector;
  readonly notSelector?: Selector;
  readonly scope?: NamespaceScope;
  readonly saNames?: readonly string[];
  readonly saSelector?: Selector;
  readonly ports: readonly Ports[];
  readonly notPorts: readonly Ports[];
  /** True when the fields combine into a positive selector (libcalico-go's rule). */
  readonly positive: boolean;
  private blockList?: readonly IpRange[];

  constructor(raw: unknown, field: string, f: Fields, policyNamespace: string | undefined, catalog: Catalog) {
    const e = f.record(raw, field) ?? {};
    if (e.services !== undefined && e.services !== null) f.fail(`${field}.services`, 'matching Kubernetes Services is not supported by the verifier');
    this.nets = readNets(e.nets, `${field}.nets`, f);
    this.notNets = readNets(e.notNets, `${field}.notNets`, f);
    this.selector = readSelector(e.selector, `${field}.selector`, f, catalog);
    this.notSelector = readSelector(e.notSelector, `${field}.notSelector`, f, catalog);
    const namespaceSelector = readSelector(e.namespaceSelector, `${field}.namespaceSelector`, f, catalog);
    const sa = f.record(e.serviceAccounts, `${field}.serviceAccounts`);
    if (sa) {
      const names = f.list(sa.names, `${field}.serviceAccounts.names`);
      this.saNames = names?.map(
        (n, i) => f.string(n, `${field}.serviceAccounts.names[${i}]`) ?? f.fail(`${field}.serviceAccounts.names[${i}]`, 'must be a string'),
      );
      if (this.saNames?.length === 0) this.saNames = undefined;
      this.saSelector = readSelector(sa.selector, `${field}.serviceAccounts.selector`, f, catalog);
    }
    this.ports = readPorts(e.ports, `${field}.ports`, f);
    this.notPorts = readPorts(e.notPorts, `${field}.notPorts`, f);
    if (namespaceSelector) this.scope = { kind: 'selector', selector: namespaceSelector };
    else if (policyNamespace !== undefined) this.scope = { kind: 'namespace', name: policyNamespace };
    const selects = this.selector !== undefined || this.saNames !== undefined || this.saSelector !== undefined;
    this.positive = selects || (this.scope !== undefined && (this.notSelector !== undefined || namespaceSelector !== undefined));
  }

  /**
   * True when, in a rule of this action, the side may match an unknown address differently in
   * IPv4 and IPv6 (see matches): a Pass that tests blocks (followed both ways in a version whose
   * blocks it names, not in the other), a Deny that tests `notNets` (not applied in their
   * version, applied in the other), or a Deny whose `nets` hold every address of one version. A
   * Deny of a few `nets` is not applied in either version, an Allow reads the address alike in
   * both.
   */
  decidesUnknownByVersion(action: RuleAction): boolean {
    if (action === 'Pass') return this.nets !== undefined || this.notNets !== undefined;
    if (action !== 'Deny') return false;
    return this.notNets !== undefined || (this.nets !== undefined && (this.nets.holds[4] === 'all' || this.nets.holds[6] === 'all'));
  }

  /** True when the side sets no criterion: it matches every packet. */
  get empty(): boolean {
    return !this.nets && !this.notNets && !this.positive && !this.notSelector && this.ports.length === 0 && this.notPorts.length === 0;
  }

  /**
   * The fields that say nothing about ports, for matching an entity. For an endpoint whose
   * address is unknown, `unknown` says how `nets` and `notNets` read it: as an address outside
   * every block (`outside`), or (`maybe`) as some address of the packet's IP version, which the
   * blocks hold surely only when they hold every address of it, and surely not when they hold none
   * of it.
   */
  matches(e: PacketEnd, unknown: 'outside' | 'maybe' = 'outside'): Match {
    const address = this.nets === undefined && this.notNets === undefined ? true : this.addressMatches(e, unknown);
    if (!address) return false;
    if (this.positive && !this.someMember(e, (x) => this.positiveTest(x))) return false;
    if (this.notSelector && this.someMember(e, (x) => this.notSelector!.test(x.calicoLabels))) return false;
    return address;
  }

  private addressMatches(e: PacketEnd, unknown: 'outside' | 'maybe'): Match {
    if (e.kind === 'endpoint' && e.unknown) {
      if (unknown === 'outside') return !this.nets;
      const inNets: Match = this.nets ? holdsUnknown(this.nets, e.family) : true;
      const inNotNets: Match = this.notNets ? holdsUnknown(this.notNets, e.family) : false;
      return bothMatch(inNets, inNotNets === 'maybe' ? 'maybe' : !inNotNets);
    }
    const ips = e.ips;
    if (this.nets && !ips.some((ip) => this.nets!.ranges.some((r) => rangeContainsIp(r, ip)))) return false;
    if (this.notNets && ips.some((ip) => this.notNets!.ranges.some((r) => rangeContainsIp(r, ip)))) return false;
    return true;
  }

  /** True when the packet's port fits `ports` and `notPorts`. */
  portMatches(protocol: Protocol, port: PortValue, destination: PacketEnd): boolean {
    if (this.ports.length > 0 && !this.ports.some((p) => portMatches(p, protocol, port, destination))) return false;
    return !this.notPorts.some((p) => portMatches(p, protocol, port, destination));
  }

  /** Address blocks this side tests. */
  blocks(): readonly IpRange[] {
    return (this.blockList ??= [...(this.nets?.ranges ?? []), ...(this.notNets?.ranges ?? [])]);
  }

  /** What identifies the side's selectors and their scope: sides with one key match the same endpoints and sets. */
  private selectionKey(): string {
    const scope = this.scope?.kind === 'namespace' ? `ns:${this.scope.name}` : this.scope?.kind === 'selector' ? `sel:${this.scope.selector.key}` : '';
    return JSON.stringify([
      this.positive,
      scope,
      this.selector?.key ?? null,
      this.notSelector?.key ?? null,
      this.saNames ?? null,
      this.saSelector?.key ?? null,
    ]);
  }

  /** The network sets whose labels this side's selectors can match (remembered per selection: many rules name the same allow-lists). */
  sets(catalog: Catalog): readonly NetworkSet[] {
    if (!this.positive && !this.notSelector) return [];
    return catalog.remember(`sets\u0000${this.selectionKey()}`, () =>
      catalog.networkSets.filter((s) => (this.positive && this.positiveTest(s)) || (this.notSelector?.test(s.calicoLabels) ?? false)),
    );
  }

  reach(catalog: Catalog): Reach {
    if (this.nets) {
      const withIps = catalog.endpointsWithIps();
      return withIps.length === 0 ? { kind: 'none' } : { kind: 'some', candidates: withIps };
    }
    if (this.positive) {
      let namespaces: string[] | undefined;
      if (this.scope?.kind === 'namespace') namespaces = [this.scope.name];
      else if (this.scope?.kind === 'selector') {
        const sel = this.scope.selector;
        namespaces = sel.isGlobal
          ? []
          : catalog.namespacesMatching(`calico-rule\u0000${sel.key}`, sel.hint, (ns) => sel.testNamespace(ns.calicoLabels)).map((ns) => ns.name);
      }
      const found = new Set(namespaces?.length === 0 ? [] : catalog.candidates(namespaces, this.selector?.hint));
      if (catalog.networkSets.length > 0) for (const ep of catalog.endpointsWithIps()) found.add(ep);
      return found.size === 0 ? { kind: 'none' } : { kind: 'some', candidates: [...found] };
    }
    const varies = this.notSelector !== undefined || this.notNets !== undefined || [...this.ports, ...this.notPorts].some(isNamedPort);
    return varies ? { kind: 'some', candidates: catalog.endpoints } : { kind: 'uniform' };
  }

  phantoms(catalog: Catalog): Endpoint[] {
    if (!this.positive) return [];
    const witnesses = this.selector ? this.selector.witnesses() : [new Map<string, string>()];
    const accounts = this.saNames ?? [undefined];
    return witnesses.flatMap((w) => {
      let namespaces: Namespace[];
      if (this.scope?.kind === 'namespace') namespaces = [catalog.namespace(this.scope.name)];
      else if (this.scope?.kind === 'selector') namespaces = this.scope.selector.isGlobal ? [] : catalog.namespacesFor(this.scope.selector, true);
      else {
        const pinned = w.get(CALICO_LABEL.namespace);
        const prefix = CALICO_PROFILE.namespaceLabelPrefix;
        const nsLabels = new Map([...w].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
        namespaces = [pinned !== undefined && pinned !== ANY_NAMESPACE ? catalog.namespace(pinned) : catalog.anyNamespace(nsLabels)];
      }
      return namespaces.flatMap((ns) => accounts.map((sa) => catalog.phantom(ns, w, sa ?? w.get(CALICO_LABEL.serviceAccount) ?? 'default')));
    });
  }

  describe(): string {
    const parts: string[] = [];
    if (this.nets) parts.push(`nets ${this.nets.texts.join(', ')}`);
    if (this.notNets) parts.push(`not nets ${this.notNets.texts.join(', ')}`);
    if (this.scope?.kind === 'selector') parts.push(`namespaces (${this.scope.selector.expression})`);
    if (this.selector) parts.push(`selector (${this.selector.expression})`);
    if (this.notSelector) parts.push(`not selector (${this.notSelector.expression})`);
    if (this.saNames) parts.push(`service accounts ${this.saNames.join(', ')}`);
    if (this.saSelector) parts.push(`service accounts (${this.saSelector.expression})`);
    return parts.join(', ');
  }

  private someMember(e: PacketEnd, test: (x: Selectable) => boolean): boolean {
    return (e.kind === 'endpoint' && test(e.endpoint)) || e.sets.some(test);
  }

  /**
   * The positive selector libcalico-go builds from the side's fields (`updateprocessors/rules.go`,
   * getEndpointSelector and parseServiceAccounts), evaluated as Felix evaluates it, on the item's
   * labels: the namespace scope as `projectcalico.org/namespace == '<ns>'` or the rewritten
   * namespaceSelector, service account names as `projectcalico.org/serviceaccount in {...}`, the
   * service account selector on `pcsa.` keys, and the selector itself.
   */
  private positiveTest(x: Selectable): boolean {
    const labels = x.calicoLabels;
    if (this.scope?.kind === 'namespace' && labels.get(CALICO_LABEL.namespace) !== this.scope.name) return false;
    if (this.scope?.kind === 'selector' && !this.scope.selector.testAsNamespaceSelector(labels)) return false;
    if (this.saNames) {
      const sa = labels.get(CALICO_LABEL.serviceAccount);
      if (sa === undefined || !this.saNames.includes(sa)) return false;
    }
    if (this.saSelector && !this.saSelector.testAsServiceAccountSelector(labels)) return false;
    return this.selector === undefined || this.selector.test(labels);
  }
}

const ACTIONS: readonly RuleAction[] = ['Allow', 'Deny', 'Log', 'Pass'];

/** The protocols of ICMP as canonicalProtocol writes them: by name, or by number (1, 58). */
const ICMP_PROTOCOLS: readonly string[] = ['ICMP', 'ICMPv6', '1', '58'];

/** A rule of a Calico policy. */
class CalicoRule implements CompiledRule {
  readonly action: RuleAction;
  readonly description?: string;
  readonly matchesEverything: boolean;
  readonly dependsOnIpVersion: boolean;
  readonly ports: readonly PortRange[];
  readonly portNames: readonly string[];
  /**
   * How the rule reads an address the manifests do not say (RuleSide.matches): a Deny or Pass as
   * some address of the packet's IP version, `maybe` in a block unless the block holds all of it
   * or none (then it never hides what follows it: policy.ts, decide); an Allow or Log as an address
   * outside every block it names, so that reach to pods through blocks is read as reach to the
   * blocks, which the listings show.
   */
  private readonly unknownAs: 'maybe' | 'outside';
  /** How the source port the client picks fits `source.ports` and `source.notPorts` (sourcePortMatch). */
  private readonly sourcePort: Match;
  /** True when the rule matches ICMP packets only (protocol ICMP or ICMPv6, or notICMP), none of TCP, UDP or SCTP. */
  private readonly icmpOnly: boolean;
  private readonly protocol?: string;
  private readonly notProtocol?: string;
  private readonly ipVersion?: 4 | 6;
  private readonly source: RuleSide;
  private readonly destination: RuleSide;
  private sourceReach?: Reach;
  private destinationReach?: Reach;
  private readonly sidePhantoms: Partial<Record<Side, readonly Endpoint[]>> = {};
  private readonly sideSets: Partial<Record<Side, readonly NetworkSet[]>> = {};

  constructor(
    readonly index: number,
    readonly direction: Direction,
    raw: unknown,
    field: string,
    f: Fields,
    namespace: string | undefined,
    private readonly catalog: Catalog,
  ) {
    const r = f.record(raw, field) ?? f.fail(field, 'must be an object');
    const action = f.string(r.action, `${field}.action`);
    if (!ACTIONS.includes(action as RuleAction)) f.fail(`${field}.action`, `must be Allow, Deny, Log or Pass, not ${JSON.stringify(action)}`);
    this.action = action as RuleAction;
    this.description = calicoRuleDescription(r);
    const readProtocol = (key: 'protocol' | 'notProtocol'): string | undefined => {
      if (r[key] === undefined || r[key] === null) return undefined;
      return canonicalProtocol(r[key]) ?? f.fail(`${field}.${key}`, `must be TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or 1-255, not ${JSON.stringify(r[key])}`);
    };
    this.protocol = readProtocol('protocol');
    this.notProtocol = readProtocol('notProtocol');
    const ipVersion = f.number(r.ipVersion, `${field}.ipVersion`);
    if (ipVersion !== undefined && ipVersion !== 4 && ipVersion !== 6) f.fail(`${field}.ipVersion`, 'must be 4 or 6');
    this.ipVersion = ipVersion;
    this.source = new RuleSide(r.source, `${field}.source`, f, namespace, catalog);
    this.destination = new RuleSide(r.destination, `${field}.destination`, f, namespace, catalog);
    for (const [side, key] of [
      [this.source, 'source'],
      [this.destination, 'destination'],
    ] as const) {
      if ((side.ports.length > 0 || side.notPorts.length > 0) && !isProtocol(this.protocol)) {
        f.fail(`${field}.${key}.ports`, `ports need the rule to set protocol ${protocolsText()}`);
      }
    }
    checkNetVersions(this.source, this.destination, ipVersion, field, f);
    const given = (k: string): boolean => r[k] !== undefined && r[k] !== null;
    // `icmp` needs protocol ICMP or ICMPv6: Calico's API server refuses it otherwise (projectcalico/calico
    // api/pkg/apis/projectcalico/v3/policy_common.go, the Rule's CEL rule "ICMP fields require protocol
    // to be ICMP or ICMPv6"; before 3.34, libcalico-go lib/validator/v3/validator.go validateRule,
    // "rules that specify ICMP fields must set protocol to ICMP").
    if (given('icmp') && !ICMP_PROTOCOLS.includes(this.protocol ?? ''))
      f.fail(
        `${field}.icmp`,
        `needs the rule to set protocol ICMP or ICMPv6, not ${this.protocol === undefined ? 'none' : JSON.stringify(this.protocol)} (Calico's API server refuses it)`,
      );
    // `notICMP` has no such check in either validator, so the API server accepts it without a
    // protocol. Felix renders it as an ICMP match and nothing more (felix/rules/policy.go,
    // CalculateRuleMatch: `-m icmp ! --icmp-type`, `-m icmp6 ! --icmpv6-type`, felix/iptables/match_builder.go):
    // nftables makes an icmp match depend on the packet being ICMP, and iptables refuses the icmp
    // match on a rule that is not `-p icmp` (the kernel's icmp match is for protocol 1 only,
    // net/ipv4/netfilter/ip_tables.c icmp_mt_reg), so such a rule matches no TCP, UDP or SCTP
    // packet in any dataplane. The verifier reads it so: it matches none of the protocols it models.
    this.icmpOnly = given('notICMP') || ICMP_PROTOCOLS.includes(this.protocol ?? '');
    // `http` criteria narrow a rule too.
    const other = ['http', 'icmp', 'notICMP'].some(given);
    this.matchesEverything =
      !other && this.protocol === undefined && this.notProtocol === undefined && this.ipVersion === undefined && this.source.empty && this.destination.empty;
    this.unknownAs = this.action === 'Deny' || this.action === 'Pass' ? 'maybe' : 'outside';
    this.sourcePort = sourcePortMatch(this.source.ports, this.source.notPorts, this.action);
    this.dependsOnIpVersion = this.ipVersion !== undefined || [this.source, this.destination].some((x) => x.decidesUnknownByVersion(this.action));
    const all = [...this.destination.ports, ...this.destination.notPorts];
    this.ports = all.filter((p): p is PortRange => !isNamedPort(p));
    this.portNames = all.filter(isNamedPort).map((p) => p.name);
  }

  matchesSource(source: PacketEnd): Match {
    return this.sourcePort && bothMatch(this.sourcePort, this.source.matches(source, this.unknownAs));
  }

  matchesDestination(destination: PacketEnd): Match {
    return this.destination.matches(destination, this.unknownAs);
  }

  /** The IP version is the packet's: both its ends have one (endpoints.ts, PacketEnd). */
  matchesService(protocol: Protocol, port: PortValue, destination: PacketEnd): boolean {
    if (this.icmpOnly) return false;
    if (this.protocol !== undefined && this.protocol !== protocol) return false;
    if (this.notProtocol === protocol) return false;
    if (this.ipVersion !== undefined && destination.family !== this.ipVersion) return false;
    return this.destination.portMatches(protocol, port, destination);
  }

  reach(side: Side): Reach {
    if (side === 'source') {
      this.sourceReach ??= this.sourcePort === false ? { kind: 'none' } : this.source.reach(this.catalog);
      return this.sourceReach;
    }
    this.destinationReach ??= this.destinationSideReach();
    return this.destinationReach;
  }

  /**
   * The IP version test looks at the destination's addresses, so it tells apart endpoints that
   * the destination's fields take all alike (`uniform`). It narrows what they match, never widens
   * it: endpoints the fields cannot match (a selector of network sets, `namespaceSelector:
   * global()`) stay out, or every pod of the cluster would be evaluated, and listed, for each
   * workload whose policy has such a rule.
   */
  private destinationSideReach(): Reach {
    const side = this.destination.reach(this.catalog);
    return this.ipVersion !== undefined && side.kind === 'uniform' ? { kind: 'some', candidates: this.catalog.endpoints } : side;
  }

  nets(side: Side): readonly IpRange[] {
    return this[side].blocks();
  }

  sets(side: Side): readonly NetworkSet[] {
    return (this.sideSets[side] ??= this[side].sets(this.catalog));
  }

  phantoms(side: Side): readonly Endpoint[] {
    if (side === 'source' && this.sourcePort === false) return [];
    return (this.sidePhantoms[side] ??= this[side].phantoms(this.catalog).filter((ep) => this[side].matches(this.catalog.packetEnd(ep))));
  }

  describe(): string {
    const ports = [...this.destination.ports.map(describePorts), ...this.destination.notPorts.map((p) => `not ${describePorts(p)}`)];
    const proto = this.protocol ?? (this.notProtocol ? `not ${this.notProtocol}` : 'any protocol');
    const portText = ports.length ? ` ports ${ports.join(',')}` : '';
    const from = this.source.describe();
    const to = this.destination.describe();
    return `${this.action} ${proto}${portText}${from ? ` from ${from}` : ''}${to ? ` to ${to}` : ''}`;
  }
}

/**
 * Calico's validator refuses a rule whose `nets` and `notNets`, on both sides taken together, name
 * IPv4 and IPv6 blocks, or a version other than the rule's `ipVersion` (libcalico-go
 * `lib/validator/v3/validator.go`, validateRule: "rule contains both IPv4 and IPv6 CIDRs", "rule IP
 * version doesn't match CIDR version"). Such a policy is not in the cluster, so reading it as written
 * would credit the cluster with a Deny it does not have: refused, as the API server refuses it. The
 * field named is the first that makes the rule inconsistent, in Calico's order.
 */
function checkNetVersions(source: RuleSide, destination: RuleSide, ipVersion: number | undefined, field: string, f: Fields): void {
  let seen: IpVersion | undefined;
  for (const [side, key] of [
    [source, 'source'],
    [destination, 'destination'],
  ] as const) {
    for (const which of ['nets', 'notNets'] as const) {
      const at = `${field}.${key}.${which}`;
      side[which]?.ranges.forEach(({ version }, i) => {
        const text = JSON.stringify(side[which]!.texts[i]);
        if (ipVersion !== undefined && version !== ipVersion) {
          f.fail(at, `${text} is an IPv${version} block, but the rule's ipVersion is ${ipVersion} (Calico refuses the rule)`);
        }
        if (seen !== undefined && version !== seen) {
          f.fail(at, `${text} makes the rule name both IPv4 and IPv6 blocks, which Calico refuses: write one rule per IP version`);
        }
        seen = version;
      });
    }
  }
}

/** Compiles a Calico (Staged)NetworkPolicy or (Staged)GlobalNetworkPolicy. */
export function compileCalicoPolicy(m: Manifest, kind: PolicyKind, catalog: Catalog): Policy {
  const global = kind === 'GlobalNetworkPolicy' || kind === 'StagedGlobalNetworkPolicy';
  const { metadata } = m.object;
  const namespace = global ? undefined : (metadata.namespace ?? 'default');
  const f = new Fields(m.source, { kind, ...(namespace === undefined ? {} : { namespace }), name: metadata.name });
  const spec = f.record(m.object.spec, 'spec') ?? {};
  const tier = f.string(spec.tier, 'spec.tier') || DEFAULT_TIER.name;
  const order = f.number(spec.order, 'spec.order') ?? Infinity;
  const selector = readSelector(spec.selector, 'spec.selector', f, catalog);
  // A global policy's namespaceSelector: libcalico-go rewrites all() in it to "in some namespace"
  // and leaves global() alone, which then matches everything (globalnetworkpolicyprocessor.go,
  // parser/ast.go GlobalNode). Every endpoint is in a namespace, so both are plain tests here.
  const namespaceSelector = global ? readSelector(spec.namespaceSelector, 'spec.namespaceSelector', f, catalog) : undefined;
  const saSelector = readSelector(spec.serviceAccountSelector, 'spec.serviceAccountSelector', f, catalog);
  const hostOnly = spec.doNotTrack === true || spec.preDNAT === true;
  const readRules = (direction: Direction): CompiledRule[] =>
    (f.list(spec[direction], `spec.${direction}`) ?? []).map((r, i) => new CalicoRule(i, direction, r, `spec.${direction}[${i}]`, f, namespace, catalog));
  const rules = { ingress: readRules('ingress'), egress: readRules('egress') };
  const declared = f.list(spec.types, 'spec.types');
  declared?.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') f.fail(`spec.types[${i}]`, `must be Ingress or Egress, not ${JSON.stringify(t)}`);
  });
  const egressOnly = rules.egress.length > 0 && rules.ingress.length === 0;
  // An empty list is absent: Calico defaults types when `len(types) == 0` (libcalico-go
  // clientv3 networkpolicy.go and globalnetworkpolicy.go, defaultPolicyTypesField).
  const types =
    declared && declared.length > 0
      ? { ingress: declared.includes('Ingress'), egress: declared.includes('Egress') }
      : { ingress: !egressOnly, egress: rules.egress.length > 0 };
  const hint: SelectionHint = { namespace, label: selector?.hint };
  return {
    ref: { kind, namespace, name: metadata.name, tier },
    order,
    sortName: namespace === undefined ? metadata.name : `${namespace}/${metadata.name}`,
    staged: isStagedPolicyKind(kind),
    ...(isStagedPolicyKind(kind) ? { stagedAction: stagedActionOf(spec.stagedAction) } : {}),
    types,
    rules,
    hint,
    source: m.source,
    selects: calicoSelection(hostOnly, namespace, namespaceSelector, saSelector, selector),
  };
}

/**
 * Which endpoints a Calico policy applies to. Made apart from compileCalicoPolicy so that the
 * closure holds only these values: a closure made there would keep its whole scope, the
 * manifest's parsed spec included, alive as long as the cluster.
 */
function calicoSelection(
  hostOnly: boolean,
  namespace: string | undefined,
  namespaceSelector?: Selector,
  saSelector?: Selector,
  selector?: Selector,
): (ep: Endpoint) => boolean {
  return (ep) =>
    !hostOnly &&
    (namespace === undefined || ep.namespace.name === namespace) &&
    (namespaceSelector === undefined || namespaceSelector.test(ep.namespace.calicoLabels)) &&
    (saSelector === undefined || saSelector.test(ep.serviceAccountLabels)) &&
    (selector === undefined || selector.test(ep.calicoLabels));
}
