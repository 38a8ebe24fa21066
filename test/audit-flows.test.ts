/**
 * Staged, observed, then enforced: flow logs of a cluster running the shipped scenario in audit
 * mode (test/fixtures/flows, written from Calico v3.32.1's goldmane/proto/api.proto and Whisker's
 * flows.go), compared with the manifests synthesized from that intent. Each list is asserted for
 * a flow set built to hit every case; the suggested entries, added to the intent and synthesized,
 * leave nothing that would break; and the pipeline gate fails exactly while something would.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { runInNewContext } from 'vm';
import { buildApp } from '../lib/app';
import { ALLOW_LIST_LABEL, NETWORK_SET_LABEL } from '../lib/conventions';
import { AiAppIntent, EgressDestination, IngressClient, PlatformIntent, validateIntent } from '../lib/intent';
import { synthesize } from '../lib/synth';
import { reportMain } from '../lib/review';
import { verifyMain } from '../lib/verify';
import { recordedOn } from './fixtures/flows/cluster';

const FLOWS = join(__dirname, 'fixtures/flows');
const flows = (name: string): string => join(FLOWS, name);

type Json = Record<string, any>;

const scratch = mkdtempSync(join(tmpdir(), 'observed-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Synthesizes an intent into a folder of its own, as npm run synth writes dist/. */
function distOf(name: string, intent: PlatformIntent): string {
  const dir = join(scratch, name);
  synthesize(buildApp(dir, intent));
  return dir;
}

const recorded = distOf('recorded', recordedOn);

function observed(dist: string, file: string, ...more: string[]) {
  return verifyMain(['observed', '--manifests', dist, '--flows', flows(file), ...more]);
}

function report(dist: string, file: string): Json {
  const r = observed(dist, file, '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Json;
}

const flow = (f: Json): string => `${f.from} -> ${f.to} ${f.protocol} ${f.port}`;

/** The lists of a report, each flow on one line. */
function lists(r: Json) {
  return {
    allowed: r.allowed.map(flow),
    deniedToday: r.deniedToday.map(flow),
    wouldBreak: r.wouldBreak.map(flow),
    neverObserved: r.neverObserved.map(
      (u: Json) =>
        `${u.endpoint} ${u.direction}: ${u.kind} ${u.policy} rule ${u.rule}${u.possiblyObserved.length ? `, perhaps ${u.possiblyObserved.map(flow).join(', ')}` : ''}`,
    ),
    unattributed: r.unattributed.map(flow),
    notCompared: r.notCompared.map(flow),
  };
}

/** The suggested entries as the text prints them, evaluated as the JavaScript they are. */
function printedEntries(text: string): unknown[] {
  return text
    .split('\n')
    .filter((l) => /^ {4}\{.*\},$/.test(l))
    .map((l) => runInNewContext(`(${l.trim().slice(0, -1)})`));
}

/** The intent with each suggestion added to its app's egress or ingress, as a user pastes them. */
function withSuggestions(intent: PlatformIntent, suggestions: readonly Json[]): PlatformIntent {
  return {
    ...intent,
    apps: intent.apps.map((app): AiAppIntent => {
      const mine = suggestions.filter((s) => s.app === app.name && s.namespace === app.namespace);
      return {
        ...app,
        egress: [...app.egress, ...mine.filter((s) => s.field === 'egress').map((s) => s.entry as EgressDestination)],
        ingress: [...(app.ingress ?? []), ...mine.filter((s) => s.field === 'ingress').map((s) => s.entry as IngressClient)],
      };
    }),
  };
}

describe('verify observed: the flow log of the shipped scenario in audit mode', () => {
  const r = report(recorded, 'audit.goldmane.jsonl');

  it('puts every observed flow in its list: allowed, denied today, would break, and the allow rules never observed', () => {
    expect(lists(r)).toEqual({
      allowed: [
        // DNS goes to the project's resolver of cluster names, and only the resolver to kube-dns.
        'ai-application/ai-service -> ai-dns/dns-resolver UDP 53',
        'ai-application/ai-service -> ai-embeddings/embeddings TCP 8080',
        'ai-application/ai-service -> model-registry TCP 443',
        'ai-application/ai-service -> vector-db/qdrant-* TCP 6333',
        'ai-dns/dns-resolver -> kube-system/coredns-5d78c9869d-* UDP 53',
        'ai-embeddings/embeddings -> ai-dns/dns-resolver UDP 53',
        'ai-embeddings/embeddings -> model-registry TCP 443',
        'ai-gateway/envoy-gateway-84d5c6f7b9-* -> ai-application/ai-service TCP 8000',
      ],
      deniedToday: [
        // Egress allowed (audit mode), refused by the enforced Kubernetes ingress of the callee.
        'ai-application/ai-service -> ai-embeddings/embeddings TCP 9090',
        // 169.254.169.254, which Goldmane counts as pub: the guardrail's Deny, recorded and decided alike.
        'ai-application/ai-service -> pub TCP 80',
        'ai-embeddings/embeddings -> pub TCP 443',
        'ai-embeddings/embeddings -> pvt TCP 5432',
      ],
      wouldBreak: [
        'ai-application/ai-service -> cache/redis-* TCP 6379',
        'ai-application/ai-service -> model-registry TCP 80',
        'ai-batch/nightly-eval-28700000-* -> ai-application/ai-service TCP 8000',
      ],
      neverObserved: [
        'ai-application/ai-service egress: StagedNetworkPolicy ai-application/ai-egress.ai-service rule 1',
        'ai-application/ai-service egress: StagedNetworkPolicy ai-application/ai-egress.ai-service rule 3, perhaps ai-application/ai-service -> pub TCP 443',
        // DNS over TCP, which no record shows.
        'ai-dns/dns-resolver egress: NetworkPolicy ai-dns/ai-egress.dns-resolver rule 1',
        'ai-dns/dns-resolver ingress: NetworkPolicy ai-dns/ai-egress.dns-resolver rule 1',
      ],
      // Object storage (198.51.100.0/24) is inline nets: a flow to it is only "pub", as is any other public address.
      unattributed: ['ai-application/ai-service -> pub TCP 443'],
      notCompared: ['ai-application/ai-service -> pub ICMP 0'],
    });
    expect(r).toMatchObject({ records: 25, outsideManifests: 1 });
    expect(r.malformed.map((m: Json) => m.line)).toEqual([10, 16, 21, 25]);
  });

  it('says how each flow is decided, today and once the staged policies are enforced, naming the rule', () => {
    const redis = r.wouldBreak[0];
    expect(redis).toMatchObject({ records: 3, connections: 590, firstSeen: '2025-06-02T09:00:15Z', lastSeen: '2025-06-02T09:15:30Z', lines: [17, 18, 28] });
    expect(redis.egress).toMatchObject({
      endpoint: 'ai-application/ai-service',
      status: 'allowed',
      outcomes: [{ reason: 'profile', passed: [{ policy: 'ai-application/ai-egress.pass-to-kubernetes-policies', rule: 0 }] }],
      whenStagedEnforced: {
        status: 'denied',
        outcomes: [{ reason: 'rule', kind: 'StagedNetworkPolicy', policy: 'ai-application/ai-egress.ai-service', rule: 7 }],
      },
    });
    const pub = r.unattributed[0];
    expect(pub.egress.whenStagedEnforced).toMatchObject({
      status: 'depends',
      outcomes: expect.arrayContaining([
        expect.objectContaining({ allowed: true, rule: 3, addresses: '198.51.100.0/24' }),
        expect.objectContaining({ allowed: false, rule: 7 }),
      ]),
    });
  });

  it('reports where the record and the verifier disagree: a policy the manifests do not hold denied a flow they allow, today and once enforced', () => {
    expect(r.findings).toEqual([
      expect.objectContaining({
        from: 'ai-application/ai-service',
        to: 'vector-db/qdrant-*',
        lines: [24],
        direction: 'egress',
        view: 'enforced',
        kind: 'verdict',
        recorded: {
          action: 'Deny',
          hit: { kind: 'GlobalNetworkPolicy', tier: 'security', policy: 'security.quarantine', action: 'Deny', rule: 0 },
          passes: [],
        },
        verifier: [expect.objectContaining({ allowed: true, reason: 'profile' })],
        policyHeld: false,
      }),
      expect.objectContaining({ lines: [24], view: 'whenStagedEnforced', kind: 'verdict', verifier: [expect.objectContaining({ allowed: true, rule: 4 })] }),
    ]);
  });

  it("reads the same lists from Whisker's event stream of the same flows", () => {
    const fromWhisker = report(recorded, 'audit.whisker.sse');
    expect(lists(fromWhisker)).toEqual(lists(r));
    expect(fromWhisker.findings.map((f: Json) => [f.kind, f.view])).toEqual(r.findings.map((f: Json) => [f.kind, f.view]));
  });

  it('prints, for what would break, the intent entries that would allow it, with counts and times; the text and the JSON hold the same entries', () => {
    expect(r.suggestions.map((s: Json) => [`${s.namespace}/${s.app}`, s.field, s.typescript, s.records, s.firstSeen, s.lastSeen])).toEqual([
      [
        'ai-application/ai-service',
        'egress',
        "{ description: 'observed: cache/redis-*', namespace: 'cache', podLabels: { app: 'redis' }, ports: [6379], protocol: 'TCP', ungoverned: { reason: 'TODO: cache is no namespace this intent governs: why may ai-service send to it, and where may it pass data on?' } }",
        3,
        '2025-06-02T09:00:15Z',
        '2025-06-02T09:15:30Z',
      ],
      [
        'ai-application/ai-service',
        'egress',
        "{ description: 'observed: model-registry', allowList: 'model-registry', ports: [80], protocol: 'TCP' }",
        1,
        '2025-06-02T09:01:15Z',
        '2025-06-02T09:01:30Z',
      ],
      [
        'ai-application/ai-service',
        'ingress',
        "{ namespace: 'ai-batch', podLabels: { 'app.kubernetes.io/name': 'nightly-eval' } }",
        2,
        '2025-06-02T09:20:00Z',
        '2025-06-02T09:20:15Z',
      ],
    ]);
    const text = observed(recorded, 'audit.goldmane.jsonl').stdout;
    expect(printedEntries(text)).toEqual(r.suggestions.map((s: Json) => s.entry));
    expect(text).toContain('590 connections, first seen 2025-06-02T09:00:15Z, last seen 2025-06-02T09:15:30Z');
    expect(text).toContain('Addresses only: no proxy access log is read yet, so no entry names a host.');
    expect(r.noSuggestion).toEqual([]);
  });

  it('with the printed entries added to the intent and synthesized, nothing observed would break any more', () => {
    const text = observed(recorded, 'audit.goldmane.jsonl').stdout;
    const printed = printedEntries(text);
    const intent = withSuggestions(
      recordedOn,
      r.suggestions.map((s: Json, i: number) => ({ ...s, entry: printed[i] })),
    );
    expect(validateIntent(intent)).toEqual([]);
    const after = report(distOf('suggested', intent), 'audit.goldmane.jsonl');
    expect(after.wouldBreak).toEqual([]);
    expect(lists(after).allowed).toEqual(
      expect.arrayContaining([
        'ai-application/ai-service -> cache/redis-* TCP 6379',
        'ai-application/ai-service -> model-registry TCP 80',
        'ai-batch/nightly-eval-28700000-* -> ai-application/ai-service TCP 8000',
      ]),
    );
    // The staged policy's rules moved: the records' pending hits now name other rules, which is said, not hidden.
    expect(after.findings.filter((f: Json) => f.view === 'whenStagedEnforced' && f.kind === 'verdict').map(flow)).toEqual(
      expect.arrayContaining(['ai-application/ai-service -> cache/redis-* TCP 6379']),
    );
  });

  it('is a pipeline gate: --fail-on-break exits 1 while anything would break or may, and 0 on the flows recorded once the entries are added and object storage is a network set', () => {
    const gate = observed(recorded, 'audit.goldmane.jsonl', '--fail-on-break');
    expect(gate.code).toBe(1);
    expect(gate.stderr).toBe('verify observed: 3 observed flows would be denied once the staged policies are enforced, 1 more may be (unattributed)\n');
    expect(observed(recorded, 'audit.goldmane.jsonl').code).toBe(0);

    const suggested = withSuggestions(recordedOn, r.suggestions);
    // What the unattributed flow's hint proposes: object storage as a network set of its own, so that its flows are named.
    const named: PlatformIntent = {
      ...suggested,
      apps: suggested.apps.map((a) => ({
        ...a,
        egress: a.egress.map((d) => ('cidr' in d && d.cidr === '198.51.100.0/24' ? { ...d, networkSet: 'object-storage' } : d)),
      })),
    };
    const dist = distOf('named', named);
    const passed = observed(dist, 'after.whisker.json', '--fail-on-break');
    expect(passed).toMatchObject({ code: 0, stderr: '' });
    const after = report(dist, 'after.whisker.json');
    expect(after).toMatchObject({ deniedToday: [], wouldBreak: [], unattributed: [], notCompared: [], findings: [], malformed: [] });
    expect(after.allowed.map(flow)).toContain('ai-application/ai-service -> object-storage TCP 443');
  });

  it('flows that would break to pub, pvt, an unknown network set or from outside get no entry, each with why, and keep the gate shut', () => {
    const u = report(recorded, 'unattributed.goldmane.json');
    expect(u.wouldBreak.map(flow)).toEqual([
      'ai-application/ai-service -> corp-proxies TCP 3128',
      'ai-application/ai-service -> pub TCP 8443',
      'ai-application/ai-service -> pvt TCP 5432',
      'pub -> ai-application/ai-service TCP 8000',
    ]);
    expect(u.suggestions).toEqual([]);
    expect(u.noSuggestion.map((n: Json) => [flow(n), n.why])).toEqual([
      [
        'ai-application/ai-service -> corp-proxies TCP 3128',
        'network set corp-proxies is not among the manifests (add its manifest with --manifests to compare it): its addresses are unknown',
      ],
      [
        'ai-application/ai-service -> pub TCP 8443',
        'Goldmane records no address for pub (a public address in no network set), so the flow log cannot say which to declare; no proxy access log is read yet, so no host name either',
      ],
      [
        'ai-application/ai-service -> pvt TCP 5432',
        'Goldmane records no address for pvt (a private address in no network set), so the flow log cannot say which to declare; no proxy access log is read yet, so no host name either',
      ],
      ['pub -> ai-application/ai-service TCP 8000', 'the intent admits clients by namespace and pod labels only, and pub is addresses outside the cluster'],
    ]);
    expect(observed(recorded, 'unattributed.goldmane.json', '--fail-on-break').code).toBe(1);
  });

  it("suggests a flow to another app's network set as that set: the same block under the same name, which the intent accepts", () => {
    const named: PlatformIntent = {
      ...recordedOn,
      apps: recordedOn.apps.map((a) => ({ ...a, egress: a.egress.map((d) => ('cidr' in d ? { ...d, networkSet: 'object-storage' } : d)) })),
    };
    const dist = distOf('network-set', named);
    expect(readFileSync(join(dist, '01-calico-tier.k8s.yaml'), 'utf8')).toContain(`${NETWORK_SET_LABEL}: object-storage`);
    expect(readFileSync(join(dist, '01-calico-tier.k8s.yaml'), 'utf8')).toContain(`${ALLOW_LIST_LABEL}: model-registry`);
    // One Whisker record: ai-service to the object-storage set on port 80, allowed today, denied by the staged rule 7.
    const record = JSON.parse(readFileSync(flows('after.whisker.json'), 'utf8')).items.find((i: Json) => i.dest_name === 'object-storage');
    const file = join(scratch, 'object-storage-80.json');
    writeFileSync(
      file,
      JSON.stringify({
        ...record,
        dest_port: 80,
        policies: { ...record.policies, pending: [{ ...record.policies.pending[0], action: 'Deny', rule_index: 7 }] },
      }),
    );
    const out = JSON.parse(verifyMain(['observed', '--manifests', dist, '--flows', file, '--json']).stdout) as Json;
    expect(out.suggestions.map((s: Json) => s.entry)).toEqual([
      { description: 'observed: object-storage', cidr: '198.51.100.0/24', networkSet: 'object-storage', ports: [80], protocol: 'TCP' },
    ]);
    expect(validateIntent(withSuggestions(named, out.suggestions))).toEqual([]);
  });
});

describe('verify observed: its command line', () => {
  it('--help says what it reads and its exit codes, the gate among them', () => {
    const help = verifyMain(['observed', '--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^verify observed: every flow the cluster's flow log observed/);
    expect(help.stdout).toMatch(/ {2}--flows FILE\|- +a saved flow log \(- reads stdin\)/);
    expect(help.stdout).toMatch(/\nexit codes:\n {2}0 {2}answered \(whatever the answer\)\n {2}1 {2}with --fail-on-break: [^\n]+\n {2}2 {2}bad usage/);
    expect(verifyMain(['--help']).stdout).toMatch(/\n {2}observed +every flow/);
  });

  it('exits 2 with one line naming the file when the flow log cannot be read or holds no record, and for bad usage', () => {
    const missing = observed(recorded, 'no-such-file.json');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^verify observed: cannot read --flows .*no-such-file\.json: ENOENT/);
    const empty = join(scratch, 'empty.json');
    writeFileSync(empty, '{"total":{"totalPages":0},"items":null}\n');
    expect(verifyMain(['observed', '--manifests', recorded, '--flows', empty])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^verify observed: .*empty\.json holds no flow record that can be read; accepted: /),
    });
    const garbage = join(scratch, 'garbage.txt');
    writeFileSync(garbage, 'hello\nworld\n');
    expect(verifyMain(['observed', '--manifests', recorded, '--flows', garbage]).stderr).toMatch(
      /holds no flow record that can be read \(2 malformed: line 1: not JSON/,
    );
    expect(verifyMain(['observed', '--manifests', recorded])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--flows FILE\|- is required/) });
    expect(verifyMain(['observed', '--manifests', recorded, '--flow', 'x'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/did you mean --flows\?/),
    });
  });

  it('reads the flow log from stdin with --flows -', () => {
    const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'scripts/verify.ts', 'observed', '--manifests', recorded, '--flows', '-', '--json'], {
      cwd: join(__dirname, '..'),
      input: readFileSync(flows('after.whisker.json')),
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).records).toBe(15);
  });
});

describe('npm run report -- --flows: the observed view', () => {
  const out = join(scratch, 'report');
  const root = join(__dirname, '..');
  const written = reportMain(['--manifests', recorded, '--flows', flows('audit.goldmane.jsonl'), '--out', out], root);
  const markdown = readFileSync(join(out, 'egress.md'), 'utf8');
  const html = readFileSync(join(out, 'egress.html'), 'utf8');
  /** The rows of one table of the observed view: its title, then the lines that start with `|`, header and rule left out. */
  const rows = (title: string): string[] => {
    const after = markdown.slice(markdown.indexOf(`### ${title}`));
    const lines = after.split('\n').slice(1);
    const end = lines.findIndex((l) => l.startsWith('### '));
    return (end < 0 ? lines : lines.slice(0, end)).filter((l) => l.startsWith('| ')).slice(1);
  };

  it('adds the lists to both reports, what would break first', () => {
    expect(written).toMatchObject({ code: 0, stderr: '' });
    expect(markdown).toContain('## Observed flows');
    expect(markdown).toContain(
      '25 flow records of test/fixtures/flows/audit.goldmane.jsonl (4 malformed; 1 record of flows that no policy of these manifests concerns left out): 3 would break, 1 undecided, 4 denied today, 8 allowed; 4 allow rules never observed.',
    );
    expect(markdown.indexOf('### Would break')).toBeLessThan(markdown.indexOf('### Allowed'));
    expect(rows('Would break once the staged policies are enforced').map((r) => r.split(' | ').slice(0, 3).join(' | '))).toEqual([
      '| ai-application/ai-service | cache/redis-* (pods the manifests do not hold) | TCP 6379',
      '| ai-application/ai-service | global network set model-registry | TCP 80',
      '| ai-batch/nightly-eval-28700000-* (pods the manifests do not hold) | ai-application/ai-service | TCP 8000',
    ]);
    expect(html).toContain('<section id="observed">');
    expect(html).toContain('<h3 id="observed-would-break">Would break once the staged policies are enforced (3)</h3>');
  });

  it('lists flows outside the cluster that no declared destination explains as unattributed, and never matches one to a declared block', () => {
    expect(rows('Unattributed: flows outside the cluster that no declared destination explains').map((r) => r.split(' | ').slice(0, 3).join(' | '))).toEqual([
      '| ai-application/ai-service | pub (a public address in no network set) | TCP 80',
      '| ai-embeddings/embeddings | pub (a public address in no network set) | TCP 443',
      '| ai-embeddings/embeddings | pvt (a private address in no network set) | TCP 5432',
    ]);
    // The flow to pub on 443 may be object storage, and is said to be only that: a possibility, no address recorded.
    const [undecided] = rows('Undecided: where they went is not recorded finely enough');
    expect(undecided).toMatch(
      /\| may be 198\.51\.100\.0\/24 \(StagedNetworkPolicy ai-application\/ai-egress\.ai-service rule 3 \(tier ai-egress\): object storage\): no address was recorded \|$/,
    );
    expect(markdown).not.toMatch(/pub \(a public address in no network set\) \| TCP 443 \| [^\n]*\| 198\.51\.100\.0\/24 \|/);
  });

  it('leaves the view out without a flow log, and refuses one it cannot read with exit 2', () => {
    const plain = join(scratch, 'report-plain');
    expect(reportMain(['--manifests', recorded, '--out', plain], root).code).toBe(0);
    expect(readFileSync(join(plain, 'egress.md'), 'utf8')).not.toContain('## Observed flows');
    expect(reportMain(['--manifests', recorded, '--flows', flows('nothing-here.json'), '--out', plain], root)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^report: cannot read --flows .*nothing-here\.json/),
    });
  });
});
