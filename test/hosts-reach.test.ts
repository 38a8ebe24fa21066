/**
 * The verifier's answers by host name, on what synth writes for the hosts fixture (apps of both
 * flavors) and on copies edited by hand: each app reaches exactly its own names through its own
 * port of the proxy, and every way around that is seen (a wider policy, a direct route to the
 * internet, a proxy whose configuration is missing or whose egress is closed).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { stringify } from 'yaml';
import { buildGraph, diffMain, renderMarkdown } from '../lib/review';
import { clusterOf, declaredDestinations, K8sObject, readManifests, reachMismatch } from '../lib/testing';
import { egressReport, hostReach, queryHost, verifyMain } from '../lib/verify';
import { hosts as intent } from './fixtures/intents';
import { synthesized } from './support/synth';

const pristine = synthesized(intent, readManifests).map((m) => m.object);
const copy = (): K8sObject[] => JSON.parse(JSON.stringify(pristine));
const find = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;
const appOf = (name: string) => intent.apps.find((a) => a.name === name)!;

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function folder(objects: readonly K8sObject[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'hosts-reach-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'all.yaml'), objects.map((o) => stringify(o)).join('---\n'));
  return dir;
}

describe('what synth writes: each app reaches its own names, through its own port, and nothing else by name', () => {
  it.each(['ai-rag/rag-api', 'ai-rag/indexer', 'ai-models/llm'])('%s reaches exactly what the intent declares, names included', (id) => {
    expect(pristine).toReachExactly(id, declaredDestinations(appOf(id.split('/')[1]), intent));
  });

  it("answers by name: a declared name on a declared port is allowed; another app's name, an undeclared port, or an undeclared name are not", () => {
    expect(pristine).toAllowEgress('ai-rag/rag-api', 'api.openai.com', 443);
    expect(pristine).toAllowEgress('ai-rag/rag-api', 'API.Anthropic.com.', 443);
    expect(pristine).toDenyEgress('ai-rag/rag-api', 'huggingface.co', 443);
    expect(pristine).toDenyEgress('ai-rag/rag-api', 'api.openai.com', 8443);
    expect(pristine).toDenyEgress('ai-rag/rag-api', 'example.org', 443);
    expect(pristine).toAllowEgress('ai-rag/indexer', 'docs.example.net', 8443);
  });

  it('lets `*.hf.co` through for names one label below hf.co, never hf.co itself nor deeper names (the calico app)', () => {
    expect(pristine).toAllowEgress('ai-models/llm', 'cdn-lfs.hf.co', 443);
    expect(pristine).toDenyEgress('ai-models/llm', 'hf.co', 443);
    expect(pristine).toDenyEgress('ai-models/llm', 'a.b.hf.co', 443);
    expect(pristine).toAllowEgress('ai-models/llm', 'mirror.example.org', 8444);
  });

  it('says which line of the configuration and which policies decide, and where names are refused after the lookup', () => {
    const cluster = clusterOf(pristine);
    const allowed = queryHost(cluster, 'ai-rag/rag-api', 'api.openai.com', 443);
    expect(allowed.allowed).toBe(true);
    expect(allowed.paths).toHaveLength(1);
    const [path] = allowed.paths;
    expect(path.squid.rule?.text).toMatch(/^http_access allow app-\d+ app-\d+-egress-0-names app-\d+-egress-0-ports !non-public$/);
    expect(path.squid.refusedIfResolvedTo).toEqual(expect.arrayContaining(['10.0.0.0/8', '169.254.0.0/16', 'fc00::/7']));
    expect(path.network.egress.decision).toMatchObject({ reason: 'rule', rule: { name: 'rag-api-egress' } });
    expect(path.network.ingress.decision).toMatchObject({ reason: 'rule', rule: { name: 'ai-egress.egress-proxy' } });
    const refused = queryHost(cluster, 'ai-rag/rag-api', 'huggingface.co', 443);
    expect([refused.allowed, refused.paths[0].squid.rule?.text]).toEqual([false, 'http_access deny all']);
  });

  it('the oracle names each declared name and port the manifests do not let through, and each they let through undeclared', () => {
    const rag = egressReport(clusterOf(pristine)).workloads.find((w) => w.endpoint === 'ai-rag/rag-api')!;
    expect(reachMismatch(appOf('rag-api'), intent, rag)).toEqual([]);
    const byName = (allowed: NonNullable<typeof rag.hosts>['allowed']) =>
      reachMismatch(appOf('rag-api'), intent, { ...rag, hosts: { ...rag.hosts!, allowed } }).filter((d) => d.to.startsWith('host '));
    expect(byName([])).toEqual([
      { change: 'removed', protocol: 'TCP', ports: '443', to: 'host api.openai.com' },
      { change: 'removed', protocol: 'TCP', ports: '443', to: 'host api.anthropic.com' },
    ]);
    const openai = rag.hosts!.allowed.find((e) => e.host.kind === 'exact' && e.host.name === 'api.openai.com')!;
    expect(byName([...rag.hosts!.allowed, { ...openai, ports: { from: 9000, to: 9001 } }])).toEqual([
      { change: 'added', protocol: 'TCP', ports: '9000', to: 'host api.openai.com' },
      { change: 'added', protocol: 'TCP', ports: '9001', to: 'host api.openai.com' },
    ]);
  });

  it('lists names in verify egress and its JSON, and nothing by name for the proxy itself', () => {
    const report = egressReport(clusterOf(pristine));
    const rag = report.workloads.find((w) => w.endpoint === 'ai-rag/rag-api')!;
    const json = JSON.parse(verifyMain(['egress', '--manifests', folder(pristine), '--json']).stdout);
    expect(
      json.workloads
        .find((w: { endpoint: string }) => w.endpoint === 'ai-rag/rag-api')
        .hosts.allowed.map((h: { host: string; ports: string }) => [h.host, h.ports]),
    ).toEqual([
      ['api.anthropic.com', '443'],
      ['api.openai.com', '443'],
    ]);
    expect(rag.hosts?.bypass).toEqual([]);
    expect(report.workloads.find((w) => w.endpoint === 'ai-egress-proxy/egress-proxy')!.hosts?.allowed).toEqual([]);
    const text = verifyMain(['egress', '--manifests', folder(pristine)]).stdout;
    expect(text).toMatch(
      /ALLOW TCP {2}443 +host api\.openai\.com +via ai-egress-proxy\/egress-proxy port \d+, line \d+ of ConfigMap ai-egress-proxy\/egress-proxy, key squid\.conf/,
    );
  });

  it('draws the names in the report, under the proxy they go through', () => {
    const cluster = clusterOf(pristine);
    const graph = buildGraph(cluster, egressReport(cluster));
    expect(graph.destinations.filter((d) => d.kind === 'host').map((d) => d.label)).toEqual(
      expect.arrayContaining(['api.openai.com', 'api.anthropic.com', 'docs.example.net', '*.hf.co', 'huggingface.co', 'mirror.example.org']),
    );
    expect(renderMarkdown(graph)).toContain('host api.openai.com, through ai-egress-proxy/egress-proxy');
  });

  it('answers verify query --to NAME, as text and JSON', () => {
    const dir = folder(pristine);
    const yes = verifyMain(['query', '--manifests', dir, '--from', 'ai-rag/rag-api', '--to', 'api.openai.com', '--port', '443']);
    expect([yes.code, yes.stdout.split('\n')[0]]).toEqual([0, 'ALLOWED  ai-rag/rag-api -> api.openai.com  TCP 443  (by name, through egress proxies)']);
    const no = verifyMain(['query', '--manifests', dir, '--from', 'ai-rag/rag-api', '--to', 'huggingface.co', '--port', '443', '--json']);
    expect(JSON.parse(no.stdout)).toMatchObject({
      allowed: false,
      host: 'huggingface.co',
      paths: [{ squid: { allowed: false, rule: 'http_access deny all' } }],
    });
  });
});

describe('every way around the intent is seen', () => {
  it("a pod of another namespace that copies an app's labels and ServiceAccount name, with egress open, is refused by the proxy and by the resolver, which admit their clients' namespaces by name", () => {
    const labels = find(pristine, 'Deployment', 'rag-api').spec.template.metadata.labels;
    const elsewhere = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tenant', labels: { 'kubernetes.io/metadata.name': 'tenant' } } };
    const copied = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'copy', namespace: 'tenant', labels },
      spec: { serviceAccountName: 'rag-api', containers: [{ name: 'c', image: 'busybox:1.36' }] },
    };
    const open = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-all', namespace: 'tenant' },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] },
    };
    const objects = [...copy(), elsewhere, copied, open] as K8sObject[];
    expect(objects).toAllowEgress('ai-rag/rag-api', 'api.openai.com', 443);
    expect(objects).toDenyEgress('tenant/copy', 'api.openai.com', 443);
    expect(objects).toDenyIngress('ai-dns/dns-resolver', 'tenant/copy', 53, 'UDP');
    expect(objects).toDenyIngress('ai-dns/dns-resolver', 'tenant/copy', 53, 'TCP');
  });

  it("an app let in on every port of the proxy, by its own policy and the proxy's, reaches every other app's names; by its own alone, not", () => {
    const widened = (proxyToo: boolean) => {
      const objects = copy();
      delete find(objects, 'NetworkPolicy', 'rag-api-egress').spec.egress.find((r: K8sObject) => r.ports?.[0]?.port >= 3129).ports;
      if (proxyToo)
        delete find(objects, 'NetworkPolicy', 'ai-egress.egress-proxy').spec.ingress.find((r: K8sObject) => r.source?.selector?.includes("'rag-api'"))
          .destination;
      return objects;
    };
    expect(widened(false)).toDenyEgress('ai-rag/rag-api', 'docs.example.net', 443);
    expect(widened(true)).toAllowEgress('ai-rag/rag-api', 'docs.example.net', 443);
    expect(widened(true)).not.toReachExactly('ai-rag/rag-api', declaredDestinations(appOf('rag-api'), intent));
  });

  it('an app that may also reach the internet directly is reported as able to go around the proxy', () => {
    const objects = copy();
    find(objects, 'NetworkPolicy', 'rag-api-egress').spec.egress.push({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }] });
    const cluster = clusterOf(objects);
    const reach = hostReach(cluster, cluster.endpoint('ai-rag/rag-api')!);
    expect(reach.bypass.map((e) => e.peer.type === 'cidr' && `${e.protocol} ${'from' in e.ports ? e.ports.from : e.ports.name}`)).toEqual(['TCP 443']);
    expect(verifyMain(['egress', '--manifests', folder(objects)]).stdout).toMatch(/BYPASS TCP 443 to cidr 0\.0\.0\.0\/0.*, around the proxy/);
    expect(queryHost(cluster, 'ai-rag/rag-api', 'api.openai.com', 443).bypass).toHaveLength(1);
  });

  it('a proxy whose configuration is not among the manifests answers nothing by name, and says why', () => {
    const objects = copy().filter((o) => o.kind !== 'ConfigMap');
    const cluster = clusterOf(objects);
    const answer = queryHost(cluster, 'ai-rag/rag-api', 'api.openai.com', 443);
    expect(answer.allowed).toBe(false);
    expect(answer.unreadable).toEqual([
      {
        proxy: 'ai-egress-proxy/egress-proxy',
        ports: [{ from: 3131, to: 3131 }],
        problem: 'ConfigMap ai-egress-proxy/egress-proxy, key squid.conf is not among the manifests',
      },
    ]);
  });

  it("a name the proxy lets through is not reached when the proxy's own egress is closed on its port", () => {
    const objects = copy();
    const policy = find(objects, 'NetworkPolicy', 'ai-egress.egress-proxy');
    for (const rule of policy.spec.egress) if (rule.destination?.nets) rule.destination.ports = [8443];
    const cluster = clusterOf(objects);
    const reach = hostReach(cluster, cluster.endpoint('ai-rag/rag-api')!);
    expect(reach.allowed).toEqual([]);
    expect(reach.blockedByProxyEgress.map((e) => e.ports)).toEqual([
      { from: 443, to: 443 },
      { from: 443, to: 443 },
    ]);
    expect(objects).toDenyEgress('ai-rag/rag-api', 'api.openai.com', 443);
  });
});

describe('verify diff by name', () => {
  const diff = (base: readonly K8sObject[], head: readonly K8sObject[]) => diffMain(['--base', folder(base), '--head', folder(head), '--fail-on-widen']);
  const withConfig = (edit: (conf: string) => string) => {
    const objects = copy();
    const cm = find(objects, 'ConfigMap', 'egress-proxy');
    cm.data['squid.conf'] = edit(cm.data['squid.conf']);
    return objects;
  };

  it('fails on a name added to an app, and names it', () => {
    const head = withConfig((c) => c.replace('dstdomain -n api.openai.com', 'dstdomain -n api.openai.com api.mistral.ai'));
    const result = diff(pristine, head);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\+ may now reach by name +TCP 443 +host api\.mistral\.ai/);
    expect(result.stderr).toContain('reach by name widened');
  });

  it('fails on a wider wildcard, and not on a narrower one', () => {
    const exact = withConfig((c) => c.replace(/dstdom_regex -n -i \^\[\^\.\]\+\\\.hf\\\.co\$/, 'dstdomain -n cdn-lfs.hf.co'));
    expect(diff(exact, pristine).code).toBe(1);
    expect(diff(exact, pristine).stdout).toMatch(/\+ may now reach by name +TCP 443 +host \*\.hf\.co/);
    expect(diff(pristine, exact).code).toBe(0);
  });

  it('is quiet when nothing changed by name', () => {
    expect(diff(pristine, copy())).toMatchObject({ code: 0 });
  });
});

// RFC 9602 allocates 5f00::/16 to SRv6 segment identifiers, not globally reachable in IANA's IPv6
// Special-Purpose Address Registry: a name that resolves there is refused like one that resolves to
// any other non-public block, and the proxy's own policy reaches no address of it.
describe('a name that resolves into 5f00::/16 (SRv6 SIDs)', () => {
  it('is refused by the proxy after the lookup, and its egress policy allows no address there', () => {
    const cluster = clusterOf(pristine);
    expect(queryHost(cluster, 'ai-rag/rag-api', 'api.openai.com', 443).paths[0].squid.refusedIfResolvedTo).toEqual(
      expect.arrayContaining(['5f00::/16', 'fe80::/10', 'fc00::/7']),
    );
    const proxy = egressReport(cluster).workloads.find((w) => w.name === 'egress-proxy')!;
    const toAddresses = proxy.allowed.filter((e) => e.to.type === 'cidr' && e.to.cidr.version === 6);
    expect(toAddresses.length).toBeGreaterThan(0);
    expect(pristine).toDenyEgress(proxy.endpoint, '5f00::1', 443);
    expect(pristine).toAllowEgress(proxy.endpoint, '2606:4700::1111', 443);
  });
});
