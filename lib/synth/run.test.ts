/**
 * `npm run synth` (runSynth) checks the intent once per run: the platform's check, whose errors
 * stop the write (all or nothing) and whose warnings the summary prints; with clusters, the whole
 * intent's check before each cluster is written. checkIntent parses the intent with the platform
 * schema exactly once per call (lib/intent validate.ts), and nothing else does, so the schema's
 * parses of the intent count its checks.
 */
import { mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { PlatformIntent, platformSchema } from '../intent';
import { SYNTH_MODES, runSynth } from './run';
import { sampleIntent } from '../../test/support/sample-intent';

/** Runs a synthesis of `intent` into a fresh folder; how many times the intent itself was checked, and what the run printed. */
function synthCounting(intent: PlatformIntent) {
  const root = mkdtempSync(join(tmpdir(), 'run-synth-'));
  const parse = jest.spyOn(platformSchema, 'safeParse');
  try {
    const run = runSynth({ ok: true, intent }, join(root, 'dist'), SYNTH_MODES.npmRunSynth);
    return { run, checks: parse.mock.calls.filter(([input]) => input === intent).length, written: readdirSync(root) };
  } finally {
    parse.mockRestore();
    rmSync(root, { recursive: true, force: true });
  }
}

describe('runSynth checks the intent once', () => {
  it('and prints the warnings of that check with the files written', () => {
    // 40Gi of model cache in an emptyDir: a warning (more than 10Gi of node disk per pod), not an error.
    const { run, checks } = synthCounting(sampleIntent({ modelCacheSize: '40Gi' }));
    expect(checks).toBe(1);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^synth: wrote \d+ files to .*dist\/, all valid:/);
    expect(run.stdout).toMatch(
      /synth: 2 warnings \(not errors: synthesis goes on\):\n {2}llm\.modelCacheSize: "\d+Mi" is the ephemeral storage the pod requests.*\n {2}llm\.env: \{\} leaves vLLM's usage statistics on/,
    );
  });

  it('and on an error writes nothing and prints every problem of that check', () => {
    const { run, checks, written } = synthCounting(sampleIntent({ port: 0, egress: [{ cidr: '10.0.0.1', ports: [443] }] }));
    expect(checks).toBe(1);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/llm\.port: 0 .*\n.*llm\.egress\[0\]\.cidr: "10\.0\.0\.1" has no mask/);
    expect(run.stderr).toMatch(/nothing was written/);
    expect(written).toEqual([]);
  });

  it('with clusters, once for the whole intent, whose warnings it prints', () => {
    const { run, checks } = synthCounting(sampleIntent({ modelCacheSize: '40Gi' }, { clusters: [{ name: 'eu' }, { name: 'us' }] }));
    expect(checks).toBe(1);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/synth: wrote \d+ files to .*dist\/, all valid:\n {2}.*dist\/eu\//);
    expect(run.stdout).toMatch(/synth: 2 warnings \(not errors: synthesis goes on\):\n {2}llm\.modelCacheSize: /);
  });
});
