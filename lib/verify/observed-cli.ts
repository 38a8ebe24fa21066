/**
 * `verify observed --manifests PATH --flows FILE`: the cluster's flow log compared with what the
 * manifests allow (observed.ts), the intent entries that would allow what would break
 * (observed-suggest.ts), as text or `--json`. With `--fail-on-break` it is a pipeline gate: exit
 * 1 when an observed flow would be denied once the staged policies are enforced, or may be.
 */

import { readFileSync } from 'fs';
import { FlowLog, readFlowLog } from '../flows';
import { Cluster } from './cluster';
import { CliResult, Command, CommandSpec, EXIT, InputError, OptionSpec } from '../cli';
import { readingNotes } from './reading';
import { mayBreak, observe } from './observed';
import { observedJson } from './observed-json';
import { governedBy, suggest } from './observed-suggest';
import { observedText } from './observed-words';

/** A flow log that cannot be read at all: no file, or not one record in it. */
class FlowFileError extends InputError {}

/** What the verifier's command line lends the command: its shared options and how it loads the manifests. */
export interface ObservedCommandParts {
  /** `--manifests`, `--ipblock-matches-pods`, `--calico`, `--json`, as every listing command declares them. */
  readonly manifests: OptionSpec;
  readonly ipblock: OptionSpec;
  readonly calico: OptionSpec;
  readonly json: OptionSpec;
  readonly cluster: (values: Readonly<Record<string, string | string[] | boolean | undefined>>) => Cluster;
}

/**
 * Reads a flow log from a file, or stdin for `-`: every record that can be read, each one that
 * cannot with its line. Throws FlowFileError when the file cannot be read or holds no record.
 */
export function loadFlowLog(file: string): FlowLog {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    // Node's errors may come from another realm (a test runner's), where `instanceof Error` does not hold.
    const message = (e as { message?: unknown } | undefined)?.message;
    throw new FlowFileError(`cannot read --flows ${file}: ${typeof message === 'string' ? message : String(e)}`);
  }
  const log = readFlowLog(text);
  if (log.records.length === 0) {
    const first = log.malformed.slice(0, 5).map((m) => `line ${m.line}: ${m.reason}`);
    throw new FlowFileError(
      `${file} holds no flow record that can be read${log.malformed.length ? ` (${log.malformed.length} malformed: ${first.join('; ')}${log.malformed.length > 5 ? '; ...' : ''})` : ''}; accepted: Whisker's /flows answer or stream, or Goldmane's Flow or FlowResult messages in protobuf JSON`,
    );
  }
  return log;
}

/** The command, made with the parts the verifier's command line shares. */
export function observedCommand(parts: ObservedCommandParts): Command {
  const spec: CommandSpec = {
    program: 'verify observed',
    name: 'observed',
    summary:
      "every flow the cluster's flow log observed, compared with what the manifests allow, today and once the staged policies are enforced; what would break, and the intent entries that would allow it",
    options: [
      parts.manifests,
      {
        name: 'flows',
        type: 'string',
        required: true,
        value: 'FILE|-',
        description: "a saved flow log (- reads stdin): Whisker's /flows answer or its watch stream, or Goldmane's flows as grpcurl prints them",
      },
      parts.ipblock,
      parts.calico,
      {
        name: 'fail-on-break',
        type: 'boolean',
        description: 'exit 1 when an observed flow would be denied once the staged policies are enforced, or may be (unattributed)',
      },
      { ...parts.json, description: 'print JSON (shapes in lib/verify/observed-json.ts) instead of text' },
    ],
    exitCodes: [[EXIT.failed, 'with --fail-on-break: an observed flow allowed today would be denied once the staged policies are enforced, or may be']],
  };
  return {
    spec,
    run(values): CliResult {
      const file = values.flows as string;
      const log = loadFlowLog(file);
      const cluster = parts.cluster(values);
      const report = observe(cluster, log);
      const suggestions = suggest(
        report,
        governedBy((ns) => cluster.catalog.namespace(ns).labels),
      );
      const stdout = values.json
        ? `${JSON.stringify(observedJson(report, suggestions), null, 2)}\n`
        : observedText(report, suggestions, file === '-' ? 'stdin' : file);
      let stderr = readingNotes(spec.program, [cluster]);
      let code: number = EXIT.answered;
      const breaking = [...report.wouldBreak, ...report.unattributed].filter(mayBreak);
      if (values['fail-on-break'] && breaking.length > 0) {
        const may = breaking.length - report.wouldBreak.length;
        stderr += `${spec.program}: ${report.wouldBreak.length} observed flow${report.wouldBreak.length === 1 ? '' : 's'} would be denied once the staged policies are enforced${may ? `, ${may} more may be (unattributed)` : ''}\n`;
        code = EXIT.failed;
      }
      return { code, stdout, stderr };
    },
  };
}
