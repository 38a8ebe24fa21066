import { readLabelSelector } from './kubernetes';
import { ANY_VALUE, LabelMap } from './labels';
import { Fields } from './manifests';

// A Kubernetes LabelSelector (apimachinery `labels.Selector`): matchLabels and matchExpressions,
// all of them ANDed; what it matches, the pods the verifier imagines for it (witnesses), the label
// it looks pods up by (hint), and how the review prints it (the `kubectl get -l` syntax).
const fields = new Fields({ file: 'test.yaml', document: 1 }, { kind: 'NetworkPolicy', namespace: 'ai', name: 'p' });
const selector = (value: Record<string, unknown>) => readLabelSelector(value, 'spec.podSelector', fields)!;
const expr = (key: string, operator: string, values?: string[]) => selector({ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] });
const labels = (o: Record<string, string>): LabelMap => new Map(Object.entries(o));
const plain = (ls: LabelMap[]) => ls.map((l) => Object.fromEntries(l));

describe('a Kubernetes label selector', () => {
  it('is absent when the field is, and empty when it is {}', () => {
    expect(readLabelSelector(undefined, 'spec.podSelector', fields)).toBeUndefined();
    expect(selector({}).empty).toBe(true);
    expect(selector({ matchLabels: {} }).empty).toBe(true);
    expect(selector({ matchLabels: { app: 'rag' } }).empty).toBe(false);
    expect(expr('app', 'Exists').empty).toBe(false);
  });

  it('In matches a listed value only; NotIn any other value or none', () => {
    expect(expr('tier', 'In', ['a', 'b']).test(labels({ tier: 'b' }))).toBe(true);
    expect(expr('tier', 'In', ['a', 'b']).test(labels({ tier: 'c' }))).toBe(false);
    expect(expr('tier', 'In', ['a', 'b']).test(labels({}))).toBe(false);
    expect(expr('tier', 'NotIn', ['a']).test(labels({ tier: 'c' }))).toBe(true);
    expect(expr('tier', 'NotIn', ['a']).test(labels({}))).toBe(true);
    expect(expr('tier', 'NotIn', ['a']).test(labels({ tier: 'a' }))).toBe(false);
  });

  it('Exists and DoesNotExist test the key, whatever the value, the empty one included', () => {
    expect(expr('gpu', 'Exists').test(labels({ gpu: '' }))).toBe(true);
    expect(expr('gpu', 'Exists').test(labels({}))).toBe(false);
    expect(expr('gpu', 'DoesNotExist').test(labels({ gpu: '' }))).toBe(false);
    expect(expr('gpu', 'DoesNotExist').test(labels({}))).toBe(true);
  });

  it('ANDs matchLabels and matchExpressions', () => {
    const s = selector({ matchLabels: { app: 'rag' }, matchExpressions: [{ key: 'gpu', operator: 'Exists' }] });
    expect(s.test(labels({ app: 'rag', gpu: 'a100' }))).toBe(true);
    expect(s.test(labels({ app: 'rag' }))).toBe(false);
    expect(s.test(labels({ gpu: 'a100' }))).toBe(false);
  });

  it('imagines one matching pod per allowed value, and none for a contradiction', () => {
    expect(plain(expr('tier', 'In', ['a', 'b']).witnesses())).toEqual([{ tier: 'a' }, { tier: 'b' }]);
    expect(plain(expr('gpu', 'Exists').witnesses())).toEqual([{ gpu: ANY_VALUE }]);
    expect(plain(expr('gpu', 'DoesNotExist').witnesses())).toEqual([{}]);
    expect(plain(expr('tier', 'NotIn', ['a']).witnesses())).toEqual([{}]);
    expect(plain(selector({}).witnesses())).toEqual([{}]);
    const contradiction = selector({ matchLabels: { tier: 'a' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] });
    expect(contradiction.witnesses()).toEqual([]);
  });

  it('is looked up by its first In requirement, matchLabels included, and by nothing without one', () => {
    expect(selector({ matchLabels: { app: 'rag' } }).hint).toEqual({ key: 'app', values: ['rag'] });
    const s = selector({
      matchExpressions: [
        { key: 'gpu', operator: 'Exists' },
        { key: 'tier', operator: 'In', values: ['a', 'b'] },
      ],
    });
    expect(s.hint).toEqual({ key: 'tier', values: ['a', 'b'] });
    expect(expr('tier', 'NotIn', ['a']).hint).toBeUndefined();
    expect(selector({}).hint).toBeUndefined();
  });

  it('is printed as kubectl reads a selector, and two selectors with one text have one key', () => {
    expect(selector({}).toString()).toBe('{}');
    const s = selector({
      matchLabels: { app: 'rag' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['a', 'b'] },
        { key: 'zone', operator: 'In', values: ['x'] },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
        { key: 'gpu', operator: 'Exists' },
        { key: 'spot', operator: 'DoesNotExist' },
      ],
    });
    expect(s.toString()).toBe('app=rag,tier in (a,b),zone=x,env notin (dev),gpu,!spot');
    expect(selector({ matchLabels: { app: 'rag' } }).key).toBe(selector({ matchLabels: { app: 'rag' } }).key);
    expect(selector({ matchLabels: { app: 'rag' } }).key).not.toBe(selector({ matchLabels: { app: 'web' } }).key);
  });
});
