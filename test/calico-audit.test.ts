import { readFileSync, readdirSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { AiAppIntent, PlatformIntent } from '../lib/intent';
import { METADATA_CIDRS } from '../lib/net';
import { ChartName } from '../lib/conventions';
import { loadCluster, query, queryJson } from '../lib/verify';
import { K8sObject } from '../lib/testing';
import { synthesized } from './support/synth';

const POLICY = /NetworkPolicy$/;

const llm: AiAppIntent = {
  name: 'llm',
  namespace: 'ai',
  image: 'vllm/vllm-openai:v0.10.2',
  port: 8000,
  resources: { cpu: { request: '1', limit: '2' }, memory: { request: '4Gi', limit: '4Gi' } },
  flavor: 'calico',
  egress: [
    { description: 'model registry mirror', allowList: 'model-registry', ports: [443] },
    { description: 'object storage', cidr: '198.51.100.0/24', ports: [443] },
  ],
  ingress: [{ namespace: 'ai-gateway' }],
};

const audited: PlatformIntent = {
  apps: [llm],
  allowLists: [{ name: 'model-registry', cidrs: ['203.0.113.10/32'] }],
  calico: { audit: true },
};

/** The synthesized cluster and policy files of an intent (workloads left out), each after a `# file` header. */
function synthYaml(intent: PlatformIntent): string {
  return synthesized(intent, (dist) =>
    readdirSync(dist)
      .sort()
      .filter((f) => !f.startsWith(ChartName.workloads('')))
      .map((f) => `---\n# ${f}\n${readFileSync(join(dist, f), 'utf8')}`)
      .join(''),
  );
}

const objectsOf = (yaml: string): K8sObject[] => parseAllDocuments(yaml).map((d) => d.toJS() as K8sObject);
const policiesOf = (yaml: string) => objectsOf(yaml).filter((o) => POLICY.test(o.kind));

describe('audit mode', () => {
  const yaml = synthYaml(audited);

  it('renders the Staged twins of the Calico policies (snapshot of the cluster and policy files)', () => {
    expect(yaml).toMatchSnapshot();
  });

  it("stages the app's policy and the namespace's default deny, each with stagedAction Set; the metadata guardrail, the Pass of the previewed namespace, the closing Deny and the resolver's policies stay enforced", () => {
    const policies = policiesOf(yaml);
    expect(policies.map((p) => `${p.kind}/${p.metadata.namespace ?? ''}/${p.metadata.name}`)).toEqual([
      'NetworkPolicy/ai/ai-egress.pass-to-kubernetes-policies',
      'GlobalNetworkPolicy//ai-egress.deny-cloud-metadata',
      'GlobalNetworkPolicy//ai-egress.deny-undeclared-pods',
      'NetworkPolicy/ai-dns/default-deny-all',
      'NetworkPolicy/ai-dns/ai-egress.dns-resolver',
      'StagedKubernetesNetworkPolicy/ai/default-deny-all',
      'StagedNetworkPolicy/ai/ai-egress.llm',
    ]);
    const pass = policies.find((p) => p.metadata.name === 'ai-egress.pass-to-kubernetes-policies')!;
    expect(pass.spec).toMatchObject({ tier: 'ai-egress', order: 1000, selector: 'all()', types: ['Ingress', 'Egress'] });
    expect([...pass.spec.ingress, ...pass.spec.egress].map((r: K8sObject) => r.action)).toEqual(['Pass', 'Pass']);
    for (const p of policies.filter((x) => x.kind.startsWith('Staged'))) expect(p.spec.stagedAction).toBe('Set');
  });

  it('previews the app (nothing of its own is enforced) while cloud metadata stays denied', () => {
    const cluster = synthesized(audited, (dist) => loadCluster([dist]));
    expect(query(cluster, 'ai/llm', '8.8.8.8', 443).allowed).toBe(true);
    for (const address of METADATA_CIDRS.map((c) => c.split('/')[0])) {
      expect(queryJson(query(cluster, 'ai/llm', address, 80)).egress).toMatchObject({
        allowed: false,
        policy: 'ai-egress.deny-cloud-metadata',
        action: 'Deny',
      });
    }
  });

  it('keeps the tier and network sets, which are not policies', () => {
    expect(
      objectsOf(yaml)
        .filter((o) => o.apiVersion === 'projectcalico.org/v3' && !POLICY.test(o.kind))
        .map((o) => o.kind),
    ).toEqual(['Tier', 'GlobalNetworkSet']);
  });

  it('stages the same rules that enforcement would apply', () => {
    const enforced = policiesOf(synthYaml({ ...audited, calico: { audit: false } }));
    const staged = policiesOf(yaml).filter((p) => p.kind.startsWith('Staged'));
    const twins = staged.map((p) => enforced.find((e) => e.metadata.namespace === p.metadata.namespace && e.metadata.name === p.metadata.name)!);
    expect(staged.map((p) => [p.kind.replace(/^Staged/, ''), p.metadata, { ...p.spec, stagedAction: undefined }])).toEqual(
      twins.map((p) => [p.apiVersion === 'networking.k8s.io/v1' ? 'KubernetesNetworkPolicy' : p.kind, p.metadata, { ...p.spec, stagedAction: undefined }]),
    );
  });

  it('previews an app audited on its own beside enforced apps of other namespaces: nothing of its own enforced today, its staged policy deciding once enforced', () => {
    const enforced: AiAppIntent = { ...llm, name: 'other', namespace: 'ai-other', ingress: [] };
    const cluster = synthesized({ ...audited, calico: undefined, apps: [{ ...llm, audit: true }, enforced] }, (dist) => loadCluster([dist]));
    const undeclared = queryJson(query(cluster, 'ai/llm', '8.8.8.8', 443)).egress;
    expect(undeclared).toMatchObject({ allowed: true, passed: [{ policy: 'ai/ai-egress.pass-to-kubernetes-policies', action: 'Pass' }] });
    expect(undeclared.whenStagedEnforced).toMatchObject({ allowed: false, policy: 'ai/ai-egress.llm', action: 'Deny' });
    expect(queryJson(query(cluster, 'ai/llm', '198.51.100.1', 443)).egress.whenStagedEnforced).toMatchObject({
      allowed: true,
      policy: 'ai/ai-egress.llm',
      action: 'Allow',
    });
    // The enforced app of the other namespace is not previewed: its own policy denies what it did not declare.
    expect(queryJson(query(cluster, 'ai-other/other', '8.8.8.8', 443)).egress).toMatchObject({
      allowed: false,
      policy: 'ai-other/ai-egress.other',
      action: 'Deny',
    });
  });

  it("for one app stages only that app's policies; the metadata guardrail stays enforced", () => {
    const kinds = policiesOf(synthYaml({ ...audited, calico: undefined, apps: [{ ...llm, audit: true }] })).map((p) => `${p.kind}/${p.metadata.name}`);
    expect(kinds).toEqual([
      'NetworkPolicy/ai-egress.pass-to-kubernetes-policies',
      'GlobalNetworkPolicy/ai-egress.deny-cloud-metadata',
      'GlobalNetworkPolicy/ai-egress.deny-undeclared-pods',
      'NetworkPolicy/default-deny-all',
      'NetworkPolicy/ai-egress.dns-resolver',
      'StagedKubernetesNetworkPolicy/default-deny-all',
      'StagedNetworkPolicy/ai-egress.llm',
    ]);
  });
});
