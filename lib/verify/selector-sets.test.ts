import { LabelMap } from './labels';
import { Selector, SelectorSyntaxError } from './selector';

// `k in {...}` and `k not in {...}` (libcalico-go `parser/ast.go`, LabelInSetNode and
// LabelNotInSetNode): set membership of the label's value; not in is true when the label is absent.
const labels = (o: Record<string, string>): LabelMap => new Map(Object.entries(o));

describe('set tests in a selector', () => {
  it('not in matches a value outside the set and refuses one inside it', () => {
    const s = new Selector("tier not in {'a', 'b'}");
    expect(s.test(labels({ tier: 'c' }))).toBe(true);
    expect(s.test(labels({ tier: 'b' }))).toBe(false);
    expect(s.test(labels({}))).toBe(true);
  });

  it('in matches a value inside the set only', () => {
    const s = new Selector("tier in {'a', 'b'}");
    expect(s.test(labels({ tier: 'a' }))).toBe(true);
    expect(s.test(labels({ tier: 'c' }))).toBe(false);
  });

  it('the set must be written in braces', () => {
    expect(() => new Selector("tier in 'a' 'b'}")).toThrow(SelectorSyntaxError);
    expect(() => new Selector("tier not in 'a'}")).toThrow(/expected \{ after not in/);
  });
});
