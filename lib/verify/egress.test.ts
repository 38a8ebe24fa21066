import fc from 'fast-check';
import { join } from 'path';
import { isDeepStrictEqual } from 'util';
import { cidrRange, parseIp, rangeContainsIp, subtractRanges } from '../net';
import { egressReport, ReachEntry, workloadEgress } from './egress';
import { dnsReport } from './dns';
import { egressJson, stagedJson } from './json';
import { loadCluster } from './load';
import { isNamedPort, describePorts } from './ports';
import { query } from './reach';
import { relayReport } from './relays';
import { describePolicy, EGRESS_NOTE } from './words';
import { calico, readCluster, deployment, namespace, networkPolicy, brief, EVERYTHING } from '../../test/support/verify-builders';
import { runs } from '../../test/support/runs';
import { PROTOCOLS, Protocol } from '../k8s';

const dns = {
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
};
const qdrant = {
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'vector-db' } }, podSelector: { matchLabels: { app: 'qdrant' } } }],
  ports: [{ port: 6333 }],
};
const registry = { to: [{ ipBlock: { cidr: '203.0.113.10/32' } }], ports: [{ port: 443 }, { port: 8443 }] };

const app = [
  namespace('ai'),
  deployment('ai', 'rag', { app: 'rag' }),
  networkPolicy('ai', 'rag-egress', { podSelector: { matchLabels: { app: 'rag' } }, policyTypes: ['Egress'], egress: [dns, registry, qdrant] }),
];

const report = (objects: Record<string, unknown>[], id = 'ai/rag', options?: { ipblockMatchesPods?: boolean }) => {
  const c = readCluster(objects, options);
  return workloadEgress(c, c.endpoint(id)!);
};

describe('egress report', () => {
  it('DNS to kube-system kube-dns pods shows as a pods destination with those labels, even without such a pod', () => {
    const allowed = report(app).allowed.filter((e) => e.to.type === 'pods' && e.to.namespace === 'kube-system');
    expect(allowed.map((e) => [e.to, e.protocol, e.ports])).toEqual([
      [{ type: 'pods', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, 'TCP', { from: 53, to: 53 }],
      [{ type: 'pods', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, 'UDP', { from: 53, to: 53 }],
    ]);
    expect(allowed[0].decidedBy).toEqual({
      reason: 'rule',
      action: 'Allow',
      rule: { tier: 'default', kind: 'KubernetesNetworkPolicy', namespace: 'ai', name: 'rag-egress', direction: 'egress', index: 0 },
    });
  });

  it('lists exactly the declared destinations: one entry per destination, protocol and contiguous port range', () => {
    expect(brief(report(app).allowed)).toEqual([
      '203.0.113.10/32 TCP 443',
      '203.0.113.10/32 TCP 8443',
      'kube-system{"k8s-app":"kube-dns"} TCP 53',
      'kube-system{"k8s-app":"kube-dns"} UDP 53',
      'vector-db{"app":"qdrant"} TCP 6333',
    ]);
    expect(report(app).denied).toEqual([]);
  });

  it('orders the ports of one destination as numbers, not as text: 53, 443, 5432, 8000', () => {
    const many = { to: [{ ipBlock: { cidr: '203.0.113.10/32' } }], ports: [8000, 5432, 443, 53].map((port) => ({ port })) };
    const objects = [
      app[0],
      app[1],
      networkPolicy('ai', 'rag-egress', { podSelector: { matchLabels: { app: 'rag' } }, policyTypes: ['Egress'], egress: [many] }),
    ];
    expect(brief(report(objects).allowed)).toEqual([
      '203.0.113.10/32 TCP 53',
      '203.0.113.10/32 TCP 443',
      '203.0.113.10/32 TCP 5432',
      '203.0.113.10/32 TCP 8000',
    ]);
  });

  it('a known endpoint that a rule names is listed with its name', () => {
    const withQdrant = [...app, deployment('vector-db', 'qdrant', { app: 'qdrant', tier: 'db' })];
    expect(brief(report(withQdrant).allowed)).toContain('vector-db{"app":"qdrant","tier":"db"}=vector-db/qdrant TCP 6333');
  });

  it('endPort ranges stay ranges, and a port name to a class of pods stays a name', () => {
    const objects = [
      namespace('ai'),
      deployment('ai', 'rag', { app: 'rag' }),
      networkPolicy('ai', 'p', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          { to: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ port: 8000, endPort: 8100 }] },
          { to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 'grpc' }] },
        ],
      }),
    ];
    expect(brief(report(objects).allowed)).toEqual(['198.51.100.0/24 TCP 8000-8100', 'ai{"app":"api"} TCP grpc']);
  });

  it('merges allowed addresses into the fewest blocks, with except where shorter', () => {
    const objects = [
      namespace('ai'),
      deployment('ai', 'rag', { app: 'rag' }),
      networkPolicy('ai', 'p', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          { to: [{ ipBlock: { cidr: '10.0.0.0/25' } }, { ipBlock: { cidr: '10.0.0.128/25' } }], ports: [{ port: 443 }] },
          { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }], ports: [{ port: 80 }] },
        ],
      }),
    ];
    expect(brief(report(objects).allowed)).toEqual(['0.0.0.0/0 except 169.254.169.254/32 TCP 80', '10.0.0.0/24 TCP 443']);
  });

  it('orders entries for one block by the addresses of their exceptions, not by their text', () => {
    const objects = [
      namespace('ai'),
      deployment('ai', 'rag', { app: 'rag' }),
      networkPolicy('ai', 'p', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [{ port: 80 }] },
          { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['9.0.0.0/8'] } }], ports: [{ port: 443 }] },
        ],
      }),
    ];
    expect(brief(report(objects).allowed)).toEqual(['0.0.0.0/0 except 9.0.0.0/8 TCP 443', '0.0.0.0/0 except 10.0.0.0/8 TCP 80']);
  });

  it('lists explicit Deny rules, not the implicit deny at the end of a tier', () => {
    const objects = [
      ...app,
      calico('Tier', 'ai-egress', { order: 100 }),
      calico('GlobalNetworkPolicy', 'ai-egress.deny-metadata', {
        tier: 'ai-egress',
        selector: 'all()',
        types: ['Egress'],
        egress: [
          { action: 'Log', destination: { nets: ['169.254.169.254/32'] } },
          { action: 'Deny', destination: { nets: ['169.254.169.254/32'] } },
          { action: 'Pass' },
        ],
      }),
    ];
    const w = report(objects);
    expect(brief(w.denied)).toEqual(['169.254.169.254/32 TCP 1-65535', '169.254.169.254/32 UDP 1-65535', '169.254.169.254/32 SCTP 1-65535']);
    expect(w.denied[0].decidedBy).toMatchObject({ action: 'Deny', rule: { tier: 'ai-egress', name: 'ai-egress.deny-metadata', index: 1 } });
    expect(brief(w.allowed)).toEqual(brief(report(app).allowed));
    expect(w.policies.map(describePolicy)).toEqual(['ai-egress.deny-metadata', 'ai/rag-egress']);
  });

  it('a workload no egress policy selects may reach everything, and says so', () => {
    const w = report([namespace('ai'), deployment('ai', 'rag', { app: 'rag' })]);
    expect(w.isolated).toBe(false);
    expect(brief(w.allowed)).toEqual(EVERYTHING);
    expect(w.allowed[0].decidedBy).toEqual({ reason: 'no-policy', action: 'Allow', direction: 'egress' });
  });

  it("does not depend on the receiver's ingress, and says so", () => {
    const lockedDown = [...app, networkPolicy('kube-system', 'deny-all', { podSelector: {} }), deployment('kube-system', 'coredns', { 'k8s-app': 'kube-dns' })];
    expect(brief(report(lockedDown).allowed)).toContain('kube-system{"k8s-app":"kube-dns"}=kube-system/coredns UDP 53');
    expect(egressJson(egressReport(readCluster(app))).note).toBe(EGRESS_NOTE);
    expect(EGRESS_NOTE).toContain("the receiver's ingress policies are not part of this listing");
  });

  it('a GlobalNetworkSet a rule selects shows as its addresses', () => {
    const objects = [
      namespace('ai'),
      deployment('ai', 'rag', { app: 'rag' }),
      calico('GlobalNetworkSet', 'object-storage', { nets: ['192.0.2.0/24', '198.51.100.0/25'] }, undefined, { allow: 'object-storage' }),
      calico(
        'NetworkPolicy',
        'p',
        {
          selector: 'all()',
          types: ['Egress'],
          egress: [
            { action: 'Allow', protocol: 'TCP', destination: { selector: "allow == 'object-storage'", namespaceSelector: 'global()', ports: [443] } },
            { action: 'Deny' },
          ],
        },
        'ai',
      ),
    ];
    const w = report(objects);
    expect(brief(w.allowed)).toEqual(['192.0.2.0/24 TCP 443', '198.51.100.0/25 TCP 443']);
  });

  it('an ipVersion rule to a network set lists no pod of the cluster: the IP version narrows what its selector matches, and no pod is a network set', () => {
    const withRule = (rule: Record<string, unknown>) => [
      namespace('ai'),
      namespace('other'),
      deployment('ai', 'rag', { app: 'rag' }),
      deployment('other', 'llm', { app: 'llm' }),
      deployment('other', 'embed', { app: 'embed' }),
      calico('GlobalNetworkSet', 'object-storage', { nets: ['192.0.2.0/24', '2001:db8::/64'] }, undefined, { allow: 'object-storage' }),
      calico('NetworkPolicy', 'p', { selector: 'all()', types: ['Egress'], egress: [rule, { action: 'Deny' }] }, 'ai'),
    ];
    const toSet = { action: 'Allow', protocol: 'TCP', destination: { selector: "allow == 'object-storage'", namespaceSelector: 'global()', ports: [443] } };
    const w = report(withRule({ ...toSet, ipVersion: 4 }));
    expect(brief(w.allowed)).toEqual(['192.0.2.0/24 TCP 443']);
    expect(w.denied.filter((e) => e.to.type === 'pods' && e.to.endpoint)).toEqual([]);
    // The pods it denies are those the same rule without ipVersion denies: every pod, as one class.
    const pods = (entries: readonly ReachEntry[]) => brief(entries.filter((e) => e.to.type === 'pods'));
    expect(pods(w.denied)).toEqual(pods(report(withRule(toSet)).denied));
    expect(pods(w.denied)).toEqual(['*{} TCP 1-65535', '*{} UDP 1-65535', '*{} SCTP 1-65535']);
  });

  it('an ipVersion rule whose destination says nothing of pods tells the known pods apart by IP version, and lists each', () => {
    const objects = [
      namespace('ai'),
      namespace('other'),
      deployment('ai', 'rag', { app: 'rag' }),
      deployment('other', 'llm', { app: 'llm' }),
      calico(
        'NetworkPolicy',
        'p',
        { selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow', protocol: 'TCP', ipVersion: 4 }, { action: 'Deny' }] },
        'ai',
      ),
    ];
    expect(brief(report(objects).allowed)).toContain('other{"app":"llm"}=other/llm TCP 1-65535');
  });

  it('reports staged policies selecting the workload without letting them change anything', () => {
    const staged = calico('StagedNetworkPolicy', 'lockdown', { selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny' }] }, 'ai');
    const w = report([...app, staged]);
    expect(w.staged.map(stagedJson)).toEqual([{ kind: 'StagedNetworkPolicy', policy: 'ai/lockdown', tier: 'default' }]);
    expect(w.allowed).toEqual(report(app).allowed);
    expect(w.denied).toEqual([]);
  });

  it('is the same whatever order the manifests come in', () => {
    const objects = [...app, deployment('vector-db', 'qdrant', { app: 'qdrant' }), namespace('vector-db')];
    expect(egressReport(readCluster([...objects].reverse()))).toEqual(egressReport(readCluster(objects)));
  });

  it('agrees with query() on every probed address, port and protocol', () => {
    // Blocks inside 10.0.0.0/16, each with an optional /32 carved out of it, on random port ranges.
    const rule = fc.record({
      third: fc.integer({ min: 0, max: 3 }),
      prefix: fc.integer({ min: 24, max: 32 }),
      hole: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
      port: fc.integer({ min: 1, max: 40 }),
      span: fc.integer({ min: 0, max: 5 }),
      protocol: fc.constantFrom<Protocol>('TCP', 'UDP'),
    });
    const probe = fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 50 }), fc.constantFrom(...PROTOCOLS));
    const covers = (e: ReachEntry, ip: string): boolean => {
      if (e.to.type !== 'cidr') return false;
      return subtractRanges([cidrRange(e.to.cidr)], e.to.except.map(cidrRange)).some((r) => rangeContainsIp(r, parseIp(ip)!));
    };
    const portIn = (e: ReachEntry, port: number): boolean => !isNamedPort(e.ports) && e.ports.from <= port && port <= e.ports.to;
    fc.assert(
      fc.property(fc.array(rule, { minLength: 1, maxLength: 4 }), fc.array(probe, { minLength: 1, maxLength: 10 }), (rules, probes) => {
        const egress = rules.map((r) => {
          const size = 2 ** (32 - r.prefix);
          const except = r.hole !== undefined && r.hole < size && size > 1 ? [`10.0.${r.third}.${r.hole}/32`] : [];
          return {
            to: [{ ipBlock: { cidr: `10.0.${r.third}.0/${r.prefix}`, except } }],
            ports: [{ protocol: r.protocol, port: r.port, endPort: r.port + r.span }],
          };
        });
        const c = readCluster([
          namespace('ai'),
          deployment('ai', 'rag', { app: 'rag' }),
          networkPolicy('ai', 'p', { podSelector: {}, policyTypes: ['Egress'], egress }),
        ]);
        const w = workloadEgress(c, c.endpoint('ai/rag')!);
        for (const [third, fourth, port, protocol] of probes) {
          const ip = `10.0.${third}.${fourth}`;
          const listed = w.allowed.some((e) => e.protocol === protocol && portIn(e, port) && covers(e, ip));
          expect(listed).toBe(query(c, 'ai/rag', ip, port, protocol).allowed);
        }
      }),
      { numRuns: runs(25) },
    );
  });

  it('lists each port of a destination and protocol once: entries of one destination and protocol never overlap', () => {
    // Calico Allow and Deny rules on overlapping blocks and port ranges, so both lists fill up.
    const rule = fc.record({
      action: fc.constantFrom('Allow', 'Deny'),
      third: fc.integer({ min: 0, max: 2 }),
      prefix: fc.integer({ min: 22, max: 30 }),
      port: fc.integer({ min: 1, max: 30 }),
      span: fc.integer({ min: 0, max: 10 }),
      protocol: fc.constantFrom<Protocol>('TCP', 'UDP'),
    });
    fc.assert(
      fc.property(fc.array(rule, { minLength: 1, maxLength: 5 }), (rules) => {
        const egress = rules.map((r) => ({
          action: r.action,
          protocol: r.protocol,
          destination: { nets: [`10.0.${r.third * 4}.0/${r.prefix}`], ports: [`${r.port}:${r.port + r.span}`] },
        }));
        const c = readCluster([
          namespace('ai'),
          deployment('ai', 'rag', { app: 'rag' }),
          calico('NetworkPolicy', 'p', { selector: 'all()', types: ['Egress'], egress }, 'ai'),
        ]);
        const w = workloadEgress(c, c.endpoint('ai/rag')!);
        const entries = [...w.allowed, ...w.denied];
        expect(w.denied.length).toBe(w.denied.filter((e) => e.decidedBy.action === 'Deny').length);
        for (const [i, a] of entries.entries()) {
          if (isNamedPort(a.ports)) continue;
          expect(1 <= a.ports.from && a.ports.from <= a.ports.to && a.ports.to <= 65535).toBe(true);
          for (const b of entries.slice(i + 1)) {
            if (isNamedPort(b.ports) || a.protocol !== b.protocol || !isDeepStrictEqual(a.to, b.to)) continue;
            expect({ a: describePorts(a.ports), b: describePorts(b.ports), overlap: a.ports.from <= b.ports.to && b.ports.from <= a.ports.to }).toMatchObject({
              overlap: false,
            });
          }
        }
      }),
      { numRuns: runs(25) },
    );
  });
});

// `verify egress` lists every workload's egress, then its DNS (dns.ts) and its relays (relays.ts),
// both read from the same egress: it is computed once per workload and cluster (egressOf), not
// once per report. Each computation of a workload's egress asks the cluster once for the staged
// policies that concern it for egress (listing.ts), so those asks count the computations.
describe('the egress of each workload, computed once for the egress, DNS and relay reports', () => {
  const SHIPPED = join(__dirname, '../../test/fixtures/verify/shipped');

  it('computes each workload’s egress once for all three reports, and they answer as each report read alone', () => {
    const alone = loadCluster([SHIPPED]);
    const expected = { egress: egressReport(alone, { readers: true }), dns: dnsReport(loadCluster([SHIPPED])), relays: relayReport(loadCluster([SHIPPED])) };
    const cluster = loadCluster([SHIPPED]);
    const computed = new Map<string, number>();
    const stagedFor = cluster.stagedFor.bind(cluster);
    jest.spyOn(cluster, 'stagedFor').mockImplementation((endpoint, direction) => {
      if (direction === 'egress') computed.set(endpoint.id, (computed.get(endpoint.id) ?? 0) + 1);
      return stagedFor(endpoint, direction);
    });
    const answers = { egress: egressReport(cluster, { readers: true }), dns: dnsReport(cluster), relays: relayReport(cluster) };
    expect(answers).toEqual(expected);
    // The fixture has relays and resolvers, so the DNS and relay reports read egress of many workloads.
    expect(answers.relays.length).toBeGreaterThan(0);
    expect(cluster.endpoints.length).toBeGreaterThan(1);
    expect(Object.fromEntries(computed)).toEqual(Object.fromEntries(cluster.endpoints.map((e) => [e.id, 1])));
  });
});
