/**
 * Random mutations of the fixture intents (a key deleted, a value retyped, an entry duplicated, a
 * key misspelled): every outcome is either a refusal whose every error names a field path, or
 * output that both the schemas (lib/validate) and the API server's other rules
 * (test/support/api-rules.ts) accept, on every cluster (property-based). Nothing crashes.
 */
import fc from 'fast-check';
import { PlatformIntent, checkIntent, clusterIntents, formatPath } from '../lib/intent';
import { validateManifestDir } from '../lib/validate';
import { FIXTURE_INTENTS } from './fixtures/intents';
import { apiServerProblems } from './support/api-rules';
import { runs } from './support/runs';
import { readManifests } from '../lib/testing';
import { synthesized } from './support/synth';

type Json = unknown;
type Path = readonly (string | number)[];

/** Every place in a value, as the keys and indexes that lead there. */
function pathsOf(value: Json, at: Path = []): Path[] {
  const here = at.length > 0 ? [at] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => pathsOf(v, [...at, i]))];
  if (typeof value === 'object' && value !== null) return [...here, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...at, k]))];
  return here;
}

/** Values of another type or out of range, and some that are valid somewhere else. */
const REPLACEMENTS: readonly Json[] = [
  42,
  -1,
  0,
  70000,
  1.5,
  '8080',
  '4',
  '64Gi',
  '',
  'x',
  'a'.repeat(70),
  '10.0.0.1/32',
  '0.0.0.0/0',
  [],
  {},
  null,
  true,
  ['a'],
  { a: 1 },
];

type Mutation = { readonly kind: 'delete' | 'duplicate' | 'misspell' } | { readonly kind: 'replace'; readonly value: Json };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ kind: 'delete' }),
  fc.constant<Mutation>({ kind: 'duplicate' }),
  fc.constant<Mutation>({ kind: 'misspell' }),
  fc.constantFrom(...REPLACEMENTS).map((value): Mutation => ({ kind: 'replace', value })),
);

/** The intent with one mutation at a path (the parent of the last segment is changed in place, on a copy). */
function mutate(intent: PlatformIntent, path: Path, mutation: Mutation): unknown {
  const copy = structuredClone(intent) as unknown as Record<string, unknown>;
  let parent: Json = copy;
  for (const segment of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[segment];
  const last = path[path.length - 1];
  const container = parent as Record<string | number, Json>;
  if (Array.isArray(parent)) {
    const index = last as number;
    if (mutation.kind === 'delete') parent.splice(index, 1);
    else if (mutation.kind === 'duplicate' || mutation.kind === 'misspell') parent.splice(index, 0, structuredClone(parent[index]));
    else if (mutation.kind === 'replace') parent[index] = mutation.value;
  } else {
    const key = last as string;
    if (mutation.kind === 'delete') delete container[key];
    else if (mutation.kind === 'misspell') {
      container[`${key.slice(0, -1)}${key.endsWith('s') ? '' : 's'}`] = container[key];
      delete container[key];
    } else if (mutation.kind === 'duplicate') container[key] = structuredClone(container[key]);
    else if (mutation.kind === 'replace') container[key] = mutation.value;
  }
  return copy;
}

/** What the written objects of an accepted intent fail of the schemas and the API server's rules, on every cluster. */
function outputProblems(intent: PlatformIntent): string[] {
  const problems: string[] = [];
  for (const { cluster, intent: one } of clusterIntents(intent)) {
    const where = cluster === undefined ? '' : `${cluster}: `;
    synthesized(one, (dist) => {
      problems.push(...validateManifestDir(dist).map((i) => `${where}${JSON.stringify(i)}`));
      problems.push(...apiServerProblems(readManifests(dist).map((m) => m.object)).map((p) => `${where}${p}`));
    });
  }
  return problems;
}

const names = Object.keys(FIXTURE_INTENTS);

it('refuses a mutated fixture intent with a field path for every error, or writes what the schemas and the API server accept', () => {
  fc.assert(
    fc.property(fc.constantFrom(...names), fc.nat(), mutationArb, (name, pick, mutation) => {
      const fixture = FIXTURE_INTENTS[name];
      const paths = pathsOf(fixture);
      const path = paths[pick % paths.length];
      const mutated = mutate(fixture, path, mutation);
      const errors = checkIntent(mutated).filter((i) => i.severity === 'error');
      if (errors.length > 0) {
        for (const e of errors) {
          expect(Array.isArray(e.path)).toBe(true);
          expect(formatPath(e.path)).not.toBe('');
          expect(e.message).toMatch(/accepted|is missing|refuse|no egress|names no/);
        }
        return;
      }
      expect(outputProblems(mutated as PlatformIntent)).toEqual([]);
    }),
    // A mutation the intent accepts is synthesized and validated whole, on every cluster; every run draws new ones.
    { numRuns: runs(40) },
  );
});

it('finds the two holes it was written for: a request above its limit and a block twice in an allow-list are refused with their paths', () => {
  const shipped = FIXTURE_INTENTS.shipped;
  const request = mutate(shipped, ['apps', 0, 'resources', 'cpu', 'request'], { kind: 'replace', value: '8080' });
  expect(
    checkIntent(request)
      .filter((i) => i.severity === 'error')
      .map((i) => formatPath(i.path)),
  ).toEqual(['ai-service.resources.cpu.request']);
  const twice = mutate(shipped, ['allowLists', 0, 'cidrs', 0], { kind: 'duplicate' });
  expect(
    checkIntent(twice)
      .filter((i) => i.severity === 'error')
      .map((i) => formatPath(i.path)),
  ).toEqual(['allowLists[0].cidrs[1]']);
  expect(
    apiServerProblems([
      { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name: 'l' }, spec: { nets: ['10.0.0.1/32', '10.0.0.1/32'] } },
    ]),
  ).toHaveLength(1);
  expect(
    apiServerProblems([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd' },
        spec: { template: { spec: { containers: [{ name: 'c', resources: { requests: { cpu: '8080' }, limits: { cpu: '4' } } }] } } },
      },
    ]),
  ).toEqual(['Deployment d container c: requests.cpu 8080 is more than its limit 4']);
});
