import { egressReport } from '../verify';
import { buildGraph } from './build';
import { renderHtml } from './html';
import { renderMarkdown } from './markdown';
import { readCluster, deployment, namespace, networkPolicy, shippedCalicoApp } from '../../test/support/verify-builders';

const cluster = readCluster(shippedCalicoApp({ selectsOnlyPods: false }));
const graph = buildGraph(cluster, egressReport(cluster, { readers: true }));

describe('who can read each workload, in the reports', () => {
  it('lists the callers of each workload, marking those the manifests do not govern', () => {
    expect(graph.readers).toEqual([
      expect.objectContaining({ workload: 'ai-application/ai-service', caller: { type: 'pods', namespace: 'ai-gateway', labels: {} }, governed: false }),
    ]);
  });

  it('Markdown: a table per workload, and a line at the top when some workload is readable from outside what the manifests govern', () => {
    const md = renderMarkdown(graph);
    expect(md).toMatch(/1 workload is readable by callers these manifests do not govern/);
    expect(md).toContain(
      '| pods ai-gateway {} | TCP 8000 | **no: these manifests do not declare namespace ai-gateway with a default deny** | NetworkPolicy ai-application/ai-egress.ai-service rule 0 (tier ai-egress) |',
    );
  });

  it('HTML: a table of who can read each workload, ungoverned rows marked', () => {
    expect(renderHtml(graph)).toMatch(
      /<table id="readers">[^]*<tr class="ungoverned"><td>ai-application\/ai-service<\/td><td>pods ai-gateway \{\}<\/td><td>TCP 8000<\/td>/,
    );
  });

  it('an address outside the cluster that may call is a caller no manifest governs', () => {
    const open = readCluster([
      namespace('ai'),
      deployment('ai', 'llm', { app: 'llm' }),
      networkPolicy('ai', 'llm-in', {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ ipBlock: { cidr: '192.0.2.0/24' } }], ports: [{ port: 8000 }] }],
      }),
    ]);
    expect(renderMarkdown(buildGraph(open, egressReport(open, { readers: true })))).toContain(
      '| cidr 192.0.2.0/24 | TCP 8000 | **no: addresses outside the cluster** | NetworkPolicy (networking.k8s.io) ai/llm-in rule 0 (tier default) |',
    );
  });

  it('a governed caller is not marked, and a report made without readers has no such section', () => {
    const governed = readCluster([
      ...shippedCalicoApp({ selectsOnlyPods: false }),
      namespace('ai-gateway'),
      networkPolicy('ai-gateway', 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    ]);
    const md = renderMarkdown(buildGraph(governed, egressReport(governed, { readers: true })));
    expect(md).toContain('| pods ai-gateway {} | TCP 8000 | yes |');
    expect(md).not.toMatch(/readable by callers these manifests do not govern/);
    expect(renderMarkdown(buildGraph(cluster, egressReport(cluster)))).not.toContain('Who can read it');
  });
});
