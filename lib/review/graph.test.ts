import { DecidedBy } from '../verify';
import { COLLAPSE_AT, drawnEdges, ReachEdge, ReachGraph } from './graph';
import { describeFlows } from './edge-words';

const rule: DecidedBy = {
  reason: 'rule',
  action: 'Allow',
  rule: { kind: 'NetworkPolicy', tier: 'default', namespace: 'team', name: 'p', direction: 'egress', index: 0 },
};
const dns = (protocol: 'TCP' | 'UDP') => ({ protocol, ports: { from: 53, to: 53 } });

describe('drawn edges', () => {
  const workloads = Array.from({ length: COLLAPSE_AT + 1 }, (_, i) => ({ id: `team/app-${i}`, namespace: 'team', name: `app-${i}`, flavor: 'calico' }));
  const graphOf = (edges: ReachEdge[]): ReachGraph => ({
    workloads,
    destinations: [{ id: 'dns', label: 'k8s-app=kube-dns', kind: 'pods', group: 'kube-system' }],
    edges,
  });

  it('collapse edges by their values: an edge that holds today and one that holds once staged policies are enforced are drawn apart, though their ports read alike', () => {
    const edges: ReachEdge[] = workloads.flatMap((w) => [
      { from: w.id, to: 'dns', verdict: 'allow' as const, flows: [dns('UDP')], decisions: [rule] },
      { from: w.id, to: 'dns', verdict: 'allow' as const, view: 'staged' as const, flows: [dns('UDP')], decisions: [rule] },
    ]);
    const drawn = drawnEdges(graphOf(edges));
    expect(drawn.map((d) => [d.from, d.collapsed, d.view, d.rows.length])).toEqual([
      ['team', true, 'enforced', workloads.length],
      ['team', true, 'staged', workloads.length],
    ]);
  });

  it('collapse only edges with the same protocols and ports as values', () => {
    const edges: ReachEdge[] = workloads.map((w, i) => ({
      from: w.id,
      to: 'dns',
      verdict: 'allow' as const,
      flows: i === 0 ? [dns('TCP')] : [dns('UDP')],
      decisions: [rule],
    }));
    const drawn = drawnEdges(graphOf(edges));
    expect(drawn.filter((d) => d.collapsed)).toEqual([]);
    expect(drawn).toHaveLength(workloads.length);
    expect(describeFlows(drawn[0].edges[0])).toBe('TCP 53');
  });
});
