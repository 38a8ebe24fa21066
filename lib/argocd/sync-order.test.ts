import { SyncObject, syncGroups, syncRun } from './sync-order';

const WAVE = 'argocd.argoproj.io/sync-wave';
const OPTIONS = 'argocd.argoproj.io/sync-options';

function obj(
  kind: string,
  name: string,
  wave?: number | string,
  extra: { options?: string; apiVersion?: string; namespace?: string; tier?: string } = {},
): SyncObject {
  const annotations: Record<string, string> = {};
  if (wave !== undefined) annotations[WAVE] = String(wave);
  if (extra.options) annotations[OPTIONS] = extra.options;
  return {
    apiVersion: extra.apiVersion ?? (kind === 'Tier' || extra.tier ? 'projectcalico.org/v3' : 'v1'),
    kind,
    metadata: { name, ...(extra.namespace ? { namespace: extra.namespace } : {}), annotations },
    ...(extra.tier ? { spec: { tier: extra.tier } } : {}),
  };
}

const steps = (groups: ReturnType<typeof syncGroups>) => groups.map((g) => `${g.wave} ${g.action} ${g.objects.map((o) => o.metadata.name).join(',')}`);

describe('syncGroups: the order of gitops-engine pkg/sync', () => {
  it('prunes in the waves of the prunes swapped end for end: the object applied last goes first', () => {
    const live = [obj('ConfigMap', 'a', -4), obj('ConfigMap', 'b', -3), obj('ConfigMap', 'c', -2), obj('ConfigMap', 'd', -1)];
    expect(steps(syncGroups(live, []))).toEqual(['-4 prune d', '-3 prune c', '-2 prune b', '-1 prune a']);
  });

  it('swaps only among the waves that hold a prune, so a prune lands in the wave of another prune, whatever the applies', () => {
    const live = [obj('ConfigMap', 'old-guardrail', -2), obj('ConfigMap', 'old-set', -3), obj('ConfigMap', 'kept', -2)];
    const target = [obj('ConfigMap', 'kept', -2), obj('ConfigMap', 'new-guardrail', -2)];
    expect(steps(syncGroups(live, target))).toEqual(['-3 prune old-guardrail', '-2 prune old-set', '-2 apply kept,new-guardrail']);
  });

  it("prunes first within a wave, then applies by kind order (custom kinds last, Calico NetworkPolicy with Kubernetes') and name", () => {
    const live = [obj('ConfigMap', 'gone', 0)];
    const target = [
      obj('GlobalNetworkPolicy', 'g', 0, { tier: 't' }),
      obj('NetworkPolicy', 'z-k8s', 0, { apiVersion: 'networking.k8s.io/v1', namespace: 'n' }),
      obj('NetworkPolicy', 'a-calico', 0, { tier: 't', namespace: 'n' }),
      obj('Namespace', 'n', 0),
    ];
    expect(steps(syncGroups(live, target))).toEqual(['0 prune gone', '0 apply n', '0 apply a-calico,z-k8s', '0 apply g']);
  });

  it('moves a prune whose live object lists PruneLast=true to one wave after the highest of the sync, after the swap it took part in', () => {
    const live = [obj('ConfigMap', 'last', -6, { options: 'Validate=false, PruneLast=true' }), obj('ConfigMap', 'early', -5)];
    const target = [obj('Deployment', 'app', 1)];
    expect(steps(syncGroups(live, target))).toEqual(['-6 prune early', '1 apply app', '2 prune last']);
  });

  it('puts the last wave at 1 at least, and the Application-level PruneLast moves every prune there', () => {
    const live = [obj('ConfigMap', 'a', -6), obj('ConfigMap', 'b', -5)];
    expect(steps(syncGroups(live, [obj('ConfigMap', 'c', -7)], { pruneLast: true }))).toEqual(['-7 apply c', '1 prune a,b']);
  });

  it('never prunes a live object that lists Prune=false, and reads an object without a wave, or with one that is no integer, as wave 0', () => {
    const live = [obj('ConfigMap', 'kept', -1, { options: 'Prune=false' }), obj('ConfigMap', 'none'), obj('ConfigMap', 'bad', 'x')];
    expect(steps(syncGroups(live, []))).toEqual(['0 prune bad,none']);
  });

  it('tells a Calico NetworkPolicy from a Kubernetes one of the same name: one is applied, the other pruned', () => {
    const calico = obj('NetworkPolicy', 'p', -5, { tier: 't', namespace: 'n' });
    const k8s = obj('NetworkPolicy', 'p', -5, { apiVersion: 'networking.k8s.io/v1', namespace: 'n' });
    expect(syncGroups([calico], [k8s]).map((g) => `${g.action} ${g.objects[0].apiVersion}`)).toEqual([
      'prune projectcalico.org/v3',
      'apply networking.k8s.io/v1',
    ]);
  });
});

describe('syncRun: every set of objects the cluster holds during the sync', () => {
  const names = (objects: readonly SyncObject[]) =>
    objects
      .map((o) => o.metadata.name)
      .sort()
      .join(',');

  it('holds, while a group runs, every subset of its tasks done (they run at once), smallest first, then all of them', () => {
    const run = syncRun([obj('ConfigMap', 'a', 0), obj('ConfigMap', 'b', 0), obj('ConfigMap', 'c', 0)], []);
    expect(run.moments.map((m) => `${m.step} -> ${names(m.objects)}`)).toEqual([
      'before the sync -> a,b,c',
      'wave 0, prune: ConfigMap a (of 3) -> b,c',
      'wave 0, prune: ConfigMap b (of 3) -> a,c',
      'wave 0, prune: ConfigMap c (of 3) -> a,b',
      'wave 0, prune: ConfigMap a, ConfigMap b (of 3) -> c',
      'wave 0, prune: ConfigMap a, ConfigMap c (of 3) -> b',
      'wave 0, prune: ConfigMap b, ConfigMap c (of 3) -> a',
      'wave 0, prune: all 3 -> ',
    ]);
  });

  it('takes a group of more than 8 tasks in its order and in reverse, each prefix of each', () => {
    const live = [...'abcdefghi'].map((n) => obj('ConfigMap', n, 0));
    const steps = syncRun(live, []).moments.map((m) => m.step);
    expect(steps).toHaveLength(1 + 2 * 8 + 1);
    expect(steps.slice(1, 3)).toEqual(['wave 0, prune: ConfigMap a (of 9)', 'wave 0, prune: ConfigMap i (of 9)']);
  });

  it('replaces an applied object in place, and adds a new one', () => {
    const before = obj('ConfigMap', 'a', 0);
    const changed = { ...obj('ConfigMap', 'a', 0), data: { x: '1' } } as SyncObject;
    const run = syncRun([before], [changed, obj('ConfigMap', 'b', 1)]);
    const last = run.moments[run.moments.length - 1].objects;
    expect(last).toEqual([changed, obj('ConfigMap', 'b', 1)]);
  });

  it('deletes a pruned Calico tier only once no policy names it, when they are pruned together', () => {
    const tier = obj('Tier', 't', -8, { options: 'PruneLast=true' });
    const policy = obj('GlobalNetworkPolicy', 't.p', -6, { tier: 't', options: 'PruneLast=true' });
    const run = syncRun([tier, policy], []);
    expect(run.stalled).toBeUndefined();
    expect(run.moments.every((m) => m.objects.includes(tier) || !m.objects.includes(policy))).toBe(true);
    expect(run.moments.map((m) => m.step)).toEqual(['before the sync', 'wave 1, prune: GlobalNetworkPolicy t.p (of 2)', 'wave 1, prune: all 2']);
  });

  it('says the sync stalls when a tier is pruned in a wave before a policy of it', () => {
    const run = syncRun([obj('Tier', 't', -8), obj('GlobalNetworkPolicy', 't.p', -6, { tier: 't', options: 'PruneLast=true' })], []);
    expect(run.stalled).toBe('wave -6, prune: Tier t cannot be deleted while GlobalNetworkPolicy t.p is in it');
  });
});
