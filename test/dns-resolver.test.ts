/**
 * The resolver of cluster names: CoreDNS as dist/ runs it, and its Corefile read as CoreDNS reads
 * it.
 *
 * CoreDNS itself does not run here: neither npm nor Debian ships it (Debian 12 has no coredns
 * package), and this machine reaches no other registry. So its Corefile is read by lib/verify's
 * reader of CoreDNS's grammar (Caddy's lexer and parser as coredns/caddy writes them, the plugins'
 * READMEs for what they do), on the Corefile dist/ holds and on Corefiles CoreDNS's own pages and
 * kubeadm write; on a machine with CoreDNS, `coredns -conf <Corefile> -dns.port 1053` and
 * `dig @127.0.0.1 -p 1053 example.com` (REFUSED) and `kubernetes.default.svc.cluster.local`
 * (forwarded) check the same.
 */
import { resolverCorefile } from '../lib/workload';
import { parseCorefile, resolverZones } from '../lib/verify';
import { restrictedViolations } from '../lib/checks';
import { shipped } from './fixtures/intents';
import { K8sObject, readManifests } from '../lib/testing';
import { sampleIntent } from './support/sample-intent';
import { synthesized } from './support/synth';

const objects = synthesized(shipped, readManifests).map((m) => m.object);
const inFile = (kind: string) => objects.filter((o) => o.kind === kind && o.metadata.namespace === 'ai-dns');

describe('the Corefile of the resolver', () => {
  it('forwards the cluster domain to its own nameserver (kube-dns) and refuses every other zone, reverse lookups included', () => {
    expect(resolverZones(resolverCorefile('cluster.local'))).toEqual([
      { zone: 'cluster.local.', does: 'forwarded', to: ['/etc/resolv.conf'] },
      { zone: '.', does: 'refused', to: [] },
    ]);
    expect(resolverZones(resolverCorefile('k8s.example.internal'))[0]).toEqual({ zone: 'k8s.example.internal.', does: 'forwarded', to: ['/etc/resolv.conf'] });
  });

  it('is what dist/ mounts: the ConfigMap the Deployment reads with -conf', () => {
    const [configMap] = inFile('ConfigMap');
    expect(configMap.data.Corefile).toBe(resolverCorefile('cluster.local'));
    const [deployment] = inFile('Deployment');
    const container = deployment.spec.template.spec.containers[0];
    expect(container.args).toEqual(['-conf', '/etc/coredns/Corefile']);
    expect(container.volumeMounts).toEqual([{ name: 'corefile', mountPath: '/etc/coredns', readOnly: true }]);
    expect(deployment.spec.template.spec.volumes).toEqual([
      { name: 'corefile', configMap: { name: configMap.metadata.name, items: [{ key: 'Corefile', path: 'Corefile' }] } },
    ]);
  });

  it.each([
    [
      "kubeadm's default, which forwards every name upstream",
      '.:53 {\n    errors\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n    forward . /etc/resolv.conf {\n       max_concurrent 1000\n    }\n    cache 30\n}\n',
      [{ zone: '.', does: 'forwarded', to: ['/etc/resolv.conf'] }],
    ],
    [
      'a stub domain beside the cluster',
      'consul.local:53 {\n    forward . 10.150.0.1\n}\n',
      [{ zone: 'consul.local.', does: 'forwarded', to: ['10.150.0.1'] }],
    ],
    [
      'an acl that refuses one network only, which refuses nothing else',
      '. {\n    acl {\n        block net 192.168.0.0/16\n    }\n    forward . 8.8.8.8\n}\n',
      [{ zone: '.', does: 'forwarded', to: ['8.8.8.8'] }],
    ],
    [
      'an acl that allows first',
      '. {\n    acl {\n        allow net 10.0.0.0/8\n        block\n    }\n    forward . 8.8.8.8\n}\n',
      [{ zone: '.', does: 'forwarded', to: ['8.8.8.8'] }],
    ],
    [
      'several keys, a port elsewhere, comments and quotes',
      '# a comment\nexample.org:53, "example.net" {\n    whoami # answers itself\n}\n.:1053 {\n    forward . 1.1.1.1\n}\n',
      [
        { zone: 'example.org.', does: 'answered', to: [] },
        { zone: 'example.net.', does: 'answered', to: [] },
      ],
    ],
    ['a DNS-over-TLS server, which port 53 never reaches', 'tls://.:853 {\n    forward . 1.1.1.1\n}\n', []],
  ])('reads %s', (_, corefile, zones) => {
    expect(resolverZones(corefile)).toEqual(zones);
  });

  it.each([
    ['an unclosed block', '. {\n    forward . 8.8.8.8\n', /is not closed/],
    ['a block without a key', '{\n}\n', /without a key|has no "\{"/],
    ['an unclosed quote', '. {\n    forward . "8.8.8.8\n}\n', /quoted token is not closed/],
    ['a snippet', '(common) {\n    errors\n}\n. {\n    import common\n}\n', /snippet/],
  ])('refuses to judge %s', (_, corefile, message) => {
    expect(() => resolverZones(corefile)).toThrow(message);
  });

  it('parses directives with their arguments and blocks', () => {
    expect(parseCorefile('. {\n    log . {\n        class error\n    }\n}\n')).toEqual([
      { keys: ['.'], directives: [{ name: 'log', args: ['.'], block: [{ name: 'class', args: ['error'], block: [] }] }] },
    ]);
  });
});

describe('the resolver as dist/ runs it', () => {
  const [deployment] = inFile('Deployment');
  const pod = deployment.spec.template.spec;

  it('runs CoreDNS pinned by tag and digest, two replicas spread over nodes and zones, one kept through disruptions', () => {
    expect(pod.containers[0].image).toMatch(/^registry\.k8s\.io\/coredns\/coredns:v\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
    expect(deployment.spec.replicas).toBe(2);
    expect(pod.topologySpreadConstraints.map((c: K8sObject) => c.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    const [budget] = inFile('PodDisruptionBudget');
    expect(budget.spec).toEqual({ minAvailable: 1, selector: deployment.spec.selector });
  });

  it('passes Pod Security restricted and binds port 53 without a capability, through a safe sysctl of its own network namespace', () => {
    expect(restrictedViolations(pod)).toEqual([]);
    expect(pod.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
    expect(pod.securityContext.sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '53' }]);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.dnsPolicy).toBe('ClusterFirst');
  });

  it("has a Service at a fixed ClusterIP in the Service range's static band, which every app's pod names as its only nameserver, with the search domains kube-dns would give", () => {
    const [service] = inFile('Service');
    expect(service.spec.clusterIP).toBe('10.96.0.53');
    for (const app of objects.filter((o) => o.kind === 'Deployment' && o.metadata.namespace !== 'ai-dns')) {
      const ns = app.metadata.namespace;
      expect(app.spec.template.spec.dnsPolicy).toBe('None');
      expect(app.spec.template.spec.dnsConfig).toEqual({
        nameservers: ['10.96.0.53'],
        searches: [`${ns}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'],
        options: [{ name: 'ndots', value: '5' }],
      });
    }
  });

  it('is written only when an app resolves through it: not for apps that all declare public names', () => {
    const open = sampleIntent({ dns: { publicNames: { reason: 'calls public APIs by name' } } });
    expect(synthesized(open, readManifests).filter((m) => m.object.metadata.namespace === 'ai-dns')).toEqual([]);
    expect(synthesized(sampleIntent(), readManifests).filter((m) => m.object.metadata.namespace === 'ai-dns').length).toBeGreaterThan(0);
  });

  it('takes a declared namespace, domain and address', () => {
    const custom = synthesized(
      sampleIntent({}, { dnsResolver: { namespace: 'dns', clusterDomain: 'k8s.example.internal', clusterIp: '10.96.0.99' } }),
      readManifests,
    ).map((m) => m.object);
    expect(custom.find((o) => o.kind === 'Service' && o.metadata.namespace === 'dns')?.spec.clusterIP).toBe('10.96.0.99');
    expect(custom.find((o) => o.kind === 'Deployment' && o.metadata.name === 'llm')?.spec.template.spec.dnsConfig.searches).toEqual([
      'ai.svc.k8s.example.internal',
      'svc.k8s.example.internal',
      'k8s.example.internal',
    ]);
  });
});
