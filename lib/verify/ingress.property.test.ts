import fc from 'fast-check';
import { formatIp, IpAddress, rangeContainsIp, cidrRange, subtractRanges } from '../net';
import { workloadIngress } from './ingress';
import { isNamedPort } from './ports';
import { query } from './reach';
import { readCluster, deployment, namespace, networkPolicy, calico, pod } from '../../test/support/verify-builders';
import { Destination } from './workload';
import { runs } from '../../test/support/runs';
import { Protocol } from '../k8s';

/** Ingress rules of random policies on one receiver: blocks inside 10.0.0.0/22, or pods by label and namespace, on nearby ports. */
const rule = fc.record({
  kind: fc.constantFrom<'block' | 'pods' | 'any'>('block', 'block', 'pods', 'any'),
  third: fc.integer({ min: 0, max: 3 }),
  prefix: fc.integer({ min: 23, max: 32 }),
  app: fc.constantFrom('x', 'y'),
  ns: fc.constantFrom('a', 'b'),
  port: fc.integer({ min: 1, max: 12 }),
  span: fc.integer({ min: 0, max: 4 }),
  protocol: fc.constantFrom<Protocol>('TCP', 'UDP'),
  calicoDeny: fc.boolean(),
});
type Rule = typeof rule extends fc.Arbitrary<infer R> ? R : never;

/** The receiver r in namespace a, pods x and y in a and b (one with a pod IP), and the policies. */
function cluster(rules: readonly Rule[], calicoFlavor: boolean) {
  const objects = [
    namespace('a'),
    namespace('b'),
    deployment('a', 'r', { app: 'r' }),
    pod('a', 'x', { app: 'x' }, { ip: '10.0.1.9' }),
    deployment('b', 'y', { app: 'y' }),
  ];
  if (calicoFlavor) {
    const ingress = rules.map((r) => {
      const source =
        r.kind === 'block'
          ? { nets: [`10.0.${r.third}.0/${r.prefix}`] }
          : r.kind === 'pods'
            ? { selector: `app == '${r.app}'`, namespaceSelector: `projectcalico.org/name == '${r.ns}'` }
            : {};
      return { action: r.calicoDeny ? 'Deny' : 'Allow', protocol: r.protocol, source, destination: { ports: [`${r.port}:${r.port + r.span}`] } };
    });
    objects.push(calico('NetworkPolicy', 'r-in', { selector: "app == 'r'", types: ['Ingress'], ingress }, 'a'));
  } else {
    const ingress = rules.map((r) => {
      const ports = [{ protocol: r.protocol, port: r.port, endPort: r.port + r.span }];
      if (r.kind === 'block') return { from: [{ ipBlock: { cidr: `10.0.${r.third}.0/${r.prefix}` } }], ports };
      if (r.kind === 'pods')
        return { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': r.ns } }, podSelector: { matchLabels: { app: r.app } } }], ports };
      return { ports };
    });
    objects.push(networkPolicy('a', 'r-in', { podSelector: { matchLabels: { app: 'r' } }, policyTypes: ['Ingress'], ingress }));
  }
  return readCluster(objects);
}

const blockHas = (d: Destination, ip: IpAddress) =>
  d.type === 'cidr' && subtractRanges([cidrRange(d.cidr)], d.except.map(cidrRange)).some((r) => rangeContainsIp(r, ip));

describe('ingress report (property-based)', () => {
  it('agrees with query on every sender it can name: addresses at and next to every boundary, known pods, on every port near the rules', () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 4 }), fc.boolean(), (rules, calicoFlavor) => {
        const c = cluster(rules, calicoFlavor);
        const report = workloadIngress(c, c.endpoint('a/r')!);
        const allowedBy = (at: (d: Destination) => boolean, protocol: Protocol, port: number) =>
          report.allowed.some((e) => e.protocol === protocol && !isNamedPort(e.ports) && e.ports.from <= port && port <= e.ports.to && at(e.from));
        const addresses = new Set<bigint>([0x0a000000n - 1n, 0x0a000400n]);
        for (const r of rules) {
          if (r.kind !== 'block') continue;
          const range = cidrRange({ version: 4, network: (10n << 24n) + (BigInt(r.third) << 8n), prefix: r.prefix });
          for (const a of [range.first - 1n, range.first, range.last, range.last + 1n]) addresses.add(a);
        }
        for (const protocol of ['TCP', 'UDP'] as const) {
          for (let port = 1; port <= 17; port++) {
            for (const value of addresses) {
              const ip: IpAddress = { version: 4, value };
              if (c.catalog.endpointWithIp(ip)) continue;
              const asked = query(c, formatIp(ip), 'a/r', port, protocol).ingress.allowed;
              expect({ from: formatIp(ip), protocol, port, listed: allowedBy((d) => blockHas(d, ip), protocol, port) }).toEqual({
                from: formatIp(ip),
                protocol,
                port,
                listed: asked,
              });
            }
            for (const from of ['a/x', 'b/y']) {
              // A known pod is listed by name when some rule can tell it apart, else it is one of "any other pod".
              const named = [...report.allowed, ...report.denied].some((e) => e.from.type === 'pods' && e.from.endpoint?.id === from);
              const listed = named
                ? allowedBy((d) => d.type === 'pods' && d.endpoint?.id === from, protocol, port)
                : allowedBy(
                    (d) => d.type === 'pods' && !d.endpoint && d.namespace === '*' && !d.namespaceLabels && Object.keys(d.labels).length === 0,
                    protocol,
                    port,
                  );
              expect({ from, protocol, port, listed }).toEqual({ from, protocol, port, listed: query(c, from, 'a/r', port, protocol).ingress.allowed });
            }
          }
        }
      }),
      { numRuns: runs(20) },
    );
  });
});
