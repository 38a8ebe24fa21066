import { ask, brief, calico, readCluster, deployment, namespace, pod } from '../../test/support/verify-builders';
import { Cluster } from './cluster';
import { workloadEgress } from './egress';
import { CompiledRule } from './policy';

// A Calico rule as the verifier evaluates it (calico.ts, CalicoRule and RuleSide): what each field
// matches, following the rule reference (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#rule,
// #entityrule) and how libcalico-go combines a side's selector fields into one selector
// (libcalico-go lib/backend/syncersv1/updateprocessors/rules.go).
const base = [
  namespace('ai', { team: 'ml' }),
  namespace('vector-db', { team: 'data' }),
  deployment('ai', 'rag', { app: 'rag' }, { serviceAccount: 'rag-sa' }),
  deployment('ai', 'notebook', { app: 'notebook' }),
  pod(
    'vector-db',
    'qdrant',
    { app: 'qdrant' },
    {
      ip: '10.1.0.5',
      ports: [
        { name: 'http', containerPort: 6333 },
        { name: 'dns', containerPort: 5353, protocol: 'UDP' },
      ],
    },
  ),
];
const np = (ns: string, name: string, spec: Record<string, unknown>) => calico('NetworkPolicy', name, spec, ns);
const gnp = (name: string, spec: Record<string, unknown>) => calico('GlobalNetworkPolicy', name, spec);
const withRules = (egress: Record<string, unknown>[], objects: Record<string, unknown>[] = []): Cluster =>
  readCluster([...base, ...objects, np('ai', 'p', { selector: "app == 'rag'", types: ['Egress'], egress })]);
const ruleIn = (c: Cluster, i = 0): CompiledRule => c.policies.find((p) => p.ref.name === 'p')!.rules.egress[i];
const rule = (r: Record<string, unknown>, objects: Record<string, unknown>[] = []): CompiledRule => ruleIn(withRules([r], objects));
const listing = (egress: Record<string, unknown>[], objects: Record<string, unknown>[] = []) => {
  const c = withRules(egress, objects);
  return brief(workloadEgress(c, c.endpoint('ai/rag')!).allowed);
};
/** A pod of a Deployment: its address is not in the manifests, only its IP version. */
const unknownPod = (c: Cluster, version: 4 | 6) => c.catalog.packetEnd(c.endpoint('ai/notebook')!, version);

describe('a Calico rule that sets nothing', () => {
  it('matches every packet, and any field it sets narrows it', () => {
    expect(rule({ action: 'Allow' }).matchesEverything).toBe(true);
    expect(rule({ action: 'Deny', source: {}, destination: {} }).matchesEverything).toBe(true);
    const narrowing = [
      { protocol: 'TCP' },
      { notProtocol: 'UDP' },
      { ipVersion: 4 },
      { icmp: { type: 8 }, protocol: 'ICMP' },
      { notICMP: { type: 8 } },
      { http: { methods: ['GET'] } },
      { destination: { nets: ['0.0.0.0/0'] } },
      { destination: { notNets: ['10.0.0.0/8'] } },
      { destination: { selector: 'all()' } },
      { source: { notSelector: "app == 'x'" } },
      { destination: { serviceAccounts: { names: ['rag-sa'] } } },
      { destination: { serviceAccounts: { selector: 'all()' } } },
      { destination: { namespaceSelector: 'all()' } },
      { protocol: 'TCP', destination: { ports: [80] } },
      { protocol: 'TCP', destination: { notPorts: [80] } },
      { protocol: 'TCP', source: { ports: [80] } },
      { protocol: 'TCP', source: { notPorts: [80] } },
    ];
    for (const fields of narrowing)
      expect(`${JSON.stringify(fields)}: ${rule({ action: 'Allow', ...fields }).matchesEverything}`).toBe(`${JSON.stringify(fields)}: false`);
    expect(rule({ action: 'Allow', icmp: null, http: null }).matchesEverything).toBe(true);
  });
});

describe('a Calico rule on an address the manifests do not give', () => {
  // A Deny or Pass reads a pod address it cannot know as some address of the packet's IP
  // version: it surely holds it when its nets hold the whole version, surely not when they hold
  // none of it, and otherwise only maybe, so that a Deny never hides an Allow behind it. An Allow or
  // Log reads it as outside every block it names (policy.ts, decide).
  it('in a Deny, nets of a whole IP version hold every address of it, and none of the other', () => {
    const c = withRules([{ action: 'Deny', destination: { nets: ['0.0.0.0/0'] } }]);
    expect(ruleIn(c).matchesDestination(unknownPod(c, 4))).toBe(true);
    expect(ruleIn(c).matchesDestination(unknownPod(c, 6))).toBe(false);
    const six = withRules([{ action: 'Deny', destination: { nets: ['::/0'] } }]);
    expect(ruleIn(six).matchesDestination(unknownPod(six, 6))).toBe(true);
    expect(ruleIn(six).matchesDestination(unknownPod(six, 4))).toBe(false);
  });

  it('in a Deny or Pass, nets that cover a version only together hold all of it; a part of a version holds some', () => {
    // One IP version per rule: Calico refuses a rule whose blocks mix them (calico-fields.test.ts).
    const halves = withRules([
      { action: 'Deny', destination: { nets: ['0.0.0.0/1', '128.0.0.0/1'] } },
      { action: 'Deny', destination: { nets: ['2001:db8::/32'] } },
    ]);
    expect(ruleIn(halves, 0).matchesDestination(unknownPod(halves, 4))).toBe(true);
    expect(ruleIn(halves, 1).matchesDestination(unknownPod(halves, 6))).toBe('maybe');
    for (const nets of [['0.0.0.0/1'], ['128.0.0.0/1'], ['0.0.0.1/32', '0.0.0.0/32'], ['0.0.0.0/0', '255.255.255.255/32']]) {
      const c = withRules([{ action: 'Pass', destination: { nets } }]);
      const expected = nets.includes('0.0.0.0/0') ? true : 'maybe';
      expect(`${nets.join(',')}: ${ruleIn(c).matchesDestination(unknownPod(c, 4))}`).toBe(`${nets.join(',')}: ${expected}`);
    }
  });

  it('in a Deny, notNets of a whole version exclude it, of a part of it maybe, of another version never', () => {
    const c = withRules([
      { action: 'Deny', destination: { notNets: ['0.0.0.0/0'] } },
      { action: 'Deny', destination: { notNets: ['2001:db8::/32'] } },
    ]);
    expect(ruleIn(c, 0).matchesDestination(unknownPod(c, 4))).toBe(false);
    expect(ruleIn(c, 0).matchesDestination(unknownPod(c, 6))).toBe(true);
    expect(ruleIn(c, 1).matchesDestination(unknownPod(c, 6))).toBe('maybe');
    const only4 = withRules([{ action: 'Deny', destination: { notNets: ['10.0.0.0/8'] } }]);
    expect(ruleIn(only4).matchesDestination(unknownPod(only4, 6))).toBe(true);
  });

  it('in an Allow or Log, is outside every block: nets do not hold it, notNets do not exclude it', () => {
    for (const action of ['Allow', 'Log']) {
      const c = withRules([
        { action, destination: { nets: ['0.0.0.0/0'] } },
        { action, destination: { notNets: ['0.0.0.0/0'] } },
      ]);
      expect(ruleIn(c, 0).matchesDestination(unknownPod(c, 4))).toBe(false);
      expect(ruleIn(c, 1).matchesDestination(unknownPod(c, 4))).toBe(true);
    }
  });

  it('is asked in both IP versions only when a rule may read it differently in each', () => {
    const depends = (r: Record<string, unknown>) => rule(r).dependsOnIpVersion;
    expect(depends({ action: 'Allow', ipVersion: 6 })).toBe(true);
    expect(depends({ action: 'Pass', destination: { nets: ['10.0.0.0/8'] } })).toBe(true);
    expect(depends({ action: 'Pass', source: { notNets: ['10.0.0.0/8'] } })).toBe(true);
    expect(depends({ action: 'Deny', destination: { notNets: ['10.0.0.0/8'] } })).toBe(true);
    expect(depends({ action: 'Deny', destination: { nets: ['0.0.0.0/0'] } })).toBe(true);
    expect(depends({ action: 'Deny', source: { nets: ['::/0'] } })).toBe(true);
    expect(depends({ action: 'Deny', destination: { nets: ['10.0.0.0/8'] } })).toBe(false);
    expect(depends({ action: 'Deny', destination: { nets: ['::/1'] } })).toBe(false);
    expect(depends({ action: 'Deny', destination: { selector: 'all()' } })).toBe(false);
    expect(depends({ action: 'Pass', destination: { selector: 'all()' } })).toBe(false);
    for (const action of ['Allow', 'Log']) expect(depends({ action, destination: { nets: ['0.0.0.0/0'], notNets: ['10.0.0.0/8'] } })).toBe(false);
  });
});

describe('a Calico rule side', () => {
  it('with nets matches an address in any of them; with notNets, one in none of them', () => {
    const nets = withRules([{ action: 'Allow', destination: { nets: ['198.51.100.0/24', '203.0.113.0/24'] } }]);
    expect(ask(nets, 'ai/rag', '203.0.113.10', 443).egress.allowed).toBe(true);
    expect(ask(nets, 'ai/rag', '198.51.100.10', 443).egress.allowed).toBe(true);
    expect(ask(nets, 'ai/rag', '192.0.2.10', 443).egress.allowed).toBe(false);
    const notNets = withRules([{ action: 'Allow', destination: { notNets: ['198.51.100.0/24', '203.0.113.0/24'] } }]);
    expect(ask(notNets, 'ai/rag', '203.0.113.10', 443).egress.allowed).toBe(false);
    expect(ask(notNets, 'ai/rag', '192.0.2.10', 443).egress.allowed).toBe(true);
  });

  // https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#entityrule: notSelector
  // matches the endpoints and network sets its selector does not; an address inside a network set
  // whose labels it names is excluded, whatever the address's other labels.
  it('with notSelector excludes addresses inside network sets it names', () => {
    const sets = [
      calico('GlobalNetworkSet', 'blocked', { nets: ['203.0.113.0/24'] }, undefined, { role: 'blocked' }),
      calico('GlobalNetworkSet', 'fine', { nets: ['198.51.100.0/24'] }, undefined, { role: 'fine' }),
    ];
    const c = readCluster([
      ...base,
      ...sets,
      gnp('g', {
        selector: "app == 'rag'",
        types: ['Egress'],
        egress: [{ action: 'Allow', destination: { nets: ['0.0.0.0/0'], notSelector: "role == 'blocked'" } }],
      }),
    ]);
    expect(ask(c, 'ai/rag', '203.0.113.10', 443).egress.allowed).toBe(false);
    expect(ask(c, 'ai/rag', '198.51.100.10', 443).egress.allowed).toBe(true);
    expect(ask(c, 'ai/rag', '192.0.2.10', 443).egress.allowed).toBe(true);
  });

  // libcalico-go parseServiceAccounts: names become `projectcalico.org/serviceaccount in {...}`,
  // ANDed with the other selectors; an empty list adds nothing.
  it('with serviceAccounts names matches only endpoints running as one of them, and only endpoints', () => {
    const byName = withRules([{ action: 'Allow', destination: { serviceAccounts: { names: ['rag-sa', 'other'] }, namespaceSelector: 'all()' } }]);
    expect(ask(byName, 'ai/rag', 'ai/rag', 80).egress.allowed).toBe(true);
    expect(ask(byName, 'ai/rag', 'ai/notebook', 80).egress.allowed).toBe(false);
    expect(ask(byName, 'ai/rag', '203.0.113.10', 80).egress.allowed).toBe(false);
    const gnpNames = readCluster([
      ...base,
      gnp('g', { selector: "app == 'rag'", types: ['Egress'], egress: [{ action: 'Allow', destination: { serviceAccounts: { names: ['rag-sa'] } } }] }),
    ]);
    expect(ask(gnpNames, 'ai/rag', 'ai/rag', 80).egress.allowed).toBe(true);
    expect(ask(gnpNames, 'ai/rag', '203.0.113.10', 80).egress.allowed).toBe(false);
    const gnpSelector = readCluster([
      ...base,
      gnp('g', { selector: "app == 'rag'", types: ['Egress'], egress: [{ action: 'Allow', destination: { serviceAccounts: { selector: 'all()' } } }] }),
    ]);
    expect(ask(gnpSelector, 'ai/rag', 'ai/notebook', 80).egress.allowed).toBe(true);
    expect(ask(gnpSelector, 'ai/rag', '203.0.113.10', 80).egress.allowed).toBe(false);
    const empty = withRules([{ action: 'Allow', destination: { serviceAccounts: { names: [] }, nets: ['203.0.113.0/24'] } }]);
    expect(ask(empty, 'ai/rag', '203.0.113.10', 80).egress.allowed).toBe(true);
  });

  it('with a selector and service account names needs both', () => {
    const c = withRules([{ action: 'Allow', destination: { selector: "app == 'notebook'", serviceAccounts: { names: ['rag-sa'] } } }]);
    expect(ask(c, 'ai/rag', 'ai/notebook', 80).egress.allowed).toBe(false);
    expect(ask(c, 'ai/rag', 'ai/rag', 80).egress.allowed).toBe(false);
    const both = withRules([{ action: 'Allow', destination: { selector: "app == 'rag'", serviceAccounts: { names: ['rag-sa'] } } }]);
    expect(ask(both, 'ai/rag', 'ai/rag', 80).egress.allowed).toBe(true);
  });

  it("in a NetworkPolicy, with notSelector alone, matches endpoints of the policy's namespace only", () => {
    const c = withRules([{ action: 'Allow', destination: { notSelector: "app == 'notebook'" } }]);
    expect(ask(c, 'ai/rag', 'ai/rag', 80).egress.allowed).toBe(true);
    expect(ask(c, 'ai/rag', 'ai/notebook', 80).egress.allowed).toBe(false);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 80).egress.allowed).toBe(false);
    expect(ask(c, 'ai/rag', '203.0.113.10', 80).egress.allowed).toBe(false);
  });
});

describe('a Calico rule port', () => {
  it('by name matches the destination pod port of that name and protocol only', () => {
    const c = withRules([
      { action: 'Allow', protocol: 'TCP', destination: { ports: ['http'] } },
      { action: 'Allow', protocol: 'TCP', destination: { ports: ['dns'] } },
    ]);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 6333).egress.allowed).toBe(true);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 5353, 'TCP').egress.allowed).toBe(false);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 5353, 'UDP').egress.allowed).toBe(false);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 'http').egress.allowed).toBe(true);
  });

  it('in notPorts by name excludes that port only', () => {
    const c = withRules([{ action: 'Allow', protocol: 'TCP', destination: { notPorts: ['http'] } }]);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 6333).egress.allowed).toBe(false);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 6334).egress.allowed).toBe(true);
  });

  it('is a number only when it is all digits, or two numbers joined by a colon; anything else is a name', () => {
    expect(rule({ action: 'Allow', protocol: 'TCP', destination: { ports: ['h80', '80x', '8000:8100'] } })).toMatchObject({
      ports: [{ from: 8000, to: 8100 }],
      portNames: ['h80', '80x'],
    });
  });
});

describe('a Calico rule protocol and IP version', () => {
  it('with ipVersion matches only packets of that version', () => {
    const c = withRules([{ action: 'Allow', ipVersion: 6 }]);
    expect(ask(c, 'ai/rag', '2001:db8::1', 443).egress.allowed).toBe(true);
    expect(ask(c, 'ai/rag', '203.0.113.10', 443).egress.allowed).toBe(false);
  });

  it('with notProtocol matches every other protocol', () => {
    const c = withRules([{ action: 'Allow', notProtocol: 'UDP' }]);
    expect(ask(c, 'ai/rag', '203.0.113.10', 443, 'TCP').egress.allowed).toBe(true);
    expect(ask(c, 'ai/rag', '203.0.113.10', 53, 'UDP').egress.allowed).toBe(false);
  });
});

describe('the egress listing of a Calico rule', () => {
  it('to nets lists the blocks, and the pods whose addresses they hold', () => {
    expect(listing([{ action: 'Allow', protocol: 'TCP', destination: { nets: ['10.1.0.0/16'], ports: [443] } }])).toEqual([
      '10.1.0.0/16 TCP 443',
      'vector-db{"app":"qdrant"}=vector-db/qdrant TCP 443',
    ]);
  });
});

describe('the egress listing of a Calico rule, by peer', () => {
  const registry = calico('GlobalNetworkSet', 'registry', { nets: ['203.0.113.0/28'] }, undefined, { role: 'registry' });
  const local = calico('NetworkSet', 'registry', { nets: ['198.51.100.0/28'] }, 'ai', { role: 'registry' });
  const tcp443 = (destination: Record<string, unknown>) => ({ action: 'Allow', protocol: 'TCP', destination: { ...destination, ports: [443] } });
  const globalListing = (r: Record<string, unknown>, objects: Record<string, unknown>[] = []) => {
    const c = readCluster([...base, ...objects, gnp('g', { selector: "app == 'rag'", types: ['Egress'], egress: [r] })]);
    return brief(workloadEgress(c, c.endpoint('ai/rag')!).allowed);
  };

  it("to a selector in a NetworkPolicy lists the pods of the policy's namespace it names, and its namespace's network sets", () => {
    expect(listing([tcp443({ selector: "app == 'qdrant'" })])).toEqual(['ai{"app":"qdrant"} TCP 443']);
    expect(listing([tcp443({ selector: "role == 'registry'" })], [local, registry])).toEqual(['198.51.100.0/28 TCP 443', 'ai{"role":"registry"} TCP 443']);
  });

  it('to a selector in a GlobalNetworkPolicy lists the pods of every namespace and every network set it names', () => {
    expect(globalListing(tcp443({ selector: "role == 'registry'" }), [local, registry])).toEqual([
      '198.51.100.0/28 TCP 443',
      '203.0.113.0/28 TCP 443',
      '*{"role":"registry"} TCP 443',
    ]);
  });

  it('to a selector that pins the namespace lists the pods of that namespace', () => {
    expect(globalListing(tcp443({ selector: "projectcalico.org/namespace == 'other' && app == 'x'" }))).toEqual(['other{"app":"x"} TCP 443']);
  });

  it('to a namespaceSelector and a selector lists the pods there, known or not', () => {
    expect(listing([tcp443({ selector: "app == 'qdrant'", namespaceSelector: "team == 'data'" })])).toEqual([
      'vector-db{"app":"qdrant"} TCP 443',
      'vector-db{"app":"qdrant"}=vector-db/qdrant TCP 443',
    ]);
    expect(listing([tcp443({ namespaceSelector: "kubernetes.io/metadata.name == 'kube-system'", selector: "k8s-app == 'kube-dns'" })])).toEqual([
      'kube-system{"k8s-app":"kube-dns"} TCP 443',
    ]);
    expect(listing([tcp443({ namespaceSelector: "team == 'nobody'" })])).toEqual(['*{} TCP 443']);
  });

  it('to namespaceSelector global() lists the global network sets it names, and no pods', () => {
    expect(listing([tcp443({ namespaceSelector: 'global()', selector: "role == 'registry'" })], [registry, local])).toEqual(['203.0.113.0/28 TCP 443']);
  });

  it('to a notSelector or notNets lists every address but those, and every pod', () => {
    expect(globalListing(tcp443({ notSelector: "role == 'registry'" }), [registry])).toEqual([
      '0.0.0.0/0 except 203.0.113.0/28 TCP 443',
      '::/0 TCP 443',
      '*{} TCP 443',
      'ai{"app":"notebook"}=ai/notebook TCP 443',
      'vector-db{"app":"qdrant"}=vector-db/qdrant TCP 443',
    ]);
    expect(globalListing(tcp443({ notNets: ['10.0.0.0/8'] }))).toEqual([
      '0.0.0.0/0 except 10.0.0.0/8 TCP 443',
      '::/0 TCP 443',
      '*{} TCP 443',
      'ai{"app":"notebook"}=ai/notebook TCP 443',
    ]);
  });

  it('with ipVersion lists no pod its other fields cannot match', () => {
    const set = calico('GlobalNetworkSet', 's', { nets: ['198.51.100.0/24'] }, undefined, { role: 'api' });
    const rule = { action: 'Allow', protocol: 'TCP', ipVersion: 4, destination: { selector: "role == 'api'", namespaceSelector: 'global()', ports: [443] } };
    expect(globalListing(rule, [set])).toEqual(['198.51.100.0/24 TCP 443']);
  });

  it('with ipVersion lists the addresses of that version only', () => {
    expect(globalListing({ action: 'Allow', protocol: 'TCP', ipVersion: 4, destination: { ports: [443] } })).toEqual([
      '0.0.0.0/0 TCP 443',
      '*{} TCP 443',
      'ai{"app":"notebook"}=ai/notebook TCP 443',
      'vector-db{"app":"qdrant"}=vector-db/qdrant TCP 443',
    ]);
  });

  it('to a named port lists it by name for pods of unknown ports, by number on the pod that has it', () => {
    expect(globalListing({ action: 'Allow', protocol: 'TCP', destination: { ports: ['http'] } })).toEqual([
      '*{} TCP http',
      'vector-db{"app":"qdrant"}=vector-db/qdrant TCP 6333',
    ]);
  });

  it('on source ports the client can bind lists what the rule allows, and on none lists nothing', () => {
    expect(globalListing({ action: 'Allow', protocol: 'TCP', source: { ports: [443] } })).toEqual(globalListing({ action: 'Allow', protocol: 'TCP' }));
    expect(globalListing({ action: 'Allow', protocol: 'TCP', source: { ports: [0] } })).toEqual([]);
  });
});

describe('what a Calico rule side can match, for the listings', () => {
  const sideOf = (r: Record<string, unknown>, objects: Record<string, unknown>[] = [], cluster = base) => {
    const c = readCluster([...cluster, ...objects, gnp('g', { selector: "app == 'rag'", types: ['Egress'], egress: [r] })]);
    return c.policies.find((p) => p.ref.name === 'g')!.rules.egress[0];
  };
  const ids = (reach: ReturnType<CompiledRule['reach']>) => (reach.kind === 'some' ? reach.candidates.map((e) => e.id).sort() : reach.kind);

  it('reaches no pod through nets when no pod has a known address, else the pods that have one', () => {
    expect(ids(sideOf({ action: 'Allow', destination: { nets: ['10.0.0.0/8'] } }).reach('destination'))).toEqual(['vector-db/qdrant']);
    expect(ids(sideOf({ action: 'Allow', destination: { nets: ['10.0.0.0/8'] } }, [], base.slice(0, 4)).reach('destination'))).toBe('none');
  });

  it('reaches every pod alike when it names nothing, and pod by pod when it excludes some', () => {
    expect(ids(sideOf({ action: 'Allow' }).reach('destination'))).toBe('uniform');
    for (const destination of [{ notSelector: "app == 'x'" }, { notNets: ['10.0.0.0/8'] }]) {
      expect(ids(sideOf({ action: 'Allow', destination }).reach('destination'))).toEqual(['ai/notebook', 'ai/rag', 'vector-db/qdrant']);
    }
    expect(ids(sideOf({ action: 'Allow', protocol: 'TCP', destination: { notPorts: ['http'] } }).reach('destination'))).toEqual([
      'ai/notebook',
      'ai/rag',
      'vector-db/qdrant',
    ]);
    expect(ids(sideOf({ action: 'Allow', ipVersion: 4 }).reach('destination'))).toEqual(['ai/notebook', 'ai/rag', 'vector-db/qdrant']);
    expect(ids(sideOf({ action: 'Allow', ipVersion: 4 }).reach('source'))).toBe('uniform');
  });

  it('reaches the pods its selector can match, none when no pod is there, and through network sets every pod with an address', () => {
    expect(ids(sideOf({ action: 'Allow', destination: { selector: "app == 'qdrant'" } }).reach('destination'))).toEqual(['vector-db/qdrant']);
    expect(ids(sideOf({ action: 'Allow', destination: { selector: "app == 'x'", namespaceSelector: "team == 'nobody'" } }).reach('destination'))).toBe('none');
    expect(ids(sideOf({ action: 'Allow', destination: { selector: "app == 'rag'", namespaceSelector: 'global()' } }).reach('destination'))).toBe('none');
    const set = calico('GlobalNetworkSet', 's', { nets: ['10.0.0.0/8'] }, undefined, { app: 'rag' });
    expect(ids(sideOf({ action: 'Allow', destination: { selector: "app == 'rag'", namespaceSelector: 'global()' } }, [set]).reach('destination'))).toEqual([
      'vector-db/qdrant',
    ]);
    expect(ids(sideOf({ action: 'Allow', protocol: 'TCP', source: { ports: [0] } }).reach('source'))).toBe('none');
    expect(ids(sideOf({ action: 'Allow', protocol: 'TCP', source: { ports: [80] } }).reach('source'))).toBe('uniform');
  });

  it('names the network sets its selector or notSelector can match, and none without either', () => {
    const sets = [
      calico('GlobalNetworkSet', 'a', { nets: ['10.0.0.0/8'] }, undefined, { role: 'a' }),
      calico('GlobalNetworkSet', 'b', { nets: ['11.0.0.0/8'] }, undefined, { role: 'b' }),
    ];
    const names = (destination: Record<string, unknown>) =>
      sideOf({ action: 'Allow', destination }, sets)
        .sets('destination')
        .map((s) => s.id);
    expect(names({ selector: "role == 'a'" })).toEqual(['a']);
    expect(names({ notSelector: "role == 'b'" })).toEqual(['b']);
    expect(names({ nets: ['10.0.0.0/8'] })).toEqual([]);
    expect(names({ serviceAccounts: { names: ['x'] } })).toEqual([]);
    expect(sideOf({ action: 'Allow', destination: { nets: ['10.0.0.0/8'], notNets: ['10.1.0.0/16'] } }).nets('destination')).toHaveLength(2);
  });

  it('is represented by pods with the labels, namespace and service account it names', () => {
    const phantoms = (r: Record<string, unknown>) =>
      sideOf(r)
        .phantoms('destination')
        .map((e) => `${e.namespace.name} ${JSON.stringify(Object.fromEntries(e.labels))} ${e.serviceAccount}`);
    expect(phantoms({ action: 'Allow', destination: { selector: "app == 'x'" } })).toEqual(['* {"app":"x"} default']);
    expect(phantoms({ action: 'Allow', destination: { selector: "app == 'x' && projectcalico.org/serviceaccount == 'runner'" } })).toEqual([
      '* {"app":"x"} runner',
    ]);
    expect(phantoms({ action: 'Allow', destination: { serviceAccounts: { names: ['a', 'b'] } } })).toEqual(['* {} a', '* {} b']);
    expect(phantoms({ action: 'Allow', destination: { selector: "app == 'x'", namespaceSelector: "team == 'data'" } })).toEqual([
      'vector-db {"app":"x"} default',
    ]);
    expect(phantoms({ action: 'Allow', destination: { selector: "app == 'x'", namespaceSelector: 'global()' } })).toEqual([]);
    expect(phantoms({ action: 'Allow', destination: { nets: ['10.0.0.0/8'] } })).toEqual([]);
    // An Allow reads the unknown address of an imagined pod as outside its nets (the blocks are listed instead), not outside its notNets.
    expect(phantoms({ action: 'Allow', destination: { selector: "app == 'x'", nets: ['10.0.0.0/8'] } })).toEqual([]);
    expect(phantoms({ action: 'Allow', destination: { selector: "app == 'x'", notNets: ['10.0.0.0/8'] } })).toEqual(['* {"app":"x"} default']);
    expect(phantoms({ action: 'Allow', destination: { selector: "app == 'x' && projectcalico.org/namespace == 'web'" } })).toEqual(['web {"app":"x"} default']);
    expect(sideOf({ action: 'Allow', protocol: 'TCP', source: { selector: "app == 'x'", ports: [0] } }).phantoms('source')).toEqual([]);
    expect(sideOf({ action: 'Allow', protocol: 'TCP', source: { selector: "app == 'x'", ports: [80] } }).phantoms('source')).toHaveLength(1);
  });
});

// Found by mutation testing calico.ts:46-173 (docs/mutation-testing.md): a named port is one port
// of the destination pod, by name and protocol, never another of its ports; a Pass on source ports
// the client may dodge is followed both ways (policy.ts, decide), never surely taken or skipped.
describe('a Calico rule port, by name and on the source side', () => {
  const search = pod(
    'vector-db',
    'search',
    { app: 'search' },
    {
      ip: '10.1.0.6',
      ports: [
        { name: 'http', containerPort: 8080 },
        { name: 'grpc', containerPort: 9090 },
      ],
    },
  );

  it('by name matches that port of the pod, not another port of the same protocol, and asked by name only that name', () => {
    const c = withRules([{ action: 'Allow', protocol: 'TCP', destination: { ports: ['http'] } }], [search]);
    expect(ask(c, 'ai/rag', 'vector-db/search', 8080).egress.allowed).toBe(true);
    expect(ask(c, 'ai/rag', 'vector-db/search', 9090).egress.allowed).toBe(false);
    expect(ask(c, 'ai/rag', 'vector-db/search', 'http').egress.allowed).toBe(true);
    expect(ask(c, 'ai/rag', 'vector-db/search', 'grpc').egress.allowed).toBe(false);
  });

  it('by name, for pods whose ports are unknown, is that name only: notPorts of another name leave it', () => {
    expect(listing([{ action: 'Allow', protocol: 'TCP', destination: { selector: "app == 'y'", ports: ['grpc'], notPorts: ['metrics'] } }])).toEqual([
      'ai{"app":"y"} TCP grpc',
    ]);
  });

  // Calico's tiers (https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy):
  // a Pass goes on to the next tier, skipping the rest of its own.
  const passOnSourcePort = (then: string, nextTier: string) =>
    readCluster([
      ...base,
      calico('Tier', 'security', { order: 100 }),
      gnp('security.p', {
        tier: 'security',
        selector: "app == 'rag'",
        types: ['Egress'],
        egress: [{ action: 'Pass', protocol: 'TCP', source: { ports: [443] } }, { action: then }],
      }),
      gnp('after', { selector: "app == 'rag'", types: ['Egress'], egress: [{ action: nextTier }] }),
    ]);

  it('a Pass on source ports lets through the client that binds another port, when its tier allows the rest', () => {
    expect(ask(passOnSourcePort('Allow', 'Deny'), 'ai/rag', '203.0.113.10', 443).egress.allowed).toBe(true);
  });

  it('a Pass on source ports lets through the client that binds one of them, when the next tier allows', () => {
    expect(ask(passOnSourcePort('Deny', 'Allow'), 'ai/rag', '203.0.113.10', 443).egress.allowed).toBe(true);
  });

  it('a Pass on source ports is taken when every port it names is all a client can bind', () => {
    const c = readCluster([
      ...base,
      calico('Tier', 'security', { order: 100 }),
      gnp('security.p', {
        tier: 'security',
        selector: "app == 'rag'",
        types: ['Egress'],
        egress: [{ action: 'Pass', protocol: 'TCP', source: { ports: ['1:65535'] } }, { action: 'Allow' }],
      }),
      gnp('after', { selector: "app == 'rag'", types: ['Egress'], egress: [{ action: 'Deny' }] }),
    ]);
    expect(ask(c, 'ai/rag', '203.0.113.10', 443).egress.allowed).toBe(false);
  });
});

// Found by mutation testing calico.ts:408-462 (docs/mutation-testing.md).
describe('a Calico rule, at the edges of its fields', () => {
  // A JSON null for an optional field is the field absent (protocol is a pointer,
  // *numorstring.Protocol, in the projectcalico.org/v3 Rule).
  it('with a null protocol or notProtocol has none: it matches everything', () => {
    expect(rule({ action: 'Allow', protocol: null, notProtocol: null }).matchesEverything).toBe(true);
  });

  // The rule reference: icmp and notICMP restrict the rule to ICMP types and codes, which the
  // verifier does not model; such a rule is narrower than everything even without a protocol.
  it('with notICMP alone does not match everything', () => {
    expect(rule({ action: 'Allow', notICMP: { type: 8 } }).matchesEverything).toBe(false);
  });
});

// Found by mutation testing calico.ts:275-376 (docs/mutation-testing.md): what each side of each
// rule lists is its own, however many rules of the cluster ask the catalog (which remembers the
// network sets and namespaces a selection matches by a key of the selection).
describe('what each Calico rule side can match, rule by rule', () => {
  const sets = [
    calico('GlobalNetworkSet', 'a', { nets: ['10.0.0.0/8'] }, undefined, { role: 'a' }),
    calico('GlobalNetworkSet', 'b', { nets: ['11.0.0.0/8'] }, undefined, { role: 'b' }),
  ];
  const rulesOf = (egress: Record<string, unknown>[], objects: Record<string, unknown>[] = []) =>
    readCluster([...base, ...objects, gnp('g', { selector: "app == 'rag'", types: ['Egress'], egress })]).policies.find((p) => p.ref.name === 'g')!.rules
      .egress;
  const ids = (reach: ReturnType<CompiledRule['reach']>) => (reach.kind === 'some' ? reach.candidates.map((e) => e.id).sort() : reach.kind);

  it('tests exactly the blocks it names', () => {
    expect(rule({ action: 'Allow', destination: { nets: ['10.0.0.0/8'] } }).nets('destination')).toHaveLength(1);
    expect(rule({ action: 'Allow', destination: { notNets: ['10.0.0.0/8'] } }).nets('destination')).toHaveLength(1);
    expect(rule({ action: 'Allow', destination: { selector: 'all()' } }).nets('destination')).toEqual([]);
  });

  it('names the network sets of its own selector, notSelector and namespaces', () => {
    const names = (r: CompiledRule) => r.sets('destination').map((s) => s.id);
    const bySelector = rulesOf(
      [
        { action: 'Allow', destination: { selector: "role == 'a'" } },
        { action: 'Allow', destination: { selector: "role == 'b'" } },
      ],
      sets,
    );
    expect(bySelector.map(names)).toEqual([['a'], ['b']]);
    const byNot = rulesOf(
      [
        { action: 'Allow', destination: { notSelector: "role == 'a'" } },
        { action: 'Allow', destination: { notSelector: "role == 'b'" } },
      ],
      sets,
    );
    expect(byNot.map(names)).toEqual([['a'], ['b']]);
    const namespaced = [
      calico('NetworkSet', 'ml', { nets: ['10.0.0.0/8'] }, 'ai', { role: 'a' }),
      calico('NetworkSet', 'data', { nets: ['11.0.0.0/8'] }, 'vector-db', { role: 'a' }),
    ];
    const byNamespace = rulesOf(
      [
        { action: 'Allow', destination: { selector: "role == 'a'", namespaceSelector: "team == 'ml'" } },
        { action: 'Allow', destination: { selector: "role == 'a'", namespaceSelector: "team == 'data'" } },
      ],
      namespaced,
    );
    expect(byNamespace.map(names)).toEqual([['ai/ml'], ['vector-db/data']]);
    const one = (ns: string) =>
      calico('NetworkPolicy', 'p', { types: ['Egress'], egress: [{ action: 'Allow', destination: { selector: "role == 'a'" } }] }, ns);
    const c = readCluster([...base, ...namespaced, one('ai'), one('vector-db')]);
    expect(['ai', 'vector-db'].map((ns) => names(c.policies.find((p) => p.ref.namespace === ns)!.rules.egress[0]))).toEqual([['ai/ml'], ['vector-db/data']]);
  });

  it('names the network sets of its own service accounts, for sets that carry those labels', () => {
    const names = (r: CompiledRule) => r.sets('destination').map((s) => s.id);
    const labelled = [
      calico('GlobalNetworkSet', 'a', { nets: ['10.0.0.0/8'] }, undefined, { 'projectcalico.org/serviceaccount': 'a', 'pcsa.role': 'a' }),
      calico('GlobalNetworkSet', 'b', { nets: ['11.0.0.0/8'] }, undefined, { 'projectcalico.org/serviceaccount': 'b', 'pcsa.role': 'b' }),
    ];
    const byNames = rulesOf(
      [
        { action: 'Allow', destination: { serviceAccounts: { names: ['a'] } } },
        { action: 'Allow', destination: { serviceAccounts: { names: ['b'] } } },
      ],
      labelled,
    );
    expect(byNames.map(names)).toEqual([['a'], ['b']]);
    const bySelector = rulesOf(
      [
        { action: 'Allow', destination: { serviceAccounts: { selector: "role == 'a'" } } },
        { action: 'Allow', destination: { serviceAccounts: { selector: "role == 'b'" } } },
      ],
      labelled,
    );
    expect(bySelector.map(names)).toEqual([['a'], ['b']]);
  });

  it("reaches the pods of the policy's namespace, or of the namespaces its own namespaceSelector picks", () => {
    expect(ids(rule({ action: 'Allow', destination: { selector: 'all()' } }).reach('destination'))).toEqual(['ai/notebook', 'ai/rag']);
    const [ml, data] = rulesOf([
      { action: 'Allow', destination: { namespaceSelector: "team == 'ml'" } },
      { action: 'Allow', destination: { namespaceSelector: "team == 'data'" } },
    ]);
    expect(ids(ml.reach('destination'))).toEqual(['ai/notebook', 'ai/rag']);
    expect(ids(data.reach('destination'))).toEqual(['vector-db/qdrant']);
  });

  it('imagines its pods in the namespace its selector describes, by Calico labels', () => {
    const imagined = (destination: Record<string, unknown>) =>
      rulesOf([{ action: 'Allow', destination }])[0]
        .phantoms('destination')
        .map((e) => `${e.namespace.name} team=${e.namespace.labels.get('team')} app=${e.labels.get('app')}`);
    expect(imagined({ selector: "pcns.team == 'x' && app == 'y'" })).toEqual(['* team=x app=y']);
    expect(imagined({ selector: "has(projectcalico.org/namespace) && pcns.team == 'x' && app == 'y'" })).toEqual(['* team=x app=y']);
    expect(imagined({ selector: "app == 'y'", namespaceSelector: "projectcalico.org/name == 'vector-db'" })).toEqual(['vector-db team=data app=y']);
  });

  it('imagines no pod for a side without a positive selector', () => {
    expect(rule({ action: 'Allow', destination: { notNets: ['10.0.0.0/8'] } }).phantoms('destination')).toEqual([]);
  });
});

// Calico's API server refuses `icmp` unless the rule's protocol is ICMP or ICMPv6 (the Rule's CEL
// rule in projectcalico/calico api/pkg/apis/projectcalico/v3/policy_common.go), and accepts
// `notICMP` without one, which felix renders as an ICMP match only (felix/rules/policy.go): it
// matches no TCP, UDP or SCTP packet (calico.ts, CalicoRule).
describe('a Calico rule with ICMP criteria', () => {
  it('is refused with icmp and no protocol, or a protocol other than ICMP or ICMPv6, naming the policy and the field', () => {
    expect(() => rule({ action: 'Allow', icmp: { type: 8 } })).toThrow(
      /NetworkPolicy ai\/p.*spec\.egress\[0\]\.icmp: needs the rule to set protocol ICMP or ICMPv6, not none \(Calico's API server refuses it\)/s,
    );
    expect(() => rule({ action: 'Allow', protocol: 'TCP', icmp: { type: 8 } })).toThrow(
      /spec\.egress\[0\]\.icmp: needs the rule to set protocol ICMP or ICMPv6, not "TCP"/,
    );
    expect(rule({ action: 'Allow', protocol: 'ICMP', icmp: { type: 8 } }).matchesEverything).toBe(false);
    expect(rule({ action: 'Allow', protocol: 58, icmp: { type: 128 } }).matchesEverything).toBe(false);
  });

  it('with notICMP and no protocol allows no TCP, UDP or SCTP packet', () => {
    expect(listing([{ action: 'Allow', notICMP: { type: 8 } }])).toEqual([]);
  });

  it('with notICMP and no protocol denies no TCP, UDP or SCTP packet: the rules after it decide them', () => {
    const allowed = listing([
      { action: 'Deny', notICMP: { type: 8 } },
      { action: 'Allow', protocol: 'TCP', destination: { nets: ['10.9.0.0/16'], ports: [443] } },
    ]);
    expect(allowed).toEqual(['10.9.0.0/16 TCP 443']);
  });
});
