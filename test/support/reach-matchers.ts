/**
 * Registers the reach matchers of lib/testing for every test file (jest.config.js,
 * setupFilesAfterEnv). Jest runs this file once per test file, in a fresh module registry, and
 * most test files use no reach matcher: each matcher loads lib/testing (the verifier, cdk8s) when
 * a test first calls it, not before, which spares every other file that loading.
 */
import type { reachMatchers as Matchers } from '../../lib/testing';

// Every matcher of lib/testing, no more: a record of its names fails type-checking when one is missing or unknown.
const NAMES: Record<keyof typeof Matchers, true> = { toAllowEgress: true, toDenyEgress: true, toAllowIngress: true, toDenyIngress: true, toReachExactly: true };

function loaded(): typeof Matchers {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
  return (require('../../lib/testing') as typeof import('../../lib/testing')).reachMatchers;
}

expect.extend(
  Object.fromEntries(
    (Object.keys(NAMES) as (keyof typeof Matchers)[]).map((name) => [
      name,
      function (this: jest.MatcherContext, ...args: unknown[]) {
        return (loaded()[name] as (this: jest.MatcherContext, ...a: unknown[]) => jest.CustomMatcherResult).apply(this, args);
      },
    ]),
  ),
);
