import { INTERNET_REASON_ANNOTATION } from '../conventions';
import { K8sObject, ManifestDocument, ofKind, readManifests } from '../testing';
import { sampleIntent } from '../../test/support/sample-intent';
import { synthesized } from '../../test/support/synth';

function egressPolicy(manifests: readonly ManifestDocument[]): K8sObject {
  return ofKind(manifests, 'NetworkPolicy').find((p) => p.metadata.name === 'llm-egress')!;
}

describe('Kubernetes flavor', () => {
  it("carves link-local addresses, every cloud's IPv4 metadata addresses and the default cluster ranges (the private space, every cloud's Service range) out of declared internet egress by default, and keeps the reason", () => {
    const manifests = synthesized(
      sampleIntent({ egress: [{ cidr: '0.0.0.0/0', ports: [443], internet: { reason: 'calls a public model API' } }] }),
      readManifests,
    );
    const policy = egressPolicy(manifests);
    expect(policy.spec.egress[1].to).toEqual([
      {
        ipBlock: {
          cidr: '0.0.0.0/0',
          except: ['10.0.0.0/8', '34.118.224.0/20', '100.64.0.0/10', '168.63.129.16/32', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'],
        },
      },
    ]);
    expect(policy.metadata.annotations?.[INTERNET_REASON_ANNOTATION]).toBe('0.0.0.0/0: calls a public model API');
  });

  it('carves IPv6 link-local and unique local addresses (where every cloud has its IPv6 metadata addresses) out of ::/0 by default, and the NAT64 forms of what IPv4 carves out', () => {
    const manifests = synthesized(sampleIntent({ egress: [{ cidr: '::/0', ports: [443], internet: { reason: 'public API over IPv6' } }] }), readManifests);
    expect(egressPolicy(manifests).spec.egress[1].to).toEqual([
      {
        ipBlock: {
          cidr: '::/0',
          except: [
            '64:ff9b::a00:0/104',
            '64:ff9b::2276:e000/116',
            '64:ff9b::6440:0/106',
            '64:ff9b::a83f:8110/128',
            '64:ff9b::a9fe:0/112',
            '64:ff9b::ac10:0/108',
            '64:ff9b::c0a8:0/112',
            '64:ff9b:1::/48',
            'fc00::/7',
            'fe80::/10',
          ],
        },
      },
    ]);
  });

  const ranges = ['10.0.0.0/16', '10.96.0.0/12', '10.244.0.0/16'];
  // The same in NAT64's prefix (RFC 6052), carved out of ::/0: 64:ff9b::a00:0/112 is 10.0.0.0/16 to a translator.
  const ranges64 = ['64:ff9b::a00:0/112', '64:ff9b::a60:0/108', '64:ff9b::af4:0/112'];
  it.each([
    ['aws', [...ranges, '169.254.0.0/16'], [...ranges64, '64:ff9b::a9fe:0/112', '64:ff9b:1::/48', 'fd00:ec2::23/128', 'fd00:ec2::254/128', 'fe80::/10']],
    ['gcp', [...ranges, '169.254.0.0/16'], [...ranges64, '64:ff9b::a9fe:0/112', '64:ff9b:1::/48', 'fd20:ce::254/128', 'fe80::/10']],
    ['azure', [...ranges, '168.63.129.16/32', '169.254.0.0/16'], [...ranges64, '64:ff9b::a83f:8110/128', '64:ff9b::a9fe:0/112', '64:ff9b:1::/48', 'fe80::/10']],
    [
      'alibaba',
      [...ranges, '100.100.100.200/32', '169.254.0.0/16'],
      [...ranges64, '64:ff9b::6464:64c8/128', '64:ff9b::a9fe:0/112', '64:ff9b:1::/48', 'fe80::/10'],
    ],
    ['oracle', [...ranges, '169.254.0.0/16'], [...ranges64, '64:ff9b::a9fe:0/112', '64:ff9b:1::/48', 'fd00:c1::a9fe:a9fe/128', 'fe80::/10']],
    ['openstack', [...ranges, '169.254.0.0/16'], [...ranges64, '64:ff9b::a9fe:0/112', '64:ff9b:1::/48', 'fe80::/10']],
    ['scaleway', [...ranges, '169.254.0.0/16'], [...ranges64, '64:ff9b::a9fe:0/112', '64:ff9b:1::/48', 'fd00:42::42/128', 'fe80::/10']],
    ['akamai', [...ranges, '169.254.0.0/16'], [...ranges64, '64:ff9b::a9fe:0/112', '64:ff9b:1::/48', 'fd00:a9fe:a9fe::1/128', 'fe80::/10']],
    ['tencent', [...ranges, '169.254.0.0/16'], [...ranges64, '64:ff9b::a9fe:0/112', '64:ff9b:1::/48', 'fe80::/10']],
  ] as const)('carves link-local, the metadata addresses of cloud %s and the declared cluster ranges out of internet egress', (cloud, v4, v6) => {
    const reason = { reason: 'calls a public model API' };
    const manifests = synthesized(
      sampleIntent(
        {
          egress: [
            { cidr: '0.0.0.0/0', ports: [443], internet: reason },
            { cidr: '::/0', ports: [443], internet: reason },
          ],
        },
        { cloud, clusterNetwork: { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'], nodeCidrs: ['10.0.0.0/16'] } },
      ),
      readManifests,
    );
    const except = (rule: number) => egressPolicy(manifests).spec.egress[rule].to[0].ipBlock.except ?? [];
    expect([except(1), except(2)]).toEqual([v4, v6]);
  });

  it('carves metadata out of a link-local block that contains it', () => {
    const manifests = synthesized(sampleIntent({ egress: [{ cidr: '169.254.0.0/16', ports: [8080] }] }), readManifests);
    expect(egressPolicy(manifests).spec.egress[1].to).toEqual([
      {
        ipBlock: {
          cidr: '169.254.0.0/16',
          except: ['169.254.0.23/32', '169.254.42.42/32', '169.254.169.252/32', '169.254.169.254/32', '169.254.170.2/32', '169.254.170.23/32'],
        },
      },
    ]);
  });

  it('leaves blocks that do not contain metadata without except', () => {
    const manifests = synthesized(sampleIntent(), readManifests);
    expect(egressPolicy(manifests).spec.egress[1].to).toEqual([{ ipBlock: { cidr: '203.0.113.10/32' } }]);
  });

  it('renders a port range with endPort and keeps the declared protocol', () => {
    const manifests = synthesized(sampleIntent({ egress: [{ cidr: '2001:db8::/64', ports: [{ from: 9000, to: 9100 }, 53], protocol: 'UDP' }] }), readManifests);
    expect(egressPolicy(manifests).spec.egress[1].ports).toEqual([
      { protocol: 'UDP', port: 53 },
      { protocol: 'UDP', port: 9000, endPort: 9100 },
    ]);
  });

  it('allows DNS first, on UDP and TCP 53, to the pods of the resolver of cluster names only', () => {
    const manifests = synthesized(sampleIntent(), readManifests);
    expect(egressPolicy(manifests).spec.egress[0]).toEqual({
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ai-dns' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'dns-resolver' } },
        },
      ],
      ports: [
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ],
    });
    expect(JSON.stringify(egressPolicy(manifests))).not.toContain('kube-dns');
  });

  const publicNames = { reason: 'calls a public search API by name' };

  it('allows DNS to kube-dns, for an app that declares public names, and keeps the reason', () => {
    const policy = egressPolicy(synthesized(sampleIntent({ dns: { publicNames } }), readManifests));
    expect(policy.spec.egress[0].to).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } },
    ]);
    expect(policy.metadata.annotations?.['secure-ai-egress/public-dns']).toBe('names outside the cluster: calls a public search API by name');
  });

  it('allows DNS to a NodeLocal DNSCache address, and to the kube-dns ClusterIP it also answers on, instead of kube-dns when told so, for an app with public names', () => {
    const manifests = synthesized(
      sampleIntent({ dns: { publicNames, kubeDns: false, nodeLocal: ['169.254.20.10'], kubeDnsClusterIp: '10.96.0.10' } }),
      readManifests,
    );
    expect(egressPolicy(manifests).spec.egress.slice(0, 2)).toEqual([
      {
        to: [{ ipBlock: { cidr: '169.254.20.10/32' } }],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
      {
        to: [{ ipBlock: { cidr: '10.96.0.10/32' } }],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]);
    expect(JSON.stringify(egressPolicy(manifests).spec)).not.toContain('kube-dns');
  });

  it('allows DNS to kube-dns pods, the NodeLocal address and the ClusterIP, in that order, with both on', () => {
    const manifests = synthesized(sampleIntent({ dns: { publicNames, nodeLocal: ['169.254.20.10'], kubeDnsClusterIp: '10.96.0.10' } }), readManifests);
    const peers = egressPolicy(manifests)
      .spec.egress.slice(0, 3)
      .map((r: { to: unknown[] }) => r.to[0]);
    expect(peers).toEqual([
      expect.objectContaining({ podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }),
      { ipBlock: { cidr: '169.254.20.10/32' } },
      { ipBlock: { cidr: '10.96.0.10/32' } },
    ]);
  });

  it('selects in-cluster destinations by namespace AND pod labels in one peer', () => {
    const manifests = synthesized(
      sampleIntent({ egress: [{ namespace: 'vector-db', podLabels: { app: 'qdrant' }, ports: [6333], ungoverned: { reason: 'run by the data team' } }] }),
      readManifests,
    );
    expect(egressPolicy(manifests).spec.egress[1]).toEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'vector-db' } }, podSelector: { matchLabels: { app: 'qdrant' } } }],
      ports: [{ protocol: 'TCP', port: 6333 }],
    });
  });

  it('expands a shared allow-list into one ipBlock per block', () => {
    const manifests = synthesized(
      sampleIntent({ egress: [{ allowList: 'mirrors', ports: [443] }] }, { allowLists: [{ name: 'mirrors', cidrs: ['203.0.113.10/32', '2001:db8::/48'] }] }),
      readManifests,
    );
    expect(egressPolicy(manifests).spec.egress[1].to).toEqual([{ ipBlock: { cidr: '203.0.113.10/32' } }, { ipBlock: { cidr: '2001:db8::/48' } }]);
  });

  it('admits declared clients on the service port only, and writes no ingress policy without clients', () => {
    const withClients = synthesized(sampleIntent({ ingress: [{ namespace: 'gateway', podLabels: { app: 'envoy' } }, { namespace: 'batch' }] }), readManifests);
    const ingress = ofKind(withClients, 'NetworkPolicy').find((p) => p.metadata.name === 'llm-ingress')!;
    expect(ingress.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'llm' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } }, podSelector: { matchLabels: { app: 'envoy' } } },
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'batch' } } },
          ],
          ports: [{ protocol: 'TCP', port: 8000 }],
        },
      ],
    });
    const without = synthesized(sampleIntent(), readManifests);
    expect(
      ofKind(without, 'NetworkPolicy')
        .filter((p) => p.metadata.namespace === 'ai')
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(['default-deny-all', 'llm-egress']);
  });

  it('requests GPUs as nvidia.com/gpu in requests and limits', () => {
    const deployment = ofKind(synthesized(sampleIntent({ gpus: 2 }), readManifests), 'Deployment').find((d) => d.metadata.name === 'llm')!;
    const { requests, limits } = deployment.spec.template.spec.containers[0].resources;
    expect(requests['nvidia.com/gpu']).toBe('2');
    expect(limits['nvidia.com/gpu']).toBe('2');
  });
});
