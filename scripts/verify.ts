/**
 * `npm run --silent verify -- <command> ...`: the verifier's commands (query, matrix, selector,
 * egress; lib/verify/cli.ts) and the review command diff (lib/review/cli.ts).
 */
import { diffMain } from '../lib/review';
import { verifyMain } from '../lib/verify';

const argv = process.argv.slice(2);
const result = argv[0] === 'diff' ? diffMain(argv.slice(1)) : verifyMain(argv);
// A reader that stops early (`| head`) is not an error worth a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(result.code);
});
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.code;
