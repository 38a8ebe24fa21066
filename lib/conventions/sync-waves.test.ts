import { EARLIEST_WAVE_BEFORE_PRUNE_LAST, SyncWave, pruneLast, syncWave } from './index';

describe('the Argo CD annotations of what dist/ writes', () => {
  it('pruneLast gives the wave and PruneLast=true, in the option list gitops-engine reads', () => {
    expect(pruneLast(SyncWave.globalPolicy)).toEqual({ 'argocd.argoproj.io/sync-wave': '-6', 'argocd.argoproj.io/sync-options': 'PruneLast=true' });
    expect(syncWave(SyncWave.workload)).toEqual({ 'argocd.argoproj.io/sync-wave': '1' });
  });

  it('puts every wave of what confines, and of what it needs before it, below every wave a release before PruneLast=true wrote', () => {
    const { platformService, workload, ...beforeAnyPod } = SyncWave;
    expect(Object.entries(beforeAnyPod).filter(([, w]) => w >= EARLIEST_WAVE_BEFORE_PRUNE_LAST)).toEqual([]);
    expect(Math.min(platformService, workload)).toBeGreaterThan(Math.max(...Object.values(beforeAnyPod)));
  });

  it('keeps the order within: the tier and the Namespaces first, the Pass policies a wave before the global ones, the namespaced policies last', () => {
    expect([SyncWave.tier, SyncWave.tierPass, SyncWave.globalPolicy, SyncWave.policy]).toEqual([-8, -7, -6, -5]);
    expect(SyncWave.namespace).toBeLessThanOrEqual(SyncWave.tierPass);
    expect(SyncWave.tierOwners).toBeLessThan(SyncWave.tierPass);
    expect(SyncWave.networkSet).toBeLessThan(SyncWave.policy);
  });
});
