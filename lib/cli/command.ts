/**
 * What the project's command lines share (verify and its commands, report, synth, bench): how a
 * command and its options are declared (once, so that parsing and `--help` cannot disagree), the
 * result a run returns, and how a failure becomes one clear message and an exit code, never a
 * bare stack trace.
 *
 * Exit codes: 0 the question was answered (whatever the answer), 1 the answer is a failure the
 * caller asked to fail on (`verify diff --fail-on-widen` when reach widened; synth's invalid
 * intent), 2 bad usage or input the command cannot read, 3 an internal error of the command
 * itself.
 *
 * Options are parsed with Node's `util.parseArgs`; an unknown command or option is answered with
 * the closest known one (lib/spelling).
 */

import { parseArgs } from 'util';
import { didYouMean } from '../spelling';

/** The exit codes of every command line of the project. */
export const EXIT = { answered: 0, failed: 1, usage: 2, internal: 3 } as const;

/** What a run printed and how it ended. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Bad usage: its message is followed by how to ask for help. */
export class UsageError extends Error {}

/** Input a command cannot read other than manifests (a flow log): exit 2 with its message, which names the file. */
export class InputError extends Error {}

/** One option of a command, as `--help` lists it. */
export interface OptionSpec {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  /** May be given more than once (values collect in a list). */
  readonly multiple?: boolean;
  /** What the value looks like in help: `PATH`, `NS/NAME|IP`. */
  readonly value?: string;
  /** One line: what it means. */
  readonly description: string;
  /** What applies when it is left out, as help says it; absent for required options and flags. */
  readonly default?: string;
  readonly required?: boolean;
  /** A required string option that may be empty: `--expr ''` is Calico's empty selector, which selects everything. */
  readonly emptyAllowed?: boolean;
}

/** A command: its name, what it answers, its options and what its exit codes mean. */
export interface CommandSpec {
  /** How it is run: `verify query`. */
  readonly program: string;
  readonly name: string;
  /** One line: what it answers. */
  readonly summary: string;
  readonly options: readonly OptionSpec[];
  /** Exit codes beyond 0, 2 and 3, which every command has (`[1, 'egress or ingress widened, with --fail-on-widen']`). */
  readonly exitCodes?: readonly (readonly [number, string])[];
}

/** The parsed options of a command: a string, a list of them for a repeatable option, or a flag. */
export type OptionValues = Record<string, string | string[] | boolean | undefined>;

/** A command of a command line with several (`verify query`): its declaration, and what it does with its parsed options. */
export interface Command {
  readonly spec: CommandSpec;
  run(values: OptionValues): CliResult;
  /** The message for an error the command knows as bad input (exit 2); undefined for any other. */
  inputError?(e: unknown): string | undefined;
}

const HELP: OptionSpec = { name: 'help', type: 'boolean', description: 'print this help and exit 0' };

/** The exit codes of a command, as help lists them. */
function exitCodes(spec: CommandSpec): [number, string][] {
  return [
    [EXIT.answered, 'answered (whatever the answer)'],
    ...(spec.exitCodes ?? []).map(([c, t]) => [c, t] as [number, string]),
    [EXIT.usage, 'bad usage, or input the command cannot read (the message names the file and field)'],
    [EXIT.internal, 'internal error of the command itself'],
  ];
}

function optionUsage(o: OptionSpec): string {
  const text = `--${o.name}${o.value ? ` ${o.value}` : ''}${o.multiple ? ' ...' : ''}`;
  return o.required ? text : `[${text}]`;
}

/** The usage line of a command: `verify query --manifests PATH ... --from NS/NAME|IP ... [--json]`. */
export function usageLine(spec: CommandSpec): string {
  return `${spec.program} ${spec.options.map(optionUsage).join(' ')}`;
}

/** `--help` of a command: what it answers, its usage, one line per option with its default, and its exit codes. */
export function helpText(spec: CommandSpec): string {
  const options = [...spec.options, HELP];
  const left = options.map((o) => `--${o.name}${o.value ? ` ${o.value}` : ''}`);
  const width = Math.max(...left.map((l) => l.length));
  const lines = [`${spec.program}: ${spec.summary}`, '', `usage: ${usageLine(spec)}`, '', 'options:'];
  options.forEach((o, i) => {
    const notes = [
      o.required ? 'required' : undefined,
      o.multiple ? 'repeatable' : undefined,
      o.default !== undefined ? `default: ${o.default}` : undefined,
    ].filter(Boolean);
    lines.push(`  ${left[i].padEnd(width)}  ${o.description}${notes.length ? ` (${notes.join('; ')})` : ''}`);
  });
  lines.push('', 'exit codes:', ...exitCodes(spec).map(([c, t]) => `  ${c}  ${t}`));
  return `${lines.join('\n')}\n`;
}

/** A name that is not known, with the closest known one proposed. */
export function unknownName(what: string, given: string, known: readonly string[], prefix = ''): string {
  const near = didYouMean(given, known);
  return `unknown ${what} ${JSON.stringify(`${prefix}${given}`)}${near ? `; did you mean ${prefix}${near}?` : ''} (known: ${known.map((k) => `${prefix}${k}`).join(', ')})`;
}

/**
 * Parses a command's arguments against its options: unknown options are bad usage with the
 * closest known one proposed, a repeated single option or a missing value too, and positional
 * arguments are refused. Returns undefined when `--help` (or `-h`) was asked for.
 */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): OptionValues | undefined {
  const known = [...spec.options, HELP].map((o) => o.name);
  for (const arg of argv) {
    if (arg === '--') break;
    if (arg === '-h') continue;
    if (arg.startsWith('--')) {
      const name = arg.slice(2).split('=')[0];
      if (!known.includes(name)) throw new UsageError(unknownName('option', name, known, '--'));
    } else if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
      throw new UsageError(unknownName('option', arg.replace(/^-+/, ''), known, '--'));
    }
  }
  const options = Object.fromEntries(
    [...spec.options, HELP].map((o) => [o.name, { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.name === 'help' ? { short: 'h' } : {}) }]),
  );
  const { values, positionals } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  if (values.help) return undefined;
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}: ${spec.program} takes only options`);
  for (const o of spec.options) {
    const v = values[o.name];
    if (o.required && (v === undefined || (v === '' && !o.emptyAllowed) || (Array.isArray(v) && v.length === 0)))
      throw new UsageError(`--${o.name}${o.value ? ` ${o.value}` : ''} is required (${o.description})`);
  }
  return values as OptionValues;
}

/**
 * True for the errors node's `util.parseArgs` throws for unknown or malformed options (also bad
 * usage). Known by their code: they may come from another realm (a test runner's), where
 * `instanceof Error` does not hold.
 */
function isParseArgsError(e: unknown): e is { readonly message: string } {
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/**
 * Runs a command line and returns what it printed and how it ended; never throws. `program`
 * prefixes every message (`verify`, `verify diff`) and `usage` follows bad usage; `inputError`
 * gives the message for the errors the command knows as bad input (exit 2), and undefined for
 * any other, which is an internal error (exit 3).
 */
export function runCommand(program: string, usage: string, run: () => CliResult, inputError: (e: unknown) => string | undefined = () => undefined): CliResult {
  try {
    return run();
  } catch (e) {
    const fail = (code: number, message: string, withUsage = false): CliResult => ({
      code,
      stdout: '',
      stderr: `${program}: ${message}\n${withUsage ? usage : ''}`,
    });
    if (e instanceof UsageError || isParseArgsError(e)) return fail(EXIT.usage, e.message, true);
    if (e instanceof InputError) return fail(EXIT.usage, e.message);
    const known = inputError(e);
    if (known !== undefined) return fail(EXIT.usage, known);
    return fail(EXIT.internal, `internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
}
