/**
 * A calico app's cidr destination rendered as a GlobalNetworkSet of its own (`networkSet`), so
 * that Calico's flow logs name the flows to it: the same reach as the inline `nets` it replaces,
 * the set written with the tier and granted to its owners, refused where it cannot work.
 */
import { ALLOW_LIST_LABEL, NETWORK_SET_LABEL } from '../lib/conventions';
import { AiAppIntent, PlatformIntent, checkIntent, formatPath, validateIntent } from '../lib/intent';
import { egressReport, loadCluster } from '../lib/verify';
import { shipped } from './fixtures/intents';
import { ofKind, readManifests } from '../lib/testing';
import { brief } from './support/verify-builders';
import { sampleIntent } from './support/sample-intent';
import { synthesized } from './support/synth';

/** The shipped scenario with its object storage (198.51.100.0/24) declared as a network set. */
const named: PlatformIntent = {
  ...shipped,
  apps: shipped.apps.map((a): AiAppIntent => ({ ...a, egress: a.egress.map((d) => ('cidr' in d ? { ...d, networkSet: 'object-storage' } : d)) })),
};

describe('networkSet: a cidr destination as a GlobalNetworkSet of its own', () => {
  const manifests = synthesized(named, readManifests);

  it('writes the block as a GlobalNetworkSet with the tier, labelled and described, and the rule selects it among global sets only', () => {
    const sets = ofKind(manifests, 'GlobalNetworkSet');
    expect(sets.map((s) => [s.metadata.name, s.metadata.labels, s.metadata.annotations?.['secure-ai-egress/description'], s.spec.nets])).toEqual([
      ['model-registry', { [ALLOW_LIST_LABEL]: 'model-registry' }, 'model registry mirror (Hugging Face compatible)', ['203.0.113.10/32']],
      ['object-storage', { [NETWORK_SET_LABEL]: 'object-storage' }, 'object storage', ['198.51.100.0/24']],
    ]);
    expect(manifests.find((m) => m.object.kind === 'GlobalNetworkSet' && m.object.metadata.name === 'object-storage')!.file).toBe('01-calico-tier.k8s.yaml');
    const policy = ofKind(manifests, 'NetworkPolicy').find((p) => p.metadata.name === 'ai-egress.ai-service')!;
    expect(policy.spec.egress[3]).toMatchObject({
      action: 'Allow',
      protocol: 'TCP',
      destination: { selector: `${NETWORK_SET_LABEL} == 'object-storage' && !has(projectcalico.org/created-by)`, namespaceSelector: 'global()', ports: [443] },
    });
    expect(JSON.stringify(policy)).not.toContain('198.51.100.0/24');
  });

  it('allows exactly what the inline block allowed', () => {
    const reach = (intent: PlatformIntent) => {
      const service = egressReport(synthesized(intent, (dist) => loadCluster([dist]))).workloads.find((w) => w.endpoint === 'ai-application/ai-service')!;
      return { allowed: brief(service.allowed), denied: brief(service.denied) };
    };
    expect(reach(named)).toEqual(reach(shipped));
  });

  it("grants the set to the tier's owners by name, as the allow-lists' sets", () => {
    const role = ofKind(manifests, 'ClusterRole')[0];
    const rule = role.rules.find((r: { resources: string[]; resourceNames?: string[] }) => r.resources.includes('globalnetworksets') && r.resourceNames);
    expect(rule.resourceNames).toEqual(['model-registry', 'object-storage']);
  });

  it('carves cloud metadata out of a set as out of an inline block: the rule excludes the addresses the set holds', () => {
    const wide = sampleIntent({
      flavor: 'calico',
      egress: [{ cidr: '0.0.0.0/0', ports: [80], networkSet: 'anywhere', internet: { reason: 'a test of the carve-out' } }],
    });
    expect(validateIntent(wide)).toEqual([]);
    expect(synthesized(wide, (dist) => loadCluster([dist]))).toDenyEgress('ai/llm', '169.254.169.254', 80);
    expect(synthesized(wide, (dist) => loadCluster([dist]))).toAllowEgress('ai/llm', '192.0.2.10', 80);
  });

  it('leaves dist/ as it was when no destination asks for one: no set, the block inline', () => {
    const plain = synthesized(shipped, readManifests);
    expect(ofKind(plain, 'GlobalNetworkSet').map((s) => s.metadata.name)).toEqual(['model-registry']);
    expect(JSON.stringify(plain)).not.toContain(NETWORK_SET_LABEL);
  });

  it('refuses, all at once with the field, what cannot work: a kubernetes-flavor app, the name of an allow-list, one name for two blocks', () => {
    const intent: PlatformIntent = {
      ...shipped,
      apps: [
        {
          ...named.apps[0],
          egress: [
            ...named.apps[0].egress,
            { cidr: '192.0.2.0/24', ports: [443], networkSet: 'object-storage' },
            { cidr: '192.0.2.0/25', ports: [443], networkSet: 'model-registry' },
          ],
        },
        { ...named.apps[1], egress: [...named.apps[1].egress, { cidr: '198.51.100.0/24', ports: [443], networkSet: 'object-storage' }] },
      ],
    };
    const errors = checkIntent(intent)
      .filter((i) => i.severity === 'error')
      .map((i) => `${formatPath(i.path)}: ${i.message}`);
    expect(errors).toEqual([
      expect.stringMatching(
        /^ai-service\.egress\[4\]\.networkSet: names the network set of 198\.51\.100\.0\/24 \(ai-service\.egress\[1\]\.networkSet\) for 192\.0\.2\.0\/24; accepted: one block per network set name/,
      ),
      expect.stringMatching(
        /^ai-service\.egress\[5\]\.networkSet: is the name of a declared allow-list; .*accepted: another name, or \{ allowList: "model-registry" \}/,
      ),
      expect.stringMatching(/^embeddings\.egress\[1\]\.networkSet: names a Calico GlobalNetworkSet, and this app renders Kubernetes NetworkPolicies/),
    ]);
  });

  it('refuses a name that is no DNS label, as the other names of the intent', () => {
    const intent = sampleIntent({ flavor: 'calico', egress: [{ cidr: '192.0.2.0/24', ports: [443], networkSet: 'Object_Storage' }] });
    expect(validateIntent(intent).map((i) => `${formatPath(i.path)}: ${i.message}`)).toEqual([
      expect.stringMatching(/^llm\.egress\[0\]\.networkSet: is not a valid network set name; accepted: a DNS-1123 label/),
    ]);
  });

  it('lets destinations of several calico apps share a set of one block', () => {
    // Without the registry mirror, its HF_ENDPOINT would point where it may not go (env-endpoints.ts): left out too.
    const { HF_ENDPOINT: _mirror, ...env } = named.apps[0].env ?? {};
    const twin: AiAppIntent = { ...named.apps[0], name: 'ai-batch', env, egress: named.apps[0].egress.filter((d) => 'cidr' in d), ingress: [] };
    const intent: PlatformIntent = { ...named, apps: [...named.apps, twin] };
    expect(validateIntent(intent)).toEqual([]);
    expect(ofKind(synthesized(intent, readManifests), 'GlobalNetworkSet').map((s) => s.metadata.name)).toEqual(['model-registry', 'object-storage']);
  });
});
