/**
 * The manifests of every fixture intent, synthesized, keep every rule of lib/checks (the rules
 * themselves, each failing on manifests that break it, are lib/checks/check.test.ts).
 */
import { Finding, RuleName, checkManifests } from '../lib/checks';
import { PlatformIntent, egressProxyRoutes, egressProxySettings } from '../lib/intent';
import { Manifest, readManifestFiles } from '../lib/verify';
import { FIXTURE_CLUSTERS, FIXTURE_INTENTS } from './fixtures/intents';
import { synthesized } from './support/synth';

/** The manifests an intent synthesizes to, read as the plugin reads them. */
const manifestsOf = (intent: PlatformIntent): Manifest[] => synthesized(intent, (dist) => readManifestFiles([dist]));

const messages = (findings: readonly Finding[], rule: RuleName) => findings.filter((f) => f.rule === rule).map((f) => f.message);

describe('the manifests of every fixture intent keep every rule', () => {
  it.each(Object.keys(FIXTURE_CLUSTERS))('%s: no finding, every object schema-checked, every namespace and workload asked about', (name) => {
    const intent = FIXTURE_CLUSTERS[name];
    const { findings, summary } = checkManifests(manifestsOf(intent), { cloud: intent.cloud ?? 'any' });
    expect(findings).toEqual([]);
    expect(summary.withoutSchema).toEqual([]);
    expect(summary.schemaChecked).toBe(summary.objects);
    // The apps' namespaces, the resolver of cluster names where an app uses it, and the egress proxy when some app sends by name.
    const resolver = intent.apps.some((a) => a.dns?.publicNames === undefined) ? [intent.dnsResolver?.namespace ?? 'ai-dns'] : [];
    const proxy = egressProxyRoutes(intent).length > 0 ? [egressProxySettings(intent).namespace] : [];
    expect(summary.namespaces).toEqual([...new Set([...intent.apps.map((a) => a.namespace), ...resolver, ...proxy])].sort());
    expect(summary.workloads).toBe(intent.apps.length + resolver.length + proxy.length);
  });

  it('reads a namespace whose default deny is staged (Calico audit mode) as previewed, and says so', () => {
    expect(checkManifests(manifestsOf(FIXTURE_INTENTS.audit)).summary.stagedOnly).toEqual(['ai-preview']);
  });

  it("checks the metadata of the cloud it is told: an aws cluster's manifests allow Alibaba's address, which cloud any denies", () => {
    const { findings } = checkManifests(manifestsOf(FIXTURE_INTENTS.aws));
    expect(messages(findings, 'metadata-denied')).toContainEqual(
      'ai-data/summarizer may reach 100.100.100.200 (the Alibaba Cloud ECS metadata service): TCP 8443 to cidr 100.100.100.200/32, allowed by rule 3 of NetworkPolicy ai-data/ai-guard.summarizer (tier ai-guard): lab gateway',
    );
    expect(messages(findings, 'metadata-carved-out')).toContainEqual(
      'NetworkPolicy ai-data/ai-guard.summarizer allows 0.0.0.0/0 without carving out 168.63.129.16',
    );
  });
});
