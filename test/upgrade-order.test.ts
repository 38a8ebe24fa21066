/**
 * Applying dist/ to a cluster that already runs it, one step at a time, as Argo CD applies it (by
 * sync wave) and as `kubectl apply -f dist` does (by file name, then in each file's order). A
 * release that brings the tier's Pass policies (the hand-over of kubernetes-flavor apps and of
 * previewed namespaces to the default tier) and a closing Deny that selects every pod of the
 * governed namespaces must bring the Pass policies first: from the moment the Deny takes every pod,
 * each declared app's declared traffic is still allowed, and an undeclared pod is denied.
 */
import { AiAppIntent, PlatformIntent } from '../lib/intent';
import { clusterFromText, query } from '../lib/verify';
import { K8sObject, ManifestDocument, readManifests } from '../lib/testing';
import { synthesized } from './support/synth';

const base = { image: 'ghcr.io/example/app:1.0.0', port: 8000, resources: { cpu: { request: '1', limit: '1' }, memory: { request: '1Gi', limit: '1Gi' } } };
const apps: AiAppIntent[] = [
  { ...base, name: 'indexer', namespace: 'ai-tools', egress: [{ cidr: '198.51.100.0/24', ports: [443] }] },
  { ...base, name: 'llm', namespace: 'ai', flavor: 'calico', egress: [{ cidr: '203.0.113.10/32', ports: [443] }] },
  { ...base, name: 'preview', namespace: 'ai-preview', flavor: 'calico', audit: true, egress: [{ cidr: '192.0.2.0/24', ports: [443] }] },
];
const intent: PlatformIntent = { apps };
const dist = synthesized(intent, readManifests);

const WAVE = 'argocd.argoproj.io/sync-wave';
const wave = (o: K8sObject) => Number(o.metadata.annotations?.[WAVE] ?? 0);
const key = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
/** The tier's Pass policies: Calico NetworkPolicies whose every rule is a Pass. */
const isPass = (o: K8sObject) =>
  o.apiVersion === 'projectcalico.org/v3' &&
  o.kind === 'NetworkPolicy' &&
  [...(o.spec.ingress ?? []), ...(o.spec.egress ?? [])].every((r: K8sObject) => r.action === 'Pass');
const isClosingDeny = (o: K8sObject) => o.kind === 'GlobalNetworkPolicy' && o.metadata.name.endsWith('.deny-undeclared-pods');

/** A pod that copies the indexer's labels and runs as another ServiceAccount: no declared app. */
const impostor: K8sObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'impostor', namespace: 'ai-tools', labels: { 'app.kubernetes.io/name': 'indexer' } },
  spec: { serviceAccountName: 'default', containers: [{ name: 'c', image: 'busybox:1.36' }] },
};

/**
 * The cluster at one moment of the apply: what has been applied of this release, and the rest as
 * the release before left it: everything but the Pass policies, which it did not have, and the
 * closing Deny, which took only pods that no policy before it passed (so, for this test, none of
 * the declared apps).
 */
function moment(applied: readonly K8sObject[]) {
  const done = new Set(applied.map(key));
  const before = dist.map((m) => m.object).filter((o) => !isPass(o) && !isClosingDeny(o) && !done.has(key(o)));
  // Written as JSON, which is YAML (YAML 1.2, chapter 1.3) and which the verifier reads as it reads dist/.
  return clusterFromText([...before, ...applied, impostor].map((o) => JSON.stringify(o)).join('\n---\n'));
}

/** What must hold once the closing Deny is applied: every app reaches what it declared, the impostor nothing. */
function problemsAt(applied: readonly K8sObject[], label: string): string[] {
  if (!applied.some(isClosingDeny)) return [];
  const cluster = moment(applied);
  const asked: [string, string, boolean][] = [
    ['ai-tools/indexer', '198.51.100.1', true],
    ['ai/llm', '203.0.113.10', true],
    ['ai-preview/preview', '192.0.2.1', true],
    ['ai-tools/impostor', '198.51.100.1', false],
  ];
  return asked.flatMap(([from, to, allowed]) => {
    const answer = query(cluster, from, to, 443);
    return answer.allowed === allowed ? [] : [`${label}: ${from} -> ${to}:443 ${answer.allowed ? 'allowed' : 'denied'}`];
  });
}

/** Argo CD's steps: each wave whole, and before it the worst order within it (its closing Deny first). */
function argoSteps(docs: readonly ManifestDocument[]): [string, K8sObject[]][] {
  const objects = docs.map((d) => d.object);
  const waves = [...new Set(objects.map(wave))].sort((a, b) => a - b);
  return waves.flatMap((w): [string, K8sObject[]][] => {
    const earlier = objects.filter((o) => wave(o) < w);
    const denyFirst = objects.filter((o) => wave(o) === w && isClosingDeny(o));
    return [
      ...(denyFirst.length ? [[`wave ${w}, its closing Deny first`, [...earlier, ...denyFirst]] as [string, K8sObject[]]] : []),
      [`wave ${w}`, objects.filter((o) => wave(o) <= w)],
    ];
  });
}

/** kubectl's steps: one document after the other, files in name order. */
function kubectlSteps(docs: readonly ManifestDocument[]): [string, K8sObject[]][] {
  const ordered = [...docs].sort((a, b) => (a.file === b.file ? a.index - b.index : a.file < b.file ? -1 : 1));
  return ordered.map((d, i) => [`${d.file} document ${d.index + 1} (${key(d.object)})`, ordered.slice(0, i + 1).map((x) => x.object)]);
}

describe('upgrading a running cluster to a release whose closing Deny takes every pod of the governed namespaces', () => {
  it('has a Pass policy for the kubernetes-flavor app and for the previewed namespace, and a closing Deny on all()', () => {
    expect(
      dist
        .map((m) => m.object)
        .filter(isPass)
        .map((o) => `${o.metadata.namespace}/${o.metadata.name}`)
        .sort(),
    ).toEqual(['ai-preview/ai-egress.pass-to-kubernetes-policies', 'ai-tools/ai-egress.indexer']);
    expect(dist.map((m) => m.object).find(isClosingDeny)?.spec.selector).toBe('all()');
  });

  it('never denies a declared app its declared egress nor lets the impostor out, at any moment of an Argo CD sync (by wave)', () => {
    expect(argoSteps(dist).flatMap(([label, applied]) => problemsAt(applied, label))).toEqual([]);
  });

  it('never denies a declared app its declared egress nor lets the impostor out, at any moment of kubectl apply -f dist (by file, then document)', () => {
    expect(kubectlSteps(dist).flatMap(([label, applied]) => problemsAt(applied, label))).toEqual([]);
  });

  it('applies the Tier, and the RBAC of its owners, before any policy in it, and each Pass policy before the closing Deny, in waves and in files alike', () => {
    const owned = synthesized({ ...intent, calico: { owners: { serviceAccounts: ['argocd/argocd-application-controller'] } } }, readManifests);
    const objects = owned.map((m) => m.object);
    const position = (o: K8sObject) => owned.findIndex((m) => m.object === o);
    const tier = objects.find((o) => o.kind === 'Tier')!;
    const rbac = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding');
    expect(rbac.length).toBeGreaterThan(0);
    const inTier = objects.filter((o) => o.spec?.tier === tier.metadata.name);
    const deny = objects.find(isClosingDeny)!;
    for (const o of inTier) {
      expect(wave(o)).toBeGreaterThan(wave(tier));
      for (const r of rbac) expect(wave(o)).toBeGreaterThan(wave(r));
    }
    for (const pass of objects.filter(isPass)) {
      expect(wave(pass)).toBeLessThan(wave(deny));
      expect(position(pass)).toBeLessThan(position(deny));
    }
  });
});
