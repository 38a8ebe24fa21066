/**
 * `npm run --silent verify -- <command> ...`: the verifier's commands (query, matrix, selector,
 * egress, ingress; lib/verify/cli.ts) and the review commands diff (lib/review/cli.ts) and
 * migrate (lib/review/migrate-cli.ts).
 * `npm run --silent verify -- --help` lists them; `<command> --help` explains each.
 */
import { diffCommand, migrateCommand } from '../lib/review';
import { verifyMain } from '../lib/verify';

const result = verifyMain(process.argv.slice(2), [diffCommand, migrateCommand]);
// A reader that stops early (`| head`) is not an error worth a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(result.code);
});
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.code;
