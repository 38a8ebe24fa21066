import { Testing } from 'cdk8s';
import { AiAppIntent, PlatformIntent } from '../intent';
import { CalicoAppPolicy } from './calico';
import { KubernetesAppPolicies } from './kubernetes';
import type { AppPlan } from '../intent';
import { planApp, planContext } from './plan';

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
const qdrant: AiAppIntent = { name: 'qdrant', namespace: 'vector-db', image: 'qdrant/qdrant:v1.12.0', port: 6333, egress: [] };
const platform = (extra: Partial<PlatformIntent> = {}): PlatformIntent => ({ apps: [app], allowLists: lists, ...extra });
const plan = (a: AiAppIntent = app, extra: Partial<PlatformIntent> = {}) => planApp(a, planContext(platform(extra)));
const DNS = [
  { protocol: 'UDP', from: 53, to: 53 },
  { protocol: 'TCP', from: 53, to: 53 },
];

/** The objects a renderer writes for a plan, with nothing of an intent behind it. */
function rendered(render: (chart: ReturnType<typeof Testing.chart>) => void): Record<string, any>[] {
  const chart = Testing.chart();
  render(chart);
  return Testing.synth(chart);
}

describe('the plan: what an app may send and receive, for both renderers', () => {
  it("plans egress as DNS to the resolver of cluster names first, then one rule per destination: its kind's peer on its ports, sorted, of its protocol", () => {
    expect(plan().egress).toEqual([
      {
        peers: [{ kind: 'pods', namespace: 'ai-dns', podLabels: { 'app.kubernetes.io/name': 'dns-resolver' }, serviceAccount: 'dns-resolver' }],
        ports: DNS,
        description: 'DNS (cluster names only: the resolver of cluster names)',
      },
      {
        peers: [
          {
            kind: 'nets',
            blocks: [
              {
                cidr: '169.254.0.0/16',
                version: 4,
                except: ['169.254.0.23/32', '169.254.42.42/32', '169.254.169.252/32', '169.254.169.254/32', '169.254.170.2/32', '169.254.170.23/32'],
              },
            ],
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

  it('sends the DNS of an app that declares public names to kube-dns, and keeps the reason as an annotation', () => {
    const publicApp = { ...app, dns: { publicNames: { reason: 'calls a public search API by name' } } };
    const planned = plan(publicApp, { apps: [publicApp] });
    expect(planned.egress[0]).toEqual({
      peers: [
        {
          kind: 'pods',
          namespace: 'kube-system',
          podLabels: { 'k8s-app': 'kube-dns' },
          ungovernedReason: "the cluster's DNS, which resolves names outside the cluster for this app: calls a public search API by name",
        },
      ],
      ports: DNS,
      description: 'DNS (kube-dns)',
    });
    expect(planned.reasons).toEqual({ 'secure-ai-egress/public-dns': 'names outside the cluster: calls a public search API by name' });
  });

  it("carves out of a wide block the link-local ranges, the cloud's metadata addresses and the cluster's own ranges inside it, and out of a declared link-local block the metadata addresses in it", () => {
    const wide = {
      ...app,
      egress: [
        { cidr: '0.0.0.0/0', ports: [443], internet: { reason: 'public model APIs' } },
        { cidr: '::/0', ports: [443], internet: { reason: 'public model APIs' } },
      ],
    };
    const blocks = (extra: Partial<PlatformIntent>) =>
      plan(wide, { apps: [wide], ...extra })
        .egress.slice(1)
        .map((r) => r.peers[0]);
    expect(blocks({ cloud: 'azure', clusterNetwork: { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.0.0.0/16'], nodeCidrs: ['10.224.0.0/16'] } })).toEqual([
      {
        kind: 'nets',
        internetReason: 'public model APIs',
        blocks: [{ cidr: '0.0.0.0/0', version: 4, except: ['10.0.0.0/16', '10.224.0.0/16', '10.244.0.0/16', '168.63.129.16/32', '169.254.0.0/16'] }],
      },
      {
        kind: 'nets',
        internetReason: 'public model APIs',
        blocks: [
          {
            cidr: '::/0',
            version: 6,
            except: [
              '64:ff9b::a00:0/112',
              '64:ff9b::ae0:0/112',
              '64:ff9b::af4:0/112',
              '64:ff9b::a83f:8110/128',
              '64:ff9b::a9fe:0/112',
              '64:ff9b:1::/48',
              'fe80::/10',
            ],
          },
        ],
      },
    ]);
    const except = (extra: Partial<PlatformIntent>) => blocks(extra).flatMap((p) => (p.kind === 'nets' ? p.blocks.flatMap((b) => b.except) : []));
    // By default pods and nodes may be anywhere in the private space, IPv6 unique local addresses included, which hold the clouds' fd00: addresses.
    expect(except({})).toEqual([
      '10.0.0.0/8',
      '34.118.224.0/20',
      '100.64.0.0/10',
      '168.63.129.16/32',
      '169.254.0.0/16',
      '172.16.0.0/12',
      '192.168.0.0/16',
      '64:ff9b::a00:0/104',
      '64:ff9b::2276:e000/116',
      '64:ff9b::6440:0/106',
      '64:ff9b::a83f:8110/128',
      '64:ff9b::a9fe:0/112',
      '64:ff9b::ac10:0/108',
      '64:ff9b::c0a8:0/112',
      '64:ff9b:1::/48',
      'fc00::/7',
      'fe80::/10',
    ]);
    const declared = { clusterNetwork: { podCidrs: ['10.244.0.0/16', 'fd12::/64'], serviceCidrs: ['10.96.0.0/12'], nodeCidrs: ['10.0.0.0/16'] } };
    expect(except(declared)).toEqual(
      expect.arrayContaining([
        '169.254.0.0/16',
        'fe80::/10',
        'fd00:42::42/128',
        'fd00:a9fe:a9fe::1/128',
        'fd00:c1::a9fe:a9fe/128',
        'fd00:ec2::254/128',
        'fd12::/64',
        '10.244.0.0/16',
        '10.96.0.0/12',
        '10.0.0.0/16',
      ]),
    );
    expect(plan().egress[1].peers[0]).toEqual({
      kind: 'nets',
      blocks: [
        {
          cidr: '169.254.0.0/16',
          version: 4,
          except: ['169.254.0.23/32', '169.254.42.42/32', '169.254.169.252/32', '169.254.169.254/32', '169.254.170.2/32', '169.254.170.23/32'],
        },
      ],
    });
  });

  it("plans ingress as one rule: every declared client, all pods of its namespace unless labels are given, on the app's port over TCP", () => {
    expect(plan().ingress).toEqual([
      {
        peers: [
          { kind: 'pods', namespace: 'gateway', podLabels: { app: 'envoy' } },
          { kind: 'pods', namespace: 'batch', podLabels: {} },
        ],
        ports: [{ protocol: 'TCP', from: 8000, to: 8000 }],
      },
    ]);
    expect(plan({ ...app, ingress: undefined }).ingress).toEqual([]);
  });

  it('names the ServiceAccount of a declared app when a destination or a client names its pods by its name label', () => {
    const caller = { ...app, egress: [{ namespace: 'vector-db', podLabels: { 'app.kubernetes.io/name': 'qdrant' }, ports: [6333] }] };
    const callee = { ...qdrant, ingress: [{ namespace: 'ai', podLabels: { 'app.kubernetes.io/name': 'llm' } }] };
    const context = planContext({ apps: [caller, callee] });
    expect(planApp(caller, context).egress[1].peers).toEqual([
      { kind: 'pods', namespace: 'vector-db', podLabels: { 'app.kubernetes.io/name': 'qdrant' }, serviceAccount: 'qdrant' },
    ]);
    expect(planApp(callee, context).ingress[0].peers).toEqual([
      { kind: 'pods', namespace: 'ai', podLabels: { 'app.kubernetes.io/name': 'llm' }, serviceAccount: 'llm' },
    ]);
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
