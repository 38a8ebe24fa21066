/**
 * Argo CD's sync of the two changes that once opened a window (docs/clusters-and-argocd.md,
 * "Sync choices, and why"): `calico.tier` renamed with a kubernetes-flavor app present, and the
 * guardrail written in another kind in the change that removes an allow-list. Each sync is
 * replayed as gitops-engine runs it (lib/argocd `syncRun`: waves, prunes swapped end for end,
 * PruneLast=true read from the live object, every subset of a group of tasks that run at once done), from what the
 * cluster runs (written by this release, and by a release before PruneLast=true:
 * test/fixtures/argocd-sync/) to the folder of the new intent. The verifier reads every set of
 * objects the cluster holds on the way, with a NetworkPolicy a namespace editor wrote to allow
 * everything: no moment may allow what neither the old objects nor the new ones allow.
 */
import { join } from 'path';
import { stringify } from 'yaml';
import { SyncMoment, syncRun } from '../lib/argocd';
import { EARLIEST_WAVE_BEFORE_PRUNE_LAST } from '../lib/conventions';
import { PlatformIntent, clusterIntents } from '../lib/intent';
import { Cluster, Manifest, buildCluster, parseManifests, query } from '../lib/verify';
import { K8sObject, readManifests } from '../lib/testing';
import { synthesized } from './support/synth';
import { audit, guardrails, hosts } from './fixtures/intents';
import { guardrailKind, tierRename } from './fixtures/intents/prune-order';

const objectsOf = (intent: PlatformIntent) => synthesized(intent, readManifests).map((d) => d.object);
const earlierRelease = (name: string) => readManifests(join(__dirname, 'fixtures', 'argocd-sync', name)).map((d) => d.object);

/** What a namespace editor may write in an app's namespace: a NetworkPolicy that allows everything both ways. */
const editorsPolicy = (namespace: string): K8sObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'allow-everything', namespace },
  spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] },
});
const editors = ['ai', 'ai-tools'].map(editorsPolicy);

/** The questions asked at every moment: each app to metadata, to the internet, to every declared address and to the other app. */
const QUESTIONS: readonly [string, string, number][] = ['ai/llm', 'ai-tools/indexer'].flatMap((from) => [
  ...(
    [
      ['169.254.169.254', 80],
      ['198.18.0.1', 443],
      ['203.0.113.10', 443],
      ['198.51.100.1', 443],
      ['192.0.2.10', 443],
      ['192.0.2.20', 443],
    ] as const
  ).map(([to, port]): [string, string, number] => [from, to, port]),
  [from, from === 'ai/llm' ? 'ai-tools/indexer' : 'ai/llm', 8000] as [string, string, number],
]);

/** Each object read as the verifier reads a document, once: the moments of a sync share their objects. */
const read = new Map<K8sObject, Manifest[]>();
const manifestsOf = (o: K8sObject) => read.get(o) ?? read.set(o, parseManifests(stringify(o), `${o.kind} ${o.metadata.name}`)).get(o)!;
const clusterOf = (objects: readonly K8sObject[]): Cluster => buildCluster([...objects, ...editors].flatMap(manifestsOf));
const answers = (cluster: Cluster) => QUESTIONS.map(([from, to, port]) => query(cluster, from, to, port).allowed);

/** Each moment's answer that neither the cluster before the sync nor the folder allows. */
function widenings(moments: readonly SyncMoment<K8sObject>[], target: readonly K8sObject[]): string[] {
  const before = answers(clusterOf(moments[0].objects));
  const after = answers(clusterOf(target));
  return moments.flatMap((m) => {
    const now = answers(clusterOf(m.objects));
    return QUESTIONS.flatMap(([from, to, port], i) => (now[i] && !before[i] && !after[i] ? [`${m.step}: ${from} -> ${to}:${port} allowed`] : []));
  });
}

const keys = (objects: readonly K8sObject[]) => objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();

describe.each([
  ['calico.tier renamed, with a kubernetes-flavor app', 'tier-rename', tierRename],
  ['the guardrail from a GlobalNetworkPolicy to ClusterNetworkPolicies, with an allow-list removed', 'guardrail-kind', guardrailKind],
])('Argo CD syncs %s', (_change, fixture, { before, after }) => {
  const target = objectsOf(after);
  describe.each([
    ['over the folder of this release', () => objectsOf(before)],
    ['over the folder of a release before PruneLast=true', () => earlierRelease(fixture)],
  ])('%s', (_from, live) => {
    const run = syncRun(live(), target);

    it('runs to its end, with the cluster holding exactly the new folder', () => {
      expect(run.stalled).toBeUndefined();
      expect(keys(run.moments[run.moments.length - 1].objects)).toEqual(keys(target));
    });

    it('deletes on the way the metadata guardrail it replaces, which the new folder holds under another name or kind', () => {
      const kept = new Set(keys(target));
      const replaced = run.moments[0].objects.filter((o) => o.metadata.name.endsWith('.deny-cloud-metadata') && !kept.has(keys([o])[0]));
      expect(replaced).toHaveLength(1);
      expect(run.moments.some((m) => !m.objects.includes(replaced[0]))).toBe(true);
    });

    it('never allows, at any moment, what neither the old objects nor the new ones allow', () => {
      expect(widenings(run.moments, target)).toEqual([]);
    });
  });
});

/**
 * What confines a pod: its removal, before its successor exists, would let it reach more. The
 * tier and every policy in it, the guardrail in the network-policy-api, each namespace's default
 * deny (staged too), the admission policy that binds an app's name label to its ServiceAccount.
 */
function confines(o: K8sObject): boolean {
  if (o.apiVersion === 'projectcalico.org/v3')
    return (
      ['Tier', 'NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy'].includes(o.kind) ||
      (o.kind === 'StagedKubernetesNetworkPolicy' && o.metadata.name === 'default-deny-all')
    );
  if (o.apiVersion.startsWith('policy.networking.k8s.io/')) return true;
  if (o.apiVersion.startsWith('admissionregistration.k8s.io/')) return true;
  return o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny-all';
}

describe('the sync annotations of what dist/ holds, in folders with every kind of guardrail, audit mode and the egress proxy', () => {
  const folders = [guardrails, audit, hosts, tierRename.after].flatMap((intent) => clusterIntents(intent).map((c) => objectsOf(c.intent)));
  const objects = folders.flat();
  const pruneLast = (o: K8sObject) => (o.metadata.annotations?.['argocd.argoproj.io/sync-options'] ?? '').split(',').some((x) => x.trim() === 'PruneLast=true');
  const wave = (o: K8sObject) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']);
  const named = (o: K8sObject) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;

  it('covers every kind that confines', () => {
    const kinds = new Set(objects.filter(confines).map((o) => o.kind));
    for (const k of [
      'Tier',
      'NetworkPolicy',
      'GlobalNetworkPolicy',
      'StagedNetworkPolicy',
      'ClusterNetworkPolicy',
      'AdminNetworkPolicy',
      'ValidatingAdmissionPolicy',
      'StagedKubernetesNetworkPolicy',
    ])
      expect(kinds).toContain(k);
  });

  it('every object that confines is pruned last (PruneLast=true) and applied below every wave a release before it wrote', () => {
    const wrong = objects.filter(confines).filter((o) => !pruneLast(o) || !(wave(o) < EARLIEST_WAVE_BEFORE_PRUNE_LAST));
    expect(wrong.map(named)).toEqual([]);
  });

  it('nothing else is pruned last: a removed workload goes before its policies, and a removed allow goes at once', () => {
    expect(objects.filter((o) => pruneLast(o) && !confines(o)).map(named)).toEqual([]);
  });

  it('applies each tier a wave before every policy in it, and each Namespace no later than the first confining object', () => {
    for (const folder of folders) {
      const first = Math.min(...folder.filter(confines).map(wave));
      expect(folder.filter((o) => o.kind === 'Namespace' && wave(o) > first).map(named)).toEqual([]);
      const tier = folder.find((o) => o.kind === 'Tier');
      if (tier)
        expect(folder.filter((o) => o !== tier && confines(o) && o.apiVersion === 'projectcalico.org/v3' && wave(o) <= wave(tier)).map(named)).toEqual([]);
    }
  });
});
