import { egressJson } from './json';
import { egressReport } from './egress';
import { egressText } from './text';
import { workloadReaders } from './readers';
import { calico, readCluster, deployment, namespace, networkPolicy, shippedCalicoApp } from '../../test/support/verify-builders';

type Obj = Record<string, unknown>;

const denyAll = (ns: string, types = ['Ingress', 'Egress']) => networkPolicy(ns, 'default-deny', { podSelector: {}, policyTypes: types });

/** The app `ai/llm`, admitting TCP 8000 from the pods of the caller namespaces, and the objects of those namespaces. */
function admitting(callers: readonly string[], ...extra: Obj[]) {
  return readCluster([
    namespace('ai'),
    denyAll('ai'),
    deployment('ai', 'llm', { app: 'llm' }),
    networkPolicy('ai', 'llm-in', {
      podSelector: { matchLabels: { app: 'llm' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: callers.map((ns) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } })), ports: [{ port: 8000 }] }],
    }),
    ...extra,
  ]);
}

const governedness = (c: ReturnType<typeof readCluster>) =>
  workloadReaders(c, c.endpoint('ai/llm')!).map((r) => `${r.from.type === 'pods' ? r.from.namespace : 'cidr'} ${r.governed}`);

describe('who can read a workload: the callers it admits, governed or not', () => {
  it('a caller namespace the manifests declare with a default deny both ways is governed', () => {
    expect(governedness(admitting(['web'], namespace('web'), denyAll('web')))).toEqual(['web true']);
  });

  it('is not governed without its Namespace object, without a default deny, or with one of egress only', () => {
    expect(governedness(admitting(['web'], denyAll('web')))).toEqual(['web false']);
    expect(governedness(admitting(['web'], namespace('web')))).toEqual(['web false']);
    expect(governedness(admitting(['web'], namespace('web'), denyAll('web', ['Egress'])))).toEqual(['web false']);
  });

  it('a Calico policy that selects every pod of the namespace both ways counts as its default deny', () => {
    const calicoDeny = calico('GlobalNetworkPolicy', 'deny-web', { namespaceSelector: "projectcalico.org/name == 'web'", types: ['Ingress', 'Egress'] });
    expect(governedness(admitting(['web'], namespace('web'), calicoDeny))).toEqual(['web true']);
  });

  it('addresses outside the known endpoints, and pods of any namespace, are never governed', () => {
    const c = readCluster([
      namespace('ai'),
      deployment('ai', 'llm', { app: 'llm' }),
      networkPolicy('ai', 'llm-in', {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }, { namespaceSelector: {} }] }],
      }),
    ]);
    expect(governedness(c)).toEqual(expect.arrayContaining(['cidr false', '* false']));
  });

  it('verify egress lists who can read each workload, the shipped calico app read by pods of ai-gateway, which no manifest governs', () => {
    const c = readCluster(shippedCalicoApp({ selectsOnlyPods: false }));
    const text = egressText(egressReport(c, { readers: true }));
    expect(text).toMatch(
      /who can read it \(callers that receive its responses\), 1 not governed by these manifests:\n {4}NOT GOVERNED TCP {2}8000 +pods ai-gateway \{\} +rule 0 of NetworkPolicy ai-application\/ai-egress\.ai-service \(tier ai-egress\)\n/,
    );
    const json = egressJson(egressReport(c, { readers: true }));
    expect(json.workloads[0].readers).toEqual([
      {
        from: { type: 'pods', namespace: 'ai-gateway', labels: {} },
        protocol: 'TCP',
        ports: '8000',
        decidedBy: { reason: 'rule', action: 'Allow', tier: 'ai-egress', kind: 'NetworkPolicy', policy: 'ai-application/ai-egress.ai-service', rule: 0 },
        governed: false,
      },
    ]);
    expect(egressJson(egressReport(c)).workloads[0].readers).toBeUndefined();
  });
});
