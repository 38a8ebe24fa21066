import { workloadEgress } from './egress';
import { workloadIngress } from './ingress';
import { matrix, query } from './reach';
import { queryText } from './text';
import { ask, brief, calico, readCluster, deployment, namespace, pod } from '../../test/support/verify-builders';

type Obj = Record<string, unknown>;

/** Receiver r (a template: its address unknown) in a, sender s in b, and known pods whose addresses the manifests say. */
const PODS: Obj[] = [
  namespace('a'),
  namespace('b'),
  deployment('a', 'r', { app: 'r' }),
  deployment('b', 's', { app: 's' }),
  pod('b', 'v4', { app: 's' }, { ip: '10.1.0.5' }),
  pod('b', 'out', { app: 's' }, { ip: '192.168.0.5' }),
];

/** Ingress rules of r's policy in tier default. */
const receiving = (...ingress: Obj[]) => readCluster([...PODS, calico('NetworkPolicy', 'r-in', { selector: "app == 'r'", types: ['Ingress'], ingress }, 'a')]);

describe('a packet has one IP version: pods whose addresses are unknown are asked in each', () => {
  const c = receiving({ action: 'Deny', ipVersion: 6 }, { action: 'Allow' });

  it('Deny ipVersion 6, then Allow: a pod of unknown address admits pods over IPv4, and the answer says the other version is denied', () => {
    const answer = ask(c, 'b/s', 'a/r', 80);
    expect(answer).toMatchObject({ allowed: true, ipVersion: 4, ingress: { allowed: true, rule: 1 } });
    expect(answer.otherIpVersion).toMatchObject({ ipVersion: 6, allowed: false, ingress: { allowed: false, rule: 0, action: 'Deny' } });
    expect(queryText(query(c, 'b/s', 'a/r', 80))).toMatch(
      /^ALLOWED {2}b\/s -> a\/r {2}TCP 80 {2}\(over IPv4, an address being unknown: IPv6 is decided otherwise, below\)\n[^]*\n {2}over IPv6: DENIED\n/,
    );
  });

  it("an address outside the cluster sets the version: IPv4 is admitted and IPv6 denied, whatever the receiver's address", () => {
    expect([ask(c, '198.51.100.7', 'a/r', 80).allowed, ask(c, '2001:db8::7', 'a/r', 80).allowed]).toEqual([true, false]);
  });

  it('a pod whose address is known is asked in its version only', () => {
    expect(ask(c, 'b/v4', 'a/r', 80)).toMatchObject({ allowed: true });
    expect(ask(c, 'b/v4', 'a/r', 80).otherIpVersion).toBeUndefined();
    const v6 = readCluster([
      ...PODS,
      pod('b', 'v6', { app: 's' }, { ip: 'fd00:1::5' }),
      calico('NetworkPolicy', 'r-in', { selector: "app == 'r'", types: ['Ingress'], ingress: [{ action: 'Deny', ipVersion: 6 }, { action: 'Allow' }] }, 'a'),
    ]);
    expect(ask(v6, 'b/v6', 'a/r', 80).allowed).toBe(false);
  });

  it('the ingress listing admits any other pod, over IPv4 only, and every IPv4 address', () => {
    const listed = workloadIngress(c, c.endpoint('a/r')!);
    expect(brief(listed.allowed)).toEqual(expect.arrayContaining(['0.0.0.0/0 TCP 1-65535', '*{} TCP 1-65535']));
    expect(listed.allowed.filter((e) => e.from.type === 'pods').every((e) => e.ipVersion === 4)).toBe(true);
    expect(brief(listed.allowed)).not.toContain('::/0 TCP 1-65535');
  });

  it('the matrix says the pair may connect', () => {
    expect(matrix(c, 80).find((cell) => cell.from === 'b/s' && cell.to === 'a/r')?.allowed).toBe(true);
  });
});

describe('a Deny that tests addresses an unknown address may or may not be in does not hide an Allow behind it', () => {
  const c = receiving({ action: 'Deny', source: { notNets: ['10.0.0.0/8'] } }, { action: 'Allow' });

  it('Deny notNets 10.0.0.0/8, then Allow: a pod of unknown address is admitted over IPv4, and the answer names the Deny not applied', () => {
    const answer = ask(c, 'b/s', 'a/r', 80);
    expect(answer).toMatchObject({ allowed: true, ipVersion: 4, ingress: { rule: 1 } });
    expect(answer.ingress.uncertain).toEqual([{ tier: 'default', kind: 'NetworkPolicy', policy: 'a/r-in', rule: 0, action: 'Deny' }]);
    expect(queryText(query(c, 'b/s', 'a/r', 80))).toContain(
      "not applied, an address being unknown (a pod template's): rule 0 (Deny) of NetworkPolicy a/r-in (tier default) tests addresses it may not be in; the weakest answer is given",
    );
  });

  it('decides known addresses exactly: inside the block admitted, outside denied', () => {
    expect([ask(c, 'b/v4', 'a/r', 80).allowed, ask(c, 'b/out', 'a/r', 80).allowed]).toEqual([true, false]);
  });

  it('a block that holds every address of the version, or none of it, is sure either way', () => {
    // One IP version per rule: Calico refuses a rule whose blocks mix them (calico-fields.test.ts).
    const everything = receiving(
      { action: 'Deny', ipVersion: 4, source: { notNets: ['0.0.0.0/0'] } },
      { action: 'Deny', ipVersion: 6, source: { notNets: ['::/0'] } },
      { action: 'Allow' },
    );
    expect(ask(everything, 'b/s', 'a/r', 80)).toMatchObject({ allowed: true });
    expect(ask(everything, 'b/s', 'a/r', 80).ingress.uncertain).toBeUndefined();
    const all4 = receiving({ action: 'Deny', source: { nets: ['0.0.0.0/0'] } }, { action: 'Allow' });
    expect(ask(all4, 'b/s', 'a/r', 80)).toMatchObject({ allowed: true, ipVersion: 6, otherIpVersion: { ipVersion: 4, allowed: false } });
  });

  it('a Pass that might match is followed both ways: the next tier that allows decides', () => {
    const objects = [
      ...PODS,
      calico('Tier', 'first', { order: 10 }),
      calico(
        'NetworkPolicy',
        'first.r-in',
        { tier: 'first', selector: "app == 'r'", types: ['Ingress'], ingress: [{ action: 'Pass', source: { nets: ['10.0.0.0/8'] } }, { action: 'Deny' }] },
        'a',
      ),
      calico('NetworkPolicy', 'r-in', { selector: "app == 'r'", types: ['Ingress'], ingress: [{ action: 'Allow' }] }, 'a'),
    ];
    const c2 = readCluster(objects);
    const answer = ask(c2, 'b/s', 'a/r', 80);
    expect(answer).toMatchObject({ allowed: true, ingress: { tier: 'default', rule: 0 } });
    expect(answer.ingress.uncertain).toEqual([{ tier: 'first', kind: 'NetworkPolicy', policy: 'a/first.r-in', rule: 0, action: 'Pass' }]);
    expect([ask(c2, 'b/v4', 'a/r', 80).allowed, ask(c2, 'b/out', 'a/r', 80).allowed]).toEqual([true, false]);
  });

  it('an Allow by address still reads an unknown address as outside its blocks: the blocks themselves are listed as reachable', () => {
    const byBlock = receiving({ action: 'Allow', source: { nets: ['10.0.0.0/8'] } });
    expect(ask(byBlock, 'b/s', 'a/r', 80).allowed).toBe(false);
    expect(brief(workloadIngress(byBlock, byBlock.endpoint('a/r')!).allowed)).toContain('10.0.0.0/8 TCP 1-65535');
  });

  it('the egress listing of a pod of unknown address applies no such Deny to its own address: what follows it is listed', () => {
    const c3 = readCluster([
      ...PODS,
      calico(
        'NetworkPolicy',
        's-out',
        {
          selector: "app == 's'",
          types: ['Egress'],
          egress: [
            { action: 'Deny', source: { notNets: ['10.0.0.0/8'] } },
            { action: 'Allow', protocol: 'TCP', destination: { ports: [443] } },
          ],
        },
        'b',
      ),
    ]);
    expect(brief(workloadEgress(c3, c3.endpoint('b/s')!).allowed)).toEqual(['0.0.0.0/0 TCP 443', '*{} TCP 443']);
    expect(brief(workloadEgress(c3, c3.endpoint('b/out')!).allowed)).toEqual([]);
  });
});
