import { Testing } from 'cdk8s';
import { AiAppIntent } from '../intent';
import { CalicoAppPolicy } from './calico';
import { KubernetesAppPolicies } from './kubernetes';
import { AppPlan, planApp } from './plan';

const app: AiAppIntent = {
  name: 'llm',
  namespace: 'ai',
  image: 'vllm/vllm-openai:v0.10.2',
  port: 8000,
  egress: [
    { cidr: '169.254.0.0/16', ports: [443, { from: 80, to: 81 }], description: 'link-local service' },
    { namespace: 'vector-db', podLabels: { app: 'qdrant' }, ports: [6333] },
    { allowList: 'mirrors', ports: [443], protocol: 'UDP' },
  ],
  ingress: [{ namespace: 'gateway', podLabels: { app: 'envoy' } }, { namespace: 'batch' }],
};
const lists = [{ name: 'mirrors', cidrs: ['198.51.100.0/24', '2001:db8::/64'] }];

/** The objects a renderer writes for a plan, with nothing of an intent behind it. */
function rendered(render: (chart: ReturnType<typeof Testing.chart>) => void): Record<string, any>[] {
  const chart = Testing.chart();
  render(chart);
  return Testing.synth(chart);
}

describe('the plan: what an app may send and receive, for both renderers', () => {
  it("plans egress as DNS first, then one rule per destination: its kind's peer on its ports, sorted, of its protocol", () => {
    const plan = planApp(app, lists);
    expect(plan.egress).toEqual([
      {
        peers: [{ kind: 'pods', namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } }],
        ports: [
          { protocol: 'UDP', from: 53, to: 53 },
          { protocol: 'TCP', from: 53, to: 53 },
        ],
        description: 'DNS (kube-dns)',
      },
      {
        peers: [
          {
            kind: 'nets',
            blocks: [{ cidr: '169.254.0.0/16', version: 4, except: ['169.254.169.252/32', '169.254.169.254/32', '169.254.170.2/32', '169.254.170.23/32'] }],
          },
        ],
        ports: [
          { protocol: 'TCP', from: 80, to: 81 },
          { protocol: 'TCP', from: 443, to: 443 },
        ],
        description: 'link-local service',
      },
      { peers: [{ kind: 'pods', namespace: 'vector-db', podLabels: { app: 'qdrant' } }], ports: [{ protocol: 'TCP', from: 6333, to: 6333 }] },
      {
        peers: [
          {
            kind: 'nets',
            allowList: 'mirrors',
            blocks: [
              { cidr: '198.51.100.0/24', version: 4, except: [] },
              { cidr: '2001:db8::/64', version: 6, except: [] },
            ],
          },
        ],
        ports: [{ protocol: 'UDP', from: 443, to: 443 }],
      },
    ]);
  });

  it('carves out of a block only the metadata addresses of the cloud it is given', () => {
    const nets = (cloud: 'aws' | 'azure' | 'any') => planApp(app, lists, cloud).egress[1].peers[0];
    expect(nets('aws')).toEqual(
      expect.objectContaining({ blocks: [expect.objectContaining({ except: ['169.254.169.254/32', '169.254.170.2/32', '169.254.170.23/32'] })] }),
    );
    expect(nets('azure')).toEqual(expect.objectContaining({ blocks: [expect.objectContaining({ except: ['169.254.169.254/32'] })] }));
    expect(planApp(app, lists).egress).toEqual(planApp(app, lists, 'any').egress);
  });

  it("plans ingress as one rule: every declared client, all pods of its namespace unless labels are given, on the app's port over TCP", () => {
    expect(planApp(app, lists).ingress).toEqual([
      {
        peers: [
          { kind: 'pods', namespace: 'gateway', podLabels: { app: 'envoy' } },
          { kind: 'pods', namespace: 'batch', podLabels: {} },
        ],
        ports: [{ protocol: 'TCP', from: 8000, to: 8000 }],
      },
    ]);
    expect(planApp({ ...app, ingress: undefined }, lists).ingress).toEqual([]);
  });

  it('is all either renderer reads: a plan made by hand, admitting a block no intent can declare as a client yet, is written by both', () => {
    const plan: AppPlan = {
      name: 'llm',
      namespace: 'ai',
      egress: [],
      ingress: [{ peers: [{ kind: 'nets', blocks: [{ cidr: '10.0.0.0/8', version: 4, except: [] }] }], ports: [{ protocol: 'TCP', from: 8000, to: 8000 }] }],
    };
    const kubernetes = rendered((chart) => new KubernetesAppPolicies(chart, 'llm', { plan }));
    expect(kubernetes.find((o) => o.metadata.name === 'llm-egress')!.spec.egress).toEqual([]);
    expect(kubernetes.find((o) => o.metadata.name === 'llm-ingress')!.spec.ingress).toEqual([
      { from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 8000 }] },
    ]);

    const [calico] = rendered(
      (chart) =>
        new CalicoAppPolicy(chart, 'llm', { plan, settings: { tier: 'ai-egress', tierOrder: 10_000, log: 'denied-egress', cloud: 'any' }, staged: false }),
    );
    expect(
      calico.spec.ingress.map((r: Record<string, unknown>) => ({ action: r.action, protocol: r.protocol, source: r.source, destination: r.destination })),
    ).toEqual([
      { action: 'Allow', protocol: 'TCP', source: { nets: ['10.0.0.0/8'] }, destination: { ports: [8000] } },
      { action: 'Deny', protocol: undefined, source: undefined, destination: undefined },
    ]);
    expect(calico.spec.egress.map((r: Record<string, unknown>) => r.action)).toEqual(['Log', 'Deny']);
  });
});
