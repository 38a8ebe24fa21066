/**
 * What the verifier keeps of what it read, and what its reports hold: at 10,000 apps the cluster
 * and the egress report are most of the verifier's memory (BENCHMARKS.md). A cluster keeps of
 * each compiled policy only what the reports read again (its metadata), and the egress report
 * holds one object for each distinct port range and block, however many workloads list it.
 */
import { egressReport, ReachEntry } from './egress';
import { deployment, namespace, networkPolicy, readCluster } from '../../test/support/verify-builders';

type Obj = Record<string, unknown>;

const configMap = (ns: string, name: string, data: Record<string, string>): Obj => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns },
  data,
});

/** `n` namespaces, each with one app that may send to every address but the metadata address on TCP 443, and denies the rest. */
function platform(n: number): Obj[] {
  return Array.from({ length: n }, (_, i) => {
    const ns = `team-${i}`;
    return [
      namespace(ns),
      deployment(ns, 'app', { app: 'app' }),
      networkPolicy(ns, 'app-egress', {
        podSelector: { matchLabels: { app: 'app' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }], ports: [{ protocol: 'TCP', port: 443 }] }],
      }),
    ];
  }).flat();
}

describe('what a cluster keeps of its manifests', () => {
  const annotated = {
    ...networkPolicy('team-0', 'annotated', { podSelector: {}, policyTypes: ['Egress'], egress: [] }),
    metadata: { name: 'annotated', namespace: 'team-0', annotations: { why: 'a reason the reports read' } },
  };
  const cluster = readCluster([...platform(1), annotated, configMap('team-0', 'corefile', { Corefile: '.:53 {\n}\n' })]);
  const kept = (kind: string, name: string) => cluster.manifests.find((m) => m.object.kind === kind && m.object.metadata.name === name)!.object;

  it('keeps a compiled policy by its apiVersion, kind and metadata (annotations included), not its body', () => {
    expect(kept('NetworkPolicy', 'app-egress')).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'app-egress', namespace: 'team-0' },
    });
    expect(kept('NetworkPolicy', 'annotated')).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'annotated', namespace: 'team-0', annotations: { why: 'a reason the reports read' } },
    });
  });

  it('keeps workloads (their pod specs) and ConfigMaps whole, as the DNS report reads them', () => {
    expect(kept('Deployment', 'app')).toEqual(deployment('team-0', 'app', { app: 'app' }));
    expect(kept('ConfigMap', 'corefile')).toEqual(configMap('team-0', 'corefile', { Corefile: '.:53 {\n}\n' }));
    expect(kept('Namespace', 'team-0')).toEqual(namespace('team-0'));
  });
});

describe('what the egress report holds', () => {
  const N = 12;
  const report = egressReport(readCluster(platform(N)));
  const entries: ReachEntry[] = report.workloads.flatMap((w) => [...w.allowed, ...w.denied]);
  /** How many different values: by their JSON, network addresses (bigint) as text. */
  const distinct = (values: readonly unknown[]) =>
    new Set(values.map((v) => JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)))).size;

  it('lists the same block and ports for every workload', () => {
    const allowed = report.workloads.flatMap((w) => w.allowed.filter((e) => e.to.type === 'cidr' && e.to.except.length === 1));
    expect(allowed).toHaveLength(N);
    expect(distinct(allowed.map((e) => [e.to, e.ports]))).toBe(1);
  });

  it('holds one object per distinct block with its exceptions, however many workloads list it', () => {
    const blocks = entries.map((e) => e.to).filter((to) => to.type === 'cidr');
    expect(blocks.length).toBeGreaterThanOrEqual(N);
    expect(new Set(blocks).size).toBe(distinct(blocks));
  });

  it('holds one object per distinct port range, however many entries list it', () => {
    const ranges = entries.map((e) => e.ports);
    expect(ranges.length).toBeGreaterThanOrEqual(N);
    expect(new Set(ranges).size).toBe(distinct(ranges));
  });
});
