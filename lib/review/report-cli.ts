/**
 * `npm run report [-- --manifests PATH ...] [--out DIR] [--flows FILE]`: writes `egress.md`
 * (tables and a Mermaid flowchart that renders in a pull request) and `egress.html` (one
 * self-contained page with an SVG graph) of what every workload may reach, marking workloads in
 * audit mode; with a flow log, both gain the observed view (observed.ts).
 *
 * Exit 0 when written, 2 for bad usage or manifests that cannot be read, 3 for a fault of the
 * report itself.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join, relative, resolve } from 'path';
import { CliResult, CommandSpec, EXIT, helpText, parseCommand, runCommand, usageLine } from '../cli';
import { egressReport, loadCluster, loadFlowLog, manifestsInputError, observe, readingNotes } from '../verify';
import { buildGraph } from './build';
import { renderHtml } from './html';
import { leakNotes } from './leaks';
import { renderMarkdown } from './markdown';

/** The report command, as `--help` describes it. */
const REPORT_SPEC: CommandSpec = {
  program: 'npm run report --',
  name: 'report',
  summary: 'write egress.md and egress.html: what every workload may reach, and which workloads are in audit mode',
  options: [
    { name: 'manifests', type: 'string', multiple: true, value: 'PATH', default: 'dist', description: 'a manifest file or folder to report on' },
    { name: 'out', type: 'string', value: 'DIR', default: 'reports', description: 'the folder to write egress.md and egress.html into' },
    {
      name: 'flows',
      type: 'string',
      value: 'FILE|-',
      description:
        'a saved flow log of the cluster, as for verify observed: adds the observed view (what would break, what was never used, what no declared destination explains)',
    },
  ],
};

/** Runs the report command from the project root `root`; never throws. */
export function reportMain(argv: readonly string[], root: string): CliResult {
  const usage = `usage: ${usageLine(REPORT_SPEC)}\n(npm run report -- --help says what each option means)\n`;
  return runCommand(
    'report',
    usage,
    () => {
      const values = parseCommand(REPORT_SPEC, argv);
      if (values === undefined) return { code: EXIT.answered, stdout: helpText(REPORT_SPEC), stderr: '' };
      const manifests = (values.manifests as string[] | undefined) ?? [join(root, 'dist')];
      const out = resolve((values.out as string | undefined) ?? join(root, 'reports'));
      const cluster = loadCluster(manifests);
      const graph = buildGraph(cluster, egressReport(cluster, { readers: true }));
      const title = `Egress of AI workloads in ${manifests.map((m) => relative(root, resolve(m)) || '.').join(', ')}`;
      const flows = values.flows as string | undefined;
      const observed =
        flows === undefined ? undefined : { source: flows === '-' ? 'stdin' : relative(root, resolve(flows)), report: observe(cluster, loadFlowLog(flows)) };
      mkdirSync(out, { recursive: true });
      const leaks = leakNotes(cluster);
      writeFileSync(join(out, 'egress.md'), renderMarkdown(graph, title, observed, leaks));
      writeFileSync(join(out, 'egress.html'), renderHtml(graph, title, observed, leaks));
      return {
        code: EXIT.answered,
        stdout: `report: ${graph.workloads.length} workloads, ${graph.destinations.length} destinations -> ${join(out, 'egress.md')}, ${join(out, 'egress.html')}\n`,
        stderr: readingNotes('report', [cluster]),
      };
    },
    manifestsInputError,
  );
}
