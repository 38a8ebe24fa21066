/**
 * Calico selector expressions: parser, evaluator and witness synthesis.
 *
 * Grammar and meaning follow https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors
 * and, token for token, libcalico-go's tokenizer and parser
 * (projectcalico/calico `libcalico-go/lib/selector/tokenizer/tokenizer.go`, `parser/parser.go`):
 *
 * - Whitespace is spaces and tabs only; any other character outside a string that is not an
 *   operator or a label character (`A-Za-z0-9_./-`) is an error.
 * - `has(`, `all(` and `global(` are one token each: `has (x)` is a label `has` followed by a
 *   parenthesis, an error. Inside the parentheses spaces are allowed (`has( x )`, `all( )`).
 * - After a label only an operator may follow: `==`, `!=`, `contains`, `starts with`,
 *   `ends with`, `in`, `not in`; the two-word ones may be written with any spaces between the
 *   words or none (`startswith`, `notin`), and each must end at a word boundary. Elsewhere the
 *   same words are plain labels (`in == 'x'` tests the label `in`).
 * - A label is at most 512 characters (`tokenizer.MaxLabelLength`); a longer one is "label too
 *   long", so the whole selector is invalid. Kubernetes refuses labels on objects whose key is
 *   longer than its limits (name 63, prefix 253: lib/k8s, names.ts), so a selector naming such a key
 *   parses and simply matches nothing.
 * - Strings are quoted with `'` or `"`, without escapes. `in {...}` takes any number of strings,
 *   a trailing comma and none at all (`in {}`) included.
 * - The empty expression, or one of only spaces, is `all()`: it selects everything.
 *
 * A test on an absent label is false, except `!=` and `not in`, which are true (so `!has(k)` and
 * `k != 'v'` both match a pod without `k`) (`parser/ast.go`, the nodes' `Evaluate`).
 */

import { INHERITED_PREFIX } from './endpoints';
import { ANY_VALUE, crossWitnesses, LabelHint, LabelMatcher, LabelMap } from './labels';
import { CALICO_LABEL } from '../k8s';

/** One node of a parsed selector. */
export type SelectorNode =
  | { readonly op: 'all' | 'global' }
  | { readonly op: 'eq' | 'ne' | 'contains' | 'startsWith' | 'endsWith'; readonly key: string; readonly value: string }
  | { readonly op: 'in' | 'notIn'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: 'has'; readonly key: string }
  | { readonly op: 'not'; readonly operand: SelectorNode }
  | { readonly op: 'and' | 'or'; readonly operands: readonly SelectorNode[] };

/** A selector that does not parse, with the position (0-based) where parsing failed. */
export class SelectorSyntaxError extends Error {
  constructor(
    readonly expression: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super(`${reason} at column ${position + 1}\n  ${expression}\n  ${' '.repeat(position)}^`);
    this.name = 'SelectorSyntaxError';
  }
}

/** The longest label a selector may name (libcalico-go `tokenizer.MaxLabelLength`). */
const MAX_SELECTOR_LABEL = 512;

type Token =
  | { kind: 'label' | 'string'; value: string; at: number }
  | {
      kind:
        | '('
        | ')'
        | '{'
        | '}'
        | ','
        | '=='
        | '!='
        | '!'
        | '&&'
        | '||'
        | 'in'
        | 'not in'
        | 'contains'
        | 'starts with'
        | 'ends with'
        | 'all()'
        | 'global()'
        | 'eof';
      at: number;
    }
  | { kind: 'has'; value: string; at: number };

/** `identifierChar` of the tokenizer. */
function isLabelChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_./-]/.test(c);
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/** Operators that may follow a label, each a word or two (spaces between them optional). */
const OPERATORS: readonly { readonly words: readonly string[]; readonly kind: 'contains' | 'starts with' | 'ends with' | 'not in' | 'in' }[] = [
  { words: ['contains'], kind: 'contains' },
  { words: ['starts', 'with'], kind: 'starts with' },
  { words: ['ends', 'with'], kind: 'ends with' },
  { words: ['not', 'in'], kind: 'not in' },
  { words: ['in'], kind: 'in' },
];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (at: number, reason: string): never => {
    throw new SelectorSyntaxError(text, at, reason);
  };
  const skipSpace = (): void => {
    while (isSpace(text[i])) i++;
  };
  /** `cutIdentifier`: one label, at least one character and at most MAX_SELECTOR_LABEL. */
  const readLabel = (): string => {
    const start = i;
    while (isLabelChar(text[i])) i++;
    if (i === start) fail(start, text[start] === undefined ? 'expected a label' : `unexpected character ${JSON.stringify(text[start])}; expected a label`);
    if (i - start > MAX_SELECTOR_LABEL) fail(start, `label too long: ${i - start} characters, at most ${MAX_SELECTOR_LABEL}`);
    return text.slice(start, i);
  };
  /** Reads `words` (spaces between them optional) ending at a word boundary; false, reading nothing, otherwise. */
  const cutWords = (words: readonly string[]): boolean => {
    let j = i;
    for (const [n, w] of words.entries()) {
      if (!text.startsWith(w, j)) return false;
      j += w.length;
      if (n < words.length - 1) while (isSpace(text[j])) j++;
    }
    if (isLabelChar(text[j])) return false;
    i = j;
    return true;
  };
  /** After `name(`: spaces, then `)`. */
  const closeBuiltin = (name: string): void => {
    skipSpace();
    if (text[i] !== ')') fail(i, `expected ) after ${name}(`);
    i++;
  };
  for (;;) {
    skipSpace();
    const at = i;
    if (i >= text.length) {
      tokens.push({ kind: 'eof', at });
      return tokens;
    }
    const c = text[i];
    const two = text.slice(i, i + 2);
    const last = tokens[tokens.length - 1];
    if ('(){},'.includes(c)) {
      tokens.push({ kind: c as '(' | ')' | '{' | '}' | ',', at });
      i++;
    } else if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) fail(at, 'unterminated string');
      tokens.push({ kind: 'string', value: text.slice(i + 1, end), at });
      i = end + 1;
    } else if (two === '==' || two === '!=' || two === '&&' || two === '||') {
      tokens.push({ kind: two, at });
      i += 2;
    } else if (c === '!') {
      tokens.push({ kind: '!', at });
      i++;
    } else if (c === '=' || c === '&' || c === '|') {
      fail(at, `expected ${c}${c}`);
    } else if (last?.kind === 'label') {
      const op = OPERATORS.find((o) => cutWords(o.words));
      if (!op) fail(at, `expected an operator (==, !=, in, not in, contains, starts with, ends with) after label "${last.value}"`);
      tokens.push({ kind: op!.kind, at });
    } else if (text.startsWith('has(', i)) {
      i += 'has('.length;
      skipSpace();
      const key = readLabel();
      skipSpace();
      if (text[i] !== ')') fail(i, 'expected ) to close has(');
      i++;
      tokens.push({ kind: 'has', value: key, at });
    } else if (text.startsWith('all(', i) || text.startsWith('global(', i)) {
      const name = text.startsWith('all(', i) ? 'all' : 'global';
      i += name.length + 1;
      closeBuiltin(name);
      tokens.push({ kind: `${name}()`, at });
    } else {
      tokens.push({ kind: 'label', value: readLabel(), at });
    }
  }
}

class Parser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  parse(): SelectorNode {
    if (this.peek().kind === 'eof') return { op: 'all' };
    const node = this.or();
    const rest = this.peek();
    if (rest.kind !== 'eof') this.fail(rest, 'unexpected content; expected && or || or the end of the selector');
    return node;
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    return this.tokens[this.pos++];
  }

  private fail(token: Token, reason: string): never {
    throw new SelectorSyntaxError(this.text, token.at, reason);
  }

  private or(): SelectorNode {
    const operands = [this.and()];
    while (this.peek().kind === '||') {
      this.next();
      operands.push(this.and());
    }
    return operands.length === 1 ? operands[0] : { op: 'or', operands };
  }

  private and(): SelectorNode {
    const operands = [this.unary()];
    while (this.peek().kind === '&&') {
      this.next();
      operands.push(this.unary());
    }
    return operands.length === 1 ? operands[0] : { op: 'and', operands };
  }

  private unary(): SelectorNode {
    if (this.peek().kind === '!') {
      this.next();
      return { op: 'not', operand: this.unary() };
    }
    return this.primary();
  }

  private primary(): SelectorNode {
    const t = this.next();
    switch (t.kind) {
      case '(': {
        const inner = this.or();
        const close = this.next();
        if (close.kind !== ')') this.fail(close, 'expected )');
        return inner;
      }
      case 'all()':
        return { op: 'all' };
      case 'global()':
        return { op: 'global' };
      case 'has':
        return { op: 'has', key: t.value };
      case 'label':
        return this.comparison(t.value);
      case 'eof':
        return this.fail(t, 'unexpected end of selector; expected a label, has(...), all(), ! or (');
      default:
        return this.fail(t, `unexpected ${t.kind}; expected a label, has(...), all(), ! or (`);
    }
  }

  private comparison(key: string): SelectorNode {
    const op = this.next();
    const ops = { '==': 'eq', '!=': 'ne', contains: 'contains', 'starts with': 'startsWith', 'ends with': 'endsWith' } as const;
    if (op.kind in ops) {
      const value = this.next();
      if (value.kind !== 'string') this.fail(value, `expected a quoted string after ${op.kind}`);
      return { op: ops[op.kind as keyof typeof ops], key, value: (value as { value: string }).value };
    }
    if (op.kind === 'in' || op.kind === 'not in') {
      const open = this.next();
      if (open.kind !== '{') this.fail(open, `expected { after ${op.kind}`);
      const values: string[] = [];
      while (this.peek().kind === 'string') {
        values.push((this.next() as { value: string }).value);
        if (this.peek().kind !== ',') break;
        this.next();
      }
      const close = this.next();
      if (close.kind !== '}') this.fail(close, 'expected a quoted string or }');
      return { op: op.kind === 'in' ? 'in' : 'notIn', key, values: [...new Set(values)] };
    }
    return this.fail(op, `expected an operator (==, !=, in, not in, contains, starts with, ends with) after label "${key}"`);
  }
}

/** Parses a selector expression, or throws a SelectorSyntaxError that points at the failure. */
function parseSelectorExpression(text: string): SelectorNode {
  return new Parser(text, tokenize(text)).parse();
}

type Test = (labels: LabelMap) => boolean;

/**
 * How a selector is read: `all()` and `global()` as tests of their own, and a prefix put before
 * every label key. Plain, both match everything and keys are as written.
 */
interface Reading {
  readonly all: Test;
  readonly global: Test;
  readonly prefix: string;
}

const EVERYTHING: Test = () => true;
const NOTHING: Test = () => false;
const PLAIN: Reading = { all: EVERYTHING, global: EVERYTHING, prefix: '' };

/**
 * A rule's namespaceSelector as libcalico-go rewrites it for Felix (`updateprocessors/rules.go`,
 * getEndpointSelector): every key prefixed `pcns.` (parseSelectorAttachPrefix), `all()` turned
 * into `has(projectcalico.org/namespace)` and `global()` into `!has(projectcalico.org/namespace)`,
 * then evaluated on the item's own labels like any selector. A NetworkSet's or a HostEndpoint's
 * own `pcns.` labels count; a pod's are dropped before (see endpoints.ts).
 */
const AS_NAMESPACE_SELECTOR: Reading = {
  all: (l) => l.has(CALICO_LABEL.namespace),
  global: (l) => !l.has(CALICO_LABEL.namespace),
  prefix: INHERITED_PREFIX.namespace,
};

/** A serviceAccounts.selector as libcalico-go rewrites it (`rules.go` parseServiceAccounts): every key prefixed `pcsa.`. */
const AS_SERVICE_ACCOUNT_SELECTOR: Reading = { all: EVERYTHING, global: EVERYTHING, prefix: INHERITED_PREFIX.serviceAccount };

function compile(node: SelectorNode, r: Reading): Test {
  switch (node.op) {
    case 'all':
      return r.all;
    case 'global':
      return r.global;
    case 'eq': {
      const key = r.prefix + node.key;
      return (l) => l.get(key) === node.value;
    }
    case 'ne': {
      const key = r.prefix + node.key;
      return (l) => l.get(key) !== node.value;
    }
    case 'contains': {
      const key = r.prefix + node.key;
      return (l) => l.get(key)?.includes(node.value) ?? false;
    }
    case 'startsWith': {
      const key = r.prefix + node.key;
      return (l) => l.get(key)?.startsWith(node.value) ?? false;
    }
    case 'endsWith': {
      const key = r.prefix + node.key;
      return (l) => l.get(key)?.endsWith(node.value) ?? false;
    }
    case 'in': {
      const key = r.prefix + node.key;
      const set = new Set(node.values);
      return (l) => {
        const v = l.get(key);
        return v !== undefined && set.has(v);
      };
    }
    case 'notIn': {
      const key = r.prefix + node.key;
      const set = new Set(node.values);
      return (l) => {
        const v = l.get(key);
        return v === undefined || !set.has(v);
      };
    }
    case 'has': {
      const key = r.prefix + node.key;
      return (l) => l.has(key);
    }
    case 'not': {
      const inner = compile(node.operand, r);
      return (l) => !inner(l);
    }
    case 'and': {
      const parts = node.operands.map((o) => compile(o, r));
      return (l) => parts.every((p) => p(l));
    }
    case 'or': {
      const parts = node.operands.map((o) => compile(o, r));
      return (l) => parts.some((p) => p(l));
    }
  }
}

function hintOf(node: SelectorNode): LabelHint | undefined {
  switch (node.op) {
    case 'eq':
      return { key: node.key, values: [node.value] };
    case 'in':
      return { key: node.key, values: node.values };
    case 'and': {
      const hints = node.operands.map(hintOf).filter((h): h is LabelHint => h !== undefined);
      return hints.sort((a, b) => a.values.length - b.values.length)[0];
    }
    case 'or': {
      const hints = node.operands.map(hintOf);
      const key = hints[0]?.key;
      if (key === undefined || !hints.every((h) => h?.key === key)) return undefined;
      return { key, values: [...new Set(hints.flatMap((h) => h!.values))] };
    }
    default:
      return undefined;
  }
}

/** Candidate label sets for `node` (when negated, for `!node`); filtered by evaluation afterwards. */
function candidates(node: SelectorNode, negated: boolean): LabelMap[] {
  const one = (key: string, value: string): LabelMap[] => [new Map([[key, value]])];
  const none: LabelMap[] = [new Map()];
  switch (node.op) {
    case 'all':
    case 'global':
      return negated ? [] : none;
    case 'eq':
      return negated ? none : one(node.key, node.value);
    case 'ne':
      return negated ? one(node.key, node.value) : none;
    case 'in':
      return negated ? none : node.values.map((v) => new Map([[node.key, v]]));
    case 'notIn':
      return negated ? node.values.map((v) => new Map([[node.key, v]])) : none;
    case 'has':
      return negated ? none : one(node.key, ANY_VALUE);
    case 'contains':
      return negated ? none : one(node.key, `${ANY_VALUE}${node.value}${ANY_VALUE}`);
    case 'startsWith':
      return negated ? none : one(node.key, `${node.value}${ANY_VALUE}`);
    case 'endsWith':
      return negated ? none : one(node.key, `${ANY_VALUE}${node.value}`);
    case 'not':
      return candidates(node.operand, !negated);
    case 'and':
    case 'or': {
      const lists = node.operands.map((o) => candidates(o, negated));
      const conjunctive = (node.op === 'and') !== negated;
      return conjunctive ? crossWitnesses(lists) : lists.flat();
    }
  }
}

/** A parsed, compiled Calico selector. */
export class Selector implements LabelMatcher {
  /** The parsed expression. */
  readonly node: SelectorNode;
  readonly hint?: LabelHint;
  private readonly plain: Test;
  private namespaceTest?: Test;
  private asNamespaceTest?: Test;
  private asServiceAccountTest?: Test;

  /** The expression: two selectors with one expression match alike. */
  readonly key: string;

  constructor(readonly expression: string) {
    this.key = expression;
    this.node = parseSelectorExpression(expression);
    this.plain = compile(this.node, PLAIN);
    this.hint = hintOf(this.node);
  }

  /** True when the labels match. */
  test(labels: LabelMap): boolean {
    return this.plain(labels);
  }

  /**
   * Reads the selector as a rule's namespaceSelector tested on a namespace's own labels (as
   * `namespaceLabels`): `all()` means "any namespace" and `global()` "none" (it asks for what is
   * in no namespace). For the namespaces whose pods a rule can name.
   */
  testNamespace(namespaceLabels: LabelMap): boolean {
    this.namespaceTest ??= compile(this.node, { all: EVERYTHING, global: NOTHING, prefix: '' });
    return this.namespaceTest(namespaceLabels);
  }

  /**
   * Reads the selector as a rule's namespaceSelector the way Felix tests it on an item (pod,
   * network set, host endpoint): on the item's own labels as Calico sees them, `pcns.` keys for
   * the namespace's labels, `all()` as "has a namespace", `global()` as "has none".
   */
  testAsNamespaceSelector(itemLabels: LabelMap): boolean {
    this.asNamespaceTest ??= compile(this.node, AS_NAMESPACE_SELECTOR);
    return this.asNamespaceTest(itemLabels);
  }

  /** Reads the selector as a rule's serviceAccounts.selector tested on an item: its `pcsa.` labels. */
  testAsServiceAccountSelector(itemLabels: LabelMap): boolean {
    this.asServiceAccountTest ??= compile(this.node, AS_SERVICE_ACCOUNT_SELECTOR);
    return this.asServiceAccountTest(itemLabels);
  }

  /** True when the expression is exactly `global()`. */
  get isGlobal(): boolean {
    return this.node.op === 'global';
  }

  /** Small label sets that match, one per alternative the expression offers. */
  witnesses(): LabelMap[] {
    return candidates(this.node, false).filter((l) => this.test(l));
  }
}
