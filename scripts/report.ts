/**
 * `npm run report [-- --manifests PATH ...] [--out DIR]`: writes reports/egress.md and
 * reports/egress.html from dist/ (see lib/review/report-cli.ts; `-- --help` lists the options).
 */
import { resolve } from 'path';
import { reportMain } from '../lib/review';

const result = reportMain(process.argv.slice(2), resolve(__dirname, '..'));
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.code;
