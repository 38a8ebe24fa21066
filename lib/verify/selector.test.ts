import fc from 'fast-check';
import { LabelMap } from './labels';
import { Selector, SelectorSyntaxError } from './selector';

const labels = (o: Record<string, string>): LabelMap => new Map(Object.entries(o));
const matches = (expr: string, o: Record<string, string>): boolean => new Selector(expr).test(labels(o));

describe('Calico selector', () => {
  it('== matches the value and is false when the label is absent', () => {
    expect(matches("app == 'rag'", { app: 'rag' })).toBe(true);
    expect(matches("app == 'rag'", { app: 'web' })).toBe(false);
    expect(matches("app == 'rag'", {})).toBe(false);
  });

  it('k != v matches a pod without the label k', () => {
    expect(matches("app != 'rag'", {})).toBe(true);
    expect(matches("app != 'rag'", { app: 'web' })).toBe(true);
    expect(matches("app != 'rag'", { app: 'rag' })).toBe(false);
  });

  it('in and not in test set membership; not in is true when the label is absent', () => {
    expect(matches('tier in { \'a\', "b" }', { tier: 'b' })).toBe(true);
    expect(matches("tier in {'a','b'}", {})).toBe(false);
    expect(matches("tier not in {'a','b'}", {})).toBe(true);
    expect(matches("tier not in {'a','b'}", { tier: 'a' })).toBe(false);
  });

  it('has and !has test presence', () => {
    expect(matches('has(gpu)', { gpu: '' })).toBe(true);
    expect(matches('!has(gpu)', { gpu: 'a100' })).toBe(false);
    expect(matches('! has( gpu )', {})).toBe(true);
  });

  it('contains, starts with and ends with are false when the label is absent', () => {
    expect(matches("model contains 'llama'", { model: 'meta-llama-3' })).toBe(true);
    expect(matches("model starts with 'meta-'", { model: 'meta-llama-3' })).toBe(true);
    expect(matches("model ends with '-3'", { model: 'meta-llama-3' })).toBe(true);
    for (const e of ["model contains 'x'", "model starts with 'x'", "model ends with 'x'"]) expect(matches(e, {})).toBe(false);
  });

  it('all(), global() and the empty selector match everything', () => {
    for (const e of ['all()', 'global()', '', '  ']) expect(matches(e, {})).toBe(true);
  });

  it('&& binds tighter than ||, ! binds to one operation, parentheses group', () => {
    expect(matches("a == '1' || b == '1' && c == '1'", { a: '1' })).toBe(true);
    expect(matches("(a == '1' || b == '1') && c == '1'", { a: '1' })).toBe(false);
    expect(matches("!a == '1' && b == '1'", { b: '1' })).toBe(true);
    expect(matches("!(a == '1' && b == '1')", { a: '1', b: '1' })).toBe(false);
  });

  it('accepts label keys with /, ., - and _', () => {
    expect(
      matches("projectcalico.org/namespace == 'ai' && app.kubernetes.io/part-of == 'rag_x'", {
        'projectcalico.org/namespace': 'ai',
        'app.kubernetes.io/part-of': 'rag_x',
      }),
    ).toBe(true);
  });

  it('selector parse error shows the position', () => {
    const cases: [string, number][] = [
      ['app == rag', 8],
      ["app = 'rag'", 5],
      ["app == 'rag' &&", 16],
      ["app in {'a'", 12],
      ["(app == 'rag'", 14],
      ["app === 'x'", 7],
      ['has(app', 8],
      ["app == 'x' extra", 12],
      ["app == 'unterminated", 8],
    ];
    for (const [expr, column] of cases) {
      let error: unknown;
      try {
        new Selector(expr);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SelectorSyntaxError);
      const err = error as SelectorSyntaxError;
      expect(`${expr} -> ${err.position + 1}`).toBe(`${expr} -> ${column}`);
      expect(err.message).toContain(`column ${column}`);
      expect(err.message.split('\n')[2]).toBe(`  ${' '.repeat(column - 1)}^`);
    }
  });

  // Rows taken from libcalico-go's own tables (projectcalico/calico
  // libcalico-go/lib/selector/tokenizer/tokenizer_test.go `tokenTests`, parser/parser_test.go
  // `selectorTests` and `badSelectors`), plus the length limit of a label.
  const LONG = 'k'.repeat(512);
  const grammar: readonly [string, 'valid' | 'invalid', string][] = [
    ['a=="b"', 'valid', 'no spaces needed around =='],
    ['a!="b"', 'valid', '!= without spaces'],
    ['label contains"value"', 'valid', 'an operator word ends where the string begins'],
    ["contains contains 'contains'", 'valid', 'operator words are labels where no operator is expected'],
    ["in == 'x'", 'valid', 'in is a label at the start'],
    ['label startswith "value"', 'valid', 'starts with written as one word'],
    ['label starts  with "value"', 'valid', 'several spaces between the words of an operator'],
    ['label endswith "value"', 'valid', 'ends with written as one word'],
    ['a notin {"bar"}', 'valid', 'not in written as one word'],
    ['a  not  in  {"bar"}  &&  ! has( foo )  ||  b  in  {"c"} ', 'valid', 'spaces inside has( ) and around everything'],
    ['a notin{"bar"}&&!has(foo)||b in{"c"}', 'valid', 'no spaces at all'],
    ['has(calico/k8s_NS-.1/role)', 'valid', 'label characters A-Za-z0-9_./-'],
    ['a not in {}', 'valid', 'an empty set'],
    ['a in {"a", "b",}', 'valid', 'a trailing comma'],
    ['all( )', 'valid', 'a space inside all( )'],
    ['global( )', 'valid', 'a space inside global( )'],
    ['!!! has(a)', 'valid', 'repeated negation'],
    ['\t a == "b"\t', 'valid', 'tabs are spaces'],
    [`has(${LONG})`, 'valid', 'a label of 512 characters'],
    [`${LONG} == 'x'`, 'valid', 'a label of 512 characters before an operator'],
    [`has(${LONG}k)`, 'invalid', 'a label of 513 characters is too long'],
    [`${LONG}k == 'x'`, 'invalid', 'a label of 513 characters is too long before an operator too'],
    ['has (a)', 'invalid', 'has and its parenthesis are one token'],
    ['all ()', 'invalid', 'all and its parenthesis are one token'],
    ['global ()', 'invalid', 'global and its parenthesis are one token'],
    ['a == "b"\n', 'invalid', 'a newline is not whitespace'],
    ['label = "value"', 'invalid', 'a single ='],
    ['all(', 'invalid', 'all( unclosed'],
    ['global(', 'invalid', 'global( unclosed'],
    ['has()', 'invalid', 'has() without a label'],
    ['has(foo', 'invalid', 'has( unclosed'],
    ['has( foo ', 'invalid', 'has( unclosed after a space'],
    ['a == "b" & has(foo)', 'invalid', 'a single &'],
    ['a == "b" | has(foo)', 'invalid', 'a single |'],
    ['label starts foo "value"', 'invalid', 'starts without with'],
    ['label inf "value"', 'invalid', 'in must end at a word boundary'],
    ['label ends withs "value"', 'invalid', 'with must end at a word boundary'],
    ['label squiggles "value"', 'invalid', 'no such operator'],
    ['b == b', 'invalid', 'label == label'],
    ["'b1' == b", 'invalid', 'a string on the left'],
    ['b', 'invalid', 'a bare label'],
    ['a b', 'invalid', 'two labels'],
    ['!', 'invalid', 'a lone !'],
    ['foo != ||', 'invalid', 'no string after !='],
    ['foo in ""', 'invalid', 'in without a set'],
    ['"FOO\'', 'invalid', 'unterminated string'],
    ['(', 'invalid', 'unterminated parenthesis'],
    [')', 'invalid', 'a closing parenthesis alone'],
    ['()', 'invalid', 'empty parentheses'],
    ['%', 'invalid', 'an unexpected character'],
    ['has(foo) &&', 'invalid', '&& at the end'],
  ];

  it.each(grammar)('%j is %s: %s', (expression, verdict) => {
    const parse = () => new Selector(expression);
    if (verdict === 'valid') expect(parse).not.toThrow();
    else expect(parse).toThrow(SelectorSyntaxError);
  });

  const meaning: readonly [string, Record<string, string>, boolean][] = [
    ['', {}, true],
    [' ', { a: 'b' }, true],
    ['all()', { a: 'b' }, true],
    [' global()', {}, true],
    ['a != "a"', {}, true],
    ['a not in {"d", "e"}', {}, true],
    ['!a in {"a"}', { a: 'b' }, true],
    ['!!has(b)', { a: 'b' }, false],
    ['a contains "a"', {}, false],
    ['a starts with ""', { a: '' }, true],
    ['a ends with ""', {}, false],
    ['!(!has(a) || has(b))', { a: 'a' }, true],
    ["! a == 'a1' || ! b == 'b1'", { a: 'a1', b: 'b1' }, false],
    [`has(${LONG})`, { [LONG]: 'x' }, true],
  ];

  it.each(meaning)('%j on %j is %s', (expression, labels, expected) => {
    expect(matches(expression, labels)).toBe(expected);
  });

  it('!(e) matches exactly the label sets e does not', () => {
    const key = fc.constantFrom('a', 'b', 'c');
    const value = fc.constantFrom('1', '2');
    const quoted = value.map((v) => `'${v}'`);
    const leaf = fc.oneof(
      fc.tuple(key, quoted).map(([k, v]) => `${k} == ${v}`),
      fc.tuple(key, quoted).map(([k, v]) => `${k} != ${v}`),
      fc.tuple(key, quoted, quoted).map(([k, v, w]) => `${k} in {${v}, ${w}}`),
      fc.tuple(key, quoted).map(([k, v]) => `${k} not in {${v}}`),
      key.map((k) => `has(${k})`),
      fc.tuple(key, value).map(([k, v]) => `${k} starts with '${v}'`),
    );
    const expr = fc.letrec<{ e: string }>((tie) => ({
      e: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.tuple(tie('e'), tie('e')).map(([x, y]) => `(${x} && ${y})`),
        fc.tuple(tie('e'), tie('e')).map(([x, y]) => `(${x} || ${y})`),
        tie('e').map((x) => `!(${x})`),
      ),
    })).e;
    const labelSet = fc.dictionary(key, value);
    fc.assert(
      fc.property(expr, labelSet, (e, l) => {
        expect(new Selector(`!(${e})`).test(labels(l))).toBe(!new Selector(e).test(labels(l)));
      }),
    );
  });

  it('synthesizes label sets that match, one per alternative', () => {
    const w = new Selector("app == 'qdrant' && has(gpu) || role in {'db'}").witnesses().map((l) => Object.fromEntries(l));
    expect(w).toEqual([{ app: 'qdrant', gpu: '*' }, { role: 'db' }]);
    expect(new Selector("!(app != 'x')").witnesses().map((l) => Object.fromEntries(l))).toEqual([{ app: 'x' }]);
  });
});
