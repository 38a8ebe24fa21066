/**
 * The project's command-line framework: commands and their options declared once, `--help` made
 * from the declaration, unknown commands and options answered with the closest known one, and
 * exit codes (0 answered, 1 a failure asked for, 2 bad usage or unreadable input, 3 internal
 * error). Used by every command line: verify (lib/verify, lib/review), report, synth
 * (scripts/synth.ts) and bench (bench/run.ts). A leaf but for lib/spelling.
 */
export { EXIT, helpText, InputError, parseCommand, runCommand, unknownName, UsageError, usageLine } from './command';
export type { CliResult, Command, CommandSpec, OptionSpec, OptionValues } from './command';
