/**
 * squid.conf as the verifier reads it: the subset, refused outside it with the line, and decided
 * as Squid decides `http_access` (what test/squid-run.test.ts checks against the real Squid).
 */
import { decide, formatHostPattern, hostCovers, hostMatches, parseHostPattern, parseSquidConfig, portReach, SquidConfigError } from '.';

const CONFIG = `
# two ports, one app each
http_port 3128 name=probe
http_port 3129 name=a
http_port 3130 name=b
acl probe myportname probe
acl a myportname a
acl b myportname b
acl ip dstdom_regex -n ^[0-9.]+$ :
acl a-names dstdomain -n api.example.com
acl a-wild dstdom_regex -n -i ^[^.]+\\.cdn\\.example\\.com$
acl a-ports port 443 8000-8010
acl b-names dstdomain -n other.example.com
acl b-ports port 443
acl private dst 10.0.0.0/8
acl private dst 127.0.0.0/8
http_access deny probe
http_access deny ip
http_access allow a a-names a-ports !private
http_access allow a a-wild a-ports !private
http_access allow b b-names b-ports !private
http_access deny all
logformat egress %ts %>rd
access_log stdio:/dev/stdout egress
`;

const config = parseSquidConfig(CONFIG);
const port = (name: string) => config.ports.find((p) => p.name === name)!;
const connect = (via: string, name: string, p: number) => decide(config, { via: port(via), method: 'CONNECT', scheme: 'AUTHORITY', host: { name }, port: p });

describe('the squid.conf subset', () => {
  it('reads listening ports, ACLs (values of one name merged), http_access in order', () => {
    expect(config.ports.map((p) => [p.port, p.name])).toEqual([
      [3128, 'probe'],
      [3129, 'a'],
      [3130, 'b'],
    ]);
    expect(config.acls.get('private')!.acl).toEqual({ type: 'dst', addresses: ['10.0.0.0/8', '127.0.0.0/8'] });
    expect(config.access.map((r) => r.line)).toEqual([17, 18, 19, 20, 21, 22]);
  });

  it.each([
    ['cache_peer proxy.example.com parent 3128 0', 'line 1: directive cache_peer is not read here (it may change what is forwarded where)'],
    ['acl a dstdomain api.example.com', 'line 1: acl dstdomain without -n looks up the names of IP literals, which the subset does not read'],
    ['acl a dstdom_regex -n -i example', 'line 1: dstdom_regex example is not one of the forms read here'],
    ['acl a url_regex example', 'line 1: acl type url_regex is not read here'],
    ['http_port 3128 intercept', 'line 1: http_port option intercept is not read here'],
    ['include /etc/squid/other.conf', 'line 1: directive include is not read here'],
    ['acl a dstdomain -n "/etc/squid/names"', 'line 1: quoted values (files) and macros are not read here'],
    ['http_access allow nobody', 'line 1: ACL nobody is not defined'],
  ])('refuses %j with its line', (text, message) => {
    expect(() => parseSquidConfig(text)).toThrow(SquidConfigError);
    expect(() => parseSquidConfig(text)).toThrow(message);
  });
});

describe('http_access, decided as Squid decides it', () => {
  it("lets an app's declared name through on its port, by the line that allows it, after a lookup", () => {
    const d = connect('a', 'api.example.com', 443);
    expect({ allowed: d.allowed, line: d.rule?.line, lookedUp: d.lookedUp, refused: d.refusedIfResolvedTo }).toEqual({
      allowed: true,
      line: 19,
      lookedUp: true,
      refused: ['10.0.0.0/8', '127.0.0.0/8'],
    });
  });

  it("refuses another app's name, an undeclared one, an undeclared port and the probe port before any lookup", () => {
    for (const [via, name, p] of [
      ['a', 'other.example.com', 443],
      ['a', 'evil.example.net', 443],
      ['a', 'api.example.com', 22],
      ['probe', 'api.example.com', 443],
    ] as const) {
      const d = connect(via, name, p);
      expect({ via, name, p, allowed: d.allowed, lookedUp: d.lookedUp }).toEqual({ via, name, p, allowed: false, lookedUp: false });
    }
  });

  it('refuses an IP literal first', () => {
    const d = decide(config, { via: port('a'), method: 'CONNECT', scheme: 'AUTHORITY', host: { ipLiteral: true }, port: 443 });
    expect([d.allowed, d.rule?.line]).toEqual([false, 18]);
  });

  it('applies the opposite of the last line when none matches, and denies with no line', () => {
    const allowLast = parseSquidConfig('acl a myportname a\nhttp_port 1 name=a\nhttp_access allow a');
    expect(decide(allowLast, { via: { port: 2, name: 'b', line: 0 }, method: 'GET', scheme: 'HTTP', host: { name: 'x.example' }, port: 80 }).allowed).toBe(
      false,
    );
    expect(
      decide(parseSquidConfig(''), { via: { port: 2, name: 'b', line: 0 }, method: 'GET', scheme: 'HTTP', host: { name: 'x.example' }, port: 80 }).allowed,
    ).toBe(false);
  });

  it('lists what each port lets through: names on ports by line, one label below for the wildcard, never an IP literal, undeclared names refused before a lookup', () => {
    const a = portReach(config, port('a'));
    expect(
      a.allowed.map((e) => `${formatHostPattern(e.host)} ${e.ports.map((r) => `${r.from}-${r.to}`).join(',')} ${e.methods.join('+')} line ${e.rule.line}`),
    ).toEqual(['api.example.com 443-443,8000-8010 CONNECT+http line 19', '*.cdn.example.com 443-443,8000-8010 CONNECT+http line 20']);
    expect([a.ipLiterals, a.unknownRefusedBeforeLookup]).toEqual([false, true]);
    expect(portReach(config, port('probe')).allowed).toEqual([]);
  });

  it('says when a name could be looked up before it is refused', () => {
    const early = parseSquidConfig(
      'http_port 1 name=a\nacl a myportname a\nacl p dst 10.0.0.0/8\nacl n dstdomain -n x.example\nhttp_access deny p\nhttp_access allow a n\nhttp_access deny all',
    );
    expect(portReach(early, early.ports[0]).unknownRefusedBeforeLookup).toBe(false);
  });
});

describe('host patterns', () => {
  it('match names as the intent means them: *.x one label below x, not x, not deeper; .x (dstdomain) x and every name below', () => {
    const label = parseHostPattern('*.hf.co');
    expect(['cdn.hf.co', 'hf.co', 'a.b.hf.co'].map((n) => hostMatches(label, n))).toEqual([true, false, false]);
    const subtree = parseHostPattern('.hf.co');
    expect(['cdn.hf.co', 'hf.co', 'a.b.hf.co', 'xhf.co'].map((n) => hostMatches(subtree, n))).toEqual([true, true, true, false]);
  });

  it('know which set holds another', () => {
    const p = parseHostPattern;
    expect(hostCovers(p('*.hf.co'), p('cdn.hf.co'))).toBe(true);
    expect(hostCovers(p('cdn.hf.co'), p('*.hf.co'))).toBe(false);
    expect(hostCovers(p('.hf.co'), p('*.hf.co'))).toBe(true);
    expect(hostCovers(p('*.hf.co'), p('*.cdn.hf.co'))).toBe(false);
    expect(hostCovers(p('*.*.hf.co'), p('*.cdn.hf.co'))).toBe(true);
  });
});
