/**
 * `npm run report [-- --manifests PATH ...] [--out DIR]`: writes `reports/egress.md` (tables and
 * a Mermaid flowchart that renders in a pull request) and `reports/egress.html` (one
 * self-contained page with an SVG graph) of what every workload in dist/ may reach.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join, relative, resolve } from 'path';
import { parseArgs } from 'util';
import { buildGraph, renderHtml, renderMarkdown } from '../lib/review';
import { egressReport, loadCluster } from '../lib/verify';

const root = resolve(__dirname, '..');
try {
  const { values } = parseArgs({ options: { manifests: { type: 'string', multiple: true }, out: { type: 'string' } } });
  const manifests = values.manifests ?? [join(root, 'dist')];
  const out = values.out ?? join(root, 'reports');
  const cluster = loadCluster(manifests);
  const graph = buildGraph(cluster, egressReport(cluster));
  const title = `Egress of AI workloads in ${manifests.map((m) => relative(root, resolve(m)) || '.').join(', ')}`;
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'egress.md'), renderMarkdown(graph, title));
  writeFileSync(join(out, 'egress.html'), renderHtml(graph, title));
  process.stdout.write(`report: ${graph.workloads.length} workloads, ${graph.destinations.length} destinations -> ${join(out, 'egress.md')}, ${join(out, 'egress.html')}\n`);
} catch (err) {
  process.stderr.write(`report: ${(err as Error).message}\n`);
  process.exit(2);
}
