/**
 * The jest matchers for reach (lib/testing), registered for every test file by
 * test/support/reach-matchers.ts: each passes where the verifier allows or denies, and each
 * fails, with and without `.not`, with a message that names the rule, end of tier or default that
 * decided.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { stripVTControlCharacters } from 'util';
import { ApiObject, App, Chart } from 'cdk8s';
import { loadCluster } from '../verify';
import { namespace, networkPolicy, pod, yamlOf } from '../../test/support/verify-builders';

type Obj = Record<string, unknown>;

/** An app ai/llm: default deny, DNS to kube-dns, TCP 443 to one address, called by gateway/router on 8000; kube-dns; and a pod elsewhere. */
const objects: Obj[] = [
  namespace('ai'),
  networkPolicy('ai', 'default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
  networkPolicy('ai', 'llm-egress', {
    podSelector: { matchLabels: { app: 'llm' } },
    policyTypes: ['Egress'],
    egress: [
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ port: 53, protocol: 'UDP' }],
      },
      { to: [{ ipBlock: { cidr: '203.0.113.10/32' } }], ports: [{ port: 443 }] },
    ],
  }),
  networkPolicy('ai', 'llm-ingress', {
    podSelector: { matchLabels: { app: 'llm' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } } }], ports: [{ port: 8000 }] }],
  }),
  pod('ai', 'llm', { app: 'llm' }),
  pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }),
  pod('gateway', 'router', { app: 'router' }),
  pod('web', 'site', { app: 'site' }),
];

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const folder = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'matchers-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'app.yaml'), yamlOf(objects));
  return dir;
})();

/** The message an assertion fails with. */
function failure(assertion: () => void): string {
  try {
    assertion();
  } catch (err) {
    return stripVTControlCharacters((err as Error).message);
  }
  throw new Error('the assertion passed');
}

const isolated = 'ai/llm is isolated for egress by Kubernetes NetworkPolicy ai/default-deny-all, ai/llm-egress, and no rule of theirs allows this: denied';
const allows443 = 'allowed by rule 1 (Allow) of Kubernetes NetworkPolicy ai/llm-egress in tier default: Allow TCP 443 to ipBlock 203.0.113.10/32';

describe('toAllowEgress and toDenyEgress', () => {
  it("pass as the sender's egress decides", () => {
    expect(folder).toAllowEgress('ai/llm', '203.0.113.10', 443);
    expect(folder).toDenyEgress('ai/llm', '203.0.113.10', 8443);
    expect(folder).toDenyEgress('ai/llm', '169.254.169.254', 80);
    expect(folder).toAllowEgress('ai/llm', 'kube-system/coredns', 53, 'UDP');
    expect(folder).not.toAllowEgress('ai/llm', 'web/site', 8000);
  });

  it('fail naming what denied: the end of the Kubernetes policies that isolate the sender', () => {
    expect(failure(() => expect(folder).toAllowEgress('ai/llm', '198.51.100.7', 443))).toBe(
      `expect(manifests).toAllowEgress(from, to, port)\n\nexpected ai/llm to be allowed egress to 198.51.100.7 on TCP 443, but it is denied: ${isolated}`,
    );
  });

  it('fail naming the rule that allowed', () => {
    expect(failure(() => expect(folder).toDenyEgress('ai/llm', '203.0.113.10', 443))).toBe(
      `expect(manifests).toDenyEgress(from, to, port)\n\nexpected ai/llm to be denied egress to 203.0.113.10 on TCP 443, but it is allowed: ${allows443}`,
    );
    expect(failure(() => expect(folder).not.toAllowEgress('ai/llm', '203.0.113.10', 443))).toBe(
      `expect(manifests).not.toAllowEgress(from, to, port)\n\nexpected ai/llm not to be allowed egress to 203.0.113.10 on TCP 443, but it is allowed: ${allows443}`,
    );
  });

  it('say that no policy selects a sender that nothing confines', () => {
    expect(failure(() => expect(folder).toDenyEgress('web/site', '169.254.169.254', 80))).toMatch(
      /but it is allowed: no policy selects web\/site for egress: allowed by default$/,
    );
  });

  it('fail, with and without .not, on a workload the manifests do not hold, listing those they do', () => {
    for (const assertion of [
      () => expect(folder).toAllowEgress('ai/lm', '203.0.113.10', 443),
      () => expect(folder).not.toAllowEgress('ai/lm', '203.0.113.10', 443),
    ]) {
      expect(failure(assertion)).toMatch(
        /--from "ai\/lm" is not a known endpoint \(expected namespace\/name of a Pod or workload; known endpoints: ai\/llm, gateway\/router, kube-system\/coredns, web\/site\)$/,
      );
    }
  });
});

describe('toAllowIngress and toDenyIngress', () => {
  it("pass as the receiver's ingress decides", () => {
    expect(folder).toAllowIngress('ai/llm', 'gateway/router', 8000);
    expect(folder).toDenyIngress('ai/llm', 'web/site', 8000);
    expect(folder).toDenyIngress('ai/llm', 'gateway/router', 9000);
  });

  it('fail naming the rule or the isolation that decided', () => {
    expect(failure(() => expect(folder).toAllowIngress('ai/llm', 'web/site', 8000))).toBe(
      'expect(manifests).toAllowIngress(to, from, port)\n\nexpected ai/llm to admit web/site on TCP 8000, but it is refused: ai/llm is isolated for ingress by Kubernetes NetworkPolicy ai/default-deny-all, ai/llm-ingress, and no rule of theirs allows this: denied',
    );
    expect(failure(() => expect(folder).toDenyIngress('ai/llm', 'gateway/router', 8000))).toMatch(
      /^expect\(manifests\)\.toDenyIngress\(to, from, port\)\n\nexpected ai\/llm to refuse gateway\/router on TCP 8000, but it is admitted: allowed by rule 0 \(Allow\) of Kubernetes NetworkPolicy ai\/llm-ingress in tier default: /,
    );
  });

  it('fail on a receiver that is an address, not a workload', () => {
    expect(failure(() => expect(folder).toAllowIngress('203.0.113.10', 'ai/llm', 443))).toMatch(
      /203\.0\.113\.10 is no workload of the manifests: 203\.0\.113\.10 is outside the known endpoints/,
    );
  });
});

describe('toReachExactly', () => {
  const exactly = [
    { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [53], protocol: 'UDP' as const },
    { cidr: '203.0.113.10/32', ports: [443] },
  ];

  it("passes on exactly what the egress allows, written like the intent's destinations", () => {
    expect(folder).toReachExactly('ai/llm', exactly);
  });

  it('fails listing what it may also reach, with the rule that allows it, and what it may not, with what denies it', () => {
    expect(failure(() => expect(folder).toReachExactly('ai/llm', [exactly[0], { cidr: '203.0.113.0/24', ports: [443, 8443] }]))).toBe(
      [
        'expect(manifests).toReachExactly(from, expected)',
        '',
        'expected ai/llm to reach exactly the 2 expected destinations, but',
        'it may not reach (expected):',
        `  - TCP 443 to cidr 203.0.113.0/24 except 203.0.113.10/32: ${isolated}`,
        `  - TCP 8443 to cidr 203.0.113.0/24: ${isolated}`,
      ].join('\n'),
    );
    expect(failure(() => expect(folder).toReachExactly('ai/llm', [exactly[0]]))).toBe(
      [
        'expect(manifests).toReachExactly(from, expected)',
        '',
        'expected ai/llm to reach exactly the 1 expected destination, but',
        'it may also reach (not expected):',
        '  + TCP 443 to cidr 203.0.113.10/32, allowed by rule 1 of Kubernetes NetworkPolicy ai/llm-egress (tier default)',
      ].join('\n'),
    );
  });

  it('passes when an expected class of pods holds a narrower class (more labels) that a rule names on other ports, and fails without it', () => {
    // The rule to db {app=x} on TCP 1 reaches the pods of db {app=x, tier=web} too, which the
    // verifier lists as a class of its own because another rule names it (on UDP 1).
    const narrower: Obj[] = [
      namespace('ai'),
      networkPolicy('ai', 'llm-egress', {
        podSelector: { matchLabels: { app: 'llm' } },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'db' } }, podSelector: { matchLabels: { app: 'x' } } }],
            ports: [{ port: 1 }],
          },
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'db' } }, podSelector: { matchLabels: { app: 'x', tier: 'web' } } }],
            ports: [{ port: 1, protocol: 'UDP' }],
          },
        ],
      }),
      pod('ai', 'llm', { app: 'llm' }),
    ];
    const general = { namespace: 'db', podLabels: { app: 'x' }, ports: [1] };
    const narrow = { namespace: 'db', podLabels: { app: 'x', tier: 'web' }, ports: [1], protocol: 'UDP' as const };
    expect(narrower).toReachExactly('ai/llm', [general, narrow]);
    expect(failure(() => expect(narrower).toReachExactly('ai/llm', [narrow]))).toBe(
      [
        'expect(manifests).toReachExactly(from, expected)',
        '',
        'expected ai/llm to reach exactly the 1 expected destination, but',
        'it may also reach (not expected):',
        '  + TCP 1 to pods db {app=x,tier=web}, allowed by rule 0 of Kubernetes NetworkPolicy ai/llm-egress (tier default)',
        '  + TCP 1 to pods db {app=x}, allowed by rule 0 of Kubernetes NetworkPolicy ai/llm-egress (tier default)',
      ].join('\n'),
    );
  });

  it('fails with .not when it does reach exactly that', () => {
    expect(failure(() => expect(folder).not.toReachExactly('ai/llm', exactly))).toBe(
      'expect(manifests).not.toReachExactly(from, expected)\n\nexpected ai/llm not to reach exactly the 2 expected destinations, but it does',
    );
  });
});

describe('the manifests a test may hold', () => {
  it("a folder, a list of files, a list of objects, the verifier's Cluster, a cdk8s Chart and an App all answer alike", () => {
    const app = new App();
    const chart = new Chart(app, 'apps');
    objects.forEach((o, i) => new ApiObject(chart, `o${i}`, o as never));
    for (const manifests of [folder, [join(folder, 'app.yaml')], objects, loadCluster([folder]), chart, app]) {
      expect(manifests).toAllowEgress('ai/llm', '203.0.113.10', 443);
      expect(manifests).toDenyEgress('ai/llm', '203.0.113.11', 443);
    }
  });

  it('fails on what is not manifests, saying what is', () => {
    expect(failure(() => expect(42).toAllowEgress('ai/llm', '203.0.113.10', 443))).toMatch(
      /42 is not manifests; accepted: a folder or file of YAML, a list of them, a list of objects, a cdk8s Chart or App, or a Cluster of lib\/verify$/,
    );
  });
});
