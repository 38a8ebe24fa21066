/**
 * A squid.conf read as Squid reads it, for the subset whose meaning Squid 5.7 and 6.x share:
 * listening ports with names, ACLs on the request (the port it came in on, method, scheme,
 * destination name, port and resolved address) and `http_access` in order. Directives that do not
 * decide what is forwarded where (logging, cache, process settings) are known and kept as text;
 * anything else (a `cache_peer`, a rewriter, `ssl_bump`, an ACL type or option outside the
 * subset, an `include`) is refused with its line, so an answer never rests on a guess.
 *
 * Squid's own sources are the reference (squid-cache/squid at SQUID_5_7 and SQUID_6_13):
 * src/cf.data.pre for each directive, src/acl/*.cc for each ACL type.
 */
import { HostPattern } from './hosts';

/** A line of squid.conf that is not in the subset, or not valid. */
export class SquidConfigError extends Error {
  constructor(
    /** 1-based. */
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'SquidConfigError';
  }
}

/** A listening port: `http_port [address:]port name=NAME`. */
export interface ListeningPort {
  readonly port: number;
  /** The name `myportname` ACLs match; Squid's default is the port as written. */
  readonly name: string;
  readonly line: number;
}

/** Consecutive ports, both ends included. */
export interface PortSpan {
  readonly from: number;
  readonly to: number;
}

/** An ACL of the subset: what it tests, with its values. */
export type Acl =
  | { readonly type: 'all' }
  | { readonly type: 'myportname'; readonly names: readonly string[] }
  | { readonly type: 'localport'; readonly ports: readonly PortSpan[] }
  | { readonly type: 'method'; readonly methods: readonly string[] }
  | { readonly type: 'proto'; readonly protocols: readonly string[] }
  | { readonly type: 'port'; readonly ports: readonly PortSpan[] }
  /** Destination names, never looked up (`-n`): patterns, and whether an IP literal matches (the numeric regexes). */
  | { readonly type: 'dstdomain' | 'dstdom_regex'; readonly hosts: readonly HostPattern[]; readonly ipLiteral: boolean }
  /** The destination's resolved addresses, as written (`10.0.0.0/8`, `::1`): matched after a DNS lookup. */
  | { readonly type: 'dst'; readonly addresses: readonly string[] };

/** A named ACL and where its lines are. */
interface NamedAcl {
  readonly name: string;
  readonly acl: Acl;
  readonly lines: readonly number[];
}

/** One `http_access` line: its action and its ACLs, all of which must match (each may be negated). */
export interface AccessRule {
  readonly action: 'allow' | 'deny';
  readonly acls: readonly { readonly name: string; readonly negated: boolean }[];
  readonly line: number;
  /** The line as written, for answers. */
  readonly text: string;
}

/** A `note key value acl...` line: the annotation transactions that match get (for the access log). */
interface Note {
  readonly key: string;
  readonly value: string;
  readonly acls: readonly { readonly name: string; readonly negated: boolean }[];
  readonly line: number;
}

/** What a squid.conf of the subset says. */
export interface SquidConfig {
  readonly ports: readonly ListeningPort[];
  readonly acls: ReadonlyMap<string, NamedAcl>;
  readonly access: readonly AccessRule[];
  readonly notes: readonly Note[];
}

/** Directives that decide nothing about what is forwarded where: read, kept out of the answers. */
const KNOWN_INERT = new Set([
  'access_log',
  'cache',
  'cache_effective_group',
  'cache_effective_user',
  'cache_log',
  'cache_mem',
  'client_lifetime',
  'connect_timeout',
  'coredump_dir',
  'debug_options',
  'dns_nameservers',
  'dns_timeout',
  'error_directory',
  'forwarded_for',
  'hosts_file',
  'httpd_suppress_version_string',
  'logfile_rotate',
  'logformat',
  'max_filedescriptors',
  'negative_dns_ttl',
  'netdb_filename',
  'pid_filename',
  'pinger_enable',
  'positive_dns_ttl',
  'read_timeout',
  'request_timeout',
  'shutdown_lifetime',
  'store_id_extras',
  'strip_query_terms',
  'url_rewrite_extras',
  'visible_hostname',
]);

/** The ACLs Squid defines itself (cf.data.pre, acl: DEFAULT) that the subset reads. */
const PREDEFINED: ReadonlyMap<string, Acl> = new Map<string, Acl>([
  ['all', { type: 'all' }],
  ['CONNECT', { type: 'method', methods: ['CONNECT'] }],
]);

/** The regexes of `dstdom_regex -n` the subset reads: a name one label below a parent, and the numeric hosts of IP literals. */
const LABEL_REGEX = /^\^\[\^\.\]\+\\\.((?:[a-z0-9-]+\\\.)*[a-z0-9-]+)\$$/;
const IPV4_LITERAL_REGEX = '^[0-9.]+$';
const IPV6_LITERAL_REGEX = ':';

/** The words of a line: Squid splits on spaces and tabs; quoted values name files, which the subset does not read. */
function words(text: string, line: number): string[] {
  if (/"|\$\{/.test(text)) throw new SquidConfigError(line, `quoted values (files) and macros are not read here: ${text}`);
  return text.trim().split(/[ \t]+/);
}

function portSpans(values: readonly string[], line: number, what: string): PortSpan[] {
  return values.map((v) => {
    const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(v);
    const from = m ? Number(m[1]) : NaN;
    const to = m ? Number(m[2] ?? m[1]) : NaN;
    if (!m || from < 1 || to > 65535 || to < from) throw new SquidConfigError(line, `${what}: ${v} is not a port or range of ports`);
    return { from, to };
  });
}

/** The destination-name values of dstdomain: `name` (that name alone) or `.name` (it and every name below). */
function domainPatterns(values: readonly string[], line: number): HostPattern[] {
  return values.map((v) => {
    const name = v.toLowerCase();
    if (!/^\.?[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(name)) throw new SquidConfigError(line, `dstdomain: ${v} is not a domain name`);
    return name.startsWith('.') ? { kind: 'subtree', parent: name.slice(1) } : { kind: 'exact', name };
  });
}

/** Reads one `acl NAME TYPE [options] values...` line. */
function parseAcl(type: string, rest: readonly string[], line: number): Acl {
  const options = new Set<string>();
  let i = 0;
  while (i < rest.length && /^[-+]/.test(rest[i]) && !/^-[0-9]/.test(rest[i])) {
    if (rest[i] === '--') {
      i++;
      break;
    }
    options.add(rest[i++]);
  }
  const values = rest.slice(i);
  const allowed = (...names: string[]) => {
    for (const o of options) if (!names.includes(o)) throw new SquidConfigError(line, `acl ${type}: option ${o} is not read here`);
  };
  if (values.length === 0) throw new SquidConfigError(line, `acl ${type} has no values`);
  switch (type) {
    case 'myportname':
      allowed();
      return { type, names: values };
    case 'localport':
      allowed();
      return { type, ports: portSpans(values, line, 'localport') };
    case 'method':
      allowed();
      return { type, methods: values };
    case 'proto':
      allowed();
      return { type, protocols: values.map((v) => v.toUpperCase()) };
    case 'port':
      allowed();
      return { type, ports: portSpans(values, line, 'port') };
    case 'dst':
      allowed('-n');
      if (options.has('-n')) throw new SquidConfigError(line, 'acl dst -n matches IP literals only, which the subset does not read');
      return { type, addresses: values };
    case 'dstdomain':
      // Without -n, a request for an IP address is matched by the names its reverse lookup gives.
      allowed('-n');
      if (!options.has('-n')) throw new SquidConfigError(line, 'acl dstdomain without -n looks up the names of IP literals, which the subset does not read');
      return { type, hosts: domainPatterns(values, line), ipLiteral: false };
    case 'dstdom_regex': {
      allowed('-n', '-i');
      if (!options.has('-n')) throw new SquidConfigError(line, 'acl dstdom_regex without -n looks up the names of IP literals, which the subset does not read');
      const hosts: HostPattern[] = [];
      let ipLiteral = false;
      for (const v of values) {
        const m = LABEL_REGEX.exec(v);
        if (m && options.has('-i')) hosts.push({ kind: 'label', parent: m[1].replace(/\\\./g, '.') });
        else if (v === IPV4_LITERAL_REGEX || v === IPV6_LITERAL_REGEX) ipLiteral = true;
        else
          throw new SquidConfigError(
            line,
            `dstdom_regex ${v} is not one of the forms read here: -i ^[^.]+\\.<name>$ (one label below a name) and ${IPV4_LITERAL_REGEX} or ${IPV6_LITERAL_REGEX} (IP literals)`,
          );
      }
      // One ACL holds names or IP literals, never both: what it matches is then either a set of names or every IP literal.
      if (ipLiteral && hosts.length > 0) throw new SquidConfigError(line, 'dstdom_regex mixes names and IP literals');
      return { type, hosts, ipLiteral };
    }
    default:
      throw new SquidConfigError(line, `acl type ${type} is not read here`);
  }
}

/** Merges the values of a further line of an ACL (Squid appends them). */
function merge(a: Acl, b: Acl, line: number): Acl {
  if (a.type !== b.type) throw new SquidConfigError(line, `the ACL is already of type ${a.type}`);
  switch (a.type) {
    case 'all':
      return a;
    case 'myportname':
      return { ...a, names: [...a.names, ...(b as typeof a).names] };
    case 'localport':
    case 'port':
      return { ...a, ports: [...a.ports, ...(b as typeof a).ports] };
    case 'method':
      return { ...a, methods: [...a.methods, ...(b as typeof a).methods] };
    case 'proto':
      return { ...a, protocols: [...a.protocols, ...(b as typeof a).protocols] };
    case 'dst':
      return { ...a, addresses: [...a.addresses, ...(b as typeof a).addresses] };
    case 'dstdomain':
    case 'dstdom_regex': {
      const other = b as typeof a;
      if ((a.ipLiteral || other.ipLiteral) && (a.hosts.length > 0 || other.hosts.length > 0))
        throw new SquidConfigError(line, 'dstdom_regex mixes names and IP literals');
      return { ...a, hosts: [...a.hosts, ...other.hosts], ipLiteral: a.ipLiteral || other.ipLiteral };
    }
  }
}

/** `http_port [address:]port [name=NAME]`, with no other option (interception, TLS bumping and the like change what a request is). */
function parsePort(rest: readonly string[], line: number): ListeningPort {
  const [address, ...options] = rest;
  const m = /^(?:(?:\[[0-9a-fA-F:.]+\]|[0-9.]+):)?([0-9]+)$/.exec(address ?? '');
  const port = m ? Number(m[1]) : NaN;
  if (!m || port < 1 || port > 65535) throw new SquidConfigError(line, `http_port ${address ?? ''} is not [address:]port`);
  let name = address;
  for (const o of options) {
    if (o.startsWith('name=') && o.length > 5) name = o.slice(5);
    else throw new SquidConfigError(line, `http_port option ${o} is not read here`);
  }
  return { port, name, line };
}

function aclRefs(rest: readonly string[]): { name: string; negated: boolean }[] {
  return rest.map((r) => (r.startsWith('!') ? { name: r.slice(1), negated: true } : { name: r, negated: false }));
}

/** Reads a squid.conf of the subset; throws SquidConfigError on the first line outside it. */
export function parseSquidConfig(text: string): SquidConfig {
  const ports: ListeningPort[] = [];
  const acls = new Map<string, NamedAcl>();
  const access: AccessRule[] = [];
  const notes: Note[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const number = i + 1;
    let raw = lines[i];
    while (raw.endsWith('\\') && i + 1 < lines.length) raw = `${raw.slice(0, -1)} ${lines[++i]}`;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const [directive, ...rest] = words(trimmed, number);
    if (directive === 'http_port') ports.push(parsePort(rest, number));
    else if (directive === 'acl') {
      const [name, type, ...values] = rest;
      if (!name || !type) throw new SquidConfigError(number, 'acl needs a name and a type');
      if (PREDEFINED.has(name)) throw new SquidConfigError(number, `acl ${name} is predefined by Squid`);
      const acl = parseAcl(type, values, number);
      const known = acls.get(name);
      acls.set(name, known ? { name, acl: merge(known.acl, acl, number), lines: [...known.lines, number] } : { name, acl, lines: [number] });
    } else if (directive === 'http_access') {
      const [action, ...refs] = rest;
      if (action !== 'allow' && action !== 'deny') throw new SquidConfigError(number, `http_access ${action ?? ''}: the action is allow or deny`);
      if (refs.length === 0) throw new SquidConfigError(number, 'http_access names no ACL');
      access.push({ action, acls: aclRefs(refs), line: number, text: trimmed });
    } else if (directive === 'note') {
      const [key, value, ...refs] = rest;
      if (!key || value === undefined) throw new SquidConfigError(number, 'note needs a key and a value');
      notes.push({ key, value, acls: aclRefs(refs), line: number });
    } else if (!KNOWN_INERT.has(directive)) {
      throw new SquidConfigError(number, `directive ${directive} is not read here (it may change what is forwarded where)`);
    }
  }
  const all = new Map<string, NamedAcl>([...[...PREDEFINED].map(([name, acl]): [string, NamedAcl] => [name, { name, acl, lines: [] }]), ...acls]);
  for (const rule of [...access, ...notes]) {
    for (const ref of rule.acls) if (!all.has(ref.name)) throw new SquidConfigError(rule.line, `ACL ${ref.name} is not defined`);
  }
  return { ports, acls: all, access, notes };
}
