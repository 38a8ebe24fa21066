import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { spawnSync } from 'child_process';
import { buildApp } from '../lib/app';
import { synthesize } from '../lib/synth';
import { reportMain } from '../lib/review';
import { audit, shipped } from './fixtures/intents';

const ROOT = join(__dirname, '..');

describe('npm run report (command line)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'report-cli-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('--help lists its options with their defaults and the exit codes', () => {
    const r = reportMain(['--help'], ROOT);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^npm run report --: write egress\.md and egress\.html/);
    expect(r.stdout).toMatch(/ {2}--manifests PATH +a manifest file or folder to report on \(repeatable; default: dist\)\n/);
    expect(r.stdout).toMatch(/ {2}--out DIR +the folder to write egress\.md and egress\.html into \(default: reports\)\n/);
    expect(r.stdout).toMatch(/exit codes:\n {2}0 .*\n {2}2 .*\n {2}3 /);
  });

  it('writes both reports and exits 0; exit 2 for bad usage and for manifests it cannot read', () => {
    const dist = join(scratch, 'dist');
    synthesize(buildApp(dist, shipped));
    const out = join(scratch, 'out');
    expect(reportMain(['--manifests', dist, '--out', out], ROOT)).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(join(out, 'egress.md')) && existsSync(join(out, 'egress.html'))).toBe(true);
    expect(reportMain(['--manifest', dist], ROOT)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^report: unknown option "--manifest"; did you mean --manifests\?/),
    });
    const broken = join(scratch, 'broken.yaml');
    writeFileSync(broken, 'kind: Pod\nmetadata: {}\n');
    expect(reportMain(['--manifests', broken, '--out', out], ROOT)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^report: invalid manifests: .*broken\.yaml, document 1: metadata\.name: is missing/),
    });
  });

  it('marks workloads in audit mode, names their staged policies and says what is enforced today, in Markdown and HTML', () => {
    const dist = join(scratch, 'audit');
    synthesize(buildApp(dist, audit));
    const out = join(scratch, 'audit-out');
    expect(reportMain(['--manifests', dist, '--out', out], ROOT).code).toBe(0);
    const md = readFileSync(join(out, 'egress.md'), 'utf8');
    expect(md).toContain('2 workloads are in audit mode: ai-preview/chat, ai-preview/summarizer.');
    expect(md).toContain('## ai-preview/chat (calico flavor, audit mode)');
    expect(md).toContain(
      '> Audit mode: StagedKubernetesNetworkPolicy ai-preview/default-deny-all (tier default), StagedNetworkPolicy ai-preview/ai-egress.chat (tier ai-egress) are staged, not enforced. Enforced today: GlobalNetworkPolicy ai-egress.deny-cloud-metadata (tier ai-egress), NetworkPolicy ai-preview/ai-egress.pass-to-kubernetes-policies (tier ai-egress), GlobalNetworkPolicy ai-egress.deny-undeclared-pods (tier ai-egress); whatever they do not decide is allowed.',
    );
    expect(md).toMatch(
      /\| once the staged policies are enforced \| allow \| 0\.0\.0\.0\/0 except [^|]*169\.254\.0\.0\/16[^|]* \| TCP 443 \| StagedNetworkPolicy ai-preview\/ai-egress\.chat rule 3 \(tier ai-egress\)(: [^|]*)? \|/,
    );
    expect(md).toMatch(
      /\| today \| allow \| 0\.0\.0\.0\/0 except [^|]*169\.254\.169\.254\/32[^|]* \| every protocol and port \| every tier passed \(ai-egress\): allowed by the profile \|/,
    );
    expect(md).toContain('## ai-tools/indexer (kubernetes flavor)\n\n| verdict |');
    expect(md).toMatch(/w\d+\["chat \(calico, audit mode\)"\]/);
    const html = readFileSync(join(out, 'egress.html'), 'utf8');
    expect(html).toMatch(/class="node workload calico audited"/);
    expect(html).toMatch(/<ul class="audits">\n<li><strong>ai-preview\/chat<\/strong>: Audit mode: /);
    expect(html).toMatch(/class="edge allow staged"/);
    expect(html).toContain('<td>once the staged policies are enforced</td>');
  });

  it('runs as a program: exit 2 with one line for bad usage, no stack trace', () => {
    const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'scripts/report.ts', '--nope'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^report: unknown option "--nope"/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
