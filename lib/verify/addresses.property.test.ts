import fc from 'fast-check';
import { query } from './reach';
import { calico, readCluster, deployment, namespace, networkPolicy, pod } from '../../test/support/verify-builders';
import { runs } from '../../test/support/runs';
import { Protocol } from '../k8s';

type Obj = Record<string, unknown>;

/** A random rule of a Calico policy that names pods, never addresses; `ipVersion` only when the case allows it. */
const calicoRule = (withVersion: boolean) =>
  fc.record({
    action: fc.constantFrom('Allow', 'Deny', 'Pass', 'Log'),
    protocol: fc.constantFrom<Protocol | undefined>('TCP', 'UDP', undefined),
    port: fc.integer({ min: 1, max: 6 }),
    peer: fc.constantFrom<'x' | 'r' | 'any' | 'ns-b' | undefined>('x', 'r', 'any', 'ns-b', undefined),
    ipVersion: withVersion ? fc.constantFrom<4 | 6 | undefined>(4, 6, undefined) : fc.constant<undefined>(undefined),
  });
type Rule = { action: string; protocol?: Protocol; port: number; peer?: 'x' | 'r' | 'any' | 'ns-b'; ipVersion?: 4 | 6 };

/** A policy of one tier, for the receiver's ingress or the sender's egress. */
const policy = (withVersion: boolean) =>
  fc.record({
    tier: fc.constantFrom('first', 'default'),
    direction: fc.constantFrom<'ingress' | 'egress'>('ingress', 'egress'),
    rules: fc.array(calicoRule(withVersion), { maxLength: 4 }),
    kubernetes: fc.boolean(),
  });
type Policy = { tier: string; direction: 'ingress' | 'egress'; rules: Rule[]; kubernetes: boolean };

const peerOf = (peer: Rule['peer']): Obj =>
  peer === 'x'
    ? { selector: "app == 'x'" }
    : peer === 'r'
      ? { selector: "app == 'r'", namespaceSelector: "projectcalico.org/name == 'a'" }
      : peer === 'any'
        ? { selector: 'all()', namespaceSelector: 'all()' }
        : peer === 'ns-b'
          ? { namespaceSelector: "projectcalico.org/name == 'b'" }
          : {};

type Variant = 'template' | 'v4' | 'v6' | 'dual';

/** A pod as the variant says: a template (its address unknown), or a Pod with an IPv4, an IPv6 or both addresses. */
function workload(ns: string, name: string, variant: Variant, host: number): Obj {
  if (variant === 'template') return deployment(ns, name, { app: name });
  const ips = { v4: [`10.1.0.${host}`], v6: [`fd00:1::${host}`], dual: [`10.1.0.${host}`, `fd00:1::${host}`] }[variant];
  return { ...pod(ns, name, { app: name }), status: { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } };
}

/** The receiver r in a and the sender x in b, both as the variant says, and the policies. */
function cluster(policies: readonly Policy[], variant: Variant): ReturnType<typeof readCluster> {
  const objects: Obj[] = [
    namespace('a'),
    namespace('b'),
    calico('Tier', 'first', { order: 10 }),
    workload('a', 'r', variant, 7),
    workload('b', 'x', variant, 5),
  ];
  policies.forEach((p, i) => {
    const [ns, selects] = p.direction === 'ingress' ? ['a', 'r'] : ['b', 'x'];
    if (p.kubernetes) {
      // A Kubernetes NetworkPolicy: Allow rules by pod peer and port, which never test addresses.
      const rules = p.rules.map((r) => ({
        ...(r.peer === 'x' || r.peer === 'r'
          ? { [p.direction === 'ingress' ? 'from' : 'to']: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: r.peer } } }] }
          : {}),
        ports: [{ port: r.port, protocol: r.protocol ?? 'TCP' }],
      }));
      objects.push(
        networkPolicy(ns, `k${i}`, {
          podSelector: { matchLabels: { app: selects } },
          policyTypes: [p.direction === 'ingress' ? 'Ingress' : 'Egress'],
          [p.direction]: rules,
        }),
      );
      return;
    }
    const rules = p.rules.map((r) => ({
      action: r.action,
      ...(r.protocol ? { protocol: r.protocol } : {}),
      ...(r.ipVersion ? { ipVersion: r.ipVersion } : {}),
      [p.direction === 'ingress' ? 'source' : 'destination']: peerOf(r.peer),
      ...(r.protocol ? { destination: { ...(p.direction === 'egress' ? peerOf(r.peer) : {}), ports: [r.port] } } : {}),
    }));
    const name = p.tier === 'first' ? `first.p${i}` : `p${i}`;
    objects.push(
      calico(
        'NetworkPolicy',
        name,
        { tier: p.tier, order: i, selector: `app == '${selects}'`, types: [p.direction === 'ingress' ? 'Ingress' : 'Egress'], [p.direction]: rules },
        ns,
      ),
    );
  });
  return readCluster(objects);
}

/** The case of issue 18: the receiver's ingress denies IPv6, then allows everything. */
const ISSUE_CASE: Policy = {
  tier: 'default',
  direction: 'ingress',
  kubernetes: false,
  rules: [
    { action: 'Deny', protocol: undefined, port: 1, peer: undefined, ipVersion: 6 },
    { action: 'Allow', protocol: undefined, port: 1, peer: undefined, ipVersion: undefined },
  ],
};

/** Whether x may connect to r, and r to x, on every port and protocol near the rules'. */
function answers(c: ReturnType<typeof readCluster>): boolean[] {
  const out: boolean[] = [];
  for (const protocol of ['TCP', 'UDP'] as const)
    for (let port = 1; port <= 7; port++) out.push(query(c, 'b/x', 'a/r', port, protocol).allowed, query(c, 'a/r', 'b/x', port, protocol).allowed);
  return out;
}

describe('pods of unknown and of known addresses (property-based)', () => {
  it('templates and the same pods with IPv4, IPv6 or dual-stack addresses get the same answers from policies that do not test addresses', () => {
    fc.assert(
      fc.property(fc.array(policy(false), { maxLength: 4 }), (policies) => {
        const template = answers(cluster(policies, 'template'));
        for (const variant of ['v4', 'v6', 'dual'] as const)
          expect({ variant, answers: answers(cluster(policies, variant)) }).toEqual({ variant, answers: template });
      }),
      { numRuns: runs(25) },
    );
  });

  it('with rules of one IP version, templates get what dual-stack pods get: allowed when their IPv4 or their IPv6 twins are', () => {
    fc.assert(
      fc.property(fc.array(policy(true), { maxLength: 4 }), (policies) => {
        const template = answers(cluster(policies, 'template'));
        const v4 = answers(cluster(policies, 'v4'));
        const v6 = answers(cluster(policies, 'v6'));
        expect(answers(cluster(policies, 'dual'))).toEqual(template);
        expect(template).toEqual(v4.map((a, i) => a || v6[i]));
      }),
      // The issue's case, always tried: Deny IPv6, then Allow, in the receiver's ingress.
      { numRuns: runs(25), examples: [[[ISSUE_CASE]]] },
    );
  });
});
