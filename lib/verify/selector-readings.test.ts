import { LabelMap } from './labels';
import { Selector } from './selector';

// One selector expression, read four ways (selector.ts): as a pod selector, as a namespaceSelector
// tested on a namespace's labels, and as libcalico-go rewrites a rule's namespaceSelector
// (`pcns.` keys, all() and global() about having a namespace) and serviceAccounts.selector
// (`pcsa.` keys) for Felix to test on an endpoint (libcalico-go `updateprocessors/rules.go`).
const labels = (o: Record<string, string>): LabelMap => new Map(Object.entries(o));

describe('a selector read as a namespaceSelector on a namespace', () => {
  it('all() names every namespace and global() none', () => {
    expect(new Selector('all()').testNamespace(labels({}))).toBe(true);
    expect(new Selector('global()').testNamespace(labels({ 'kubernetes.io/metadata.name': 'ai' }))).toBe(false);
  });

  it('tests the namespace labels as written, without a prefix', () => {
    const s = new Selector("team == 'ml'");
    expect(s.testNamespace(labels({ team: 'ml' }))).toBe(true);
    expect(s.testNamespace(labels({ 'pcns.team': 'ml' }))).toBe(false);
  });

  it('reads global() as no namespace even inside a larger expression', () => {
    expect(new Selector("global() || team == 'ml'").testNamespace(labels({ team: 'web' }))).toBe(false);
    expect(new Selector("!global() && team == 'ml'").testNamespace(labels({ team: 'ml' }))).toBe(true);
  });
});

describe('a rule namespaceSelector as Felix tests it on an endpoint', () => {
  it('looks up every key under pcns., the namespace labels the endpoint inherits', () => {
    const s = new Selector("team == 'ml'");
    expect(s.testAsNamespaceSelector(labels({ 'pcns.team': 'ml' }))).toBe(true);
    expect(s.testAsNamespaceSelector(labels({ team: 'ml' }))).toBe(false);
  });

  it('reads all() as "has a namespace" and global() as "has none"', () => {
    const inNamespace = labels({ 'projectcalico.org/namespace': 'ai' });
    const global = labels({});
    expect(new Selector('all()').testAsNamespaceSelector(inNamespace)).toBe(true);
    expect(new Selector('all()').testAsNamespaceSelector(global)).toBe(false);
    expect(new Selector('global()').testAsNamespaceSelector(inNamespace)).toBe(false);
    expect(new Selector('global()').testAsNamespaceSelector(global)).toBe(true);
  });
});

describe('a rule serviceAccounts.selector as Felix tests it on an endpoint', () => {
  it('looks up every key under pcsa., the service account labels the endpoint inherits', () => {
    const s = new Selector("role == 'rag'");
    expect(s.testAsServiceAccountSelector(labels({ 'pcsa.role': 'rag' }))).toBe(true);
    expect(s.testAsServiceAccountSelector(labels({ role: 'rag' }))).toBe(false);
  });

  it('reads all() and global() as every service account', () => {
    expect(new Selector('all()').testAsServiceAccountSelector(labels({}))).toBe(true);
    expect(new Selector('global()').testAsServiceAccountSelector(labels({}))).toBe(true);
  });
});

describe('isGlobal', () => {
  it('is true for global() alone, however it is spaced or parenthesized, and false for anything else', () => {
    expect(new Selector('global()').isGlobal).toBe(true);
    expect(new Selector(' ( global( ) ) ').isGlobal).toBe(true);
    expect(new Selector('all()').isGlobal).toBe(false);
    expect(new Selector('global() && all()').isGlobal).toBe(false);
    expect(new Selector('!global()').isGlobal).toBe(false);
  });
});
