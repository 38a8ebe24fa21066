/**
 * The verifier's command line (`npm run --silent verify -- <command> ...`).
 *
 * Exit 0 when the question was answered (whatever the answer), 2 for bad usage or manifests
 * that cannot be read, 1 for a fault of the verifier itself; always one clear message, never a
 * bare stack trace.
 */

import { parseArgs } from 'util';
import { CliResult, runCommand, UsageError } from './command';
import { egressReport } from './egress';
import { egressJson, queryJson } from './json';
import { loadCluster, matchSelector } from './load';
import { PROTOCOLS, Protocol } from './ports';
import { matrix, query, QueryError } from './reach';
import { SelectorSyntaxError } from './selector';
import { egressText, matrixText, queryText } from './text';

const USAGE = `usage:
  verify query    --manifests PATH [--manifests PATH ...] --from NS/NAME --to NS/NAME|IP --port N|NAME [--protocol TCP|UDP|SCTP] [--ipblock-matches-pods true|false] [--json]
  verify matrix   --manifests PATH [...] [--port N] [--protocol P] [--ipblock-matches-pods true|false] [--json]
  verify selector --expr 'CALICO SELECTOR' --manifests PATH [...] [--json]
  verify egress   --manifests PATH [...] [--ipblock-matches-pods true|false] [--json]
  verify diff     --base PATH|REV --head PATH|REV [--json] [--fail-on-widen]
`;

type Values = {
  manifests?: string[];
  from?: string;
  to?: string;
  port?: string;
  protocol?: string;
  expr?: string;
  json?: boolean;
  help?: boolean;
  'ipblock-matches-pods'?: string;
};

function required(values: Values, name: 'from' | 'to' | 'port' | 'expr'): string {
  const v = values[name];
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

function protocolOf(values: Values): Protocol {
  const p = (values.protocol ?? 'TCP').toUpperCase();
  if (!(PROTOCOLS as readonly string[]).includes(p)) throw new UsageError(`--protocol must be TCP, UDP or SCTP, not ${values.protocol}`);
  return p as Protocol;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function run(argv: readonly string[]): string {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      manifests: { type: 'string', multiple: true },
      from: { type: 'string' },
      to: { type: 'string' },
      port: { type: 'string' },
      protocol: { type: 'string' },
      expr: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      'ipblock-matches-pods': { type: 'string' },
    },
  }) as { values: Values; positionals: string[] };
  const [command, ...extra] = positionals;
  if (values.help || command === 'help') return USAGE;
  if (!command) throw new UsageError('a command is required: query, matrix, selector or egress');
  if (!['query', 'matrix', 'selector', 'egress'].includes(command)) throw new UsageError(`unknown command ${JSON.stringify(command)}: expected query, matrix, selector or egress`);
  if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  if (!values.manifests?.length) throw new UsageError('--manifests PATH is required (a file or folder; repeat for more)');
  const flag = values['ipblock-matches-pods'];
  if (flag !== undefined && flag !== 'true' && flag !== 'false') throw new UsageError(`--ipblock-matches-pods must be true or false, not ${flag}`);
  if (command === 'selector') {
    const expr = required(values, 'expr');
    const matches = matchSelector(loadCluster(values.manifests), expr);
    return values.json ? json({ matches }) : matches.length ? `${matches.join('\n')}\n` : 'no endpoint matches\n';
  }
  const cluster = loadCluster(values.manifests, { ipblockMatchesPods: flag === undefined ? true : flag === 'true' });
  switch (command) {
    case 'query': {
      const answer = query(cluster, required(values, 'from'), required(values, 'to'), required(values, 'port'), protocolOf(values));
      return values.json ? json(queryJson(answer)) : queryText(answer);
    }
    case 'matrix': {
      const port = Number(values.port ?? '80');
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be a number 1-65535, not ${values.port}`);
      const protocol = protocolOf(values);
      const cells = matrix(cluster, port, protocol);
      return values.json ? json(cells) : matrixText(cells, cluster.endpoints.map((e) => e.id), port, protocol);
    }
    default: {
      const report = egressReport(cluster);
      return values.json ? json(egressJson(report)) : egressText(report);
    }
  }
}

/** Runs the command line and returns what it would print and its exit code; never throws. */
export function verifyMain(argv: readonly string[]): CliResult {
  return runCommand('verify', USAGE, () => ({ code: 0, stdout: run(argv), stderr: '' }), (e) => {
    if (e instanceof QueryError) return e.message;
    if (e instanceof SelectorSyntaxError) return `invalid selector: ${e.message}`;
    return undefined;
  });
}
