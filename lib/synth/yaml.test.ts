import * as fc from 'fast-check';
import { Yaml } from 'cdk8s';
import { stringifyDocuments } from './yaml';

/** Strings that YAML 1.1 reads as something else, or that need quotes or a block. */
const TRICKY = [
  '', ' ', ' a', 'a ', 'a b', 'a: b', 'a:', 'a #b', '#a', '-', '-1', '+1', '0', '007', '0x1F', '0b101', '1_000', '1:20', '1e3', '.5',
  '.inf', '.NaN', 'y', 'Y', 'n', 'yes', 'No', 'on', 'OFF', 'true', 'False', 'null', 'Null', '~', '2001-12-14', '2001-12-14t21:59:43.10-05:00',
  '::/0', '::1', '0.0.0.0/0', '169.254.169.254/32', 'fd00:ec2::254/128', '2001:db8::/64', '10.0.0.1', 'a/b', '/health', '_x', '?x', '-x', '.x',
  '@x', '`x', '%x', '!x', '&x', '*x', '|x', '>x', ',x', '[x]', '{x}', "'x", '"x', "it's", 'say "hi"', 'tab\there', 'a\nb', 'a\n', 'é', '✓',
  'argocd.argoproj.io/sync-wave', 'app.kubernetes.io/name', 'ai-egress.ai-service', 'nvidia.com/gpu', 'x'.repeat(1100),
];

const text = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.string({ maxLength: 12 }),
  fc.stringMatching(/^[A-Za-z0-9_./:# -]{0,12}$/),
);

const scalar = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), fc.double(), fc.constant(-0), fc.constant(undefined));

const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 5 }),
  ),
}));

const document = fc.dictionary(text, value, { minKeys: 1, maxKeys: 6 });

describe('stringifyDocuments', () => {
  test('writes any JSON-like document exactly as cdk8s Yaml.stringify does', () => {
    fc.assert(fc.property(fc.array(document, { maxLength: 3 }), (docs) => {
      expect(stringifyDocuments(docs)).toBe(Yaml.stringify(...docs));
    }), { numRuns: 3000 });
  });

  test('writes every tricky string as a key, a value and a list item exactly as Yaml.stringify does', () => {
    for (const s of TRICKY) {
      const doc = { [s]: s, list: [s, { [s]: [s] }], nested: { [s]: { [s]: s } } };
      expect(stringifyDocuments([doc])).toBe(Yaml.stringify(doc));
    }
  });

  test('leaves what it does not write itself to Yaml.stringify: anchors, lists of lists, empty collections in lists', () => {
    const shared = { x: 1 };
    const docs = [{ a: shared, b: shared }, { a: [[1, 2], []] }, { a: [{}] }, { a: 0.5, b: 1e21 }, {}, undefined];
    expect(stringifyDocuments(docs)).toBe(Yaml.stringify(...docs));
    expect(stringifyDocuments([{ a: shared, b: shared }])).toContain('&a1');
  });
});
