import { calico, readCluster, namespace } from '../../test/support/verify-builders';
import { ManifestError } from './manifests';
import { DEFAULT_TIER } from './policy';

// What Calico's validator accepts in the fields of a Tier, a network set and a policy's rules
// (libcalico-go lib/validator/v3/validator.go; the resources' reference pages,
// https://docs.tigera.io/calico/latest/reference/resources/), and so what the verifier reads:
// anything else is refused with the field's path, never read as something it is not.
const refused = (f: () => unknown, path: string) => {
  expect(f).toThrow(ManifestError);
  expect(f).toThrow(`: ${path}: `);
};
const read = (objects: Record<string, unknown>[]) => () => readCluster([namespace('ai'), ...objects]);
const egressRule = (rule: Record<string, unknown>) => read([calico('NetworkPolicy', 'p', { types: ['Egress'], egress: [rule] }, 'ai')]);
const ruleOf = (rule: Record<string, unknown>) => egressRule(rule)().policies[0].rules.egress[0];

describe('a Calico Tier', () => {
  // https://docs.tigera.io/calico/latest/reference/resources/tier: defaultAction is Deny (the default) or Pass.
  it('has the default action Deny unless it says Pass, and no other', () => {
    const tierOf = (spec: Record<string, unknown>) => read([calico('Tier', 't', spec)])().tiers.get('t');
    expect(tierOf({ order: 5 })).toEqual({ name: 't', order: 5, defaultAction: 'Deny' });
    expect(tierOf({ order: 5, defaultAction: 'Pass' })?.defaultAction).toBe('Pass');
    expect(tierOf({ order: 5, defaultAction: 'Deny' })?.defaultAction).toBe('Deny');
    for (const defaultAction of ['Allow', 'Log', 'pass', '']) refused(read([calico('Tier', 't', { order: 5, defaultAction })]), 'spec.defaultAction');
  });

  it("without an order sits at the default tier's order", () => {
    expect(read([calico('Tier', 't', {})])().tiers.get('t')?.order).toBe(DEFAULT_TIER.order);
  });
});

describe('a Calico network set', () => {
  // https://docs.tigera.io/calico/latest/reference/resources/globalnetworkset: nets are CIDRs; Calico takes a bare address as its /32 or /128.
  it('holds the addresses of its nets, a bare address as itself', () => {
    const c = read([calico('GlobalNetworkSet', 's', { nets: ['203.0.113.7', '2001:db8::/126'] })])();
    expect(c.catalog.networkSets[0].nets.map((r) => `${r.version} ${r.first}-${r.last}`)).toEqual([
      `4 ${0xcb007107n}-${0xcb007107n}`,
      `6 ${0x20010db8n << 96n}-${(0x20010db8n << 96n) + 3n}`,
    ]);
  });

  it('without nets holds no address', () => {
    expect(read([calico('GlobalNetworkSet', 's', {})])().catalog.networkSets[0].nets).toEqual([]);
  });

  it('has nets that are CIDRs or addresses, each refused by its index', () => {
    refused(read([calico('GlobalNetworkSet', 's', { nets: ['10.0.0.0/8', 'registry.example.com'] })]), 'spec.nets[1]');
    refused(read([calico('GlobalNetworkSet', 's', { nets: ['10.0.0.0/33'] })]), 'spec.nets[0]');
    refused(read([calico('GlobalNetworkSet', 's', { nets: [10] })]), 'spec.nets[0]');
  });

  // libcalico-go validateNetworkSet and validateGlobalNetworkSet refuse the label: Calico sets it itself on namespaced sets.
  it('may not carry the label projectcalico.org/namespace, namespaced or not', () => {
    const label = { 'projectcalico.org/namespace': 'ai' };
    refused(read([calico('GlobalNetworkSet', 's', { nets: ['10.0.0.0/8'] }, undefined, label)]), 'metadata.labels["projectcalico.org/namespace"]');
    refused(read([calico('NetworkSet', 's', { nets: ['10.0.0.0/8'] }, 'ai', label)]), 'metadata.labels["projectcalico.org/namespace"]');
    expect(read([calico('NetworkSet', 's', { nets: ['10.0.0.0/8'] }, 'ai', { role: 'x' })])).not.toThrow();
  });
});

describe('a Calico rule', () => {
  // https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#rule: action is Allow, Deny, Log or Pass.
  it('is an object whose action is Allow, Deny, Log or Pass', () => {
    for (const action of ['Allow', 'Deny', 'Log', 'Pass']) expect(ruleOf({ action }).action).toBe(action);
    for (const action of ['allow', 'Drop', undefined]) refused(egressRule({ action }), 'spec.egress[0].action');
    refused(read([calico('NetworkPolicy', 'p', { types: ['Egress'], egress: ['Allow'] }, 'ai')]), 'spec.egress[0]');
  });

  it('has a protocol (and notProtocol) by name, in any case, or by number from 1 to 255', () => {
    for (const protocol of ['TCP', 'udp', 'ICMPv6', 'UDPLite', 1, 255, '17']) expect(egressRule({ action: 'Allow', protocol })).not.toThrow();
    for (const protocol of [0, 256, 'HTTP', '', 6.5]) refused(egressRule({ action: 'Allow', protocol }), 'spec.egress[0].protocol');
    for (const notProtocol of [0, 'tcpx']) refused(egressRule({ action: 'Allow', notProtocol }), 'spec.egress[0].notProtocol');
  });

  // libcalico-go lib/validator/v3/validator.go, validateRule: "rule contains both IPv4 and IPv6
  // CIDRs" (nets and notNets of both sides together), "rule IP version doesn't match CIDR version".
  // Calico refuses such a policy: the cluster would not have it, whatever the verifier read in it.
  it('names blocks of one IP version only, across nets and notNets of both sides, and of its ipVersion if set', () => {
    for (const rule of [
      { action: 'Deny', destination: { nets: ['169.254.169.254/32', '10.0.0.0/8'] } },
      { action: 'Deny', source: { nets: ['10.0.0.0/8'] }, destination: { notNets: ['10.1.0.0/16'] } },
      { action: 'Deny', ipVersion: 6, destination: { nets: ['fd00:ec2::254/128'] } },
    ]) {
      expect(egressRule(rule)).not.toThrow();
    }
    refused(egressRule({ action: 'Deny', destination: { nets: ['169.254.169.254/32', 'fd00:ec2::254/128'] } }), 'spec.egress[0].destination.nets');
    refused(egressRule({ action: 'Deny', source: { nets: ['10.0.0.0/8'] }, destination: { nets: ['fd00::/8'] } }), 'spec.egress[0].destination.nets');
    refused(egressRule({ action: 'Deny', destination: { nets: ['::/0'], notNets: ['10.0.0.0/8'] } }), 'spec.egress[0].destination.notNets');
    refused(egressRule({ action: 'Deny', source: { notNets: ['fd00::/8'] }, destination: { nets: ['10.0.0.0/8'] } }), 'spec.egress[0].destination.nets');
    refused(egressRule({ action: 'Deny', ipVersion: 4, destination: { nets: ['fd00:ec2::254/128'] } }), 'spec.egress[0].destination.nets');
    refused(egressRule({ action: 'Allow', ipVersion: 6, source: { notNets: ['10.0.0.0/8'] } }), 'spec.egress[0].source.notNets');
    expect(egressRule({ action: 'Deny', destination: { nets: ['169.254.169.254/32', 'fd00:ec2::254/128'] } })).toThrow('"fd00:ec2::254/128"');
  });

  it('has an ipVersion of 4 or 6', () => {
    for (const ipVersion of [4, 6]) expect(egressRule({ action: 'Allow', ipVersion })).not.toThrow();
    for (const ipVersion of [5, 0, '4']) refused(egressRule({ action: 'Allow', ipVersion }), 'spec.egress[0].ipVersion');
  });

  // https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#ports: a number, "first:last" or a named port.
  it('has ports from 0 to 65535, ranges "low:high" with low at most high, or port names', () => {
    const withPort = (port: unknown, key = 'ports') => egressRule({ action: 'Allow', protocol: 'TCP', destination: { [key]: [port] } });
    for (const port of [0, 65535, '65535', '80:80', '0:65535', 'http', 'h', 'h2', 'grpc-web']) expect(withPort(port)).not.toThrow();
    for (const port of [65536, '65536', '80:65536', '81:80', '-http', 'http-', 'http_x', '', true])
      refused(withPort(port), 'spec.egress[0].destination.ports[0]');
    refused(withPort('81:80', 'notPorts'), 'spec.egress[0].destination.notPorts[0]');
    expect(ruleOf({ action: 'Allow', protocol: 'TCP', destination: { ports: [443, '8000:8100', 'http'], notPorts: ['8080'] } })).toMatchObject({
      ports: [
        { from: 443, to: 443 },
        { from: 8000, to: 8100 },
        { from: 8080, to: 8080 },
      ],
      portNames: ['http'],
    });
  });

  // The validator refuses ports unless the protocol supports them: TCP, UDP or SCTP, by name or number
  // (Calico api pkg/lib/numorstring/protocol.go, Protocol.SupportsPorts; validator.go, validateRule).
  it('sets ports, on either side, only with protocol TCP, UDP or SCTP', () => {
    for (const protocol of ['TCP', 'UDP', 'SCTP']) expect(egressRule({ action: 'Allow', protocol, destination: { ports: [53] } })).not.toThrow();
    for (const protocol of [undefined, 'ICMP', 'UDPLite'])
      refused(egressRule({ action: 'Allow', protocol, destination: { ports: [53] } }), 'spec.egress[0].destination.ports');
    refused(egressRule({ action: 'Allow', destination: { notPorts: [53] } }), 'spec.egress[0].destination.ports');
    refused(egressRule({ action: 'Allow', source: { ports: [53] } }), 'spec.egress[0].source.ports');
    refused(egressRule({ action: 'Allow', source: { notPorts: [53] } }), 'spec.egress[0].source.ports');
  });

  it('refuses a selector that does not parse, naming the field', () => {
    for (const key of ['selector', 'notSelector', 'namespaceSelector'])
      refused(egressRule({ action: 'Allow', destination: { [key]: 'app ==' } }), `spec.egress[0].destination.${key}`);
    refused(egressRule({ action: 'Allow', source: { serviceAccounts: { selector: 'a in' } } }), 'spec.egress[0].source.serviceAccounts.selector');
  });

  it('names service accounts by strings', () => {
    refused(egressRule({ action: 'Allow', destination: { serviceAccounts: { names: ['a', 7] } } }), 'spec.egress[0].destination.serviceAccounts.names[1]');
  });

  // Rules on Kubernetes Services (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#serviceMatch) are not modelled: refused, not ignored.
  it('matching Kubernetes Services is refused rather than read as matching everything', () => {
    refused(egressRule({ action: 'Allow', destination: { services: { name: 'api', namespace: 'ai' } } }), 'spec.egress[0].destination.services');
    expect(egressRule({ action: 'Allow', destination: { services: null } })).not.toThrow();
  });
});

describe('a Calico policy', () => {
  it('has types Ingress and Egress only', () => {
    refused(read([calico('NetworkPolicy', 'p', { types: ['Egress', 'ingress'] }, 'ai')]), 'spec.types[1]');
  });

  it('selects by a selector that parses', () => {
    refused(read([calico('GlobalNetworkPolicy', 'p', { selector: 'app ==' })]), 'spec.selector');
    refused(read([calico('GlobalNetworkPolicy', 'p', { namespaceSelector: '(' })]), 'spec.namespaceSelector');
    refused(read([calico('GlobalNetworkPolicy', 'p', { serviceAccountSelector: '!' })]), 'spec.serviceAccountSelector');
  });
});
