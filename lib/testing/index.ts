/**
 * The test API of secure-ai-egress: what `main.test.ts`, and a platform team's own test files
 * under `team/`, import to state what holds of the manifests `npm run synth` writes. Test code,
 * checked with jest's types (never part of production code: eslint.config.mjs refuses an import of
 * this folder there, and no folder of lib/ imports it); jest itself is only a type here and the host of
 * the matchers, which the test run provides.
 *
 * Four parts:
 * - **The reach matchers** (`reachMatchers`): `expect(manifests).toAllowEgress(...)`, `toDenyEgress`,
 *   `toAllowIngress`, `toDenyIngress`, `toReachExactly`, on the verifier's reading of any manifests.
 *   Register them once, in a setup file or at the top of a test file:
 *
 *   ```ts
 *   import { reachMatchers } from './lib/testing';
 *   expect.extend(reachMatchers);
 *   expect('dist').toAllowEgress('ai-application/ai-service', '203.0.113.10', 443);
 *   ```
 * - **Reading what was written** (`distFolders`, `readManifests`, `readTree`, `ofKind`): the
 *   folders of `dist/` with the intent of each, their documents as plain objects.
 * - **What holds of any valid intent's manifests** (`readSynthesized`, then the `*Problems`
 *   checks, and `findingsOf` for the rules of lib/checks, which are stated there once): each lists
 *   what is wrong, empty when it holds, so `expect(check(...)).toEqual([])` shows every finding
 *   at once.
 *
 *   ```ts
 *   for (const { intent, dir } of distFolders(intent, 'dist')) {
 *     const dist = readSynthesized(intent, dir);
 *     for (const app of intent.apps) expect(storageProblems(dist, app)).toEqual([]);
 *   }
 *   ```
 * - **The oracle** (`declaredDestinations`, `reachMismatch`, `egressAllows`, `admits`): what an
 *   app may send and who may call it, read from the intent alone, apart from the generator and
 *   from lib/net, so that it is a second, independent reading to compare the verifier's with.
 */
export { reachMatchers } from './matchers';
export { clusterOf, expectedEntries, reachDifferences } from './reach';
export type { ExpectedPorts, ExpectedReach, ManifestsLike } from './reach';
export { distFolders, ofKind, readManifests, readTree } from './manifests';
export type { DistFolder, K8sObject, ManifestDocument } from './manifests';
export {
  allProblems,
  decidingCluster,
  egressProblems,
  externalDnsProblems,
  findingsOf,
  gpuProblems,
  guardrailProblems,
  ingressProblems,
  joinerProblems,
  logProblems,
  metadataPackets,
  metadataReached,
  podSecurityProblems,
  readSynthesized,
  serviceAccountProblems,
  stagedDefaultDenyProblems,
  startOrderProblems,
  stagedViewProblems,
  startupProblems,
  storageProblems,
  tierOwnerProblems,
  tierProblems,
  userProblems,
} from './properties';
export type { FindingsView, Packet, Synthesized } from './properties';
export {
  CLOUD_SPEC,
  SPEC_CLOUDS,
  admits,
  credentialAddresses,
  declaredDestinations,
  egressAllows,
  formatAddress,
  isAuditedApp,
  metadataAddresses,
  metadataNat64Addresses,
  parseAddress,
  reachMismatch,
} from './oracle';
export type { Address, PodClass, ReachDifference, Sender, View } from './oracle';
