import fc from 'fast-check';
import { Labels } from './labels';
import { Selector, SelectorSyntaxError } from './selector';

const labels = (o: Record<string, string>): Labels => new Map(Object.entries(o));
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
    expect(matches("tier in { 'a', \"b\" }", { tier: 'b' })).toBe(true);
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
    expect(matches("projectcalico.org/namespace == 'ai' && app.kubernetes.io/part-of == 'rag_x'", { 'projectcalico.org/namespace': 'ai', 'app.kubernetes.io/part-of': 'rag_x' })).toBe(true);
  });

  it('selector parse error shows the position', () => {
    const cases: [string, number][] = [
      ["app == rag", 8],
      ["app = 'rag'", 5],
      ["app == 'rag' &&", 16],
      ["app in {'a'", 12],
      ["(app == 'rag'", 14],
      ["app === 'x'", 7],
      ["has(app", 8],
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
    const expr = fc.letrec((tie) => ({
      e: fc.oneof({ depthSize: 'small' }, leaf, fc.tuple(tie('e'), tie('e')).map(([x, y]) => `(${x} && ${y})`), fc.tuple(tie('e'), tie('e')).map(([x, y]) => `(${x} || ${y})`), tie('e').map((x) => `!(${x})`)),
    })).e as fc.Arbitrary<string>;
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
