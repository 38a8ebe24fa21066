import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { AiAppIntent, PlatformIntent } from '../lib/intent';
import { EgressDiff, diffJson, diffMain, diffReports, formatDiff } from '../lib/review';
import { egressReport } from '../lib/verify';
import { clusterOf, looserPolicy as looser } from './support/cluster';
import { buildApp } from '../lib/app';
import { shipped } from './fixtures/intents';

/** The egress report of an intent synthesized with extra YAML files. */
const reportOf = (declared: PlatformIntent, extra: Record<string, string> = {}) => egressReport(clusterOf(declared, extra));

function withApp(name: string, change: (app: AiAppIntent) => AiAppIntent): PlatformIntent {
  return { ...shipped, apps: shipped.apps.map((a) => (a.name === name ? change(a) : a)) };
}

const base = reportOf(shipped);
const diff = (head: PlatformIntent, extra?: Record<string, string>): EgressDiff => diffReports(base, reportOf(head, extra), { base: 'base', head: 'head' });
/** The changes of one workload, written as `verify diff --json` writes them. */
const changesOf = (d: EgressDiff, endpoint: string) => diffJson(d).workloads.find((w) => w.endpoint === endpoint)?.changes ?? [];

const looserPolicy = (namespace: string) => looser(namespace, 'allow-all-https', 443);

describe('egress diff', () => {
  it('finds no change between a manifest set and itself', () => {
    const d = diff(shipped);
    expect(d).toEqual({ base: 'base', head: 'head', widened: false, workloads: [] });
    expect(formatDiff(d)).toMatch(/none: every workload reaches exactly what it reached before/);
  });

  it('reports a widening caused only by a new looser Kubernetes NetworkPolicy for a kubernetes-flavor app', () => {
    const d = diff(shipped, { '99-looser.yaml': looserPolicy('ai-embeddings') });
    expect(d.widened).toBe(true);
    expect(changesOf(d, 'ai-embeddings/embeddings')).toContainEqual({
      change: 'added', protocol: 'TCP', ports: '443',
      to: 'cidr 0.0.0.0/0 except 100.100.100.200/32, 168.63.129.16/32, 169.254.169.252/32, 169.254.169.254/32, 169.254.170.2/32, 169.254.170.23/32, 203.0.113.10/32',
      after: 'NetworkPolicy (networking.k8s.io) ai-embeddings/allow-all-https rule 0 (tier default)',
    });
  });

  it('shows no change for a calico-flavor app when the same looser NetworkPolicy lands in its namespace', () => {
    const d = diff(shipped, { '99-looser.yaml': looserPolicy('ai-application') });
    expect(d).toEqual({ base: 'base', head: 'head', widened: false, workloads: [] });
  });

  it('reports the added addresses exactly when a calico-flavor destination widens from /24 to /16', () => {
    const d = diff(withApp('ai-service', (a) => ({ ...a, egress: a.egress.map((e) => ('cidr' in e ? { ...e, cidr: '198.51.0.0/16' } : e)) })));
    expect(d.widened).toBe(true);
    expect(changesOf(d, 'ai-application/ai-service')).toEqual([
      { change: 'added', protocol: 'TCP', ports: '443', to: 'cidr 198.51.0.0/16 except 198.51.100.0/24', after: 'NetworkPolicy ai-application/ai-egress.ai-service rule 3 (tier ai-egress)' },
    ]);
  });

  it('reports a narrowing as removed reach, and it is not a widening', () => {
    const d = diff(withApp('ai-service', (a) => ({ ...a, egress: a.egress.map((e) => ('cidr' in e ? { ...e, cidr: '198.51.100.0/25' } : e)) })));
    expect(d.widened).toBe(false);
    expect(changesOf(d, 'ai-application/ai-service')).toEqual([
      { change: 'removed', protocol: 'TCP', ports: '443', to: 'cidr 198.51.100.128/25', before: 'NetworkPolicy ai-application/ai-egress.ai-service rule 3 (tier ai-egress)' },
    ]);
  });

  it('reports an added port on a kubernetes-flavor destination as a widening', () => {
    const d = diff(withApp('embeddings', (a) => ({ ...a, egress: a.egress.map((e) => ({ ...e, ports: [443, 8443] })) })));
    expect(d.widened).toBe(true);
    expect(changesOf(d, 'ai-embeddings/embeddings')).toEqual([
      { change: 'added', protocol: 'TCP', ports: '8443', to: 'cidr 203.0.113.10/32', after: 'NetworkPolicy (networking.k8s.io) ai-embeddings/embeddings-egress rule 1 (tier default)' },
    ]);
  });

  it('reports a removed in-cluster destination of a calico-flavor app', () => {
    const d = diff(withApp('ai-service', (a) => ({ ...a, egress: a.egress.filter((e) => !('namespace' in e && e.namespace === 'vector-db')) })));
    expect(d.widened).toBe(false);
    expect(changesOf(d, 'ai-application/ai-service')).toContainEqual(
      expect.objectContaining({ change: 'removed', protocol: 'TCP', ports: '6333', to: 'pods vector-db {app=qdrant}' }),
    );
  });

  it('counts a new workload as a widening and names it', () => {
    const extra: AiAppIntent = { ...shipped.apps[1], name: 'reranker', ingress: [] };
    const d = diff({ ...shipped, apps: [...shipped.apps, extra] });
    expect(d.widened).toBe(true);
    const w = d.workloads.find((x) => x.endpoint === 'ai-embeddings/reranker');
    expect(w).toMatchObject({ presence: 'head only', flavor: 'kubernetes' });
    expect(formatDiff(d)).toMatch(/ai-embeddings\/reranker \(kubernetes flavor, new workload\)\n {2}\+ may now reach/);
  });
});

describe('verify diff (command line)', () => {
  const root = mkdtempSync(join(tmpdir(), 'diff-cli-'));
  const base = join(root, 'base');
  const head = join(root, 'head');
  buildApp(base, shipped).synth();
  buildApp(head, shipped).synth();
  writeFileSync(join(head, '99-looser.yaml'), looserPolicy('ai-embeddings'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('exits 1 with --fail-on-widen when egress widened, and names the workload', () => {
    const result = diffMain(['--base', base, '--head', head, '--fail-on-widen']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/ai-embeddings\/embeddings \(kubernetes flavor\)\n {2}\+ may now reach +TCP 443 +cidr 0\.0\.0\.0\/0 except 100\.100\.100\.200\/32, 168\.63\.129\.16\/32, 169\.254\.169\.252\/32, 169\.254\.169\.254\/32, 169\.254\.170\.2\/32, 169\.254\.170\.23\/32, 203\.0\.113\.10\/32/);
    expect(result.stderr).toBe('verify diff: egress widened\n');
  });

  it('exits 0 with --fail-on-widen when egress only narrowed', () => {
    expect(diffMain(['--base', head, '--head', base, '--fail-on-widen'])).toMatchObject({ code: 0, stderr: '' });
  });

  it('exits 0 without --fail-on-widen whatever changed, and prints JSON with --json', () => {
    const result = diffMain(['--base', base, '--head', head, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ base, head, widened: true, workloads: [{ endpoint: 'ai-embeddings/embeddings', flavor: 'kubernetes', presence: 'both' }] });
  });

  it('reads a git revision without touching the working tree', () => {
    const fixture = join('test', 'fixtures', 'verify', 'kubernetes');
    const result = diffMain(['--base', `HEAD:${fixture}`, '--head', join(__dirname, 'fixtures', 'verify', 'kubernetes')]);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Egress changes from HEAD:test\/fixtures\/verify\/kubernetes to .*: none: every workload reaches exactly what it reached before/) });
  });

  it('exits 2 with a clear message for a base that is neither a path nor a revision', () => {
    expect(diffMain(['--base', 'no-such-thing', '--head', base])).toEqual({ code: 2, stdout: '', stderr: expect.stringMatching(/"no-such-thing" is neither a file or folder nor a git revision/) });
    expect(diffMain(['--head', base])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--base and --head are both required/) });
  });
});
