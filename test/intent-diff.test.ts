import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { AiAppIntent, PlatformIntent } from '../lib/intent';
import { ReachDiff, diffClusters, diffJson, diffMain, formatDiff } from '../lib/review';
import { buildApp } from '../lib/app';
import { synthesize } from '../lib/synth';
import { audit, shipped } from './fixtures/intents';
import { looserPolicy as looser } from './support/verify-builders';
import { synthesized } from './support/synth';
import { loadCluster } from '../lib/verify';

function withApp(declared: PlatformIntent, name: string, change: (app: AiAppIntent) => AiAppIntent): PlatformIntent {
  return { ...declared, apps: declared.apps.map((a) => (a.name === name ? change(a) : a)) };
}

const base = synthesized(shipped, (dist) => loadCluster([dist]));
const diffFrom = (from: PlatformIntent, head: PlatformIntent, extra?: Record<string, string>): ReachDiff =>
  diffClusters(
    from === shipped ? base : synthesized(from, (dist) => loadCluster([dist])),
    synthesized(head, (dist) => loadCluster([dist]), extra),
    { base: 'base', head: 'head' },
  );
const diff = (head: PlatformIntent, extra?: Record<string, string>): ReachDiff => diffFrom(shipped, head, extra);
/** The egress changes of one workload, written as `verify diff --json` writes them. */
const changesOf = (d: ReachDiff, endpoint: string) => diffJson(d).workloads.find((w) => w.endpoint === endpoint)?.changes ?? [];
/** The ingress changes of one workload, as `verify diff --json` writes them. */
const ingressOf = (d: ReachDiff, endpoint: string) => diffJson(d).workloads.find((w) => w.endpoint === endpoint)?.ingressChanges ?? [];
const NONE = { egress: false, ingress: false, whenStagedEnforced: false, hosts: false, protection: false };

const looserPolicy = (namespace: string) => looser(namespace, 'allow-all-https', 443);

describe('egress diff', () => {
  it('finds no change between a manifest set and itself', () => {
    const d = diff(shipped);
    expect(d).toEqual({ base: 'base', head: 'head', widened: false, widenedIn: NONE, workloads: [] });
    expect(formatDiff(d)).toMatch(/none: every workload reaches, and is reached by, exactly what it was before/);
  });

  it('reports a widening caused only by a new looser Kubernetes NetworkPolicy for a kubernetes-flavor app', () => {
    const d = diff(shipped, { '99-looser.yaml': looserPolicy('ai-embeddings') });
    expect(d.widened).toBe(true);
    expect(changesOf(d, 'ai-embeddings/embeddings')).toContainEqual({
      change: 'added',
      protocol: 'TCP',
      ports: '443',
      to: 'cidr 0.0.0.0/0 except 100.100.100.200/32, 168.63.129.16/32, 169.254.0.23/32, 169.254.42.42/32, 169.254.169.252/32, 169.254.169.254/32, 169.254.170.2/32, 169.254.170.23/32, 203.0.113.10/32',
      after: 'NetworkPolicy (networking.k8s.io) ai-embeddings/allow-all-https rule 0 (tier default)',
    });
  });

  it('shows no change for a calico-flavor app when the same looser NetworkPolicy lands in its namespace', () => {
    const d = diff(shipped, { '99-looser.yaml': looserPolicy('ai-application') });
    expect(d).toEqual({ base: 'base', head: 'head', widened: false, widenedIn: NONE, workloads: [] });
  });

  it('reports the added addresses exactly when a calico-flavor destination widens from /24 to /16', () => {
    const d = diff(withApp(shipped, 'ai-service', (a) => ({ ...a, egress: a.egress.map((e) => ('cidr' in e ? { ...e, cidr: '198.51.0.0/16' } : e)) })));
    expect(d.widened).toBe(true);
    expect(changesOf(d, 'ai-application/ai-service')).toEqual([
      {
        change: 'added',
        protocol: 'TCP',
        ports: '443',
        to: 'cidr 198.51.0.0/16 except 198.51.100.0/24',
        after: 'NetworkPolicy ai-application/ai-egress.ai-service rule 3 (tier ai-egress): object storage',
      },
    ]);
  });

  it('reports a narrowing as removed reach, and it is not a widening', () => {
    const d = diff(withApp(shipped, 'ai-service', (a) => ({ ...a, egress: a.egress.map((e) => ('cidr' in e ? { ...e, cidr: '198.51.100.0/25' } : e)) })));
    expect(d.widened).toBe(false);
    expect(changesOf(d, 'ai-application/ai-service')).toEqual([
      {
        change: 'removed',
        protocol: 'TCP',
        ports: '443',
        to: 'cidr 198.51.100.128/25',
        before: 'NetworkPolicy ai-application/ai-egress.ai-service rule 3 (tier ai-egress): object storage',
      },
    ]);
  });

  it('reports an added port on a kubernetes-flavor destination as a widening', () => {
    const d = diff(withApp(shipped, 'embeddings', (a) => ({ ...a, egress: a.egress.map((e) => ({ ...e, ports: [443, 8443] })) })));
    expect(d.widened).toBe(true);
    expect(changesOf(d, 'ai-embeddings/embeddings')).toEqual([
      {
        change: 'added',
        protocol: 'TCP',
        ports: '8443',
        to: 'cidr 203.0.113.10/32',
        after: 'NetworkPolicy (networking.k8s.io) ai-embeddings/embeddings-egress rule 1 (tier default): model registry mirror',
      },
    ]);
  });

  it('reports a removed in-cluster destination of a calico-flavor app', () => {
    const d = diff(withApp(shipped, 'ai-service', (a) => ({ ...a, egress: a.egress.filter((e) => !('namespace' in e && e.namespace === 'vector-db')) })));
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

describe('ingress diff', () => {
  it('reports a new client admitted by a kubernetes-flavor app as a widening of its ingress, naming source, port and rule', () => {
    const d = diff(
      withApp(shipped, 'embeddings', (a) => ({
        ...a,
        ingress: [...(a.ingress ?? []), { namespace: 'ai-batch', podLabels: { 'app.kubernetes.io/name': 'indexer' } }],
      })),
    );
    expect(d.widened).toBe(true);
    expect(d.widenedIn).toEqual({ egress: false, ingress: true, whenStagedEnforced: false, hosts: false, protection: false });
    expect(ingressOf(d, 'ai-embeddings/embeddings')).toEqual([
      {
        change: 'added',
        from: 'pods ai-batch {app.kubernetes.io/name=indexer}',
        protocol: 'TCP',
        ports: '8080',
        after: 'NetworkPolicy (networking.k8s.io) ai-embeddings/embeddings-ingress rule 0 (tier default)',
      },
    ]);
    expect(changesOf(d, 'ai-embeddings/embeddings')).toEqual([]);
    expect(formatDiff(d)).toMatch(
      /\+ may now be reached from +TCP 8080 +pods ai-batch \{app\.kubernetes\.io\/name=indexer\}\n +allowed by NetworkPolicy \(networking\.k8s\.io\) ai-embeddings\/embeddings-ingress rule 0/,
    );
  });

  it('reports a client removed from a calico-flavor app as a narrowing of its ingress, not a widening', () => {
    const d = diff(withApp(shipped, 'ai-service', (a) => ({ ...a, ingress: [] })));
    expect(d.widened).toBe(false);
    expect(ingressOf(d, 'ai-application/ai-service')).toContainEqual(
      expect.objectContaining({
        change: 'removed',
        from: 'pods ai-gateway {}',
        protocol: 'TCP',
        ports: '8000',
        before: 'NetworkPolicy ai-application/ai-egress.ai-service rule 0 (tier ai-egress): client in namespace ai-gateway',
      }),
    );
  });
});

describe('protection of reach in the diff', () => {
  it('switching a calico app to the kubernetes flavor keeps its reach but drops its tier and ServiceAccount binding: protection weakened, a widening', () => {
    const d = diff(withApp(shipped, 'ai-service', (a) => ({ ...a, flavor: 'kubernetes' })));
    expect(d.widened).toBe(true);
    expect(d.widenedIn).toMatchObject({ egress: false, ingress: false, protection: true });
    const w = diffJson(d).workloads.find((x) => x.endpoint === 'ai-application/ai-service')!;
    expect(w.protectionWeakened).toEqual([
      { direction: 'egress', protection: 'tier' },
      { direction: 'egress', protection: 'service-account' },
      { direction: 'ingress', protection: 'tier' },
      { direction: 'ingress', protection: 'service-account' },
    ]);
    // The resolver of cluster names' own policy leaves the tier with the last calico app: weakened too.
    expect(diffJson(d).workloads.find((x) => x.endpoint === 'ai-dns/dns-resolver')!.protectionWeakened).toEqual(w.protectionWeakened);
    expect(formatDiff(d)).toMatch(/Protection weakened for 2 workloads\.\n$/);
  });

  it('switching a kubernetes app to the calico flavor weakens nothing', () => {
    const d = diff(withApp(shipped, 'embeddings', (a) => ({ ...a, flavor: 'calico' })));
    expect(d.widenedIn.protection).toBe(false);
  });
});

describe('audit mode in the diff', () => {
  const enforced: PlatformIntent = { ...audit, calico: undefined };

  it('moving calico apps into audit mode reports no narrowing: what they reach stays, what is no longer enforced is marked as what the staged policies would deny', () => {
    const d = diffFrom(enforced, audit);
    const chat = d.workloads.find((w) => w.endpoint === 'ai-preview/chat')!;
    expect(chat).toMatchObject({
      flavor: 'calico',
      staged: expect.arrayContaining([expect.objectContaining({ kind: 'StagedNetworkPolicy', name: 'ai-egress.chat' })]),
    });
    for (const w of d.workloads) {
      expect([...w.egress.changes, ...w.ingress.changes].filter((c) => c.change === 'removed')).toEqual([]);
      expect([...(w.egress.whenStagedEnforced ?? []), ...(w.ingress.whenStagedEnforced ?? [])]).toEqual([]);
    }
    const added = chat.egress.changes.filter((c) => c.change === 'added');
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((c) => c.wouldDeny)).toBe(true);
    // DNS to the resolver of cluster names stays reachable: decided now by the profile (the metadata guardrail's tier passes it on and
    // nothing else is enforced), once enforced again by the staged policy's rule.
    const dns = changesOf(d, 'ai-preview/chat').filter((c) => c.to.includes('dns-resolver') && c.ports === '53');
    const changed = (to: string, protocol: string, rule: number) => ({
      change: 'changed',
      to,
      protocol,
      ports: '53',
      before: `NetworkPolicy ai-preview/ai-egress.chat rule ${rule} (tier ai-egress): DNS (cluster names only: the resolver of cluster names)`,
      after: 'every tier passed (ai-egress): allowed by the profile',
    });
    expect(dns).toEqual([
      changed('pod ai-dns/dns-resolver', 'TCP', 1),
      changed('pods ai-dns {app.kubernetes.io/name=dns-resolver}', 'TCP', 1),
      changed('pod ai-dns/dns-resolver', 'UDP', 0),
      changed('pods ai-dns {app.kubernetes.io/name=dns-resolver}', 'UDP', 0),
    ]);
    const text = formatDiff(d);
    expect(text).not.toMatch(/may no longer reach/);
    expect(text).toMatch(
      /ai-preview\/chat \(calico flavor; audit mode: .*StagedNetworkPolicy ai-preview\/ai-egress\.chat \(tier ai-egress\) staged, not enforced\)/,
    );
    expect(text).toMatch(/the staged policies would deny it once enforced/);
    // Changes that differ only in protocol and ports share a line in text; --json keeps them apart.
    expect(text).toMatch(/ {2}\+ may now reach +every protocol and port any other pod\n/);
    expect(text).toMatch(
      / {2}\+ may now reach +SCTP 1-65535; TCP 1-442, 444-65535; UDP 1-65535 cidr 0\.0\.0\.0\/0 except [^\n]*169\.254\.169\.254\/32[^\n]*, cidr ::\/0 except [^\n]*fd00:ec2::254\/128[^\n]*\n/,
    );
    expect(
      changesOf(d, 'ai-preview/chat')
        .filter((c) => c.to === 'any other pod')
        .map((c) => `${c.protocol} ${c.ports}`),
    ).toEqual(['SCTP 1-65535', 'TCP 1-65535', 'UDP 1-65535']);
  });

  it('a change to an audited app is reported as what would change once enforced, with nothing enforced changing', () => {
    const d = diffFrom(
      audit,
      withApp(audit, 'summarizer', (a) => ({ ...a, egress: [...a.egress, { cidr: '192.0.2.0/24', ports: [443] }] })),
    );
    expect(d.widenedIn).toEqual({ egress: false, ingress: false, whenStagedEnforced: true, hosts: false, protection: false });
    const w = d.workloads.find((x) => x.endpoint === 'ai-preview/summarizer')!;
    expect(w.egress.changes).toEqual([]);
    expect(diffJson(d).workloads[0].egressWhenStagedEnforced).toEqual([
      {
        change: 'added',
        to: 'cidr 192.0.2.0/24',
        protocol: 'TCP',
        ports: '443',
        after: 'StagedNetworkPolicy ai-preview/ai-egress.summarizer rule 3 (tier ai-egress): declared destination',
      },
    ]);
    expect(formatDiff(d)).toMatch(/once the staged policies are enforced:\n {2}\+ would reach +TCP 443 +cidr 192\.0\.2\.0\/24/);
  });
});

describe('verify diff (command line)', () => {
  const root = mkdtempSync(join(tmpdir(), 'diff-cli-'));
  const base = join(root, 'base');
  const head = join(root, 'head');
  // The shipped scenario synthesized once; the other folders start as copies of it.
  synthesize(buildApp(base, shipped));
  cpSync(base, head, { recursive: true });
  writeFileSync(join(head, '99-looser.yaml'), looserPolicy('ai-embeddings'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('exits 1 with --fail-on-widen when egress widened, and names the workload', () => {
    const result = diffMain(['--base', base, '--head', head, '--fail-on-widen']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /ai-embeddings\/embeddings \(kubernetes flavor\)\n {2}\+ may now reach +TCP 443 +cidr 0\.0\.0\.0\/0 except 100\.100\.100\.200\/32, 168\.63\.129\.16\/32, 169\.254\.0\.23\/32, 169\.254\.42\.42\/32, 169\.254\.169\.252\/32, 169\.254\.169\.254\/32, 169\.254\.170\.2\/32, 169\.254\.170\.23\/32, 203\.0\.113\.10\/32/,
    );
    expect(result.stderr).toBe('verify diff: egress widened\n');
  });

  it('exits 1 with --fail-on-widen when only ingress widened, saying so; a stray file in the folder is skipped with a note', () => {
    const widerIn = join(root, 'wider-ingress');
    cpSync(base, widerIn, { recursive: true });
    writeFileSync(
      join(widerIn, '99-open-ingress.yaml'),
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: open, namespace: ai-embeddings }\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n  ingress: [{}]\n',
    );
    writeFileSync(join(widerIn, 'settings.json'), '{ "reviewers": ["platform-team"] }\n');
    const result = diffMain(['--base', base, '--head', widerIn, '--fail-on-widen']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/ai-embeddings\/embeddings \(kubernetes flavor\)\n {2}\+ may now be reached from/);
    expect(result.stderr).toBe(
      `verify diff: note: skipped ${join(widerIn, 'settings.json')}: holds no Kubernetes object (no document has apiVersion or kind)\nverify diff: ingress widened\n`,
    );
    expect(diffMain(['--base', base, '--head', widerIn])).toMatchObject({ code: 0 });
  });

  it('exits 0 with --fail-on-widen when egress only narrowed', () => {
    expect(diffMain(['--base', head, '--head', base, '--fail-on-widen'])).toMatchObject({ code: 0, stderr: '' });
  });

  it('exits 0 without --fail-on-widen whatever changed, and prints JSON with --json', () => {
    const result = diffMain(['--base', base, '--head', head, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      base,
      head,
      widened: true,
      workloads: [{ endpoint: 'ai-embeddings/embeddings', flavor: 'kubernetes', presence: 'both' }],
    });
  });

  it('reads a git revision without touching the working tree', () => {
    const fixture = join('test', 'fixtures', 'verify', 'kubernetes');
    const result = diffMain(['--base', `HEAD:${fixture}`, '--head', join(__dirname, 'fixtures', 'verify', 'kubernetes')]);
    expect(result).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(
        /^Reach changes from HEAD:test\/fixtures\/verify\/kubernetes to .*: none: every workload reaches, and is reached by, exactly what it was before/,
      ),
    });
  });

  it('exits 2 with a clear message for a base that is neither a path nor a revision', () => {
    expect(diffMain(['--base', 'no-such-thing', '--head', base])).toEqual({
      code: 2,
      stdout: '',
      stderr: expect.stringMatching(/"no-such-thing" is neither a file or folder nor a git revision/),
    });
    expect(diffMain(['--head', base])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^verify diff: --base PATH\|REV is required/) });
  });
});
