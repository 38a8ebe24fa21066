import { ask, deployment, readCluster, networkPolicy, pod } from '../../test/support/verify-builders';
import { ManifestError } from './manifests';

// What the API server accepts in a NetworkPolicy's fields (networking/validation
// ValidateNetworkPolicySpec, apimachinery ValidateLabelSelector), and so what the verifier reads:
// anything else is refused with the field's path, never read as something it is not.
const read = (spec: Record<string, unknown>) => () => readCluster([networkPolicy('ai', 'p', spec)]);
const egressPort = (port: Record<string, unknown>) => read({ policyTypes: ['Egress'], egress: [{ ports: [port] }] });
const egressPeer = (peer: Record<string, unknown>) => read({ policyTypes: ['Egress'], egress: [{ to: [peer] }] });
const podSelector = (selector: Record<string, unknown>) => read({ podSelector: selector });
const refused = (f: () => unknown, path: string) => {
  expect(f).toThrow(ManifestError);
  expect(f).toThrow(`: ${path}: `);
};

describe('a NetworkPolicy port', () => {
  it('is a number from 1 to 65535', () => {
    for (const port of [1, 65535]) expect(egressPort({ port })).not.toThrow();
    for (const port of [0, 65536, 1.5, -1, true, [80]]) refused(egressPort({ port }), 'spec.egress[0].ports[0].port');
  });

  // An IntOrString written as text is a name, validated by IsValidPortName alone, which needs a
  // letter (networking/validation ValidateNetworkPolicyPort): the API server refuses "443", so the
  // policy would not exist and its pods would not be confined by it.
  it('written as text is a name, so digits in quotes are refused, not read as the port number', () => {
    for (const port of ['443', '80']) refused(egressPort({ port }), 'spec.egress[0].ports[0].port');
  });

  it('is otherwise a port name: lower-case letters, digits and inner dashes, at most 15 characters, with a letter', () => {
    for (const port of ['http', 'h', 'grpc-web', '9p', 'http2', 'a'.repeat(15)]) expect(egressPort({ port })).not.toThrow();
    for (const port of ['HTTP', '-http', 'http-', 'a'.repeat(16), 'http_x', '8-0']) refused(egressPort({ port }), 'spec.egress[0].ports[0].port');
  });

  it('widens to endPort, which runs from the port itself to 65535', () => {
    for (const endPort of [80, 65535]) expect(egressPort({ port: 80, endPort })).not.toThrow();
    for (const endPort of [79, 65536, 90.5]) refused(egressPort({ port: 80, endPort }), 'spec.egress[0].ports[0].endPort');
  });

  it('takes endPort only after a numeric port', () => {
    refused(egressPort({ endPort: 90 }), 'spec.egress[0].ports[0].endPort');
    refused(egressPort({ port: 'http', endPort: 90 }), 'spec.egress[0].ports[0].endPort');
  });

  it('has protocol TCP, UDP or SCTP', () => {
    for (const protocol of ['TCP', 'UDP', 'SCTP']) expect(egressPort({ protocol, port: 53 })).not.toThrow();
    refused(egressPort({ protocol: 'ICMP' }), 'spec.egress[0].ports[0].protocol');
    refused(egressPort({ protocol: 'tcp' }), 'spec.egress[0].ports[0].protocol');
  });
});

describe('a NetworkPolicy peer', () => {
  it('is an ipBlock alone: not with a podSelector or a namespaceSelector', () => {
    refused(egressPeer({ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }), 'spec.egress[0].to[0]');
    refused(egressPeer({ ipBlock: { cidr: '10.0.0.0/8' }, namespaceSelector: {} }), 'spec.egress[0].to[0]');
  });

  it('has an ipBlock cidr with a mask', () => {
    expect(egressPeer({ ipBlock: { cidr: '10.0.0.0/8' } })).not.toThrow();
    refused(egressPeer({ ipBlock: { cidr: '10.0.0.1' } }), 'spec.egress[0].to[0].ipBlock.cidr');
  });

  // ValidateIPBlock: each except "must be a strict subset of `cidr`" (inside it, with a longer prefix).
  it('carves out only blocks strictly inside its cidr, of the same IP version: never the whole cidr', () => {
    const except = (...blocks: string[]) => egressPeer({ ipBlock: { cidr: '10.0.0.0/8', except: blocks } });
    expect(except('10.0.0.0/16', '10.255.0.0/16', '10.255.255.255/32')).not.toThrow();
    refused(except('10.0.0.0/8'), 'spec.egress[0].to[0].ipBlock.except[0]');
    refused(except('10.0.0.0/16', '10.1.2.3/8'), 'spec.egress[0].to[0].ipBlock.except[1]');
    refused(except('9.255.255.255/32'), 'spec.egress[0].to[0].ipBlock.except[0]');
    refused(except('10.0.0.0/16', '11.0.0.0/32'), 'spec.egress[0].to[0].ipBlock.except[1]');
    refused(except('0.0.0.0/0'), 'spec.egress[0].to[0].ipBlock.except[0]');
    refused(except('::/0'), 'spec.egress[0].to[0].ipBlock.except[0]');
  });

  it('names pods, namespaces or addresses: an empty peer is refused', () => {
    refused(egressPeer({}), 'spec.egress[0].to[0]');
  });
});

describe('a NetworkPolicy label selector', () => {
  it('matches labels by valid keys and string values', () => {
    expect(podSelector({ matchLabels: { 'app.kubernetes.io/name': 'rag', tier: '' } })).not.toThrow();
    refused(podSelector({ matchLabels: { app: 1 } }), 'spec.podSelector.matchLabels.app');
    refused(podSelector({ matchLabels: { '-app': 'rag' } }), 'spec.podSelector.matchLabels.-app');
    refused(podSelector({ matchLabels: { app: 'rag!' } }), 'spec.podSelector.matchLabels.app');
  });

  it('has matchExpressions with a valid key, a known operator and valid values', () => {
    const expression = (e: Record<string, unknown>) => podSelector({ matchExpressions: [e] });
    refused(expression({ operator: 'Exists' }), 'spec.podSelector.matchExpressions[0].key');
    refused(expression({ key: 'app/', operator: 'Exists' }), 'spec.podSelector.matchExpressions[0].key');
    refused(expression({ key: 'app', operator: 'exists' }), 'spec.podSelector.matchExpressions[0].operator');
    refused(expression({ key: 'app', operator: 'In', values: ['ok', 'not ok'] }), 'spec.podSelector.matchExpressions[0].values[1]');
    refused(expression({ key: 'app', operator: 'In', values: [1] }), 'spec.podSelector.matchExpressions[0].values[0]');
  });

  it('gives In and NotIn at least one value, and Exists and DoesNotExist none', () => {
    const expression = (operator: string, values?: string[]) => podSelector({ matchExpressions: [{ key: 'app', operator, ...(values ? { values } : {}) }] });
    for (const op of ['In', 'NotIn']) {
      expect(expression(op, ['a'])).not.toThrow();
      refused(expression(op, []), 'spec.podSelector.matchExpressions[0].values');
      refused(expression(op), 'spec.podSelector.matchExpressions[0].values');
    }
    for (const op of ['Exists', 'DoesNotExist']) {
      expect(expression(op)).not.toThrow();
      refused(expression(op, ['a']), 'spec.podSelector.matchExpressions[0].values');
    }
  });
});

describe('NetworkPolicy policyTypes', () => {
  it('are Ingress and Egress, as written', () => {
    expect(read({ policyTypes: ['Ingress', 'Egress'] })).not.toThrow();
    refused(read({ policyTypes: ['Egress', 'egress'] }), 'spec.policyTypes[1]');
  });
});

// Found by mutation testing (docs/mutation-testing.md): limits no other case above tells apart.
describe('a NetworkPolicy peer and port, at the edges', () => {
  // ValidateIPBlock tests `cidrIPNet.Contains(exceptCIDR.IP)`, and Go's IPNet.Contains is false
  // for an address of the other length: an IPv6 block is never inside an IPv4 cidr, even one whose
  // 128-bit number lies in the cidr's range (::a00:0 is 10.0.0.0 as a number).
  it('refuses an IPv6 except in an IPv4 cidr even when its numbers lie inside the cidr', () => {
    refused(egressPeer({ ipBlock: { cidr: '10.0.0.0/8', except: ['::a00:0/112'] } }), 'spec.egress[0].to[0].ipBlock.except[0]');
  });

  // A JSON null for the optional port is no port (the field is a pointer, *intstr.IntOrString):
  // the API server accepts it, and the rule then covers every port of its protocol.
  it('reads a null port as no port: every port of the protocol', () => {
    expect(egressPort({ protocol: 'UDP', port: null })).not.toThrow();
    const c = readCluster([
      pod('ai', 'rag', {}),
      networkPolicy('ai', 'p', { policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: null }] }] }),
    ]);
    expect(ask(c, 'ai/rag', '203.0.113.10', 53, 'UDP').allowed).toBe(true);
    expect(ask(c, 'ai/rag', '203.0.113.10', 65535, 'UDP').allowed).toBe(true);
    expect(ask(c, 'ai/rag', '203.0.113.10', 53, 'TCP').allowed).toBe(false);
  });
});

// ValidateIPBlock (kubernetes pkg/apis/networking/validation/validation.go) parses cidr and each
// except with netutils.ParseCIDRSloppy and refuses an except unless `cidrIPNet.Contains(exceptIP)`
// and `cidrMaskLen < exceptMaskLen`, the mask lengths as written: ::ffff:10.0.0.0/104 keeps a
// 128-bit mask of 104 ones, so no plain IPv4 except (at most 32) is ever longer than it.
describe('an ipBlock written as IPv4-mapped IPv6', () => {
  const block = (cidr: string, ...except: string[]) => egressPeer({ ipBlock: { cidr, except } });

  it('refuses a plain IPv4 except, as the API server does, naming the object and the field', () => {
    const f = block('::ffff:10.0.0.0/104', '10.0.1.0/24');
    refused(f, 'spec.egress[0].to[0].ipBlock.except[0]');
    expect(f).toThrow('(NetworkPolicy ai/p)');
    expect(f).toThrow('"10.0.1.0/24" is not a strict subset of the ipBlock\'s cidr ::ffff:10.0.0.0/104');
  });

  it('accepts an except written the same way with a longer mask, and reads it as the IPv4 block it maps', () => {
    expect(block('::ffff:10.0.0.0/104', '::ffff:10.0.1.0/120')).not.toThrow();
    expect(block('10.0.0.0/8', '::ffff:10.0.1.0/120')).not.toThrow();
    const policy = networkPolicy('ai', 'p', {
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '::ffff:10.0.0.0/104', except: ['::ffff:10.0.1.0/120'] } }] }],
    });
    const cluster = readCluster([deployment('ai', 'rag', { app: 'rag' }), policy]);
    expect(ask(cluster, 'ai/rag', '10.0.2.7', 443).allowed).toBe(true);
    expect(ask(cluster, 'ai/rag', '10.0.1.7', 443).allowed).toBe(false);
  });

  it("refuses a mapped except whose mask is not longer than the cidr's as written, or that lies outside it", () => {
    refused(block('::ffff:10.0.0.0/104', '::ffff:10.0.0.0/104'), 'spec.egress[0].to[0].ipBlock.except[0]');
    refused(block('::ffff:10.0.0.0/104', '::ffff:11.0.0.0/112'), 'spec.egress[0].to[0].ipBlock.except[0]');
    refused(block('::ffff:10.0.0.0/104', '2001:db8::/112'), 'spec.egress[0].to[0].ipBlock.except[0]');
  });

  // The other way round the written masks decide too: 8 < 104, and 10.0.0.0 is inside 10.0.0.0/8,
  // so the API server keeps an except that carves out the whole cidr, which then matches nothing.
  it('accepts a mapped except of the whole of a plain IPv4 cidr, and the block then matches no address', () => {
    const ipBlock = (except: string[]) => ({ policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except } }] }] });
    const reach = (except: string[]) =>
      ask(readCluster([deployment('ai', 'rag', { app: 'rag' }), networkPolicy('ai', 'p', ipBlock(except))]), 'ai/rag', '10.1.2.3', 443);
    expect(reach([]).allowed).toBe(true);
    expect(reach(['::ffff:10.0.0.0/104']).allowed).toBe(false);
  });
});
