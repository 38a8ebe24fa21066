/**
 * The fail-closed synthesis (safe.ts): whatever fails, the folder it writes into stays as it was
 * and nothing is left beside it. What the intent refuses is lib/intent's tests'; here, manifests
 * the intent let through that fail their schemas.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import { buildApp } from '../app';
import { synthOverDist } from '../../test/support/synth';
import { sampleIntent } from '../../test/support/sample-intent';

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
});
