/**
 * A CoreDNS Corefile, read as CoreDNS reads it, far enough to tell which names a resolver sends
 * on to another server.
 *
 * The grammar is Caddy's, which CoreDNS uses (coredns/caddy, caddyfile/lexer.go and parse.go;
 * coredns/coredns corefile.5.md): tokens are separated by spaces, tabs and newlines; `#` starts a
 * comment to the end of the line; a token may be quoted with `"`, and `\` escapes the next
 * character; `{` and `}` open and close blocks. A server block is one or more keys
 * (`[SCHEME://]ZONE[:PORT]`, separated by spaces or commas) and a block of directives; a
 * directive is a plugin's name and its arguments up to the end of the line, with an optional
 * block of its own. `(name)` snippets and `import` pull in text from elsewhere: a Corefile that
 * uses them is reported as one this reader cannot judge.
 *
 * What it judges (`resolverZones`): for each zone a server block on port 53 answers, whether its
 * plugins can send a query to another server (`forward`, `grpc` and the plugins that ask a
 * cloud's or another resolver's API), and to where; and whether an `acl` refuses every query
 * before that (`block`, `filter` or `drop` with no `type` or `net` restriction: plugin/acl/README.md).
 */

/** A directive: a plugin's name, its arguments, and the directives of its block. */
interface Directive {
  readonly name: string;
  readonly args: readonly string[];
  readonly block: readonly Directive[];
}

/** A server block: its keys as written, and its directives. */
export interface ServerBlock {
  readonly keys: readonly string[];
  readonly directives: readonly Directive[];
}

interface Token {
  readonly text: string;
  readonly line: number;
  /** True for `{` and `}` written bare (not quoted). */
  readonly brace: boolean;
}

function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '"') {
      let value = '';
      const start = line;
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        if (text[i] === '\n') line++;
        value += text[i++];
      }
      if (i >= text.length) throw new Error(`line ${start}: a quoted token is not closed`);
      i++;
      tokens.push({ text: value, line: start, brace: false });
    } else {
      let value = '';
      while (i < text.length && !' \t\r\n'.includes(text[i])) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i++];
      }
      tokens.push({ text: value, line, brace: value === '{' || value === '}' });
    }
  }
  return tokens;
}

/** Parses a Corefile into its server blocks; throws an Error naming the line on a syntax error. */
export function parseCorefile(text: string): ServerBlock[] {
  const tokens = lex(text);
  let i = 0;
  const directives = (): Directive[] => {
    const out: Directive[] = [];
    while (i < tokens.length && !(tokens[i].brace && tokens[i].text === '}')) {
      const head = tokens[i++];
      if (head.brace) throw new Error(`line ${head.line}: "{" where a directive was expected`);
      const args: string[] = [];
      while (i < tokens.length && tokens[i].line === head.line && !tokens[i].brace) args.push(tokens[i++].text);
      let block: Directive[] = [];
      if (i < tokens.length && tokens[i].brace && tokens[i].text === '{' && tokens[i].line === head.line) {
        i++;
        block = directives();
        if (i >= tokens.length) throw new Error(`line ${head.line}: the block of ${head.text} is not closed`);
        i++;
      }
      out.push({ name: head.text, args, block });
    }
    return out;
  };
  const blocks: ServerBlock[] = [];
  while (i < tokens.length) {
    const keys: string[] = [];
    const first = tokens[i];
    while (i < tokens.length && !tokens[i].brace) {
      keys.push(
        ...tokens[i++].text
          .split(',')
          .map((k) => k.trim())
          .filter(Boolean),
      );
    }
    if (i >= tokens.length || tokens[i].text !== '{') throw new Error(`line ${first.line}: the server block ${keys.join(' ')} has no "{"`);
    if (keys.length === 0) throw new Error(`line ${tokens[i].line}: a server block without a key`);
    i++;
    const body = directives();
    if (i >= tokens.length) throw new Error(`line ${first.line}: the server block ${keys.join(' ')} is not closed`);
    i++;
    blocks.push({ keys, directives: body });
  }
  return blocks;
}

/** Plugins that send a query on to another server: a resolver, or a cloud's DNS API. */
const UPSTREAM_PLUGINS: ReadonlySet<string> = new Set(['forward', 'proxy', 'grpc', 'route53', 'clouddns', 'azure', 'unbound', 'recursor']);

/** What one zone of a Corefile does with the names under it. */
export interface ZoneBehaviour {
  /** The zone, lower case, with a trailing dot: `cluster.local.`, `.`. */
  readonly zone: string;
  /** `refused`: an acl refuses every query; `forwarded`: a plugin sends queries on, to `to`; `answered`: neither. */
  readonly does: 'refused' | 'forwarded' | 'answered';
  /** Where a `forward` sends them (its TO arguments), or the plugin that does. */
  readonly to: readonly string[];
}

/** A key's zone, when it serves port 53 over plain DNS (the only one the pods' port 53 reaches). */
function zoneOfKey(key: string): string | undefined {
  let rest = key.toLowerCase();
  const scheme = /^([a-z0-9+.-]+):\/\//.exec(rest);
  if (scheme) {
    if (scheme[1] !== 'dns') return undefined;
    rest = rest.slice(scheme[0].length);
  }
  const colon = rest.lastIndexOf(':');
  const port = colon >= 0 && !rest.includes(']') ? rest.slice(colon + 1) : undefined;
  const zone = colon >= 0 && !rest.includes(']') ? rest.slice(0, colon) : rest;
  if (port !== undefined && port !== '53') return undefined;
  const name = zone === '' ? '.' : zone;
  return name.endsWith('.') ? name : `${name}.`;
}

/** The values of a qualifier (`type` or `net`) of an acl rule, up to the next qualifier; undefined when absent. */
function qualifier(args: readonly string[], key: 'type' | 'net'): string[] | undefined {
  const at = args.indexOf(key);
  if (at < 0) return undefined;
  const rest = args.slice(at + 1);
  const end = rest.findIndex((a) => a === 'type' || a === 'net');
  return end < 0 ? rest : rest.slice(0, end);
}

/** Whether an acl directive for the block's own zones refuses every query before any rule lets one through. */
function refusesAll(acl: Directive): boolean {
  const first = acl.block[0];
  if (acl.args.length > 0 || !first || !['block', 'filter', 'drop'].includes(first.name)) return false;
  const every = (values: string[] | undefined) => values === undefined || values.includes('*');
  return every(qualifier(first.args, 'type')) && every(qualifier(first.args, 'net'));
}

/**
 * What each zone on port 53 does: refused by an acl, forwarded (to where), or answered by the
 * resolver itself. Throws on a Corefile it cannot judge (a syntax error, a snippet or an import).
 */
export function resolverZones(text: string): ZoneBehaviour[] {
  const blocks = parseCorefile(text);
  const out: ZoneBehaviour[] = [];
  for (const b of blocks) {
    if (b.keys.some((k) => k.startsWith('('))) throw new Error(`the snippet ${b.keys.join(' ')} is not read`);
    if (b.directives.some((d) => d.name === 'import')) throw new Error(`${b.keys.join(' ')} imports directives this reader does not follow`);
    const acl = b.directives.filter((d) => d.name === 'acl');
    const upstream = b.directives.filter((d) => UPSTREAM_PLUGINS.has(d.name));
    for (const key of b.keys) {
      const zone = zoneOfKey(key);
      if (zone === undefined) continue;
      // The acl plugin runs before forward and the other resolvers (plugin.cfg order), so a
      // refusal of everything answers first.
      if (acl.some(refusesAll)) out.push({ zone, does: 'refused', to: [] });
      else if (upstream.length > 0) out.push({ zone, does: 'forwarded', to: upstream.flatMap((d) => (d.name === 'forward' ? d.args.slice(1) : [d.name])) });
      else out.push({ zone, does: 'answered', to: [] });
    }
  }
  return out;
}
