import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { METADATA_BLOCKS } from './lib/intent';
import { cidr, cidrContains } from './lib/net';
import { INTERNET_REASON_ANNOTATION, PROTECTED_LABEL } from './lib/platform';
import { validateManifestDir } from './lib/validate';
import { buildApp } from './lib/app';
import { intent } from './main';
import { DIST, K8sObject, ofKind, readManifests } from './test/support/manifests';
import { restrictedViolations } from './test/support/pss';

const manifests = readManifests(DIST);
const networkPolicies = ofKind(manifests, 'NetworkPolicy').filter((p) => p.apiVersion === 'networking.k8s.io/v1');
const deployments = ofKind(manifests, 'Deployment');

describe('dist/', () => {
  it.each(readdirSync(DIST).sort())('%s matches its snapshot', (file) => {
    expect(readFileSync(join(DIST, file), 'utf8')).toMatchSnapshot();
  });

  it('equals a fresh synthesis of main.ts (commit dist/ after changing the intent)', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'fresh-dist-'));
    try {
      buildApp(fresh, intent).synth();
      const files = readdirSync(fresh).sort();
      expect(readdirSync(DIST).sort()).toEqual(files);
      for (const f of files) expect(`${f}:\n${readFileSync(join(DIST, f), 'utf8')}`).toBe(`${f}:\n${readFileSync(join(fresh, f), 'utf8')}`);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('validates against the Kubernetes OpenAPI schema (and the Calico CRD schemas)', () => {
    expect(validateManifestDir(DIST)).toEqual([]);
  });
});

describe('security properties of dist/', () => {
  const namespaces = [...new Set(intent.apps.map((a) => a.namespace))];

  it.each(namespaces)('namespace %s has a default deny of ingress and egress for every pod', (ns) => {
    const deny = networkPolicies.find((p) => p.metadata.namespace === ns && p.metadata.name === 'default-deny-all');
    expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  it.each(namespaces)('namespace %s enforces Pod Security Standards restricted', (ns) => {
    const namespace = ofKind(manifests, 'Namespace').find((n) => n.metadata.name === ns);
    expect(namespace?.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
  });

  it('allows DNS (port 53) only to kube-dns in kube-system', () => {
    const dnsRules = networkPolicies.flatMap((p) => p.spec.egress ?? [])
      .filter((rule: K8sObject) => (rule.ports ?? []).some((port: { port: number }) => port.port === 53));
    expect(dnsRules.length).toBeGreaterThan(0);
    for (const rule of dnsRules) {
      expect(rule.to).toEqual([{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      }]);
    }
  });

  it('allows no block shorter than /8 (0.0.0.0/0, ::/0) unless the policy records why', () => {
    for (const policy of networkPolicies) {
      for (const rule of policy.spec.egress ?? []) {
        for (const peer of rule.to ?? []) {
          if (peer.ipBlock && cidr(peer.ipBlock.cidr).prefix < 8) {
            expect(policy.metadata.annotations?.[INTERNET_REASON_ANNOTATION]).toContain(peer.ipBlock.cidr);
          }
        }
      }
    }
  });

  it('carves cloud metadata out of every allowed block that contains it', () => {
    for (const policy of networkPolicies) {
      for (const rule of policy.spec.egress ?? []) {
        for (const peer of rule.to ?? []) {
          if (!peer.ipBlock) continue;
          const block = cidr(peer.ipBlock.cidr);
          for (const metadata of METADATA_BLOCKS) {
            expect(cidrContains(metadata, block)).toBe(false);
            if (cidrContains(block, metadata)) expect(peer.ipBlock.except?.map(cidr)).toContainEqual(metadata);
          }
        }
      }
    }
  });

  it.each(deployments.map((d) => [`${d.metadata.namespace}/${d.metadata.name}`, d] as const))('%s passes Pod Security Standards restricted', (_, deployment) => {
    const pod = deployment.spec.template.spec;
    expect(restrictedViolations(pod)).toEqual([]);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(pod.securityContext.runAsUser).toEqual(expect.any(Number));
    expect(pod.securityContext.runAsGroup).toEqual(expect.any(Number));
    expect(pod.securityContext.fsGroup).toEqual(expect.any(Number));
    expect(pod.containers[0].resources.limits).toHaveProperty('memory');
    expect(pod.containers[0].readinessProbe).toBeDefined();
    expect(pod.containers[0].livenessProbe).toBeDefined();
  });

  it.each(deployments.map((d) => [`${d.metadata.namespace}/${d.metadata.name}`, d] as const))('%s selects its pods by readable labels and is marked protected', (_, deployment) => {
    expect(deployment.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': deployment.metadata.name } });
    const labels = deployment.spec.template.metadata.labels;
    expect(labels[PROTECTED_LABEL]).toBe('true');
    for (const key of Object.keys(labels)) expect(key).not.toMatch(/cdk8s\.io/);
  });

  it('names every object by choice, without generated hashes', () => {
    for (const { object } of manifests) expect(object.metadata.name).not.toMatch(/-?[0-9a-f]{8}$/);
  });
});

describe('apply order of dist/', () => {
  const rank: Record<string, number> = {
    Namespace: 0, Tier: 1, GlobalNetworkSet: 1, GlobalNetworkPolicy: 2, StagedGlobalNetworkPolicy: 2,
    NetworkPolicy: 3, StagedNetworkPolicy: 3, ServiceAccount: 4, Service: 4, Deployment: 4,
  };

  it('lists Namespaces, then cluster policy, then namespaced policies, then workloads, in file-name order', () => {
    const ranks = manifests.map((m) => rank[m.object.kind]);
    expect(ranks.every((r) => r !== undefined)).toBe(true);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it('carries the same order in Argo CD sync waves', () => {
    const waves = manifests.map((m) => Number(m.object.metadata.annotations?.['argocd.argoproj.io/sync-wave']));
    expect(waves.every(Number.isInteger)).toBe(true);
    expect(waves).toEqual([...waves].sort((a, b) => a - b));
    const policyWave = Math.max(...manifests.filter((m) => rank[m.object.kind] <= 3).map((m) => Number(m.object.metadata.annotations!['argocd.argoproj.io/sync-wave'])));
    const workloadWave = Math.min(...deployments.map((d) => Number(d.metadata.annotations!['argocd.argoproj.io/sync-wave'])));
    expect(policyWave).toBeLessThan(workloadWave);
  });

  it('gives no cluster-scoped object a namespace', () => {
    const clusterScoped = ['Namespace', 'Tier', 'GlobalNetworkSet', 'GlobalNetworkPolicy', 'StagedGlobalNetworkPolicy'];
    for (const { object } of manifests) {
      if (clusterScoped.includes(object.kind)) expect(object.metadata.namespace).toBeUndefined();
      else expect(object.metadata.namespace).toEqual(expect.any(String));
    }
  });
});
