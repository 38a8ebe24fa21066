/**
 * What the project's command lines share: the result a run returns, and how a failure becomes
 * one clear message and an exit code (2 for bad usage or input the command cannot read, 1 for a
 * fault of the command itself), never a bare stack trace.
 */

import { ManifestError } from './manifests';

/** What a run printed and how it ended. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Bad usage: its message is followed by the usage text. */
export class UsageError extends Error {}

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
 * prefixes every message (`verify`, `verify diff`); `inputError` gives the message for the errors
 * the command knows as bad input (exit 2), and undefined for any other.
 */
export function runCommand(program: string, usage: string, run: () => CliResult, inputError: (e: unknown) => string | undefined = () => undefined): CliResult {
  try {
    return run();
  } catch (e) {
    const fail = (code: number, message: string, withUsage = false): CliResult => ({ code, stdout: '', stderr: `${program}: ${message}\n${withUsage ? usage : ''}` });
    if (e instanceof UsageError || isParseArgsError(e)) return fail(2, e.message, true);
    if (e instanceof ManifestError) return fail(2, `invalid manifests: ${e.message}`);
    const known = inputError(e);
    if (known !== undefined) return fail(2, known);
    return fail(1, `internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
}
