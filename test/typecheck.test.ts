/**
 * The type-check of `npm test`: `tsc --noEmit` over the whole project (tsconfig.json, tests
 * included), run as one of the tests so that it shares the two cores with the other test files
 * instead of holding up all of them (jest starts the files that took longest before first).
 * tsc's build info is kept under node_modules/.cache/, so an unchanged tree re-checks quickly.
 * Production code without jest's types (tsconfig.production.json) is checked by `npm run lint`.
 */
import { spawnSync } from 'child_process';
import { join } from 'path';

const ROOT = join(__dirname, '..');

test('the project type-checks: tsc --noEmit reports no error', () => {
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', join(ROOT, 'tsconfig.json')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(tsc.stdout + tsc.stderr).toBe('');
  expect(tsc.status).toBe(0);
});
