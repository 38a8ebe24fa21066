import { egressReport } from './egress';
import { ingressReport } from './ingress';
import { egressJson, ingressJson } from './json';
import { egressText, ingressText } from './text';
import { EGRESS_NOTE, EGRESS_TEXT_NOTE, INGRESS_NOTE, INGRESS_TEXT_NOTE } from './words';
import { calico, readCluster, deployment, namespace, networkPolicy } from '../../test/support/verify-builders';
import { DESCRIPTION_ANNOTATION } from '../conventions';

/** A Deny rule of `nets`, described as this project describes a rule. */
const deny = (nets: string[], description: string, ports?: number[], protocol?: string) => ({
  action: 'Deny',
  ...(protocol ? { protocol } : {}),
  destination: { nets, ...(ports ? { ports } : {}) },
  metadata: { annotations: { [DESCRIPTION_ANNOTATION]: description } },
});

/** The explicit denies of ai/rag in `verify egress` text. */
const denyLinesOf = (policies: Record<string, unknown>[]): string[] =>
  egressText(egressReport(readCluster([namespace('ai'), deployment('ai', 'rag', { app: 'rag' }), ...policies])))
    .split('\n')
    .filter((l) => l.startsWith('  DENY ') && !l.startsWith('  DENY  everything else'));

describe('the egress listing in text', () => {
  it('writes the blocks that rules of one policy deny alike on one line with the rules, leaving out descriptions that differ', () => {
    const guard = calico('GlobalNetworkPolicy', 'guard', {
      selector: 'all()',
      types: ['Egress'],
      egress: [deny(['192.0.2.1/32'], 'first', [443], 'TCP'), deny(['198.51.100.7/32'], 'second', [443], 'TCP'), { action: 'Allow' }],
    });
    expect(denyLinesOf([guard])).toEqual([
      `  DENY  TCP  443         ${'cidr 2 blocks: 192.0.2.1/32, 198.51.100.7/32'.padEnd(48)} rules 0, 1 of GlobalNetworkPolicy guard (tier default)`,
    ]);
  });

  it('keeps what the rules are for when they all say the same, and says "cloud metadata" only when every block is one', () => {
    const guard = calico('GlobalNetworkPolicy', 'guard', {
      selector: 'all()',
      types: ['Egress'],
      egress: [deny(['169.254.169.254/32'], 'metadata'), deny(['fd00:ec2::254/128'], 'metadata'), { action: 'Allow' }],
    });
    expect(denyLinesOf([guard])).toEqual([
      '  DENY  TCP/UDP/SCTP 1-65535     cidr 2 blocks (cloud metadata): 169.254.169.254/32, fd00:ec2::254/128 rules 0, 1 of GlobalNetworkPolicy guard (tier default): metadata',
    ]);
  });

  it('keeps apart what differs in ports, protocols or policy, and a block with exceptions, each with its own rule and description', () => {
    const one = calico('GlobalNetworkPolicy', 'one', {
      order: 1,
      selector: 'all()',
      types: ['Egress'],
      egress: [deny(['192.0.2.1/32'], 'web', [443], 'TCP'), deny(['192.0.2.2/32'], 'dns', [53], 'UDP')],
    });
    const two = calico('GlobalNetworkPolicy', 'two', {
      order: 2,
      selector: 'all()',
      types: ['Egress'],
      egress: [
        deny(['192.0.2.3/32'], 'other policy', [443], 'TCP'),
        { ...deny(['10.0.0.0/8'], 'private but one'), destination: { nets: ['10.0.0.0/8'], notNets: ['10.1.0.0/16'] } },
        { action: 'Allow' },
      ],
    });
    expect(denyLinesOf([one, two])).toEqual([
      `  DENY  TCP/UDP/SCTP 1-65535     ${'cidr 10.0.0.0/8 except 10.1.0.0/16'.padEnd(48)} rule 1 of GlobalNetworkPolicy two (tier default): private but one`,
      `  DENY  TCP  443         ${'cidr 192.0.2.1/32'.padEnd(48)} rule 0 of GlobalNetworkPolicy one (tier default): web`,
      `  DENY  UDP  53          ${'cidr 192.0.2.2/32'.padEnd(48)} rule 1 of GlobalNetworkPolicy one (tier default): dns`,
      `  DENY  TCP  443         ${'cidr 192.0.2.3/32'.padEnd(48)} rule 0 of GlobalNetworkPolicy two (tier default): other policy`,
    ]);
  });
});

describe('what the listings say about themselves', () => {
  const objects = [
    namespace('ai'),
    deployment('ai', 'rag', { app: 'rag' }),
    calico('GlobalNetworkPolicy', 'guard', {
      selector: 'all()',
      types: ['Egress', 'Ingress'],
      egress: [deny(['169.254.169.254/32'], 'metadata'), deny(['fd00:ec2::254/128'], 'metadata'), { action: 'Allow' }],
      ingress: [{ action: 'Deny', source: { nets: ['192.0.2.1/32'] } }, { action: 'Deny', source: { nets: ['192.0.2.2/32'] } }, { action: 'Allow' }],
    }),
  ];
  const cluster = readCluster(objects);

  it("says at the terminal that the denies are merged, as the listing shows them: two metadata blocks on three protocols, one DENY line; --json's one entry each", () => {
    const text = egressText(egressReport(cluster));
    expect(text.split('\n')[0]).toBe(`Note: ${EGRESS_TEXT_NOTE}`);
    expect(EGRESS_TEXT_NOTE).toContain('The explicit denies are merged');
    expect(EGRESS_TEXT_NOTE).toContain('--json lists one entry per destination, protocol, contiguous port range and deciding rule');
    expect(EGRESS_TEXT_NOTE).not.toMatch(/^[^-]*One entry per/);
    expect(text.split('\n').filter((l) => l.startsWith('  DENY ') && !l.startsWith('  DENY  everything else'))).toEqual([
      '  DENY  TCP/UDP/SCTP 1-65535     cidr 2 blocks (cloud metadata): 169.254.169.254/32, fd00:ec2::254/128 rules 0, 1 of GlobalNetworkPolicy guard (tier default): metadata',
    ]);
    const json = egressJson(egressReport(cluster));
    expect(json.note).toBe(EGRESS_NOTE);
    expect(EGRESS_NOTE).toContain('One entry per destination, protocol, contiguous port range and deciding rule');
    expect(json.workloads[0].denied.filter((e) => !e.catchAll)).toHaveLength(2 * 3);
  });

  it('says the same of the ingress listing, per source', () => {
    const text = ingressText(ingressReport(cluster));
    expect(text.split('\n')[0]).toBe(`Note: ${INGRESS_TEXT_NOTE}`);
    expect(INGRESS_TEXT_NOTE).toContain('one DENY line per source, ports and deciding rule');
    expect(text.split('\n').filter((l) => l.startsWith('  DENY ') && !l.startsWith('  DENY  everything else'))).toHaveLength(1);
    expect(ingressJson(ingressReport(cluster)).workloads[0].denied.filter((e) => !e.catchAll)).toHaveLength(2 * 3);
    expect(ingressJson(ingressReport(cluster)).note).toBe(INGRESS_NOTE);
  });
});

// "DENY everything else: no rule allows it" stands for the packets no rule decides, which the end
// of a tier denies (Calico: a tier whose policies match no rule applies its default action; a
// Kubernetes NetworkPolicy isolates the pods it selects). When the rules decide every packet, no
// such line is true.
describe('the line for what no rule allows', () => {
  const listingOf = (...policies: Record<string, unknown>[]) => {
    const cluster = readCluster([namespace('ai'), deployment('ai', 'rag', { app: 'rag' }, { ports: [{ containerPort: 8080 }] }), ...policies]);
    return { egress: egressText(egressReport(cluster)), ingress: ingressText(ingressReport(cluster)) };
  };
  const everythingElse = (text: string) => text.split('\n').filter((l) => l.startsWith('  DENY  everything else') || l.startsWith('  nothing else'));

  it('is left out when the rules decide every packet (an allow-all rule), in both directions: the listing says nothing else is left', () => {
    const { egress, ingress } = listingOf(networkPolicy('ai', 'open', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] }));
    expect(everythingElse(egress)).toEqual(['  nothing else: the rules above decide every destination, protocol and port']);
    expect(everythingElse(ingress)).toEqual(['  nothing else: the rules above decide every source, protocol and port']);
    const calicoAllowAll = calico('GlobalNetworkPolicy', 'open', { selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow' }] });
    expect(everythingElse(listingOf(calicoAllowAll).egress)).toEqual(['  nothing else: the rules above decide every destination, protocol and port']);
  });

  it('is written when some packet matches no rule: one port allowed, the rest left to the end of the tier', () => {
    const { egress } = listingOf(networkPolicy('ai', 'one', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 443 }] }] }));
    expect(everythingElse(egress)).toEqual(['  DENY  everything else: no rule allows it']);
  });

  // Pods of unknown address are asked in IPv4 and IPv6, and an entry holds when either version
  // allows ("IPv4 only"): the other version's packets are still left to the end of the tier.
  it('is written when the pods of one IP version are allowed and the other version matches no rule, though every address is decided', () => {
    const split = calico('GlobalNetworkPolicy', 'split', {
      selector: 'all()',
      types: ['Egress'],
      egress: [
        { action: 'Allow', ipVersion: 4 },
        { action: 'Allow', destination: { nets: ['::/0'], notSelector: 'all()' } },
      ],
    });
    const { egress } = listingOf(split);
    expect(egress).toContain('(IPv4 only)');
    expect(everythingElse(egress)).toEqual(['  DENY  everything else: no rule allows it']);
  });

  // Both versions denied, but not alike: IPv4 by a rule, IPv6 by the end of the tier. The IPv4
  // verdict is the one listed, and the IPv6 packets are still left to the end of the tier.
  it('is written when the pods of one IP version are denied by a rule and the other version matches no rule, though every address is decided', () => {
    const split = calico('GlobalNetworkPolicy', 'split', {
      selector: 'all()',
      types: ['Egress'],
      egress: [
        { action: 'Deny', ipVersion: 4 },
        { action: 'Deny', destination: { nets: ['::/0'], notSelector: 'all()' } },
      ],
    });
    expect(everythingElse(listingOf(split).egress)).toEqual(['  DENY  everything else: no rule allows it']);
  });

  it('names the catch-all Deny that decides the rest, as before, when there is one', () => {
    const closing = calico('GlobalNetworkPolicy', 'close', {
      selector: 'all()',
      types: ['Egress'],
      egress: [{ action: 'Allow', protocol: 'TCP' }, { action: 'Deny' }],
    });
    expect(everythingElse(listingOf(closing).egress)).toEqual(['  DENY  everything else: rule 1 of GlobalNetworkPolicy close (tier default)']);
  });
});
