/**
 * The verifier's command line (`npm run --silent verify -- <command> ...`): query, matrix,
 * selector, egress, ingress and observed (observed-cli.ts), and whatever commands the caller adds
 * (the review adds diff).
 *
 * Every command has `--help` (its options, one line each, with defaults, and its exit codes);
 * exit 0 when the question was answered (whatever the answer), 2 for bad usage or manifests that
 * cannot be read, 3 for a fault of the verifier itself; always one clear message, never a bare
 * stack trace. Files that hold no Kubernetes object are skipped with a note on stderr.
 */

import { CALICO_VERSION_ACCEPTED, CalicoVersion, parseCalicoVersion } from './calico-version';
import { Cluster } from './cluster';
import {
  CliResult,
  Command,
  CommandSpec,
  EXIT,
  OptionValues,
  helpText,
  OptionSpec,
  parseCommand,
  runCommand,
  unknownName,
  UsageError,
  usageLine,
} from '../cli';
import { manifestsInputError, readingNotes } from './reading';
import { dnsReport } from './dns';
import { relayReport } from './relays';
import { egressReport } from './egress';
import { hostQueryJson, hostQueryText } from './host-words';
import { isHostName, queryHost } from './hosts';
import { ingressReport } from './ingress';
import { dnsJson, egressJson, ingressJson, queryJson, relaysJson } from './json';
import { loadCluster, matchSelector } from './load';
import { observedCommand } from './observed-cli';
import { matrix, query, QueryError } from './reach';
import { SelectorSyntaxError } from './selector';
import { dnsText, egressText, ingressText, matrixText, queryText, relaysText } from './text';
import { PROTOCOLS, Protocol, DEFAULT_CLUSTER_DOMAIN, protocolsText } from '../k8s';

const PROGRAM = 'verify';

const MANIFESTS: OptionSpec = {
  name: 'manifests',
  type: 'string',
  multiple: true,
  required: true,
  value: 'PATH',
  description: 'a manifest file or folder, read recursively (*.yaml, *.yml, *.json; multi-document YAML, kind: List, typed lists)',
};
const IPBLOCK: OptionSpec = {
  name: 'ipblock-matches-pods',
  type: 'string',
  value: 'true|false',
  default: 'true',
  description: 'whether ipBlock and nets match pods by their IP (true for Calico, false for CNIs such as Cilium)',
};
const CALICO: OptionSpec = {
  name: 'calico',
  type: 'string',
  value: 'VERSION',
  description:
    'the Calico release the cluster runs (3.29 or later): which of ClusterNetworkPolicy, AdminNetworkPolicy and BaselineAdminNetworkPolicy it enforces, and in which tiers (default: every kind, as its API specifies)',
};
const JSON_OUT: OptionSpec = { name: 'json', type: 'boolean', description: 'print JSON (shapes in lib/verify/json.ts) instead of text' };
const PROTOCOL: OptionSpec = { name: 'protocol', type: 'string', value: PROTOCOLS.join('|'), default: 'TCP', description: 'the protocol of the connection' };

const spec = (name: string, summary: string, options: readonly OptionSpec[]): CommandSpec => ({ program: `${PROGRAM} ${name}`, name, summary, options });

function text(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

function protocolOf(values: OptionValues): Protocol {
  const given = text(values, 'protocol');
  const p = (given ?? 'TCP').toUpperCase();
  if (!(PROTOCOLS as readonly string[]).includes(p)) throw new UsageError(`--protocol must be ${protocolsText()}, not ${given}`);
  return p as Protocol;
}

/** Reads a `--calico` option: a Calico release, or undefined when not given. */
export function calicoOption(values: OptionValues, name = 'calico'): CalicoVersion | undefined {
  const given = text(values, name);
  if (given === undefined) return undefined;
  const version = parseCalicoVersion(given);
  if (!version) throw new UsageError(`--${name} must be ${CALICO_VERSION_ACCEPTED}, not ${given}`);
  return version;
}

/** Loads the manifests a command names, with the CNI choices when the command takes them. */
function clusterOfOptions(values: OptionValues): Cluster {
  const flag = text(values, 'ipblock-matches-pods');
  if (flag !== undefined && flag !== 'true' && flag !== 'false') throw new UsageError(`--ipblock-matches-pods must be true or false, not ${flag}`);
  const calico = calicoOption(values);
  return loadCluster(values.manifests as string[], { ipblockMatchesPods: flag === undefined ? true : flag === 'true', ...(calico ? { calico } : {}) });
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** An answer: its output, and the notes about skipped files and about what the verifier read. */
function answered(spec: CommandSpec, cluster: Cluster, stdout: string): CliResult {
  return { code: EXIT.answered, stdout, stderr: readingNotes(spec.program, [cluster]) };
}

const queryCommand: Command = {
  spec: spec('query', "may this connection be opened, and which rule decided each direction (the sender's egress, the receiver's ingress)", [
    MANIFESTS,
    {
      name: 'from',
      type: 'string',
      required: true,
      value: 'NS/NAME|IP',
      description: 'the sender: a Pod or workload, a pod IP, or an address outside the cluster',
    },
    {
      name: 'to',
      type: 'string',
      required: true,
      value: 'NS/NAME|IP|HOST',
      description: 'the receiver: a Pod or workload, a pod IP, an address outside the cluster, or a host name, reached through egress proxies',
    },
    { name: 'port', type: 'string', required: true, value: 'N|NAME', description: 'the destination port: a number, or a container port name of the receiver' },
    PROTOCOL,
    IPBLOCK,
    CALICO,
    JSON_OUT,
  ]),
  run(values) {
    const to = text(values, 'to')!;
    const protocol = protocolOf(values);
    if (!to.includes('/') && isHostName(to)) {
      if (protocol !== 'TCP') throw new UsageError(`--protocol ${protocol}: a host name is reached through an egress proxy, over TCP only`);
      const port = text(values, 'port')!;
      if (!/^[0-9]+$/.test(port)) throw new UsageError(`--port must be a number for a host name, not ${port}`);
      const cluster = clusterOfOptions(values);
      const answer = queryHost(cluster, text(values, 'from')!, to, Number(port));
      return answered(this.spec, cluster, values.json ? json(hostQueryJson(answer)) : hostQueryText(answer));
    }
    const cluster = clusterOfOptions(values);
    const answer = query(cluster, text(values, 'from')!, to, text(values, 'port')!, protocol);
    return answered(this.spec, cluster, values.json ? json(queryJson(answer)) : queryText(answer));
  },
};

const matrixCommand: Command = {
  spec: spec('matrix', 'which workload may connect to which, on one port', [
    MANIFESTS,
    { name: 'port', type: 'string', value: 'N', default: '80', description: 'the destination port, 1-65535' },
    PROTOCOL,
    IPBLOCK,
    CALICO,
    JSON_OUT,
  ]),
  run(values) {
    const given = text(values, 'port');
    const port = Number(given ?? '80');
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be a number 1-65535, not ${given}`);
    const protocol = protocolOf(values);
    const cluster = clusterOfOptions(values);
    const cells = matrix(cluster, port, protocol);
    return answered(
      this.spec,
      cluster,
      values.json
        ? json(cells)
        : matrixText(
            cells,
            cluster.endpoints.map((e) => e.id),
            port,
            protocol,
          ),
    );
  },
};

const selectorCommand: Command = {
  spec: spec('selector', 'which workloads a Calico selector matches, with the labels Calico adds', [
    MANIFESTS,
    {
      name: 'expr',
      type: 'string',
      required: true,
      // Calico's empty selector selects every endpoint, as all() does (libcalico-go
      // lib/selector/parser/parser.go; see selector.ts), so it is a question, not a missing option.
      emptyAllowed: true,
      value: 'SELECTOR',
      description: 'a Calico selector, e.g. "app == \'rag\' && has(gpu)"; "" selects everything, as all() does',
    },
    JSON_OUT,
  ]),
  run(values) {
    const cluster = loadCluster(values.manifests as string[]);
    const matches = matchSelector(cluster, text(values, 'expr')!);
    return answered(this.spec, cluster, values.json ? json({ matches }) : matches.length ? `${matches.join('\n')}\n` : 'no endpoint matches\n');
  },
};

/** A listing command (egress, ingress): every workload's reach in one direction, as text or JSON. */
function listingCommand<Report>(
  name: string,
  description: string,
  report: (cluster: Cluster) => Report,
  asJson: (r: Report) => unknown,
  asText: (r: Report) => string,
): Command {
  return {
    spec: spec(name, description, [MANIFESTS, IPBLOCK, CALICO, JSON_OUT]),
    run(values) {
      const cluster = clusterOfOptions(values);
      const listed = report(cluster);
      return answered(this.spec, cluster, values.json ? json(asJson(listed)) : asText(listed));
    },
  };
}

const CLUSTER_DOMAIN: OptionSpec = {
  name: 'cluster-domain',
  type: 'string',
  value: 'DOMAIN',
  default: DEFAULT_CLUSTER_DOMAIN,
  description: "the cluster's DNS domain: a resolver that sends on only this domain (to kube-dns) answers cluster names only",
};

/** The egress listing with who can read each workload, then per workload whether it can resolve names outside the cluster, then the relays. */
const egressCommand: Command = {
  spec: spec(
    'egress',
    'per workload, everything it may send to, what is explicitly denied, what staged policies would change, and who can read it; whether it can resolve names outside the cluster, and the pods it sends to that no policy confines (relays)',
    [MANIFESTS, IPBLOCK, CALICO, CLUSTER_DOMAIN, JSON_OUT],
  ),
  run(values) {
    const cluster = clusterOfOptions(values);
    const listed = egressReport(cluster, { readers: true });
    const dns = dnsReport(cluster, { clusterDomain: text(values, 'cluster-domain') });
    const relays = relayReport(cluster);
    return answered(
      this.spec,
      cluster,
      values.json
        ? json({ ...egressJson(listed), dns: dnsJson(dns), relays: relaysJson(relays) })
        : `${egressText(listed)}${dnsText(dns)}${relaysText(relays)}`,
    );
  },
};

const ingressCommand = listingCommand(
  'ingress',
  'per workload, who may reach it (pods, addresses) on which of its ports, and what staged policies would change',
  ingressReport,
  ingressJson,
  ingressText,
);

const VERIFY_COMMANDS: readonly Command[] = [
  queryCommand,
  matrixCommand,
  selectorCommand,
  egressCommand,
  ingressCommand,
  observedCommand({ manifests: MANIFESTS, ipblock: IPBLOCK, calico: CALICO, json: JSON_OUT, cluster: clusterOfOptions }),
];

/** Errors of the verifier's answers that are bad input rather than faults (exit 2). */
function verifierInputError(e: unknown): string | undefined {
  if (e instanceof QueryError) return e.message;
  if (e instanceof SelectorSyntaxError) return `invalid selector: ${e.message}`;
  return undefined;
}

/** The overview `verify --help` prints: every command in one line, and the exit codes. */
function overview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.spec.name.length));
  return [
    `${PROGRAM}: offline answers about what Kubernetes and Calico manifests allow, and who decided`,
    '',
    `usage: npm run --silent ${PROGRAM} -- COMMAND [options]      (${PROGRAM} COMMAND --help: its options)`,
    '',
    'commands:',
    ...commands.map((c) => `  ${c.spec.name.padEnd(width)}  ${c.spec.summary}`),
    '',
    'exit codes:',
    `  ${EXIT.answered}  answered (whatever the answer)`,
    `  ${EXIT.failed}  diff --fail-on-widen: egress or ingress widened; observed --fail-on-break: an observed flow would be denied once the staged policies are enforced`,
    `  ${EXIT.usage}  bad usage, or input the command cannot read`,
    `  ${EXIT.internal}  internal error of the command itself`,
    '',
  ].join('\n');
}

/**
 * Runs the command line and returns what it would print and its exit code; never throws.
 * `extra` adds commands (the review's diff) beside the verifier's own.
 */
export function verifyMain(argv: readonly string[], extra: readonly Command[] = []): CliResult {
  const commands = [...VERIFY_COMMANDS, ...extra];
  const names = commands.map((c) => c.spec.name);
  const [first, ...rest] = argv;
  const command = commands.find((c) => c.spec.name === first);
  const usage = command
    ? `usage: ${usageLine(command.spec)}\n(${command.spec.program} --help says what each option means)\n`
    : `usage: npm run --silent ${PROGRAM} -- COMMAND [options]\n(${PROGRAM} --help lists the commands)\n`;
  return runCommand(
    command?.spec.program ?? PROGRAM,
    usage,
    () => {
      if (first === undefined) throw new UsageError(`a command is required: ${names.join(', ')}`);
      if (first === '--help' || first === '-h' || first === 'help') {
        const about = first === 'help' ? rest[0] : undefined;
        if (about === undefined) return { code: EXIT.answered, stdout: overview(commands), stderr: '' };
        const c = commands.find((x) => x.spec.name === about);
        if (!c) throw new UsageError(unknownName('command', about, names));
        return { code: EXIT.answered, stdout: helpText(c.spec), stderr: '' };
      }
      if (!command) {
        if (first.startsWith('-')) throw new UsageError(`the command comes first, before ${first}: ${names.join(', ')}`);
        throw new UsageError(unknownName('command', first, names));
      }
      const values = parseCommand(command.spec, rest);
      if (values === undefined) return { code: EXIT.answered, stdout: helpText(command.spec), stderr: '' };
      return command.run(values);
    },
    (e) => manifestsInputError(e) ?? command?.inputError?.(e) ?? verifierInputError(e),
  );
}
