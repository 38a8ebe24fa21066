/**
 * Jest matchers for reach, built on the verifier: test code, checked with jest's types (never
 * part of production code: tsconfig.production.json leaves this folder out, and no folder of lib/
 * imports it). Register them once, in a setup file or at the top of a test file:
 *
 * ```ts
 * import { reachMatchers } from './lib/testing';
 * expect.extend(reachMatchers);
 * expect('dist').toAllowEgress('ai-application/ai-service', '203.0.113.10', 443);
 * ```
 */
export { reachMatchers } from './matchers';
export { clusterOf, expectedEntries, reachDifferences } from './reach';
export type { ExpectedPorts, ExpectedReach, ManifestsLike } from './reach';
