/**
 * The verifier's and the review's tests read manifests from fixtures, never from the generator
 * they check (lib/verify imports nothing of it, and its tests neither). The one fixture the
 * generator wrote, test/fixtures/verify/shipped/ (the shipped scenario of test/fixtures/intents),
 * is kept equal to what it writes today here: when the generator's output changes, this fails and
 * `VERIFY_FIXTURES=write npx jest test/verify-fixtures.test.ts` writes the fixture anew, for the
 * change to be read in review like any other.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildApp } from '../lib/app';
import { synthesize } from '../lib/synth';
import { shipped } from './fixtures/intents';

const FIXTURE = join(__dirname, 'fixtures/verify/shipped');

/** Every file of a folder and its text. */
const filesOf = (dir: string): Record<string, string> => Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

describe("the verifier's fixture of the shipped scenario", () => {
  it('equals what synthesis writes for the scenario, file for file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'verify-fixture-'));
    try {
      synthesize(buildApp(dir, shipped));
      const written = filesOf(dir);
      if (process.env.VERIFY_FIXTURES === 'write') {
        rmSync(FIXTURE, { recursive: true, force: true });
        mkdirSync(FIXTURE, { recursive: true });
        for (const [name, text] of Object.entries(written)) writeFileSync(join(FIXTURE, name), text);
      }
      expect(filesOf(FIXTURE)).toEqual(written);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
