import { NAME_LIMITS, isDns1123Label, isDns1123Subdomain, isLabelKey, isLabelValue, isPortName, labelKeyProblem } from '.';

const n = (length: number, c = 'a') => c.repeat(length);

// The cases of k8s.io/apimachinery pkg/util/validation (validation_test.go): IsQualifiedName for
// label keys (name part at most 63, optional DNS subdomain prefix at most 253), IsValidLabelValue
// for values (at most 63), IsDNS1123Label, IsDNS1123Subdomain and IsValidPortName.
const keys: readonly [string, boolean][] = [
  ['app', true],
  ['app.kubernetes.io/name', true],
  [n(NAME_LIMITS.qualifiedName), true],
  [n(NAME_LIMITS.qualifiedName + 1), false],
  [`${n(63)}.${n(63)}.${n(63)}.${n(61)}/x`, true],
  [`${n(63)}.${n(63)}.${n(63)}.${n(62)}/x`, false],
  [`example.com/${n(63)}`, true],
  [`example.com/${n(64)}`, false],
  ['Example.com/x', false],
  ['/x', false],
  ['x/', false],
  ['a/b/c', false],
  ['-x', false],
  ['x_', false],
  ['A.b-c_d', true],
  ['', false],
];

const values: readonly [string, boolean][] = [
  ['', true],
  ['qdrant', true],
  [n(NAME_LIMITS.labelValue), true],
  [n(NAME_LIMITS.labelValue + 1), false],
  ['v1.2_3-x', true],
  ['-v', false],
  ['has space', false],
];

const labels: readonly [string, boolean][] = [
  ['ai', true],
  ['a-1', true],
  ['1a', true],
  [n(63), true],
  [n(64), false],
  ['', false],
  ['-a', false],
  ['a-', false],
  ['A', false],
  ['a.b', false],
  ['a_b', false],
];

const subdomains: readonly [string, boolean][] = [
  ['nvidia', true],
  ['a.b-c.d', true],
  [`${n(63)}.${n(63)}.${n(63)}.${n(61)}`, true],
  [`${n(63)}.${n(63)}.${n(63)}.${n(62)}`, false],
  ['a..b', false],
  ['.a', false],
  ['a.', false],
  ['A.b', false],
  ['', false],
];

const portNames: readonly [string, boolean][] = [
  ['http', true],
  ['h2c-8080', true],
  [n(15), true],
  [n(16), false],
  ['8080', false],
  ['a--b', false],
  ['-a', false],
  ['Http', false],
];

describe('names and labels as the API server accepts them (k8s.io/apimachinery validation.go)', () => {
  it.each(keys)('label key %j accepted: %s', (key, ok) => {
    expect(isLabelKey(key)).toBe(ok);
    expect(labelKeyProblem(key) === undefined).toBe(ok);
  });

  it.each(values)('label value %j accepted: %s', (value, ok) => {
    expect(isLabelValue(value)).toBe(ok);
  });

  it.each(labels)('DNS-1123 label %j accepted: %s', (value, ok) => {
    expect(isDns1123Label(value)).toBe(ok);
  });

  it.each(subdomains)('DNS-1123 subdomain %j accepted: %s', (value, ok) => {
    expect(isDns1123Subdomain(value)).toBe(ok);
  });

  it.each(portNames)('port name %j accepted: %s', (value, ok) => {
    expect(isPortName(value)).toBe(ok);
  });

  it('names what is wrong with a label key: its part and the limit', () => {
    expect(labelKeyProblem(n(64))).toBe('has a name part of 64 characters; accepted: at most 63');
    expect(labelKeyProblem('Example.com/x')).toBe('has the prefix "Example.com", which is not a DNS subdomain (lowercase alphanumerics, "-" and ".")');
  });
});
