import { AiAppIntent, PlatformIntent, formatPath, formatScope, validateIntent } from './index';
import { synthOverDist } from '../../test/support/synth';
import { sampleIntent } from '../../test/support/sample-intent';

const app = (overrides: Partial<AiAppIntent>) => sampleIntent(overrides);

/** [case, intent, field path, value as printed, what the message must say is accepted] */
const badInputs: [string, PlatformIntent, string, string, RegExp][] = [
  [
    'a malformed CIDR',
    app({ egress: [{ cidr: '203.0.113.300/32', ports: [443] }] }),
    'llm.egress[0].cidr',
    '"203.0.113.300/32"',
    /accepted: an IPv4 or IPv6 block/,
  ],
  [
    'an IPv4 address without a mask',
    app({ egress: [{ cidr: '203.0.113.10', ports: [443] }] }),
    'llm.egress[0].cidr',
    '"203.0.113.10"',
    /Did you mean "203\.0\.113\.10\/32"\?/,
  ],
  [
    'an IPv6 address without a mask',
    app({ egress: [{ cidr: '2001:db8::1', ports: [443] }] }),
    'llm.egress[0].cidr',
    '"2001:db8::1"',
    /Did you mean "2001:db8::1\/128"\?/,
  ],
  [
    'a CIDR with host bits set',
    app({ egress: [{ cidr: '10.0.0.1/24', ports: [443] }] }),
    'llm.egress[0].cidr',
    '"10.0.0.1/24"',
    /host bits set.*Did you mean "10\.0\.0\.0\/24"\?/,
  ],
  [
    'a port above 65535',
    app({ egress: [{ cidr: '203.0.113.10/32', ports: [70000] }] }),
    'llm.egress[0].ports[0]',
    '70000',
    /accepted: a whole number from 1 to 65535/,
  ],
  ['port 0', app({ egress: [{ cidr: '203.0.113.10/32', ports: [0] }] }), 'llm.egress[0].ports[0]', '0', /accepted: a whole number from 1 to 65535/],
  [
    'a range that ends below its start',
    app({ egress: [{ cidr: '203.0.113.10/32', ports: [{ from: 9000, to: 8000 }] }] }),
    'llm.egress[0].ports[0]',
    '{"from":9000,"to":8000}',
    /accepted: a range with to >= from/,
  ],
  [
    'an unknown protocol',
    app({ egress: [{ cidr: '203.0.113.10/32', ports: [443], protocol: 'ICMP' as never }] }),
    'llm.egress[0].protocol',
    '"ICMP"',
    /accepted: TCP, UDP, SCTP/,
  ],
  ['an app name that is not a DNS-1123 label', app({ name: 'LLM_Server' }), 'LLM_Server.name', '"LLM_Server"', /accepted: a DNS-1123 label/],
  ['a namespace name that is not a DNS-1123 label', app({ namespace: 'ai.apps' }), 'llm.namespace', '"ai.apps"', /accepted: a DNS-1123 label/],
  [
    'an app in kube-system, which dist/ would take over with a default deny, kube-dns among its pods',
    app({ namespace: 'kube-system' }),
    'llm.namespace',
    '"kube-system"',
    /is a namespace of Kubernetes itself; dist\/ would take it over: Pod Security restricted, a default deny.*accepted: a namespace of this project's own, which dist\/ creates and governs, e\.g\. "ai-apps"/,
  ],
  ['an app in the default namespace', app({ namespace: 'default' }), 'llm.namespace', '"default"', /is a namespace of Kubernetes itself/],
  ['an app in a namespace named with the prefix Kubernetes reserves', app({ namespace: 'kube-ai' }), 'llm.namespace', '"kube-ai"', /kube- prefix/],
  ['an app in the namespace of Calico itself', app({ namespace: 'calico-system' }), 'llm.namespace', '"calico-system"', /is a namespace of Calico/],
  [
    'an app in the namespace of Argo CD, which applies dist/ and would be cut off by its default deny',
    sampleIntent({ namespace: 'argocd' }, { argocd: { repoURL: 'https://git.example.com/platform.git' } }),
    'llm.namespace',
    '"argocd"',
    /is the namespace Argo CD runs in \(argocd\.namespace\), which applies dist\/.*accepted: a namespace of this project's own/,
  ],
  [
    'the egress proxy in the namespace of a tier owner',
    sampleIntent(
      { egress: [{ hosts: ['huggingface.co'], ports: [443] }], flavor: 'calico' },
      { calico: { owners: { serviceAccounts: ['platform-ci/deployer'] } }, egressProxy: { namespace: 'platform-ci' } },
    ),
    'egressProxy.namespace',
    '"platform-ci"',
    /is the namespace of platform-ci\/deployer, an owner of the Calico tier \(calico\.owners\.serviceAccounts\)/,
  ],
  [
    'the resolver of cluster names in kube-system',
    sampleIntent({}, { dnsResolver: { namespace: 'kube-system' } }),
    'dnsResolver.namespace',
    '"kube-system"',
    /is a namespace of Kubernetes itself/,
  ],
  [
    'the egress proxy in kube-public',
    sampleIntent({ egress: [{ hosts: ['huggingface.co'], ports: [443] }] }, { egressProxy: { namespace: 'kube-public' } }),
    'egressProxy.namespace',
    '"kube-public"',
    /is a namespace of Kubernetes itself/,
  ],
  [
    'a destination namespace that is not a DNS-1123 label',
    app({ egress: [{ namespace: 'Vector DB', podLabels: { app: 'qdrant' }, ports: [6333] }] }),
    'llm.egress[0].namespace',
    '"Vector DB"',
    /accepted: a DNS-1123 label/,
  ],
  [
    'an IPv4-mapped IPv6 block, which Go-based network plugins read as all of IPv4, metadata included',
    app({ egress: [{ cidr: '::ffff:0:0/96', ports: [443] }] }),
    'llm.egress[0].cidr',
    '"::ffff:0:0/96"',
    /is an IPv4-mapped IPv6 block.*as the IPv4 block 0\.0\.0\.0\/0.*accepted: the IPv4 block, written as such: "0\.0\.0\.0\/0"/,
  ],
  [
    'the IPv4 metadata address written as an IPv4-mapped IPv6 address',
    app({ egress: [{ cidr: '::ffff:169.254.169.254/128', ports: [80] }] }),
    'llm.egress[0].cidr',
    '"::ffff:169.254.169.254/128"',
    /accepted: the IPv4 block, written as such: "169\.254\.169\.254\/32"/,
  ],
  [
    'an IPv4-mapped IPv6 block in an allow-list',
    sampleIntent({ egress: [{ allowList: 'mirror', ports: [443] }] }, { allowLists: [{ name: 'mirror', cidrs: ['::ffff:203.0.113.0/120'] }] }),
    'allowLists[0].cidrs[0]',
    '"::ffff:203.0.113.0/120"',
    /accepted: the IPv4 block, written as such: "203\.0\.113\.0\/24"/,
  ],
  [
    'a NodeLocal DNSCache address written as an IPv4-mapped IPv6 address',
    app({ dns: { publicNames: { reason: 'public names' }, nodeLocal: ['::ffff:169.254.20.10'], kubeDnsClusterIp: '10.96.0.10' } }),
    'llm.dns.nodeLocal[0]',
    '"::ffff:169.254.20.10"',
    /accepted: the IPv4 address, written as such: "169\.254\.20\.10"/,
  ],
  [
    'the IPv4 metadata address',
    app({ egress: [{ cidr: '169.254.169.254/32', ports: [80] }] }),
    'llm.egress[0].cidr',
    '"169.254.169.254/32"',
    /cloud metadata address.*never reachable/,
  ],
  [
    'the IPv6 metadata address',
    app({ egress: [{ cidr: 'fd00:ec2::254/128', ports: [80] }] }),
    'llm.egress[0].cidr',
    '"fd00:ec2::254/128"',
    /cloud metadata address fd00:ec2::254\/128/,
  ],
  [
    'EKS Pod Identity, a credential endpoint of AWS and so of any cloud',
    app({ egress: [{ cidr: '169.254.170.23/32', ports: [80] }] }),
    'llm.egress[0].cidr',
    '"169.254.170.23/32"',
    /is the cloud metadata address 169\.254\.170\.23\/32 \(the EKS Pod Identity agent\), which is never reachable with cloud "any"/,
  ],
  ['a cloud misspelled', { ...app({}), cloud: 'azur' as never }, 'cloud', '"azur"', /Did you mean "azure"\?/],
  [
    'Azure WireServer, a public address, with cloud azure',
    { ...app({ egress: [{ cidr: '168.63.129.16/32', ports: [80] }] }), cloud: 'azure' },
    'llm.egress[0].cidr',
    '"168.63.129.16/32"',
    /the Azure WireServer\), which is never reachable with cloud "azure"/,
  ],
  [
    'the Alibaba metadata address inside an allow-list',
    sampleIntent({ egress: [{ allowList: 'cgnat', ports: [80] }] }, { allowLists: [{ name: 'cgnat', cidrs: ['100.100.100.200/32'] }] }),
    'allowLists[0].cidrs[0]',
    '"100.100.100.200/32"',
    /the Alibaba Cloud ECS metadata service\), which is never reachable with cloud "any"/,
  ],
  [
    'a NodeLocal DNSCache address that is a metadata address',
    app({ dns: { publicNames: { reason: 'public names' }, nodeLocal: ['169.254.169.254'], kubeDnsClusterIp: '10.96.0.10' } }),
    'llm.dns.nodeLocal[0]',
    '"169.254.169.254"',
    /is the cloud metadata address 169\.254\.169\.254\/32 .*never reachable/,
  ],
  [
    'a cloud written in capitals',
    { ...app({}), cloud: 'AWS' as never },
    'cloud',
    '"AWS"',
    /is not a cloud this project knows the metadata endpoints of; accepted: "any", "aws", "gcp", "azure", "alibaba", "oracle", "ibm", "digitalocean", "hetzner", "openstack", "scaleway", "akamai", "tencent" \("any": all of them\)\. Did you mean "aws"\?/,
  ],
  ['0.0.0.0/0 without a reason', app({ egress: [{ cidr: '0.0.0.0/0', ports: [443] }] }), 'llm.egress[0].cidr', '"0.0.0.0/0"', /marked internet: \{ reason/],
  ['::/0 without a reason', app({ egress: [{ cidr: '::/0', ports: [443] }] }), 'llm.egress[0].cidr', '"::/0"', /marked internet: \{ reason/],
  ['a /7 without a reason', app({ egress: [{ cidr: '2.0.0.0/7', ports: [443] }] }), 'llm.egress[0].cidr', '"2.0.0.0/7"', /prefix shorter than \/8/],
  [
    "NAT64's whole prefix without a reason, which a translator makes all of IPv4",
    app({ egress: [{ cidr: '64:ff9b::/96', ports: [443] }] }),
    'llm.egress[0].cidr',
    '"64:ff9b::/96"',
    /opens egress to the internet \(the NAT64 form of 0\.0\.0\.0\/0, a prefix shorter than \/8\).*marked internet: \{ reason/,
  ],
  [
    'the IPv4 metadata address in its NAT64 form',
    app({ egress: [{ cidr: '64:ff9b::a9fe:a9fe/128', ports: [80] }] }),
    'llm.egress[0].cidr',
    '"64:ff9b::a9fe:a9fe/128"',
    /is the NAT64 form of the cloud metadata address 169\.254\.169\.254\/32 .*never reachable/,
  ],
  [
    "a block in RFC 8215's local-use translation prefix, whose IPv4 form this project cannot read",
    app({ egress: [{ cidr: '64:ff9b:1:a9fe:a9:fe00::/96', ports: [80] }] }),
    'llm.egress[0].cidr',
    '"64:ff9b:1:a9fe:a9:fe00::/96"',
    /lies in 64:ff9b:1::\/48, the local-use prefix of IPv4\/IPv6 translation \(RFC 8215\).*accepted: the IPv4 block, or its NAT64 form in 64:ff9b::\/96/,
  ],
  [
    'internet egress with an empty reason',
    app({ egress: [{ cidr: '0.0.0.0/0', ports: [443], internet: { reason: ' ' } }] }),
    'llm.egress[0].internet.reason',
    '" "',
    /accepted: a sentence/,
  ],
  ['an image without a pinned tag', app({ image: 'vllm/vllm-openai' }), 'llm.image', '"vllm/vllm-openai"', /accepted: an image with a fixed tag or digest/],
  ['an image tagged latest', app({ image: 'vllm/vllm-openai:latest' }), 'llm.image', '"vllm/vllm-openai:latest"', /never "latest"/],
  [
    'a startup budget shorter than one probe period',
    app({ startupSeconds: 5 }),
    'llm.startupSeconds',
    '5',
    /accepted: a whole number of seconds from 10 \(one probe period\) to 86400/,
  ],
  [
    'a startup budget given in minutes as a string',
    app({ startupSeconds: '15m' as never }),
    'llm.startupSeconds',
    '"15m"',
    /is not a number of seconds; accepted: a whole number from 10 to 86400/,
  ],
  ['a shared memory size that is no size', app({ shmSize: '2 GB' }), 'llm.shmSize', '"2 GB"', /is not a size; accepted: a size such as "512Mi"/],
  ['a /tmp of zero bytes', app({ tmpSize: '0' }), 'llm.tmpSize', '"0"', /is not a size/],
  ['a model cache size that is no quantity', app({ modelCacheSize: '1.2.3Gi' }), 'llm.modelCacheSize', '"1.2.3Gi"', /is not a size/],
  [
    'a RuntimeClass name that is not a DNS subdomain',
    app({ runtimeClassName: 'NVIDIA_GPU' }),
    'llm.runtimeClassName',
    '"NVIDIA_GPU"',
    /accepted: a DNS-1123 subdomain/,
  ],
  [
    'a toleration with Exists and a value',
    app({ tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', value: 'present' }] }),
    'llm.tolerations[0].value',
    '"present"',
    /accepted: no value, or operator: "Equal"/,
  ],
  [
    'a toleration without a key that is not Exists',
    app({ tolerations: [{ value: 'gpu', effect: 'NoSchedule' }] }),
    'llm.tolerations[0].operator',
    '{"value":"gpu","effect":"NoSchedule"}',
    /accepted: a key, or operator: "Exists"/,
  ],
  [
    'tolerationSeconds on a NoSchedule toleration',
    app({ tolerations: [{ key: 'sku', value: 'gpu', effect: 'NoSchedule', tolerationSeconds: 60 }] }),
    'llm.tolerations[0].tolerationSeconds',
    '60',
    /applies only to the NoExecute effect/,
  ],
  [
    'a taint effect that does not exist',
    app({ tolerations: [{ key: 'sku', value: 'gpu', effect: 'NoScheduling' as never }] }),
    'llm.tolerations[0].effect',
    '"NoScheduling"',
    /accepted: "NoSchedule", "PreferNoSchedule" or "NoExecute"/,
  ],
  [
    'a node selector with a bad label key',
    app({ nodeSelector: { 'nvidia.com/gpu.product!': 'A100' } }),
    'llm.nodeSelector["nvidia.com/gpu.product!"]',
    '"nvidia.com/gpu.product!"',
    /is not a valid label key/,
  ],
  [
    'a HOME on the read-only root filesystem',
    app({ env: { HOME: '/root' } }),
    'llm.env.HOME',
    '"/root"',
    /is not writable.*accepted: a path at or below "\/tmp", "\/home\/ai" \(the writable/,
  ],
  ['an empty USER', app({ env: { USER: '' } }), 'llm.env.USER', '""', /getpass\.getuser\(\) falls back to the password database/],
  [
    'a kube-dns ClusterIP without NodeLocal DNSCache',
    app({ dns: { publicNames: { reason: 'public names' }, kubeDnsClusterIp: '10.96.0.10' } }),
    'llm.dns.kubeDnsClusterIp',
    '"10.96.0.10"',
    /is used only with NodeLocal DNSCache.*accepted: no kubeDnsClusterIp, or nodeLocal addresses as well/,
  ],
  [
    'NodeLocal DNSCache on an app that resolves through the resolver of cluster names',
    app({ dns: { nodeLocal: ['169.254.20.10'], kubeDnsClusterIp: '10.96.0.10' } }),
    'llm.dns.nodeLocal',
    '["169.254.20.10"]',
    /this app resolves through the project's resolver of cluster names only; accepted: no nodeLocal \(NodeLocal DNSCache of the cluster goes in dnsResolver: \{ nodeLocal, kubeDnsClusterIp \}\), or publicNames: \{ reason: '...' \} beside it/,
  ],
  [
    'public names with an empty reason',
    app({ dns: { publicNames: { reason: '  ' } } }),
    'llm.dns.publicNames.reason',
    '"  "',
    /is empty; accepted: a sentence saying why this app resolves names outside the cluster/,
  ],
  [
    'a resolver ClusterIP outside the declared Service range',
    sampleIntent({}, { clusterNetwork: { serviceCidrs: ['10.96.0.0/12'] }, dnsResolver: { clusterIp: '172.20.0.53' } }),
    'dnsResolver.clusterIp',
    '"172.20.0.53"',
    /lies outside the cluster's Service ranges \(10\.96\.0\.0\/12\), and the API server refuses a ClusterIP outside them/,
  ],
  [
    'a Service range too small to hold a fixed ClusterIP',
    sampleIntent({}, { clusterNetwork: { serviceCidrs: ['10.96.0.0/28'] } }),
    'clusterNetwork.serviceCidrs[0]',
    '"10.96.0.0/28"',
    /leaves no place for the resolver's fixed ClusterIP: 10\.96\.0\.0\/28 reserves no addresses .*KEP-3070.*accepted: a Service range of \/27 or more, or dnsResolver: \{ clusterIp: '...' \}/,
  ],
  [
    'a NodeLocal DNSCache address of the resolver that is a metadata address',
    sampleIntent({}, { dnsResolver: { nodeLocal: ['169.254.169.254'], kubeDnsClusterIp: '10.96.0.10' } }),
    'dnsResolver.nodeLocal[0]',
    '"169.254.169.254"',
    /is the cloud metadata address 169\.254\.169\.254\/32 .*never reachable/,
  ],
  [
    'a kube-dns ClusterIP written as a block',
    app({ dns: { publicNames: { reason: 'public names' }, nodeLocal: ['169.254.20.10'], kubeDnsClusterIp: '10.96.0.10/32' } }),
    'llm.dns.kubeDnsClusterIp',
    '"10.96.0.10/32"',
    /is not an IP address; accepted: the ClusterIP of the kube-dns Service, from kubectl -n kube-system get svc kube-dns/,
  ],
  [
    'an app named like the Pass the tier writes in a namespace in audit mode, whose staged policy would preview replacing that Pass',
    app({ name: 'pass-to-kubernetes-policies', flavor: 'calico', audit: true }),
    'pass-to-kubernetes-policies.name',
    '"pass-to-kubernetes-policies"',
    /Calico reads a StagedNetworkPolicy as the preview of the enforced policy of its namespace and name.*accepted: another app name than the tier's own policies' \(deny-cloud-metadata, pass-to-kubernetes-policies, deny-undeclared-pods\)/,
  ],
  [
    "an app named like the tier's closing Deny",
    app({ name: 'deny-undeclared-pods', flavor: 'calico' }),
    'deny-undeclared-pods.name',
    '"deny-undeclared-pods"',
    /is the name of the tier's closing Deny .*accepted: another app name/,
  ],
  [
    "an audited app in the resolver's namespace, whose enforced default deny would deny it everything while it is previewed",
    app({ namespace: 'ai-dns', flavor: 'calico', audit: true }),
    'llm.namespace',
    '"ai-dns"',
    /is the namespace of the resolver of cluster names, which holds the resolver alone: .*accepted: another namespace, or dnsResolver: \{ namespace: '...' \} elsewhere/,
  ],
  [
    'an app named default, whose ServiceAccount would be the one every pod that names none runs as',
    app({ name: 'default', flavor: 'calico' }),
    'default.name',
    '"default"',
    /is the name of the ServiceAccount Kubernetes creates in every namespace, which every pod that names none runs as .*accepted: another app name/,
  ],
  [
    "an app in the resolver's namespace as declared",
    sampleIntent({ namespace: 'platform-dns' }, { dnsResolver: { namespace: 'platform-dns' } }),
    'llm.namespace',
    '"platform-dns"',
    /is the namespace of the resolver of cluster names/,
  ],
  [
    'the resolver and the egress proxy in one namespace',
    sampleIntent(
      { egress: [{ hosts: ['api.openai.com'], ports: [443] }] },
      { dnsResolver: { namespace: 'ai-platform' }, egressProxy: { namespace: 'ai-platform' } },
    ),
    'dnsResolver.namespace',
    '"ai-platform"',
    /is both the resolver's namespace and the egress proxy's.*accepted: two different namespaces for dnsResolver.namespace and egressProxy.namespace/,
  ],
  [
    'a model cache mounted over HOME',
    app({ modelCachePath: '/home/ai' }),
    'llm.modelCachePath',
    '"/home/ai"',
    /accepted: an absolute path other than "\/", "\/tmp", "\/home\/ai", "\/dev\/shm"/,
  ],
];

describe('bad input is refused with one clear message and dist/ stays as it was', () => {
  it.each(badInputs)('%s', (_, intent, path, value, accepted) => {
    const { result, before, after, leftovers } = synthOverDist(intent);
    expect(result.ok).toBe(false);
    const message = result.ok ? '' : result.message;
    expect(message).toContain(`${path}: ${value}`);
    expect(message).toMatch(accepted);
    expect(message).toMatch(/nothing was written/);
    expect(after).toEqual(before);
    expect(leftovers).toEqual(['dist']);
  });

  it('refuses NodeLocal DNSCache without the kube-dns ClusterIP it also answers on, saying how to find it', () => {
    const { result, before, after } = synthOverDist(app({ dns: { publicNames: { reason: 'public names' }, nodeLocal: ['169.254.20.10'] } }));
    expect(result.ok ? '' : result.message).toContain(
      '\n  llm.dns.kubeDnsClusterIp is missing, and NodeLocal DNSCache needs it: with kube-proxy in iptables mode the cache also answers on the kube-dns ClusterIP',
    );
    expect(result.ok ? '' : result.message).toContain(
      'accepted: the ClusterIP of the kube-dns Service, from kubectl -n kube-system get svc kube-dns (e.g. "10.96.0.10")',
    );
    expect(after).toEqual(before);
  });

  it('refuses two apps with the same name', () => {
    const base = sampleIntent().apps[0];
    const issues = validateIntent({ apps: [base, { ...base, namespace: 'other' }] });
    expect(issues).toEqual([
      expect.objectContaining({
        scope: { kind: 'app', app: 'llm' },
        path: ['llm', 'name'],
        value: 'llm',
        code: 'declared-twice',
        message: expect.stringMatching(/declared twice; accepted: one app per name/),
      }),
    ]);
  });

  it('reports every problem of one run together, each with its app and field path', () => {
    const issues = validateIntent(
      app({
        port: 0,
        egress: [
          { cidr: '10.0.0.1', ports: [443] },
          { cidr: '10.0.0.0/8', ports: [{ from: 2, to: 1 }], protocol: 'XTP' as never },
        ],
      }),
    );
    expect(issues.map((i) => formatPath(i.path))).toEqual(['llm.port', 'llm.egress[0].cidr', 'llm.egress[1].ports[0]', 'llm.egress[1].protocol']);
    expect(issues.every((i) => formatScope(i.scope) === 'llm')).toBe(true);
  });

  it("accepts the metadata addresses of other clouds once the cloud is declared: 100.100.100.200 is only Alibaba's", () => {
    const alibaba = app({ egress: [{ cidr: '100.100.100.200/32', ports: [80] }] });
    expect(validateIntent(alibaba)).toEqual([expect.objectContaining({ path: ['llm', 'egress', 0, 'cidr'] })]);
    expect(validateIntent({ ...alibaba, cloud: 'aws' })).toEqual([]);
    expect(validateIntent({ ...alibaba, cloud: 'alibaba' })).toEqual([expect.objectContaining({ path: ['llm', 'egress', 0, 'cidr'] })]);
  });

  it("denies every cloud's endpoints when the declared cloud is not valid, besides refusing it", () => {
    const issues = validateIntent({ ...app({ egress: [{ cidr: '168.63.129.16/32', ports: [80] }] }), cloud: 'Azure' as never });
    expect(issues.map((i) => formatPath(i.path))).toEqual(['cloud', 'llm.egress[0].cidr']);
  });

  it('accepts internet egress that carries a written reason', () => {
    expect(validateIntent(app({ egress: [{ cidr: '0.0.0.0/0', ports: [443], internet: { reason: 'calls a public model API' } }] }))).toEqual([]);
  });
});

// The API server refuses an ipBlock except of another family than its cidr as Go reads them
// (kubernetes pkg/apis/networking/validation ValidateIPBlock compares the masks as written, so no
// plain IPv4 except fits in ::ffff:10.0.0.0/104, nor ::ffff:169.254.169.254/128 in ::/0). Every
// cidr and except the renderers write is a declared block or a carved one (lib/net carvedBlocks:
// link-local, metadata and the declared cluster ranges): none may be written IPv4-mapped.
describe('no block of the intent is IPv4-mapped IPv6, so no ipBlock mixes the two readings', () => {
  const mapped = '::ffff:10.0.0.0/104';
  it.each([
    ['an egress cidr', app({ egress: [{ cidr: mapped, ports: [443] }] }), 'llm.egress[0].cidr'],
    ['an allow-list', sampleIntent({ egress: [{ allowList: 'l', ports: [443] }] }, { allowLists: [{ name: 'l', cidrs: [mapped] }] }), 'allowLists[0].cidrs[0]'],
    ['the pod range', { ...app({}), clusterNetwork: { podCidrs: [mapped] } }, 'clusterNetwork.podCidrs[0]'],
    ['the Service range', { ...app({}), clusterNetwork: { serviceCidrs: [mapped] } }, 'clusterNetwork.serviceCidrs[0]'],
    ['the node range', { ...app({}), clusterNetwork: { nodeCidrs: [mapped] } }, 'clusterNetwork.nodeCidrs[0]'],
    ["a cluster's node range", { ...app({}), clusters: [{ name: 'eu', clusterNetwork: { nodeCidrs: [mapped] } }] }, 'clusters.eu.clusterNetwork.nodeCidrs[0]'],
  ] as [string, PlatformIntent, string][])('refuses %s written so, naming the field and the IPv4 block to write', (_, intent, path) => {
    const issues = validateIntent(intent);
    expect(issues.map((i) => formatPath(i.path))).toContain(path);
    expect(issues.find((i) => formatPath(i.path) === path)?.message).toMatch(
      /is an IPv4-mapped IPv6 block.*accepted: the IPv4 block, written as such: "10\.0\.0\.0\/8"/,
    );
  });
});

// lib/net's non-public blocks (IANA's special-purpose registries) are what the egress proxy refuses
// after a lookup; as a cidr destination such a block is the cluster's own network, declared like
// 10.0.0.0/8. 5f00::/16 (SRv6 SIDs, RFC 9602) is one of them, and the intent treats it as the others.
describe('a destination in 5f00::/16 (SRv6 SIDs), as in any other non-public IPv6 block', () => {
  const messages = (destination: Record<string, unknown>) =>
    validateIntent(app({ egress: [{ ...destination, ports: [443] } as never] })).map((i) => `${formatPath(i.path)}: ${i.message}`);

  it('is a cidr destination like one in fec0::/10 or 100::/64, and an address written as a host name is refused the same way', () => {
    for (const [block, host] of [
      ['fec0::/32', 'fec0::1'],
      ['100::/64', '100::1'],
    ]) {
      expect(messages({ cidr: block })).toEqual([]);
      expect(messages({ hosts: [host] })).toEqual(messages({ hosts: ['5f00::1'] }).map((m) => m.replaceAll('5f00::1', host)));
    }
    expect(messages({ cidr: '5f00::/32' })).toEqual([]);
    expect(messages({ hosts: ['5f00::1'] })).toEqual([expect.stringMatching(/^llm\.egress\[0\]\.hosts\[0\]: is an IP address, which the proxy refuses/)]);
  });
});
