import { parseCidr } from '../net';
import { calico, readCluster, deployment, namespace, networkPolicy } from '../../test/support/verify-builders';
import { egressReport } from './egress';
import { egressJson } from './json';
import { isNamedPort, Ports } from './ports';

/** A cluster whose egress report has every kind of value: blocks with exceptions, ranges, names, pods, both flavors, Deny rules. */
const cluster = readCluster([
  namespace('ai'),
  namespace('vector-db'),
  deployment('ai', 'rag', { app: 'rag' }),
  deployment('vector-db', 'qdrant', { app: 'qdrant' }, { ports: [{ name: 'http', containerPort: 6333 }] }),
  networkPolicy('ai', 'rag-egress', {
    podSelector: { matchLabels: { app: 'rag' } },
    policyTypes: ['Egress'],
    egress: [
      { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32', '10.0.0.0/8'] } }], ports: [{ port: 443 }, { port: 8000, endPort: 8100 }] },
      { to: [{ ipBlock: { cidr: '2001:db8::/32' } }] },
      { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'qdrant' } } }], ports: [{ port: 'http' }] },
    ],
  }),
  calico('Tier', 'security', { order: 100 }),
  calico('GlobalNetworkPolicy', 'security.metadata', {
    tier: 'security',
    selector: 'all()',
    types: ['Egress'],
    egress: [{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }, { action: 'Pass' }],
  }),
  calico('StagedNetworkPolicy', 'lockdown', { selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny' }] }, 'ai'),
]);

const block = (text: string) => {
  const parsed = parseCidr(text);
  if ('problem' in parsed) throw new Error(`${text} is not a canonical CIDR`);
  return parsed.cidr;
};
const ports = (text: string): Ports => {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  return m ? { from: Number(m[1]), to: Number(m[2] ?? m[1]) } : { name: text };
};

describe('egress JSON', () => {
  it('writes every value so that a tool reading it gets the same values back', () => {
    const report = egressReport(cluster);
    const json = JSON.parse(JSON.stringify(egressJson(report)));
    expect(json.workloads.map((w: { endpoint: string }) => w.endpoint)).toEqual(report.workloads.map((w) => w.endpoint));
    const rag = report.workloads.find((w) => w.endpoint === 'ai/rag')!;
    const written = json.workloads.find((w: { endpoint: string }) => w.endpoint === 'ai/rag');
    const entries = [...rag.allowed, ...rag.denied];
    const read = [...written.allowed, ...written.denied];
    expect(read).toHaveLength(entries.length);
    expect(entries.some((e) => e.to.type === 'cidr' && e.to.except.length > 0 && !isNamedPort(e.ports) && e.ports.from < e.ports.to)).toBe(true);
    expect(entries.some((e) => isNamedPort(e.ports))).toBe(true);
    entries.forEach((e, i) => {
      const r = read[i];
      expect({ protocol: r.protocol, ports: ports(r.ports), action: r.decidedBy.action }).toEqual({
        protocol: e.protocol,
        ports: e.ports,
        action: e.decidedBy.action,
      });
      if (e.to.type === 'cidr') expect({ cidr: block(r.to.cidr), except: (r.to.except ?? []).map(block) }).toEqual({ cidr: e.to.cidr, except: e.to.except });
      else
        expect({ namespace: r.to.namespace, labels: r.to.labels, endpoint: r.to.endpoint }).toEqual({
          namespace: e.to.namespace,
          labels: e.to.labels,
          endpoint: e.to.endpoint?.id,
        });
      if (e.decidedBy.reason === 'rule') {
        const { rule } = e.decidedBy;
        expect(r.decidedBy).toEqual({
          reason: 'rule',
          action: e.decidedBy.action,
          tier: rule.tier,
          kind: rule.kind,
          policy: rule.namespace ? `${rule.namespace}/${rule.name}` : rule.name,
          rule: rule.index,
        });
      }
    });
    expect(written.staged).toEqual([{ kind: 'StagedNetworkPolicy', policy: 'ai/lockdown', tier: 'default' }]);
    expect(written.policies).toEqual([
      { tier: 'security', kind: 'GlobalNetworkPolicy', policy: 'security.metadata' },
      { tier: 'default', kind: 'KubernetesNetworkPolicy', policy: 'ai/rag-egress' },
    ]);
  });
});
