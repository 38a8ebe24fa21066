import { ANY_VALUE, LabelMap } from './labels';
import { Selector } from './selector';

// witnesses(): small label sets that match, so that the verifier can name a pod a selector
// reaches; hint: a key every match must carry, with its possible values, so that the verifier
// looks up only the pods that carry it (selector.ts).
const plain = (ls: LabelMap[]) => ls.map((l) => Object.fromEntries(l));
const witnesses = (expression: string) => plain(new Selector(expression).witnesses());

describe('witnesses of a selector', () => {
  it('all() and global() are matched by a pod without labels', () => {
    expect(witnesses('all()')).toEqual([{}]);
    expect(witnesses('global()')).toEqual([{}]);
  });

  it('a negated test is matched by a pod without the label', () => {
    expect(witnesses("app != 'x'")).toEqual([{}]);
    expect(witnesses('!has(gpu)')).toEqual([{}]);
    expect(witnesses("tier not in {'a', 'b'}")).toEqual([{}]);
    expect(witnesses("!(model contains 'x')")).toEqual([{}]);
  });

  it('a set test is matched by one pod per value, a negated one too', () => {
    expect(witnesses("tier in {'a', 'b'}")).toEqual([{ tier: 'a' }, { tier: 'b' }]);
    expect(witnesses("!(tier not in {'a', 'b'})")).toEqual([{ tier: 'a' }, { tier: 'b' }]);
  });

  it('a test on part of a value is matched by a value that holds that part', () => {
    expect(witnesses("model contains 'llama'")).toEqual([{ model: `${ANY_VALUE}llama${ANY_VALUE}` }]);
    expect(witnesses("model starts with 'meta-'")).toEqual([{ model: `meta-${ANY_VALUE}` }]);
    expect(witnesses("model ends with '-3'")).toEqual([{ model: `${ANY_VALUE}-3` }]);
  });

  it('every witness matches the selector, so a contradiction has none', () => {
    expect(witnesses("app == 'a' && !has(app)")).toEqual([]);
    expect(witnesses('!all()')).toEqual([]);
    expect(witnesses("app == 'a' && app != 'a'")).toEqual([]);
  });
});

describe('the hint of a selector', () => {
  it('is the key and value an equality asks for, or the values a set allows', () => {
    expect(new Selector("app == 'rag'").hint).toEqual({ key: 'app', values: ['rag'] });
    expect(new Selector("tier in {'a', 'b'}").hint).toEqual({ key: 'tier', values: ['a', 'b'] });
  });

  it('of a conjunction is the hint of its part with the fewest values', () => {
    expect(new Selector("tier in {'a', 'b'} && app == 'rag' && has(gpu)").hint).toEqual({ key: 'app', values: ['rag'] });
    expect(new Selector("has(gpu) && tier in {'a', 'b'}").hint).toEqual({ key: 'tier', values: ['a', 'b'] });
  });

  it('of a disjunction on one key is the union of the values, and none when the keys differ', () => {
    expect(new Selector("app == 'a' || app in {'b', 'a'}").hint).toEqual({ key: 'app', values: ['a', 'b'] });
    expect(new Selector("app == 'a' || tier == 'b'").hint).toBeUndefined();
    expect(new Selector("app == 'a' || has(app)").hint).toBeUndefined();
  });

  it('is none for a test that a pod without the label can pass, or that any value passes', () => {
    for (const e of ["app != 'a'", "tier not in {'a'}", "!(app == 'a')", 'has(app)', "app contains 'a'", 'all()']) expect(new Selector(e).hint).toBeUndefined();
  });
});
