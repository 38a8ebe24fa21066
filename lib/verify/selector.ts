/**
 * Calico selector expressions: parser, evaluator and witness synthesis.
 *
 * Grammar and meaning follow https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors
 * and libcalico-go's parser: `==`, `!=`, `in {...}`, `not in {...}`, `has(k)`, `contains`,
 * `starts with`, `ends with`, `all()`, `global()`, `!`, `&&`, `||` and parentheses; an empty
 * expression means `all()`. A test on an absent label is false, except `!=` and `not in`, which
 * are true (so `!has(k)` and `k != 'v'` both match a pod without `k`).
 */

import { ANY_VALUE, crossWitnesses, LabelHint, LabelMatcher, Labels } from './labels';

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

type Token =
  | { kind: 'label' | 'string'; value: string; at: number }
  | { kind: '(' | ')' | '{' | '}' | ',' | '==' | '!=' | '!' | '&&' | '||' | 'in' | 'not in' | 'contains' | 'starts with' | 'ends with' | 'all()' | 'global()' | 'eof'; at: number }
  | { kind: 'has'; value: string; at: number };

const LABEL_CHAR = /[A-Za-z0-9_./-]/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (at: number, reason: string): never => {
    throw new SelectorSyntaxError(text, at, reason);
  };
  const skipSpace = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  const readLabel = (): string => {
    const start = i;
    while (i < text.length && LABEL_CHAR.test(text[i])) i++;
    return text.slice(start, i);
  };
  const word = (w: string): boolean => text.startsWith(w, i) && !LABEL_CHAR.test(text[i + w.length] ?? '');
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
      if (word('contains')) {
        tokens.push({ kind: 'contains', at });
        i += 'contains'.length;
      } else if (word('in')) {
        tokens.push({ kind: 'in', at });
        i += 2;
      } else {
        const m = /^(not[ \t]+in|starts[ \t]+with|ends[ \t]+with)(?![A-Za-z0-9_./-])/.exec(text.slice(i));
        if (!m) fail(at, `expected an operator (==, !=, in, not in, contains, starts with, ends with) after label "${last.value}"`);
        tokens.push({ kind: m![1].replace(/[ \t]+/, ' ') as 'not in' | 'starts with' | 'ends with', at });
        i += m![0].length;
      }
    } else if (/^(all|global)[ \t]*\(/.test(text.slice(i))) {
      const name = text.startsWith('all', i) ? 'all' : 'global';
      i += name.length;
      skipSpace();
      i++;
      skipSpace();
      if (text[i] !== ')') fail(i, `expected ) after ${name}(`);
      i++;
      tokens.push({ kind: `${name}()` as 'all()' | 'global()', at });
    } else if (/^has[ \t]*\(/.test(text.slice(i))) {
      i += 3;
      skipSpace();
      i++;
      skipSpace();
      const labelAt = i;
      const key = readLabel();
      if (!key) fail(labelAt, 'expected a label name in has(...)');
      skipSpace();
      if (text[i] !== ')') fail(i, 'expected ) to close has(');
      i++;
      tokens.push({ kind: 'has', value: key, at });
    } else if (LABEL_CHAR.test(c)) {
      tokens.push({ kind: 'label', value: readLabel(), at });
    } else {
      fail(at, `unexpected character "${c}"`);
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

type Test = (labels: Labels) => boolean;

/** How `all()` and `global()` read: plain (both match everything) or as a Calico namespaceSelector. */
type BuiltinTerms = { readonly all: boolean; readonly global: boolean };
const PLAIN: BuiltinTerms = { all: true, global: true };

function compile(node: SelectorNode, terms: BuiltinTerms): Test {
  switch (node.op) {
    case 'all':
      return terms.all ? () => true : () => false;
    case 'global':
      return terms.global ? () => true : () => false;
    case 'eq':
      return (l) => l.get(node.key) === node.value;
    case 'ne':
      return (l) => l.get(node.key) !== node.value;
    case 'contains':
      return (l) => l.get(node.key)?.includes(node.value) ?? false;
    case 'startsWith':
      return (l) => l.get(node.key)?.startsWith(node.value) ?? false;
    case 'endsWith':
      return (l) => l.get(node.key)?.endsWith(node.value) ?? false;
    case 'in': {
      const set = new Set(node.values);
      return (l) => {
        const v = l.get(node.key);
        return v !== undefined && set.has(v);
      };
    }
    case 'notIn': {
      const set = new Set(node.values);
      return (l) => {
        const v = l.get(node.key);
        return v === undefined || !set.has(v);
      };
    }
    case 'has':
      return (l) => l.has(node.key);
    case 'not': {
      const inner = compile(node.operand, terms);
      return (l) => !inner(l);
    }
    case 'and': {
      const parts = node.operands.map((o) => compile(o, terms));
      return (l) => parts.every((p) => p(l));
    }
    case 'or': {
      const parts = node.operands.map((o) => compile(o, terms));
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
function candidates(node: SelectorNode, negated: boolean): Labels[] {
  const one = (key: string, value: string): Labels[] => [new Map([[key, value]])];
  const none: Labels[] = [new Map()];
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
  private globalTest?: Test;

  constructor(readonly expression: string) {
    this.node = parseSelectorExpression(expression);
    this.plain = compile(this.node, PLAIN);
    this.hint = hintOf(this.node);
  }

  /** True when the labels match. */
  test(labels: Labels): boolean {
    return this.plain(labels);
  }

  /**
   * Reads the selector as a rule's namespaceSelector: labels are the namespace's, `all()` means
   * "any namespaced endpoint" and `global()` means "only non-namespaced ones" (global network
   * sets), as libcalico-go rewrites them. `undefined` stands for a non-namespaced entity.
   */
  testNamespace(namespaceLabels: Labels | undefined): boolean {
    if (namespaceLabels === undefined) {
      this.globalTest ??= compile(this.node, { all: false, global: true });
      return this.globalTest(new Map());
    }
    this.namespaceTest ??= compile(this.node, { all: true, global: false });
    return this.namespaceTest(namespaceLabels);
  }

  /** True when the expression is exactly `global()`. */
  get isGlobal(): boolean {
    return this.node.op === 'global';
  }

  /** Small label sets that match, one per alternative the expression offers. */
  witnesses(): Labels[] {
    return candidates(this.node, false).filter((l) => this.test(l));
  }
}
