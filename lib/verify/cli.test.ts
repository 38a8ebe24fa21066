import { spawnSync } from 'child_process';
import * as path from 'path';
import { verifyMain as main } from './cli';

const ROOT = path.join(__dirname, '../..');
const APP = path.join(ROOT, 'test/fixtures/verify/kubernetes');
const BAD_CIDR = path.join(ROOT, 'test/fixtures/verify/invalid/bad-cidr.yaml');
/** A folder per cluster, each writing the same objects, as dist/ of an intent with clusters. */
const CLUSTERS = path.join(ROOT, 'test/fixtures/verify/clusters');
/** The manifests of the shipped scenario (test/fixtures/intents), as synth writes them; test/verify-fixtures.test.ts keeps them so. */
const SHIPPED = path.join(ROOT, 'test/fixtures/verify/shipped');

const json = (argv: string[]): unknown => {
  const r = main(argv);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
};

describe('verify command line', () => {
  it('query --json answers with allowed, and egress and ingress each saying what decided them', () => {
    const q = json(['query', '--manifests', APP, '--from', 'ai/rag', '--to', 'vector-db/qdrant', '--port', '6333', '--json']) as Record<string, any>;
    expect(q.allowed).toBe(true);
    expect(q.egress).toMatchObject({
      applies: true,
      allowed: true,
      reason: 'rule',
      tier: 'default',
      kind: 'KubernetesNetworkPolicy',
      policy: 'ai/rag-egress',
      rule: 2,
      action: 'Allow',
    });
    expect(q.ingress).toMatchObject({ applies: true, allowed: true, tier: 'default', policy: 'vector-db/qdrant-ingress', rule: 0, action: 'Allow' });
    expect(typeof q.egress.message).toBe('string');
  });

  it('query --to an address outside the cluster: ingress does not apply', () => {
    const q = json(['query', '--manifests', APP, '--from', 'ai/rag', '--to', '203.0.113.10', '--port', '443', '--json']) as Record<string, any>;
    expect(q).toMatchObject({ allowed: true, ingress: { applies: false } });
    const denied = json(['query', '--manifests', APP, '--from', 'ai/rag', '--to', '169.254.169.254', '--port', '80', '--protocol', 'UDP', '--json']) as Record<
      string,
      any
    >;
    expect(denied).toMatchObject({ allowed: false, protocol: 'UDP', egress: { allowed: false, reason: 'end-of-tier' } });
  });

  it('query resolves a port name on the destination pod', () => {
    const q = json(['query', '--manifests', APP, '--from', 'ai/rag', '--to', 'vector-db/qdrant', '--port', 'http', '--json']) as Record<string, any>;
    expect(q).toMatchObject({ port: 6333, portName: 'http', allowed: true });
  });

  it('matrix --json has one cell per ordered pair of distinct endpoints, port 80 TCP by default', () => {
    const cells = json(['matrix', '--manifests', APP, '--json']) as Record<string, unknown>[];
    expect(cells).toHaveLength(6);
    expect(cells[0]).toEqual({ from: 'ai/rag', to: 'ai/reindex', port: 80, protocol: 'TCP', allowed: false });
    const on6333 = json(['matrix', '--manifests', APP, '--port', '6333', '--json']) as Record<string, unknown>[];
    expect(on6333.filter((c) => c.allowed)).toEqual([{ from: 'ai/rag', to: 'vector-db/qdrant', port: 6333, protocol: 'TCP', allowed: true }]);
  });

  it('selector --json lists the matching endpoints, sorted, with the labels Calico adds', () => {
    expect(json(['selector', '--manifests', APP, '--expr', "projectcalico.org/namespace == 'ai'", '--json'])).toEqual({ matches: ['ai/rag', 'ai/reindex'] });
    expect(json(['selector', '--manifests', APP, '--expr', '!has(app)', '--json'])).toEqual({ matches: [] });
  });

  it('a folder of one folder per cluster (dist/ of an intent with clusters) exits 2 with one line naming the folder to give instead', () => {
    const r = main(['egress', '--manifests', CLUSTERS]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `verify egress: invalid manifests: ${CLUSTERS}: holds a folder per cluster (edge, prod-eu, prod-us) that write the same objects, and read together they describe no real cluster; accepted: one cluster's folder, e.g. --manifests ${path.join(CLUSTERS, 'edge')}`,
    ]);
    expect(main(['egress', '--manifests', path.join(CLUSTERS, 'edge')]).code).toBe(0);
  });

  it('selector --expr "" is Calico\'s empty selector: it matches every endpoint, as all() does', () => {
    const all = json(['selector', '--manifests', APP, '--expr', 'all()', '--json']) as { matches: string[] };
    expect(all.matches.length).toBeGreaterThan(0);
    expect(json(['selector', '--manifests', APP, '--expr', '', '--json'])).toEqual(all);
  });

  it('an invalid selector exits 2 and shows where parsing failed', () => {
    const r = main(['selector', '--manifests', APP, '--expr', "app == 'a' ||"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "verify selector: invalid selector: unexpected end of selector; expected a label, has(...), all(), ! or ( at column 14\n  app == 'a' ||\n               ^\n",
    );
  });

  it('egress --json lists per workload what it may reach', () => {
    const report = json(['egress', '--manifests', APP, '--json']) as Record<string, any>;
    const rag = report.workloads.find((w: Record<string, unknown>) => w.endpoint === 'ai/rag');
    expect(rag.allowed.map((e: Record<string, any>) => [e.to, e.protocol, e.ports])).toEqual([
      [{ type: 'cidr', cidr: '203.0.113.10/32' }, 'TCP', '443'],
      [{ type: 'pods', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, 'TCP', '53'],
      [{ type: 'pods', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, 'UDP', '53'],
      [{ type: 'pods', namespace: 'vector-db', labels: { app: 'qdrant' } }, 'TCP', '6333'],
      [{ type: 'pods', namespace: 'vector-db', labels: { app: 'qdrant' }, endpoint: 'vector-db/qdrant' }, 'TCP', '6333'],
    ]);
    expect(report.note).toContain("receiver's ingress");
  });

  it('readable text by default', () => {
    expect(main(['query', '--manifests', APP, '--from', 'ai/reindex', '--to', 'vector-db/qdrant', '--port', '6333']).stdout).toMatch(
      /^DENIED {2}ai\/reindex -> vector-db\/qdrant {2}TCP 6333\n {2}egress: ai\/reindex is isolated for egress/,
    );
    expect(main(['matrix', '--manifests', APP]).stdout).toContain('1 ai/rag');
    expect(main(['egress', '--manifests', APP]).stdout).toContain('ALLOW TCP  443');
    expect(main(['selector', '--manifests', APP, '--expr', 'has(nothing)']).stdout).toBe('no endpoint matches\n');
  });

  it('bad usage exits 2 with a message and the usage', () => {
    const cases: [string[], RegExp][] = [
      [[], /a command is required/],
      [['frobnicate', '--manifests', APP], /unknown command "frobnicate" \(known: query, matrix, selector, egress, ingress, observed\)/],
      [['qurey', '--manifests', APP], /unknown command "qurey"; did you mean query\?/],
      [['--manifests', APP, 'query'], /the command comes first/],
      [['query', '--from', 'ai/rag'], /--manifests PATH is required/],
      [['query', '--manifests', APP, '--from', 'ai/rag', '--port', '80'], /--to NS\/NAME\|IP\|HOST is required/],
      [['query', '--manifests', APP, '--from', 'ai/rag', '--to', 'x/y', '--port', '80', '--nope'], /unknown option "--nope"/],
      [['query', '--manifests', APP, '--form', 'ai/rag', '--to', 'x/y', '--port', '80'], /unknown option "--form"; did you mean --from\?/],
      [
        ['egress', '--manifests', APP, '--port', '80'],
        /unknown option "--port" \(known: --manifests, --ipblock-matches-pods, --calico, --cluster-domain, --json, --help\)/,
      ],
      [['egress', '--manifests', APP, 'extra'], /unexpected argument "extra"/],
      [['help', 'egres'], /unknown command "egres"; did you mean egress\?/],
      [['matrix', '--manifests', APP, '--protocol', 'ICMP'], /--protocol must be TCP, UDP or SCTP/],
      [['matrix', '--manifests', APP, '--port', 'http'], /--port must be a number/],
      [['egress', '--manifests', APP, '--ipblock-matches-pods', 'maybe'], /--ipblock-matches-pods must be true or false/],
      [
        ['egress', '--manifests', APP, '--calico', '3.28'],
        /--calico must be a Calico release 3\.29 or later, written major\.minor or major\.minor\.patch \(3\.31, 3\.32\.1\), not 3\.28/,
      ],
      [['query', '--manifests', APP, '--from', 'ai/nobody', '--to', 'ai/rag', '--port', '80'], /--from "ai\/nobody" is not a known endpoint/],
      [['query', '--manifests', APP, '--from', 'ai/rag', '--to', 'vector-db/qdrant', '--port', 'grpc'], /has no container port named "grpc"/],
    ];
    for (const [argv, message] of cases) {
      const r = main(argv);
      expect(`${argv.join(' ')} -> ${r.code}`).toBe(`${argv.join(' ')} -> 2`);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('invalid manifests exit 2 naming the file and document', () => {
    const r = main(['egress', '--manifests', BAD_CIDR]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `verify egress: invalid manifests: ${BAD_CIDR}, document 2 (NetworkPolicy ai/broken): spec.egress[0].to[0].ipBlock.cidr: "10.0.0.0/33" is not a CIDR (expected e.g. 203.0.113.0/24 or 2001:db8::/32)\n`,
    );
  });

  it('runs as a program: JSON on stdout, exit 0', () => {
    const r = spawnSync(
      process.execPath,
      ['--require', 'tsx/cjs', 'scripts/verify.ts', 'query', '--manifests', APP, '--from', 'ai/rag', '--to', '203.0.113.10', '--port', '443', '--json'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ allowed: true, ingress: { applies: false } });
  });

  it('runs as a program: one clear line and exit 2 for invalid manifests, no stack trace', () => {
    const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'scripts/verify.ts', 'egress', '--manifests', BAD_CIDR], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('bad-cidr.yaml, document 2');
  });

  it('--help on every command: one line per option with its default, and the exit codes; help COMMAND says the same', () => {
    for (const command of ['query', 'matrix', 'selector', 'egress', 'ingress']) {
      const r = main([command, '--help']);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(new RegExp(`^verify ${command}: .+\\n\\nusage: verify ${command} --manifests PATH \\.\\.\\.`));
      expect(r.stdout).toContain('  --manifests PATH ');
      expect(r.stdout).toMatch(/\nexit codes:\n {2}0 {2}answered \(whatever the answer\)\n {2}2 {2}bad usage[^\n]*\n {2}3 {2}internal error/);
      expect(main(['help', command]).stdout).toBe(r.stdout);
      expect(main([command, '-h']).stdout).toBe(r.stdout);
    }
    expect(main(['query', '--help']).stdout).toMatch(/ {2}--protocol TCP\|UDP\|SCTP +the protocol of the connection \(default: TCP\)\n/);
    expect(main(['matrix', '--help']).stdout).toMatch(/ {2}--port N +the destination port, 1-65535 \(default: 80\)\n/);
    const overview = main(['--help']);
    expect(overview).toMatchObject({ code: 0, stderr: '' });
    for (const command of ['query', 'matrix', 'selector', 'egress', 'ingress']) expect(overview.stdout).toMatch(new RegExp(`\\n {2}${command} +\\S`));
    expect(main(['help']).stdout).toBe(overview.stdout);
  });

  it('ingress --json lists per workload who may reach it, on which of its ports, by which rule', () => {
    const report = json(['ingress', '--manifests', APP, '--json']) as Record<string, any>;
    const qdrant = report.workloads.find((w: Record<string, unknown>) => w.endpoint === 'vector-db/qdrant');
    expect(qdrant.isolated).toBe(true);
    expect(qdrant.allowed.map((e: Record<string, any>) => [e.from, e.protocol, e.ports, e.decidedBy.policy, e.decidedBy.rule])).toEqual([
      [{ type: 'pods', namespace: 'ai', labels: { app: 'rag' } }, 'TCP', '6333', 'vector-db/qdrant-ingress', 0],
      [{ type: 'pods', namespace: 'ai', labels: { app: 'rag' }, endpoint: 'ai/rag' }, 'TCP', '6333', 'vector-db/qdrant-ingress', 0],
    ]);
    expect(report.note).toContain("the sender's egress policies are not part of this listing");
    const text = main(['ingress', '--manifests', APP]).stdout;
    expect(text).toMatch(
      /vector-db\/qdrant \(StatefulSet\) - ingress policies: vector-db\/qdrant-ingress \(Kubernetes NetworkPolicy, tier default\)\n {2}ALLOW TCP {2}6333 +pods ai \{app=rag\}/,
    );
    expect(text).toMatch(/ {2}DENY {2}everything else: no rule allows it\n/);
  });

  it("query --from an address outside the cluster answers for the receiver's ingress alone", () => {
    const q = json(['query', '--manifests', APP, '--from', '192.0.2.10', '--to', 'vector-db/qdrant', '--port', '6333', '--json']) as Record<string, any>;
    expect(q).toMatchObject({
      from: '192.0.2.10',
      allowed: false,
      egress: { applies: false, reason: 'external' },
      ingress: { applies: true, allowed: false, reason: 'end-of-tier' },
    });
    expect(main(['query', '--manifests', APP, '--from', '192.0.2.10', '--to', 'vector-db/qdrant', '--port', '6333']).stdout).toMatch(
      /^DENIED {2}192\.0\.2\.10 -> vector-db\/qdrant {2}TCP 6333\n {2}egress: 192\.0\.2\.10 is outside the known endpoints: only the receiver's ingress applies\n/,
    );
  });

  it('egress text says "everything else denied" once instead of listing the complement of what a catch-all Deny leaves; --json keeps every entry', () => {
    // The shipped scenario's manifests (a fixture), not the repository's dist/: that is whatever main.ts declares.
    const text = main(['egress', '--manifests', SHIPPED]).stdout;
    expect(text).not.toMatch(/DENY {2}TCP {2}1-442 /);
    expect(text).toMatch(
      / {2}DENY {2}everything else: rule \d+ of NetworkPolicy ai-application\/ai-egress\.ai-service \(tier ai-egress\): deny everything not allowed above\n/,
    );
    const report = json(['egress', '--manifests', SHIPPED, '--json']) as Record<string, any>;
    const service = report.workloads.find((w: Record<string, unknown>) => w.endpoint === 'ai-application/ai-service');
    const catchAll = service.denied.filter((e: Record<string, unknown>) => e.catchAll);
    expect(catchAll.length).toBeGreaterThan(0);
    expect(catchAll).toContainEqual(expect.objectContaining({ to: { type: 'cidr', cidr: '198.51.100.0/24' }, protocol: 'TCP', ports: '1-442' }));
  });

  it('egress text says on one line per workload which cloud metadata blocks a guardrail denies, on which protocols and ports, by which rules; --json keeps an entry per block and protocol with its rule and description', () => {
    const text = main(['egress', '--manifests', SHIPPED]).stdout;
    const service = text.slice(
      text.indexOf('ai-application/ai-service (Deployment)'),
      text.indexOf('\n\n', text.indexOf('ai-application/ai-service (Deployment)')),
    );
    const denies = service.split('\n').filter((l) => l.startsWith('  DENY '));
    expect(denies).toEqual([
      // The NAT64 forms of the IPv4 addresses (64:ff9b::/96, RFC 6052) read as cloud metadata too.
      '  DENY  TCP/UDP/SCTP 1-65535     cidr 23 blocks (cloud metadata): 100.100.100.200/32, 168.63.129.16/32, 169.254.0.23/32, 169.254.42.42/32, ' +
        '169.254.169.252/32, 169.254.169.254/32, 169.254.170.2/32, 169.254.170.23/32, ' +
        '64:ff9b::6464:64c8/128, 64:ff9b::a83f:8110/128, 64:ff9b::a9fe:17/128, 64:ff9b::a9fe:2a2a/128, 64:ff9b::a9fe:a9fc/128, 64:ff9b::a9fe:a9fe/128, ' +
        '64:ff9b::a9fe:aa02/128, 64:ff9b::a9fe:aa17/128, fd00:42::42/128, fd00:c1::a9fe:a9fe/128, fd00:ec2::23/128, ' +
        'fd00:ec2::254/128, fd00:a9fe:a9fe::1/128, fd20:ce::254/128, fe80::a9fe:a9fe/128 ' +
        'rules 1, 3, 5, 7, 9, 11, 13, 15, 31, 33, 35, 37, 39, 41, 43, 45, 17, 19, 21, 23, 25, 27, 29 of GlobalNetworkPolicy ai-egress.deny-cloud-metadata (tier ai-egress)',
      '  DENY  everything else: rule 7 of NetworkPolicy ai-application/ai-egress.ai-service (tier ai-egress): deny everything not allowed above',
    ]);
    const report = json(['egress', '--manifests', SHIPPED, '--json']) as Record<string, any>;
    const explicit = report.workloads
      .find((w: Record<string, unknown>) => w.endpoint === 'ai-application/ai-service')
      .denied.filter((e: Record<string, unknown>) => !e.catchAll);
    expect(explicit).toHaveLength(23 * 3);
    expect(explicit).toContainEqual({
      to: { type: 'cidr', cidr: '64:ff9b::a9fe:a9fe/128' },
      protocol: 'TCP',
      ports: '1-65535',
      decidedBy: expect.objectContaining({ policy: 'ai-egress.deny-cloud-metadata', rule: 41, description: expect.stringContaining('through NAT64') }),
    });
    expect(explicit).toContainEqual({
      to: { type: 'cidr', cidr: '169.254.169.254/32' },
      protocol: 'SCTP',
      ports: '1-65535',
      decidedBy: expect.objectContaining({ policy: 'ai-egress.deny-cloud-metadata', rule: 11, description: expect.stringContaining('aws-imds') }),
    });
  });

  it('a folder holding a file that is no manifest is read without it, with a note on stderr', () => {
    const field = path.join(ROOT, 'test/fixtures/verify/from-the-field');
    const r = main(['egress', '--manifests', field]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `verify egress: note: skipped ${path.join(field, 'package.json')}: holds no Kubernetes object (no document has apiVersion or kind)\n`,
    );
    expect(r.stdout).toContain('ai/legacy-scraper (ReplicationController)');
  });
});
