/**
 * The fail-closed synthesis (safe.ts): whatever fails, the folder it writes into stays as it was
 * and nothing is left beside it. What the intent refuses is lib/intent's tests'; here, manifests
 * the intent let through that fail their schemas.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import { buildApp } from '../app';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { PlatformIntent, clusterIntents } from '../intent';
import { synthesize } from './synthesize';
import { synthesized, synthOverDist } from '../../test/support/synth';
import { sampleIntent } from '../../test/support/sample-intent';
import { fleet, shipped } from '../../test/fixtures/intents';

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
    const fresh = freshly(shipped);
    expect(fresh.length).toBeGreaterThan(0);
    // From the second time on, test/support/synth.ts writes the files of its first synthesis again.
    for (let i = 0; i < 3; i++) {
      const { result, before, after } = synthOverDist(sampleIntent());
      expect(before).toEqual(fresh.filter((f) => !f.endsWith('/')));
      expect(result.ok).toBe(true);
      expect(after).not.toEqual(before);
    }
  });

  it('gives the tests, each time they synthesize an intent, the files a fresh synthesis of that intent writes', () => {
    const [edge, ...others] = clusterIntents(fleet).map((c) => c.intent);
    for (const intent of [edge, shipped, edge, ...others, { ...edge, cloud: 'azure' as const }]) {
      for (let i = 0; i < 2; i++) expect(synthesized(intent, (dist) => tree(dist))).toEqual(freshly(intent));
    }
  });
});

/** Every file (`path\ncontents`) and folder (`path/`) under a folder, in name order. */
function tree(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .sort()
    .map((f) => (statSync(join(dir, f)).isDirectory() ? `${f}/` : `${f}\n${readFileSync(join(dir, f), 'utf8')}`));
}

/** What a synthesis of the intent writes, not through test/support/synth.ts. */
function freshly(intent: PlatformIntent): string[] {
  const root = mkdtempSync(join(tmpdir(), 'safe-test-'));
  try {
    synthesize(buildApp(join(root, 'dist'), intent));
    return tree(join(root, 'dist'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
