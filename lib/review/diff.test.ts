import fc from 'fast-check';
import { cidrRange, IpAddress, rangeContainsIp, subtractRanges } from '../net';
import { decisionKey, Destination, isNamedPort, Ports, ReachEntry, workloadEgress } from '../verify';
import { readCluster, deployment, namespace, networkPolicy } from '../../test/support/verify-builders';
import { diffWorkload, FlowChange } from './diff';
import { runs } from '../../test/support/runs';
import { Protocol } from '../k8s';

/** Egress rules of one Kubernetes NetworkPolicy: blocks inside 10.0.0.0/22 (maybe with a hole), or pods by label, on nearby port ranges. */
const rule = fc.record({
  pods: fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fc.constantFrom('x', 'y'), weight: 1 }),
  third: fc.integer({ min: 0, max: 3 }),
  prefix: fc.integer({ min: 23, max: 32 }),
  hole: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
  port: fc.integer({ min: 1, max: 12 }),
  span: fc.integer({ min: 0, max: 4 }),
  protocol: fc.constantFrom<Protocol>('TCP', 'UDP'),
});
type Rule = typeof rule extends fc.Arbitrary<infer R> ? R : never;

function allowedEgress(rules: readonly Rule[]): ReachEntry[] {
  const egress = rules.map((r) => {
    const ports = [{ protocol: r.protocol, port: r.port, endPort: r.port + r.span }];
    if (r.pods) return { to: [{ podSelector: { matchLabels: { app: r.pods } } }], ports };
    const size = 2 ** (32 - r.prefix);
    const except = r.hole !== undefined && r.hole < size && size > 1 ? [`10.0.${r.third}.${r.hole}/32`] : [];
    return { to: [{ ipBlock: { cidr: `10.0.${r.third}.0/${r.prefix}`, except } }], ports };
  });
  const c = readCluster([
    namespace('ai'),
    deployment('ai', 'rag', { app: 'rag' }),
    networkPolicy('ai', 'p', { podSelector: {}, policyTypes: ['Egress'], egress }),
  ]);
  return [...workloadEgress(c, c.endpoint('ai/rag')!).allowed];
}

const sides = fc
  .tuple(fc.array(rule, { minLength: 0, maxLength: 4 }), fc.array(rule, { minLength: 0, maxLength: 4 }))
  .map(([b, h]) => [allowedEgress(b), allowedEgress(h)] as const);

const portIn = (p: Ports, port: number) => !isNamedPort(p) && p.from <= port && port <= p.to;
const blockHas = (d: Destination, ip: IpAddress) =>
  d.type === 'cidr' && subtractRanges([cidrRange(d.cidr)], d.except.map(cidrRange)).some((r) => rangeContainsIp(r, ip));
const samePods = (a: Destination, b: Destination) => a.type === 'pods' && b.type === 'pods' && JSON.stringify(a) === JSON.stringify(b);

/** The decision that lets one side reach a probe, if any: entries never overlap, so there is at most one. */
function reachedBy(entries: readonly ReachEntry[], at: (to: Destination) => boolean, protocol: Protocol, port: number): string | undefined {
  const found = entries.filter((e) => e.protocol === protocol && portIn(e.ports, port) && at(e.to));
  expect(found.length).toBeLessThanOrEqual(1);
  return found[0] && decisionKey(found[0].decidedBy);
}

/** What the diff should say about a probe, from the decisions of the two sides: the change, and what decided before and after. */
function expected(before: string | undefined, after: string | undefined): string | undefined {
  if (before === after) return undefined;
  const change = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed';
  return [change, before, after].join(' ');
}

const said = (c: FlowChange) => [c.change, c.before && decisionKey(c.before), c.after && decisionKey(c.after)].join(' ');

const mirror = (c: FlowChange): FlowChange => ({
  ...c,
  change: c.change === 'added' ? 'removed' : c.change === 'removed' ? 'added' : 'changed',
  before: c.after,
  after: c.before,
});
const canonical = (changes: readonly FlowChange[]) =>
  changes
    .map((c) => ({
      change: c.change,
      peers: c.peers,
      protocol: c.protocol,
      ports: c.ports,
      before: c.before && decisionKey(c.before),
      after: c.after && decisionKey(c.after),
    }))
    .map((c) => JSON.stringify(c, (_, v) => (typeof v === 'bigint' ? String(v) : v)))
    .sort();

describe('egress diff of one workload (property-based)', () => {
  it('finds nothing between a workload and itself', () => {
    fc.assert(
      fc.property(sides, ([base]) => expect(diffWorkload(base, base)).toEqual([])),
      { numRuns: runs(15) },
    );
  });

  it('is its own mirror: from head to base, added and removed swap and a changed rule reads the other way', () => {
    fc.assert(
      fc.property(sides, ([base, head]) => expect(canonical(diffWorkload(head, base))).toEqual(canonical(diffWorkload(base, head).map(mirror)))),
      { numRuns: runs(15) },
    );
  });

  it('is exact: every address or class of pods, port and protocol lies in a change exactly when the two sides answer it differently, in the right kind of change, naming the rules that decide on each side', () => {
    fc.assert(
      fc.property(sides, ([base, head]) => {
        const changes = diffWorkload(base, head);
        const check = (at: (to: Destination) => boolean, protocol: Protocol, port: number, what: string) => {
          const inChanges = changes.filter((c) => c.protocol === protocol && portIn(c.ports, port) && c.peers.some(at)).map(said);
          const want = expected(reachedBy(base, at, protocol, port), reachedBy(head, at, protocol, port));
          expect({ what, protocol, port, changes: inChanges }).toEqual({ what, protocol, port, changes: want ? [want] : [] });
        };
        // Probe at and next to every boundary either side has, so that every piece of the comparison is probed.
        const entries = [...base, ...head];
        const ports = new Set(
          entries.flatMap((e) => (isNamedPort(e.ports) ? [] : [e.ports.from - 1, e.ports.from, e.ports.to, e.ports.to + 1])).filter((p) => p >= 1),
        );
        const addresses = new Set<bigint>();
        for (const e of entries) {
          if (e.to.type !== 'cidr') continue;
          for (const r of [e.to.cidr, ...e.to.except].map(cidrRange)) for (const a of [r.first - 1n, r.first, r.last, r.last + 1n]) addresses.add(a);
        }
        for (const protocol of ['TCP', 'UDP'] as const) {
          for (const port of ports) {
            for (const value of addresses) {
              const ip: IpAddress = { version: 4, value };
              check((to) => blockHas(to, ip), protocol, port, `address ${value}`);
            }
            for (const p of entries.map((e) => e.to).filter((to) => to.type === 'pods')) check((to) => samePods(to, p), protocol, port, JSON.stringify(p));
          }
        }
      }),
      { numRuns: runs(15) },
    );
  });
});
