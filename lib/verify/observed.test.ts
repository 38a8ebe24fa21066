import { FlowEnd, FlowRecord, PolicyHit } from '../flows';
import { calico, readCluster, deployment, namespace, networkPolicy, pod } from '../../test/support/verify-builders';
import { mayBreak, observe, ObservedFlow, ObservedReport } from './observed';
import { EndResolver } from './observed-ends';
import { suggest } from './observed-suggest';

const workload = (ns: string, name: string, labels: Record<string, string> = {}): FlowEnd => ({ type: 'WorkloadEndpoint', name, namespace: ns, labels });
const network = (name: 'pub' | 'pvt'): FlowEnd => ({ type: 'Network', name, labels: {} });

let line = 0;
/** A flow record with what a test does not care about filled in. */
function rec(r: Partial<FlowRecord> & Pick<FlowRecord, 'source' | 'destination'>): FlowRecord {
  return {
    line: ++line,
    format: 'goldmane',
    port: 443,
    protocol: 'TCP',
    reporter: 'Src',
    action: 'Allow',
    enforced: [],
    pending: [],
    startTime: 1748854800,
    endTime: 1748854815,
    packets: 2,
    bytes: 100,
    ...r,
  };
}

const hit = (h: Partial<PolicyHit> & Pick<PolicyHit, 'kind' | 'action'>): PolicyHit => ({ name: '', tier: '', policyIndex: 0, ruleIndex: 0, ...h });
const PROFILE = hit({ kind: 'Profile', name: 'kns.ai', action: 'Allow' });

const observeRecords = (objects: Record<string, unknown>[], records: FlowRecord[]): ObservedReport => observe(readCluster(objects), { records, malformed: [] });
const brief = (flows: readonly ObservedFlow[]): string[] => flows.map((f) => `${f.source.label} -> ${f.destination.label} ${f.protocol} ${f.port}`);

/** A calico app in a tier, after a guardrail that denies the metadata address and before a Pass for the rest: it may reach 198.51.100.0/24 and redis on their ports, nothing else. */
const tiered = [
  namespace('ai'),
  namespace('cache'),
  deployment('ai', 'llm', { app: 'llm' }, { serviceAccount: 'llm' }),
  deployment('cache', 'redis', { app: 'redis' }),
  calico('Tier', 'ai-egress', { order: 100 }),
  calico('GlobalNetworkPolicy', 'ai-egress.guard', {
    tier: 'ai-egress',
    order: 10,
    selector: 'all()',
    types: ['Egress'],
    egress: [{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }],
  }),
  calico('GlobalNetworkPolicy', 'ai-egress.pass', { tier: 'ai-egress', order: 1000, selector: 'all()', types: ['Egress'], egress: [{ action: 'Pass' }] }),
  calico(
    'NetworkPolicy',
    'ai-egress.llm',
    {
      tier: 'ai-egress',
      order: 100,
      selector: "app == 'llm'",
      types: ['Egress'],
      egress: [
        { action: 'Allow', protocol: 'TCP', destination: { nets: ['198.51.100.0/24'], ports: [443] } },
        {
          action: 'Allow',
          protocol: 'TCP',
          destination: { namespaceSelector: "kubernetes.io/metadata.name == 'cache'", selector: "app == 'redis'", ports: [6379] },
        },
        { action: 'Deny' },
      ],
    },
    'ai',
  ),
];
const llm = workload('ai', 'llm-5d8f7c6b9d-*', { app: 'llm' });
const redis = workload('cache', 'redis-7b9c6d5f4-*', { app: 'redis' });
const APP = { kind: 'CalicoNetworkPolicy', namespace: 'ai', name: 'ai-egress.llm', tier: 'ai-egress' } as const;

describe('observed flows: ends', () => {
  it('names the workload a flow names its pods by: a Deployment by its ReplicaSet prefix, a StatefulSet or Job by its own, a CronJob by its Job, a Pod by its name, the longest name first', () => {
    const c = readCluster([
      deployment('ai', 'llm', { app: 'llm' }),
      { ...deployment('ai', 'llm-cache', { app: 'cache' }), kind: 'StatefulSet' },
      { ...deployment('ai', 'nightly', { app: 'nightly' }), kind: 'CronJob', spec: { jobTemplate: { spec: deployment('ai', 'x', { app: 'nightly' }).spec } } },
      pod('ai', 'debug', { app: 'debug' }),
    ]);
    const ends = new EndResolver(c);
    const named = (name: string) => {
      const end = ends.resolve(workload('ai', name));
      return end.kind === 'workload' && end.known ? end.endpoint.id : `${end.label} (not held)`;
    };
    expect(['llm-6d4cf56db6-*', 'llm-cache-*', 'nightly-28700000-*', 'debug', 'llm-*', 'nightly-*', 'other-5d4c-*'].map(named)).toEqual([
      'ai/llm',
      'ai/llm-cache',
      'ai/nightly',
      'ai/debug',
      'ai/llm-* (not held)',
      'ai/nightly-* (not held)',
      'ai/other-5d4c-* (not held)',
    ]);
  });

  it('decides a pod the manifests do not hold by the policies that select it: a namespace default deny holds for it too', () => {
    const r = observeRecords(
      [
        namespace('ai'),
        deployment('ai', 'llm', { app: 'llm' }),
        networkPolicy('ai', 'default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      ],
      [rec({ source: workload('ai', 'debug-shell', { run: 'debug-shell' }), destination: network('pub'), action: 'Deny' })],
    );
    expect(brief(r.deniedToday)).toEqual(['ai/debug-shell -> pub TCP 443']);
    expect(r.deniedToday[0].egress?.enforced[0].decision).toMatchObject({ reason: 'end-of-tier', tier: 'default' });
  });

  it('leaves out flows that no policy of the manifests concerns, and counts their records', () => {
    const r = observeRecords(tiered, [
      rec({ source: workload('kube-system', 'coredns-5d78c9869d-*'), destination: network('pub'), port: 53, protocol: 'UDP' }),
    ]);
    expect(r.outside).toBe(1);
    expect([...r.allowed, ...r.deniedToday, ...r.wouldBreak, ...r.unattributed]).toEqual([]);
  });
});

describe('observed flows: ends outside the cluster', () => {
  it('keeps, of the addresses pub may be, those the recorded verdict fits: a Deny by the guardrail is the metadata address, denied alike', () => {
    const guard = hit({ kind: 'GlobalNetworkPolicy', name: 'ai-egress.guard', tier: 'ai-egress', action: 'Deny' });
    const r = observeRecords(tiered, [rec({ source: llm, destination: network('pub'), port: 80, action: 'Deny', enforced: [guard] })]);
    expect(brief(r.deniedToday)).toEqual(['ai/llm -> pub TCP 80']);
    expect(r.findings).toEqual([]);
  });

  it('decides a flow to pub by the addresses its recorded rule allows, and a Deny the record names no rule of by every address denied', () => {
    const r = observeRecords(tiered, [rec({ source: llm, destination: network('pub'), action: 'Allow', enforced: [hit({ ...APP, action: 'Allow' })] })]);
    // The record says rule 0 allowed it: only 198.51.100.0/24 fits, so it is decided, not unattributed.
    expect(brief(r.allowed)).toEqual(['ai/llm -> pub TCP 443']);
    const unrecorded = observeRecords(tiered, [rec({ source: llm, destination: network('pub'), action: 'Deny', enforced: [] })]);
    // A Deny without a hit fits both the guardrail and the app's Deny: denied alike.
    expect(brief(unrecorded.deniedToday)).toEqual(['ai/llm -> pub TCP 443']);
  });

  it('reports a record that no address it may stand for explains, and decides from all of them', () => {
    const r = observeRecords(tiered, [rec({ source: llm, destination: network('pvt'), port: 443, action: 'Allow', enforced: [PROFILE] })]);
    expect(r.findings.map((f) => [f.kind, f.view])).toEqual([['unexplained', 'enforced']]);
    expect(brief(r.deniedToday)).toEqual(['ai/llm -> pvt TCP 443']);
  });

  it('a flow to a network set the manifests do not hold stands for any address, and is decided when all are decided alike', () => {
    const r = observeRecords(tiered, [rec({ source: llm, destination: { type: 'NetworkSet', name: 'corp-proxies', labels: {} }, port: 3128, action: 'Deny' })]);
    expect(r.deniedToday.map((f) => f.destination)).toEqual([expect.objectContaining({ kind: 'unknown', label: 'corp-proxies' })]);
  });
});

describe('observed flows: the rule the record names', () => {
  const toRedis = (enforced: PolicyHit[]) => rec({ source: llm, destination: redis, port: 6379, enforced });

  it('agrees with the verifier when the record names its deciding rule, with or without the tier prefix of Calico 3.30 and 3.31', () => {
    for (const name of ['ai-egress.llm', 'llm']) {
      const r = observeRecords(tiered, [toRedis([hit({ ...APP, name, action: 'Allow', ruleIndex: 1 })])]);
      expect({ name, findings: r.findings }).toEqual({ name, findings: [] });
      expect(brief(r.allowed)).toEqual(['ai/llm -> cache/redis TCP 6379']);
    }
  });

  it('reports the same verdict by another rule, and other tiers passed on the way', () => {
    const other = observeRecords(tiered, [toRedis([hit({ ...APP, action: 'Allow', ruleIndex: 0 })])]);
    expect(other.findings.map((f) => [f.kind, f.recorded.hit?.ruleIndex])).toEqual([['rule', 0]]);
    const pass = hit({ kind: 'GlobalNetworkPolicy', name: 'security.pass', tier: 'security', action: 'Pass' });
    const passed = observeRecords(tiered, [toRedis([pass, hit({ ...APP, action: 'Allow', ruleIndex: 1 })])]);
    expect(passed.findings.map((f) => f.kind)).toEqual(['passes']);
  });

  it("compares a Kubernetes NetworkPolicy's rule by its policy only: Calico converts its rules, one per protocol and peer", () => {
    const objects = [
      namespace('ai'),
      deployment('ai', 'llm', { app: 'llm' }),
      networkPolicy('ai', 'llm-egress', {
        podSelector: { matchLabels: { app: 'llm' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '203.0.113.10/32' } }], ports: [{ port: 443, protocol: 'TCP' }] }],
      }),
    ];
    const knp = (name: string, ruleIndex: number) => hit({ kind: 'NetworkPolicy', namespace: 'ai', name, tier: 'default', action: 'Allow', ruleIndex });
    const flowTo = (h: PolicyHit) => rec({ source: llm, destination: { type: 'NetworkSet', name: 'x', labels: {} }, enforced: [h] });
    expect(observeRecords(objects, [flowTo(knp('llm-egress', 3))]).findings).toEqual([]);
    expect(observeRecords(objects, [flowTo(knp('other', 0))]).findings.map((f) => [f.kind, f.policyHeld])).toEqual([['unexplained', false]]);
  });
});

describe('observed flows: would break, and what would allow it', () => {
  it('a flow allowed today and denied once the staged policies are enforced would break; the gate counts it, and what may break', () => {
    const staged = tiered.map((o) => (o.kind === 'NetworkPolicy' ? { ...o, kind: 'StagedNetworkPolicy' } : o));
    const r = observeRecords(staged, [
      rec({ source: llm, destination: workload('cache', 'memcached-0', { app: 'memcached' }), port: 11211 }),
      rec({ source: llm, destination: network('pub'), port: 443, enforced: [PROFILE] }),
    ]);
    expect(brief(r.wouldBreak)).toEqual(['ai/llm -> cache/memcached-0 TCP 11211']);
    expect(brief(r.unattributed)).toEqual(['ai/llm -> pub TCP 443']);
    expect([...r.wouldBreak, ...r.unattributed].map(mayBreak)).toEqual([true, true]);
    expect(suggest(r).entries.map((s) => [s.app, s.field, s.entry])).toEqual([
      ['llm', 'egress', { description: 'observed: cache/memcached-0', namespace: 'cache', podLabels: { app: 'memcached' }, ports: [11211], protocol: 'TCP' }],
    ]);
  });

  it('selects pods by the label that names them, never by one a rollout changes', () => {
    const staged = tiered.map((o) => (o.kind === 'NetworkPolicy' ? { ...o, kind: 'StagedNetworkPolicy' } : o));
    const labels = { 'pod-template-hash': '7d9f', 'controller-revision-hash': 'x-5c', tier: 'backend', team: 'data' };
    const r = observeRecords(staged, [rec({ source: llm, destination: workload('cache', 'x-7d9f-*', labels), port: 5432 })]);
    expect(suggest(r).entries.map((s) => s.entry.podLabels)).toEqual([{ tier: 'backend', team: 'data' }]);
  });
});
