import { formatCidr, isMetadataBlock } from '../net';
import { join } from 'path';
import { DecidedBy, egressReport, loadCluster } from '../verify';
import { COLLAPSE_AT, drawnEdges, fullLabel, ReachEdge, ReachGraph } from './graph';
import { buildGraph } from './build';
import { describeDecisions, describeFlows } from './edge-words';
import { renderMarkdown } from './markdown';

/** The manifests of the shipped scenario, as synth writes them (a fixture: test/verify-fixtures.test.ts keeps it equal). */
const SHIPPED = join(__dirname, '../../test/fixtures/verify/shipped');

const rule: DecidedBy = {
  reason: 'rule',
  action: 'Allow',
  rule: { kind: 'NetworkPolicy', tier: 'default', namespace: 'team', name: 'p', direction: 'egress', index: 0 },
};
const dns = (protocol: 'TCP' | 'UDP') => ({ protocol, ports: { from: 53, to: 53 } });

describe('drawn edges', () => {
  const workloads = Array.from({ length: COLLAPSE_AT + 1 }, (_, i) => ({
    id: `team/app-${i}`,
    namespace: 'team',
    name: `app-${i}`,
    flavor: 'calico' as const,
  }));
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

describe('cloud metadata in the report', () => {
  const cluster = loadCluster([SHIPPED]);
  const report = egressReport(cluster);
  const graph = buildGraph(cluster, report);

  it('is one destination and one deny edge per workload, naming every metadata block the verifier finds denied', () => {
    const denied = graph.destinations.filter((d) => d.kind === 'denied');
    expect(denied).toHaveLength(1);
    const blocks = new Set(
      report.workloads.flatMap((w) => w.denied.flatMap((e) => (e.to.type === 'cidr' && isMetadataBlock(e.to.cidr) ? [formatCidr(e.to.cidr)] : []))),
    );
    expect(blocks.size).toBeGreaterThan(1);
    expect(denied[0].label).toBe(`cloud metadata (${blocks.size} blocks)`);
    for (const block of blocks) expect(fullLabel(denied[0])).toContain(block);
    // The NAT64 form of an IPv4 address (RFC 6052) is metadata too, in the same destination.
    expect(fullLabel(denied[0])).toContain('64:ff9b::a9fe:a9fe/128');
    for (const w of graph.workloads) expect(graph.edges.filter((e) => e.from === w.id && e.verdict === 'deny')).toHaveLength(1);
  });

  it('says the guardrail once, with its rules, and lists it in one table row per workload', () => {
    const edge = graph.edges.find((e) => e.verdict === 'deny')!;
    expect(describeFlows(edge)).toBe('every protocol and port');
    expect(describeDecisions(edge)).toMatch(/^GlobalNetworkPolicy \S+deny-cloud-metadata \(tier \S+\) rules \d+(, \d+)+$/);
    const rows = renderMarkdown(graph)
      .split('\n')
      .filter((l) => l.startsWith('| deny'));
    expect(rows).toHaveLength(graph.workloads.length);
  });

  it("names what each rule is for, the kubernetes flavor's included (its policy's rule-descriptions annotation)", () => {
    const markdown = renderMarkdown(graph);
    const section = markdown.slice(markdown.indexOf('## ai-embeddings/embeddings (kubernetes flavor)'));
    expect(section).toMatch(
      /\| allow \| allow-list model-registry: 203\.0\.113\.10\/32 \| TCP 443 \| NetworkPolicy \(networking\.k8s\.io\) ai-embeddings\/embeddings-egress rule 1 \(tier default\): model registry mirror \|/,
    );
  });
});
