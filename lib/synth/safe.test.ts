/**
 * The fail-closed synthesis (safe.ts): whatever fails, the folder it writes into stays as it was
 * and nothing is left beside it. What the intent refuses is lib/intent's tests'; here, manifests
 * the intent let through that fail their schemas.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import { buildApp } from '../app';
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { synthesized, synthOverDist } from '../../test/support/synth';
import { sampleIntent } from '../../test/support/sample-intent';
import { shipped } from '../../test/fixtures/intents';

describe('safeSynth', () => {
  it('leaves dist/ as it was when synthesized manifests fail schema validation', () => {
    const { result, before, after, leftovers } = synthOverDist((outdir) => {
      const built = buildApp(outdir, sampleIntent());
      const deployment = built.charts.flatMap((c) => c.node.findAll()).find((c) => c instanceof ApiObject && c.kind === 'Deployment' && c.name === 'llm');
      (deployment as ApiObject).addJsonPatch(JsonPatch.replace('/spec/replicas', 'three'));
      return built;
    });
    expect(result).toEqual({
      ok: false,
      message: expect.stringMatching(/schema problem.*\n.*document \d+ \(Deployment\/llm\): \/spec\/replicas: must be integer/),
    });
    expect(after).toEqual(before);
    expect(leftovers).toEqual(['dist']);
  });

  it("starts, in the tests of refused intents, each time from the shipped scenario's dist/ as a fresh synthesis writes it", () => {
    const fresh = synthesized(shipped, (dist) =>
      readdirSync(dist)
        .sort()
        .map((f) => `${f}\n${readFileSync(join(dist, f), 'utf8')}`),
    );
    expect(fresh.length).toBeGreaterThan(0);
    // The second time from the files the first synthesis of this test file wrote (test/support/synth.ts).
    for (let i = 0; i < 2; i++) {
      const { result, before, after } = synthOverDist(sampleIntent());
      expect(before).toEqual(fresh);
      expect(result.ok).toBe(true);
      expect(after).not.toEqual(before);
    }
  });
});
