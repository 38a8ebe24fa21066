/**
 * How Squid decides `http_access` for one request, and what a listening port lets through, for
 * the subset config.ts reads.
 *
 * Squid checks the `http_access` lines in order; the first whose ACLs all match (left to right,
 * stopping at the first that does not) decides; when none matches, the opposite of the last
 * line's action applies, and with no line at all the request is denied (cf.data.pre,
 * http_access). A `dst` ACL needs the destination's addresses, so Squid looks the name up when it
 * first evaluates one (src/acl/DestinationIp.cc, ACLDestinationIP::match: it matches when any of
 * the name's addresses is in the list); every other ACL of the subset is fast and looks nothing up.
 * Here the lookup is not made: a request is decided for a name that resolves to addresses outside
 * every `dst` list (a public address, where the lists are the private ones), and the decision says
 * whether a lookup happened and which lists would refuse the name after it.
 */
import { AccessRule, Acl, ListeningPort, PortSpan, SquidConfig } from './config';
import { HostPattern, compareHostPatterns, hostCovers, hostMatches } from './hosts';

/** The request's destination: a name (lower case, without a trailing dot), or an IP literal. */
type SquidHost = { readonly name: string } | { readonly ipLiteral: true };

/** One request as the ACLs see it. */
export interface SquidRequest {
  /** The listening port it came in on. */
  readonly via: ListeningPort;
  /** `CONNECT` for a tunnel; `GET` (or another method) for a proxied http:// URL. */
  readonly method: string;
  /** The URL's scheme as `proto` matches it: `HTTP`, or `AUTHORITY` for a CONNECT request (src/anyp/ProtocolType.h). */
  readonly scheme: string;
  readonly host: SquidHost;
  readonly port: number;
}

/** How a request was decided. */
export interface SquidDecision {
  readonly allowed: boolean;
  /** The line that decided; absent when none matched and the default applied. */
  readonly rule?: AccessRule;
  /** Whether Squid looked the name up on the way (some `dst` ACL was evaluated). */
  readonly lookedUp: boolean;
  /** For an allowed name: the address lists that refuse it after the lookup (the `!dst` ACLs of the deciding line). */
  readonly refusedIfResolvedTo: readonly string[];
  /** For an IP literal that met a `dst` ACL: the answer depends on the address, and is given for one outside every list. */
  readonly addressDependent?: true;
}

const inSpans = (spans: readonly PortSpan[], port: number) => spans.some((s) => s.from <= port && port <= s.to);

/** Whether an ACL matches: true, false, or 'lookup' for a `dst` ACL (matched after resolution; here: no). */
function matches(acl: Acl, r: SquidRequest): boolean | 'lookup' {
  switch (acl.type) {
    case 'all':
      return true;
    case 'myportname':
      return acl.names.includes(r.via.name);
    case 'localport':
      return inSpans(acl.ports, r.via.port);
    case 'method':
      return acl.methods.includes(r.method);
    case 'proto':
      return acl.protocols.includes(r.scheme);
    case 'port':
      return inSpans(acl.ports, r.port);
    case 'dstdomain':
    case 'dstdom_regex':
      return 'ipLiteral' in r.host ? acl.ipLiteral : acl.hosts.some((h) => hostMatches(h, (r.host as { name: string }).name));
    case 'dst':
      return 'lookup';
  }
}

/** Decides one request. */
export function decide(config: SquidConfig, r: SquidRequest): SquidDecision {
  return decideWith(config, config.access, r);
}

/** A line with its ACLs looked up once: what decideWith walks. */
interface CompiledLine {
  readonly rule: AccessRule;
  readonly tests: readonly { readonly acl: Acl; readonly negated: boolean }[];
}

const compiled = new WeakMap<AccessRule, CompiledLine>();

function compile(config: SquidConfig, rule: AccessRule): CompiledLine {
  let line = compiled.get(rule);
  if (!line) {
    line = { rule, tests: rule.acls.map((ref) => ({ acl: config.acls.get(ref.name)!.acl, negated: ref.negated })) };
    compiled.set(rule, line);
  }
  return line;
}

/** Decides with the given lines of the config (all of them, or those that can match on one listening port). */
function decideWith(config: SquidConfig, rules: readonly AccessRule[], r: SquidRequest): SquidDecision {
  let lookedUp = false;
  let addressDependent = false;
  for (const rule of rules) {
    let refused: string[] | undefined;
    let all = true;
    for (const { acl, negated } of compile(config, rule).tests) {
      const m = matches(acl, r);
      let match: boolean;
      if (m === 'lookup') {
        if ('ipLiteral' in r.host) addressDependent = true;
        else lookedUp = true;
        // Resolved outside the list: a `dst` ACL does not match, its negation does.
        match = negated;
        if (negated && acl.type === 'dst') (refused ??= []).push(...acl.addresses);
      } else match = m !== negated;
      if (!match) {
        all = false;
        break;
      }
    }
    if (all)
      return {
        allowed: rule.action === 'allow',
        rule,
        lookedUp,
        refusedIfResolvedTo: rule.action === 'allow' ? (refused ?? []) : [],
        ...(addressDependent ? { addressDependent: true } : {}),
      };
  }
  const last = config.access[config.access.length - 1];
  return { allowed: last !== undefined && last.action === 'deny', lookedUp, refusedIfResolvedTo: [], ...(addressDependent ? { addressDependent: true } : {}) };
}

/**
 * The lines that can match a request on this listening port, in order: a line whose ACL on the
 * listening port (`myportname`, `localport`) fails never matches there, and is left out unless a
 * `dst` ACL comes before that one (Squid would look the name up on the way). The lines that name
 * ports by `myportname` alone are indexed by name once per configuration.
 */
function linesOn(config: SquidConfig, via: ListeningPort): AccessRule[] {
  const index = indexOf(config);
  const named = index.byName.get(via.name) ?? [];
  const kept = index.other.filter((i) => keeps(config, config.access[i], via));
  return [...named, ...kept].sort((a, b) => a - b).map((i) => config.access[i]);
}

/** Whether a line can match on the listening port (see linesOn). */
function keeps(config: SquidConfig, rule: AccessRule, via: ListeningPort): boolean {
  for (const ref of rule.acls) {
    const acl = config.acls.get(ref.name)!.acl;
    if (acl.type === 'dst') return true;
    if ((acl.type === 'myportname' || acl.type === 'localport') && matches(acl, { via } as SquidRequest) === ref.negated) return false;
  }
  return true;
}

/** Lines whose first test of the listening port is a `myportname` ACL, by the names it holds; the others by their index. */
interface LineIndex {
  readonly byName: ReadonlyMap<string, readonly number[]>;
  readonly other: readonly number[];
}

const indexes = new WeakMap<SquidConfig, LineIndex>();

function indexOf(config: SquidConfig): LineIndex {
  let index = indexes.get(config);
  if (index) return index;
  const byName = new Map<string, number[]>();
  const other: number[] = [];
  config.access.forEach((rule, i) => {
    const first = rule.acls
      .map((ref) => ({ ref, acl: config.acls.get(ref.name)!.acl }))
      .find(({ acl }) => acl.type === 'dst' || acl.type === 'myportname' || acl.type === 'localport');
    if (first && first.acl.type === 'myportname' && !first.ref.negated) for (const n of first.acl.names) byName.set(n, [...(byName.get(n) ?? []), i]);
    else other.push(i);
  });
  index = { byName, other };
  indexes.set(config, index);
  return index;
}

/** The ACLs the lines name. */
function aclsOf(config: SquidConfig, rules: readonly AccessRule[]): Acl[] {
  return [...new Set(rules.flatMap((r) => r.acls.map((a) => a.name)))].map((n) => config.acls.get(n)!.acl);
}

/** A set of names a port lets through, on which destination ports, by which line. */
interface PortReach {
  readonly host: HostPattern;
  readonly ports: readonly PortSpan[];
  /** `CONNECT` (tunnels, what HTTPS clients send) and `http` (proxied http:// URLs): those it is allowed for. */
  readonly methods: readonly ('CONNECT' | 'http')[];
  readonly rule: AccessRule;
  readonly refusedIfResolvedTo: readonly string[];
}

/** What a listening port lets through, and what it refuses without a lookup. */
export interface ListeningPortReach {
  readonly port: ListeningPort;
  readonly allowed: readonly PortReach[];
  /** An IP literal is allowed somewhere (for some address). */
  readonly ipLiterals: boolean;
  /** A name no ACL names is refused before any lookup. */
  readonly unknownRefusedBeforeLookup: boolean;
}

/** Every set of names the ACLs tell apart, each as one representative name (`*` for a label no ACL names). */
function representatives(acls: readonly Acl[]): { pattern: HostPattern; name: string }[] {
  const out = new Map<string, { pattern: HostPattern; name: string }>();
  const add = (pattern: HostPattern, name: string) => out.set(name, { pattern, name });
  for (const acl of acls) {
    if (acl.type !== 'dstdomain' && acl.type !== 'dstdom_regex') continue;
    for (const h of acl.hosts) {
      if (h.kind === 'exact') add(h, h.name);
      else {
        add({ kind: 'label', parent: h.parent }, `*.${h.parent}`);
        add({ kind: 'deep', parent: h.parent }, `*.*.${h.parent}`);
        if (h.kind === 'subtree') add({ kind: 'exact', name: h.parent }, h.parent);
      }
    }
  }
  return [...out.values()];
}

/** The boundaries of every `port` ACL, as the ranges between which every port is decided alike. */
function portAtoms(acls: readonly Acl[]): PortSpan[] {
  const cuts = new Set<number>([1, 65536]);
  for (const acl of acls) {
    if (acl.type !== 'port') continue;
    for (const s of acl.ports) {
      cuts.add(s.from);
      cuts.add(s.to + 1);
    }
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  return sorted.slice(0, -1).map((from, i) => ({ from, to: sorted[i + 1] - 1 }));
}

const METHODS = [
  { key: 'CONNECT', method: 'CONNECT', scheme: 'AUTHORITY' },
  { key: 'http', method: 'GET', scheme: 'HTTP' },
] as const;

/**
 * What one listening port lets through: every set of names the ACLs tell apart, on every range
 * of ports they tell apart, for CONNECT and for http:// URLs, decided as `decide` does; sets of
 * names with the same ports, methods and line are merged (`*.hf.co` holds the names one label
 * below that an exact line also allows).
 */
export function portReach(config: SquidConfig, via: ListeningPort): ListeningPortReach {
  const rules = linesOn(config, via);
  const acls = aclsOf(config, rules);
  const atoms = portAtoms(acls);
  const decideOn = (r: Omit<SquidRequest, 'via'>) => decideWith(config, rules, { ...r, via });
  const found = new Map<string, { host: HostPattern; ports: PortSpan[]; methods: Set<'CONNECT' | 'http'>; rule: AccessRule; refused: readonly string[] }>();
  let ipLiterals = false;
  for (const { pattern, name } of representatives(acls)) {
    for (const m of METHODS) {
      for (const atom of atoms) {
        const d = decideOn({ method: m.method, scheme: m.scheme, host: { name }, port: atom.from });
        if (!d.allowed || !d.rule) continue;
        const key = `${name}\u0000${m.key}\u0000${d.rule.line}`;
        const entry = found.get(key);
        if (entry) entry.ports.push(atom);
        else found.set(key, { host: pattern, ports: [atom], methods: new Set([m.key]), rule: d.rule, refused: d.refusedIfResolvedTo });
      }
    }
  }
  for (const m of METHODS) {
    for (const atom of atoms) if (decideOn({ method: m.method, scheme: m.scheme, host: { ipLiteral: true }, port: atom.from }).allowed) ipLiterals = true;
  }
  // One entry per name, ports and line, with the methods it is allowed for.
  const merged = new Map<string, { host: HostPattern; ports: PortSpan[]; methods: ('CONNECT' | 'http')[]; rule: AccessRule; refused: readonly string[] }>();
  for (const e of found.values()) {
    const ports = joinSpans(e.ports);
    const key = `${JSON.stringify(e.host)}\u0000${JSON.stringify(ports)}\u0000${e.rule.line}`;
    const known = merged.get(key);
    if (known) {
      for (const x of e.methods) if (!known.methods.includes(x)) known.methods.push(x);
    } else merged.set(key, { host: e.host, ports, methods: [...e.methods], rule: e.rule, refused: e.refused });
  }
  const entries = [...merged.values()];
  // A name an exact line allows that a wider set allows alike is listed once, as the wider set.
  const allowed = entries
    .filter(
      (e) =>
        !entries.some(
          (w) =>
            w !== e &&
            w.host.kind !== 'exact' &&
            hostCovers(w.host, e.host) &&
            w.rule === e.rule &&
            JSON.stringify(w.ports) === JSON.stringify(e.ports) &&
            e.methods.every((x) => w.methods.includes(x)),
        ),
    )
    .map((e): PortReach => ({ host: e.host, ports: e.ports, methods: [...e.methods].sort(), rule: e.rule, refusedIfResolvedTo: e.refused }))
    .sort((a, b) => compareHostPatterns(a.host, b.host) || a.rule.line - b.rule.line);
  const unknown = METHODS.every((m) =>
    atoms.every((atom) => {
      const d = decideOn({ method: m.method, scheme: m.scheme, host: { name: '*' }, port: atom.from });
      return !d.allowed && !d.lookedUp;
    }),
  );
  return { port: via, allowed, ipLiterals, unknownRefusedBeforeLookup: unknown };
}

/** Spans merged where they touch, in order. */
function joinSpans(spans: readonly PortSpan[]): PortSpan[] {
  const sorted = [...spans].sort((a, b) => a.from - b.from);
  const out: PortSpan[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.from <= last.to + 1) out[out.length - 1] = { from: last.from, to: Math.max(last.to, s.to) };
    else out.push({ ...s });
  }
  return out;
}
