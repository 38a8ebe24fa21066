/**
 * lib/checks: what the manifests of any cdk8s app must keep, read from the manifests alone (no
 * intent): the rules the cdk8s validation plugin reports. Each rule fails on manifests written to
 * break it, with a message that names the object, and, for reach, the rule that allowed it (that
 * every fixture intent's manifests keep them all is test/checks-of-fixtures.test.ts).
 */
import { CheckOptions, Finding, RuleName, checkManifests } from './index';
import { parseManifests } from '../verify';
import { calico, namespace, networkPolicy, yamlOf } from '../../test/support/verify-builders';

type Obj = Record<string, unknown>;

/** A Namespace that enforces, audits and warns on Pod Security restricted. */
const restrictedNamespace = (name: string) =>
  namespace(name, Object.fromEntries(['enforce', 'audit', 'warn'].map((m) => [`pod-security.kubernetes.io/${m}`, 'restricted'])));

/** A Deployment whose pods pass Pod Security restricted. */
function workload(ns: string, name: string, container: Obj = {}): Obj {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            { name: 'main', image: 'example/app:1', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } }, ...container },
          ],
        },
      },
    },
  };
}

const denyAll = (ns: string) => networkPolicy(ns, 'default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
const kubeDns = {
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [
    { port: 53, protocol: 'UDP' },
    { port: 53, protocol: 'TCP' },
  ],
};

/** A namespace with a default deny and one restricted app whose egress policy has these rules (kube-dns first). */
function app(egress: Obj[], annotations: Record<string, string> = {}): Obj[] {
  return [
    restrictedNamespace('ai'),
    denyAll('ai'),
    {
      ...networkPolicy('ai', 'llm-egress', { podSelector: { matchLabels: { app: 'llm' } }, policyTypes: ['Egress'], egress: [kubeDns, ...egress] }),
      metadata: { name: 'llm-egress', namespace: 'ai', annotations },
    },
    workload('ai', 'llm'),
  ];
}

const check = (objects: readonly Obj[], options?: CheckOptions) => checkManifests(parseManifests(yamlOf(objects), 'app.yaml'), options);
const messages = (findings: readonly Finding[], rule: RuleName) => findings.filter((f) => f.rule === rule).map((f) => f.message);

describe('each rule fails on manifests that break it', () => {
  it('a well-kept app passes: default deny, DNS to kube-dns, one address on 443', () => {
    expect(check(app([{ to: [{ ipBlock: { cidr: '203.0.113.10/32' } }], ports: [{ port: 443 }] }])).findings).toEqual([]);
  });

  it('namespace-default-deny: without one, a pod no policy names may send anywhere and anyone may connect to it', () => {
    const { findings } = check([restrictedNamespace('web'), workload('web', 'site')]);
    expect(messages(findings, 'namespace-default-deny')).toEqual([
      'web: no policy selects every pod of it for egress: a pod that no policy names may send anywhere',
      'web: no policy selects every pod of it for ingress: anyone may connect to a pod that no policy names',
    ]);
    expect(findings.find((f) => f.rule === 'namespace-default-deny')!.object).toEqual({
      kind: 'Namespace',
      name: 'web',
      source: { file: 'app.yaml', document: 1 },
    });
  });

  it('namespace-default-deny: a policy that opens every pod of the namespace is named', () => {
    const open = networkPolicy('ai', 'allow-all-egress', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] });
    expect(messages(check([...app([]), open]).findings, 'namespace-default-deny')).toEqual(
      ['cidr 0.0.0.0/0', 'cidr ::/0', 'any other pod'].map(
        (to) =>
          `ai: a pod that no policy names may send every protocol and port to ${to}, allowed by rule 0 of Kubernetes NetworkPolicy ai/allow-all-egress (tier default)`,
      ),
    );
  });

  it('namespace-default-deny: a policy that admits anyone to every pod of the namespace is named, for pods of the namespace and of others', () => {
    const open = networkPolicy('ai', 'allow-all-ingress', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 8080 }] }] });
    expect(messages(check([...app([]), open]).findings, 'namespace-default-deny')).toEqual(
      ['pods of its namespace', 'pods of other namespaces'].map(
        (who) =>
          `ai: a pod that no policy names admits ${who} on TCP 8080: allowed by rule 0 (Allow) of Kubernetes NetworkPolicy ai/allow-all-ingress in tier default: Allow TCP 8080 from anywhere`,
      ),
    );
  });

  it('namespace-default-deny: a Deny of IPv6 before an Allow admits every pod over IPv4, which the probes (of unknown address) are asked in', () => {
    const open = calico(
      'NetworkPolicy',
      'v4-only',
      { selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Deny', ipVersion: 6 }, { action: 'Allow' }] },
      'ai',
    );
    const found = messages(check([...app([]), open]).findings, 'namespace-default-deny');
    expect(found).toContainEqual(
      'ai: a pod that no policy names admits pods of its namespace on TCP 80 over IPv4: allowed by rule 1 (Allow) of NetworkPolicy ai/v4-only in tier default: Allow any protocol',
    );
    expect(found.filter((m) => m.includes('over IPv4'))).toHaveLength(8);
  });

  it('namespace-default-deny: a Deny of addresses outside a block before an Allow is not applied to pods whose address is unknown, and the finding says so', () => {
    const open = calico(
      'NetworkPolicy',
      'inside-only',
      { selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Deny', source: { notNets: ['10.0.0.0/8'] } }, { action: 'Allow' }] },
      'ai',
    );
    expect(messages(check([...app([]), open]).findings, 'namespace-default-deny')).toContainEqual(
      "ai: a pod that no policy names admits pods of other namespaces on UDP 53 over IPv4: allowed by rule 1 (Allow) of NetworkPolicy ai/inside-only in tier default: Allow any protocol; not applied, an address being unknown (a pod template's): rule 0 (Deny) of NetworkPolicy ai/inside-only (tier default) tests addresses it may not be in; the weakest answer is given",
    );
  });

  it('dns-only-to-kube-dns: port 53 to a block of addresses, or to kube-dns labels in any namespace, is refused; a single address (NodeLocal DNSCache) is not', () => {
    const decoy = { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }] };
    const resolvers = { to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 1, endPort: 1024, protocol: 'UDP' }] };
    const nodeLocal = { to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: [{ port: 53, protocol: 'UDP' }] };
    expect(messages(check(app([decoy, resolvers, nodeLocal])).findings, 'dns-only-to-kube-dns')).toEqual([
      'ai/llm may send DNS: UDP 1-1024 to cidr 10.0.0.0/8, allowed by rule 2 of Kubernetes NetworkPolicy ai/llm-egress (tier default); DNS goes to kube-dns (kube-system {k8s-app=kube-dns}) or to single addresses a rule names on port 53',
      'ai/llm may send DNS: UDP 53 to pods any namespace {k8s-app=kube-dns}, allowed by rule 1 of Kubernetes NetworkPolicy ai/llm-egress (tier default); DNS goes to kube-dns (kube-system {k8s-app=kube-dns}) or to single addresses a rule names on port 53',
    ]);
  });

  it('metadata-denied, metadata-carved-out and internet-block-reason: the internet on 443 without carve-outs or a reason', () => {
    const { findings } = check(app([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443 }] }]), { cloud: 'azure' });
    expect(messages(findings, 'metadata-denied')).toEqual([
      'ai/llm may reach 168.63.129.16 (the Azure WireServer): TCP 443 to cidr 0.0.0.0/0, allowed by rule 1 of Kubernetes NetworkPolicy ai/llm-egress (tier default)',
      'ai/llm may reach 169.254.169.254 (the Azure Instance Metadata Service): TCP 443 to cidr 0.0.0.0/0, allowed by rule 1 of Kubernetes NetworkPolicy ai/llm-egress (tier default)',
    ]);
    expect(messages(findings, 'metadata-carved-out')).toEqual(
      ['168.63.129.16', '169.254.169.254'].map((a) => `NetworkPolicy ai/llm-egress allows 0.0.0.0/0 without carving out ${a}`),
    );
    expect(messages(findings, 'internet-block-reason')).toEqual([
      'NetworkPolicy ai/llm-egress allows 0.0.0.0/0 without a written reason (secure-ai-egress/internet-egress)',
    ]);
    expect(findings.find((f) => f.rule === 'metadata-denied')!.object).toEqual({
      kind: 'Deployment',
      namespace: 'ai',
      name: 'llm',
      source: { file: 'app.yaml', document: 4 },
    });
  });

  it('metadata-denied and metadata-carved-out: the NAT64 prefix 64:ff9b::/96 holds every IPv4 metadata address in its NAT64 form (RFC 6052)', () => {
    const nat64 = { to: [{ ipBlock: { cidr: '64:ff9b::/96' } }], ports: [{ port: 443 }] };
    const { findings } = check(app([nat64]), { cloud: 'azure' });
    expect(messages(findings, 'metadata-denied')).toEqual([
      'ai/llm may reach 64:ff9b::a83f:8110 (the Azure WireServer, through NAT64): TCP 443 to cidr 64:ff9b::/96, allowed by rule 1 of Kubernetes NetworkPolicy ai/llm-egress (tier default)',
      'ai/llm may reach 64:ff9b::a9fe:a9fe (the Azure Instance Metadata Service, through NAT64): TCP 443 to cidr 64:ff9b::/96, allowed by rule 1 of Kubernetes NetworkPolicy ai/llm-egress (tier default)',
    ]);
    expect(messages(findings, 'metadata-carved-out')).toEqual(
      ['64:ff9b::a83f:8110', '64:ff9b::a9fe:a9fe'].map((a) => `NetworkPolicy ai/llm-egress allows 64:ff9b::/96 without carving out ${a}`),
    );
    const carved = { to: [{ ipBlock: { cidr: '64:ff9b::/96', except: ['64:ff9b::a83f:8110/128', '64:ff9b::a9fe:a9fe/128'] } }], ports: [{ port: 443 }] };
    expect(check(app([carved]), { cloud: 'azure' }).findings).toEqual([]);
    // The NAT64 form of a pod credential endpoint is no credential endpoint: a written reason allows only the address as written.
    const podIdentity = { to: [{ ipBlock: { cidr: '64:ff9b::a9fe:aa17/128' } }], ports: [{ port: 80 }] };
    const reason = { 'secure-ai-egress/credentials': '64:ff9b::a9fe:aa17/128: reads weights from S3' };
    expect(messages(check(app([podIdentity], reason), { cloud: 'aws' }).findings, 'metadata-carved-out')).toEqual([
      'NetworkPolicy ai/llm-egress allows the metadata block 64:ff9b::a9fe:aa17/128',
    ]);
    expect(messages(check(app([podIdentity], reason), { cloud: 'aws' }).findings, 'metadata-denied')).toHaveLength(1);
  });

  it('metadata-denied: a pod credential endpoint is allowed only with a written reason that names its address', () => {
    const podIdentity = { to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ port: 80 }] };
    expect(check(app([podIdentity], { 'secure-ai-egress/credentials': '169.254.170.23/32: reads weights from S3' }), { cloud: 'aws' }).findings).toEqual([]);
    const reached =
      'ai/llm may reach 169.254.170.23 (the EKS Pod Identity agent): TCP 80 to cidr 169.254.170.23/32, allowed by rule 1 of Kubernetes NetworkPolicy ai/llm-egress (tier default)';
    expect(messages(check(app([podIdentity]), { cloud: 'aws' }).findings, 'metadata-denied')).toEqual([reached]);
    expect(
      messages(
        check(app([podIdentity], { 'secure-ai-egress/credentials': 'fd00:ec2::23/128: reads weights from S3' }), { cloud: 'aws' }).findings,
        'metadata-denied',
      ),
    ).toEqual([reached]);
  });

  it('metadata-denied and metadata-carved-out: a ClusterNetworkPolicy Accept of the internet, which decides before any NetworkPolicy and cannot carve out', () => {
    const open = {
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'open-web' },
      spec: {
        tier: 'Admin',
        priority: 5,
        subject: { namespaces: {} },
        egress: [{ action: 'Accept', to: [{ networks: ['0.0.0.0/0'] }], protocols: [{ tcp: { destinationPort: { number: 443 } } }] }],
      },
    };
    const { findings } = check([...app([]), open], { cloud: 'azure' });
    expect(messages(findings, 'metadata-denied')).toEqual([
      'ai/llm may reach 168.63.129.16 (the Azure WireServer): TCP 443 to cidr 0.0.0.0/0, allowed by rule 0 of ClusterNetworkPolicy open-web (tier Admin, priority 5)',
      'ai/llm may reach 169.254.169.254 (the Azure Instance Metadata Service): TCP 443 to cidr 0.0.0.0/0, allowed by rule 0 of ClusterNetworkPolicy open-web (tier Admin, priority 5)',
    ]);
    expect(messages(findings, 'metadata-carved-out')).toEqual(
      ['168.63.129.16', '169.254.169.254'].map((a) => `ClusterNetworkPolicy open-web allows 0.0.0.0/0 without carving out ${a}`),
    );
  });

  it('metadata-denied: a Calico policy that only previews an allow is reported as what it would open', () => {
    const staged = calico(
      'StagedNetworkPolicy',
      'preview',
      { stagedAction: 'Set', selector: "app == 'llm'", types: ['Egress'], egress: [{ action: 'Allow', destination: { nets: ['169.254.169.254/32'] } }] },
      'ai',
    );
    expect(messages(check([...app([]), staged], { cloud: 'azure' }).findings, 'metadata-denied')).toEqual([
      'ai/llm may reach 169.254.169.254 (the Azure Instance Metadata Service) once its staged policies are enforced: every protocol and port to cidr 169.254.169.254/32, allowed by rule 0 of StagedNetworkPolicy ai/preview (tier default)',
    ]);
  });

  it('namespace-default-deny: a staged policy in place of the default deny, or deleting it, is read as Calico would enforce it, not beside it', () => {
    const egressUnconfined = 'ai: no policy selects every pod of it for egress: a pod that no policy names may send anywhere';
    // stagedAction Set (the default): the staged twin takes the enforced policy's place, so only ingress stays isolated.
    const ingressOnly = calico('StagedKubernetesNetworkPolicy', 'default-deny-all', { podSelector: {}, policyTypes: ['Ingress'] }, 'ai');
    expect(messages(check([...app([]), ingressOnly]).findings, 'namespace-default-deny')).toEqual([egressUnconfined]);
    // stagedAction Delete: once enforced, the namespace has no default deny at all.
    const deleted = calico('StagedKubernetesNetworkPolicy', 'default-deny-all', { stagedAction: 'Delete', podSelector: {} }, 'ai');
    expect(messages(check([...app([]), deleted]).findings, 'namespace-default-deny')).toEqual([
      egressUnconfined,
      'ai: no policy selects every pod of it for ingress: anyone may connect to a pod that no policy names',
    ]);
  });

  it('pod-security-restricted: a namespace that is not labelled, one that is not declared, and a privileged container', () => {
    const { findings } = check([
      namespace('ai'),
      denyAll('ai'),
      workload('ai', 'llm', { securityContext: { privileged: true, capabilities: { drop: ['ALL'] } } }),
      denyAll('batch'),
      workload('batch', 'job'),
    ]);
    expect(messages(findings, 'pod-security-restricted')).toEqual([
      'ai: pod-security.kubernetes.io/enforce is undefined, not restricted',
      'ai: pod-security.kubernetes.io/audit is undefined, not restricted',
      'ai: pod-security.kubernetes.io/warn is undefined, not restricted',
      'batch: holds workloads, but no Namespace object of the manifests says it admits only restricted pods',
      'Deployment ai/llm: main: privileged',
      'Deployment ai/llm: main: allowPrivilegeEscalation is not false',
    ]);
  });

  it("pod-security-restricted: a ReplicationController's pods are checked as a ReplicaSet's are", () => {
    const privileged = { securityContext: { privileged: true, capabilities: { drop: ['ALL'] } } };
    const asKind = (kind: string) => {
      const w = workload('ai', 'llm', privileged) as { spec: Obj };
      return { ...w, apiVersion: 'v1', kind, spec: { ...w.spec, selector: { app: 'llm' } } };
    };
    const found = (kind: string) => messages(check([restrictedNamespace('ai'), denyAll('ai'), asKind(kind)]).findings, 'pod-security-restricted');
    expect(found('ReplicationController')).toEqual([
      'ReplicationController ai/llm: main: privileged',
      'ReplicationController ai/llm: main: allowPrivilegeEscalation is not false',
    ]);
    expect(found('ReplicationController')).toHaveLength(found('ReplicaSet').length);
  });

  it('schema: an object its schema refuses is named with the path; a custom resource without a schema is counted, not refused', () => {
    const certificate = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'web', namespace: 'ai' }, spec: {} };
    const { findings, summary } = check([
      ...app([]),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'ai' }, data: { replicas: 3 } },
      certificate,
    ]);
    expect(messages(findings, 'schema')).toEqual(['ConfigMap ai/settings: /data/replicas: must be string']);
    expect(summary.withoutSchema).toEqual(['cert-manager.io/v1/Certificate']);
  });

  it('manifests-readable: a policy the verifier cannot read is one finding, and the schemas are still checked', () => {
    const broken = networkPolicy('ai', 'broken', { podSelector: 'app=llm', policyTypes: ['Egress'] });
    const { findings } = check([...app([]), broken]);
    expect(findings.filter((f) => f.rule === 'manifests-readable')).toEqual([
      {
        rule: 'manifests-readable',
        object: { kind: 'NetworkPolicy', namespace: 'ai', name: 'broken', source: { file: 'app.yaml', document: 5 } },
        message: expect.stringMatching(/^app\.yaml, document 5 \(NetworkPolicy ai\/broken\): spec\.podSelector: /),
      },
    ]);
    expect(messages(findings, 'schema')).toEqual([expect.stringMatching(/^NetworkPolicy ai\/broken: \/spec\/podSelector: must be object/)]);
  });

  it('manifests-readable: an object written twice is named with both places, since a cluster keeps only the last one applied', () => {
    const twice = checkManifests([...parseManifests(yamlOf(app([])), 'a.yaml'), ...parseManifests(yamlOf([denyAll('ai')]), 'b.yaml')]);
    expect(messages(twice.findings, 'manifests-readable')).toEqual([
      'NetworkPolicy ai/default-deny-all is written twice, in a.yaml, document 2 and b.yaml, document 1: a cluster keeps the one applied last, and these checks cannot tell which (manifests of several clusters are checked apart, each folder its own: property clusterPerFolder)',
    ]);
  });

  it('manifests-readable: an object written twice differently is a finding about that object, where the verifier read it second', () => {
    const egressOnly = networkPolicy('ai', 'default-deny-all', { podSelector: {}, policyTypes: ['Egress'] });
    const twice = checkManifests([...parseManifests(yamlOf(app([])), 'a.yaml'), ...parseManifests(yamlOf([egressOnly]), 'b.yaml')]);
    expect(twice.findings.filter((f) => f.rule === 'manifests-readable' && !f.message.includes('is written twice'))).toEqual([
      {
        rule: 'manifests-readable',
        object: { kind: 'NetworkPolicy', namespace: 'ai', name: 'default-deny-all', source: { file: 'b.yaml', document: 1 } },
        message: 'b.yaml, document 1 (NetworkPolicy ai/default-deny-all): is also defined, differently, in a.yaml, document 2',
      },
    ]);
  });

  it("exemptNamespaces: another team's namespace is left out of every rule but the schemas, and listed", () => {
    const web = [
      restrictedNamespace('web'),
      workload('web', 'site'),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad', namespace: 'web' }, data: { n: 1 } },
    ];
    const { findings, summary } = check([...app([]), ...web], { exemptNamespaces: ['web'] });
    expect(findings.map((f) => f.rule)).toEqual(['schema']);
    expect(summary.exemptNamespaces).toEqual(['web']);
    expect(summary.namespaces).toEqual(['ai']);
  });
});

describe('a policy written without metadata.namespace', () => {
  it('metadata-denied: its credential reason counts, as the verifier reads the policy in default', () => {
    const podIdentity = { to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ port: 80 }] };
    const reason = { 'secure-ai-egress/credentials': '169.254.170.23/32: reads weights from S3' };
    const objects = app([podIdentity], reason).map((o) => JSON.parse(JSON.stringify(o).replace(/"namespace":"ai"/g, '"namespace":"default"')) as Obj);
    const policy = objects.find((o) => o.kind === 'NetworkPolicy' && (o.metadata as { name: string }).name === 'llm-egress')!;
    delete (policy.metadata as { namespace?: string }).namespace;
    expect(messages(check(objects, { cloud: 'aws' }).findings, 'metadata-denied')).toEqual([]);
    delete (policy.metadata as { annotations?: unknown }).annotations;
    expect(messages(check(objects, { cloud: 'aws' }).findings, 'metadata-denied')).toHaveLength(1);
  });
});
