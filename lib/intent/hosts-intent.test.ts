/**
 * The hosts destination as the intent reads it: names normalised, the one wildcard form, and every
 * refusal with its field path, the value and what is accepted, all at once, dist/ untouched.
 */
import { AiAppIntent, PlatformIntent, checkIntent, egressProxyRoutes, formatPath, proxyEnvironment } from './index';
import { synthOverDist } from '../../test/support/synth';

const app = (egress: AiAppIntent['egress'], more: Partial<AiAppIntent> = {}): AiAppIntent => ({
  name: 'rag',
  namespace: 'ai',
  image: 'ghcr.io/example/rag:1.0.0',
  port: 8000,
  egress,
  ...more,
});
/** The errors whose message says something of `what`. */
const errorsAbout = (what: string, intent: PlatformIntent) => errors(intent).filter((e) => e.includes(what));
const errors = (intent: PlatformIntent) =>
  checkIntent(intent)
    .filter((i) => i.severity === 'error')
    .map((i) => `${formatPath(i.path)}: ${JSON.stringify(i.value)} ${i.message}`);

describe('a hosts destination', () => {
  it('accepts exact names and one leading "*." wildcard, whatever their case and trailing dot', () => {
    expect(errors({ apps: [app([{ hosts: ['api.openai.com', 'HuggingFace.co.', '*.hf.co', 'xn--bcher-kva.example'], ports: [443] }])] })).toEqual([]);
  });

  it.each([
    ['10.0.0.1', 'is an IP address, which the proxy refuses: addresses belong in a cidr destination', 'Did you mean { cidr: "10.0.0.1/32", ports: [...] }?'],
    ['[2001:db8::1]', 'is an IP address', 'Did you mean { cidr: "2001:db8::1/128", ports: [...] }?'],
    [
      'https://huggingface.co:8443/models',
      'is not a bare host name (it has a scheme, port, path or user)',
      'Did you mean "huggingface.co" with ports: [8443]?',
    ],
    ['*', 'allows every name, which is no egress control', 'accepted: a host name such as "api.openai.com"'],
    ['*.com', 'covers every name registered under "com", a public suffix', 'accepted: exact names, or a wildcard below a domain that is registered'],
    ['*.co.uk', 'covers every name registered under "co.uk", a public suffix', ''],
    ['*.s3.us-east-1.amazonaws.com', 'covers every name registered under "s3.us-east-1.amazonaws.com", a public suffix', ''],
    ['api.*.com', 'has a wildcard other than one leading "*."', '(the wildcard stands for exactly one label, and only in front)'],
    ['**.hf.co', 'has a wildcard other than one leading "*."', ''],
    ['bücher.example', 'is not written in ASCII', 'Did you mean "xn--bcher-kva.example"?'],
    ['a..b', 'is not a valid host name (an empty label)', ''],
    ['-a.example', 'is not a valid host name (label "-a")', ''],
    ['x.123', 'ends in a numeric label', ''],
    ['2130706433', 'ends in a numeric label', ''],
    ['qdrant', 'is a single label', 'in-cluster destinations'],
    ['qdrant.vector-db.svc', 'is a name of the cluster (under ".svc")', 'accepted: an in-cluster destination { namespace, podLabels, ports }'],
    ['api.cluster.local', 'is a name of the cluster (under ".cluster.local")', ''],
    ['metadata.google.internal', 'names a cloud metadata service (metadata.google.internal)', ''],
    ['*.google.internal', 'names a cloud metadata service (metadata.google.internal)', ''],
    ['', 'is empty', ''],
  ])('refuses %j with its path and what is accepted', (host, what, hint) => {
    const [line, ...rest] = errors({ apps: [app([{ hosts: ['api.openai.com', host], ports: [443] }])] });
    expect(rest).toEqual([]);
    expect(line).toContain(`rag.egress[0].hosts[1]: ${JSON.stringify(host)} ${what}`);
    expect(line).toContain(hint);
  });

  it('refuses names under the cluster domain dnsResolver.clusterDomain declares, exact or wildcard, with or without clusters, and nothing outside it', () => {
    const declared = (more: Partial<PlatformIntent> = {}): PlatformIntent => ({
      apps: [app([{ hosts: ['api.openai.com', 'qdrant.vector-db.svc.Corp.Internal.', '*.corp.internal', 'corp.internal', 'notcorp.internal'], ports: [443] }])],
      dnsResolver: { clusterDomain: 'corp.internal' },
      ...more,
    });
    const message = (host: string, i: number) =>
      `rag.egress[0].hosts[${i}]: ${JSON.stringify(host)} is a name of the cluster (under ".corp.internal", the cluster domain dnsResolver.clusterDomain declares), which the egress proxy would resolve through kube-dns to the cluster's own Services, a way into the cluster; accepted: an in-cluster destination { namespace, podLabels, ports } for a service of the cluster, or a host name outside ".corp.internal"`;
    const expected = [message('qdrant.vector-db.svc.Corp.Internal.', 1), message('*.corp.internal', 2), message('corp.internal', 3)];
    expect(errors(declared())).toEqual(expected);
    expect(errors(declared({ clusters: [{ name: 'prod' }, { name: 'lab' }] }))).toEqual(expected);
    // Without the declaration, corp.internal is a name like any other.
    expect(errors({ apps: declared().apps })).toEqual([]);
  });

  it('leaves dist/ as it was when a name of the declared cluster domain is refused', () => {
    const { result, before, after } = synthOverDist({
      apps: [app([{ hosts: ['models.ai.svc.corp.internal'], ports: [443] }])],
      dnsResolver: { clusterDomain: 'corp.internal' },
    });
    expect(result.ok).toBe(false);
    expect(after).toEqual(before);
  });

  it('refuses an empty list, a name twice (once normalised), a protocol but TCP and port 53, all at once', () => {
    expect(
      errors({
        apps: [
          app([
            { hosts: [], ports: [443] },
            { hosts: ['api.openai.com', 'API.OpenAI.com.'], ports: [443, { from: 50, to: 60 }], protocol: 'UDP' },
          ]),
        ],
      }),
    ).toEqual([
      'rag.egress[0].hosts: [] is empty; accepted: at least one host: a host name such as "api.openai.com", or "*.hf.co" for every name one label below hf.co',
      'rag.egress[1].hosts[1]: "API.OpenAI.com." is hosts[0] again (as "api.openai.com"); accepted: each name once',
      'rag.egress[1].protocol: "UDP" is not carried by the egress proxy, which forwards HTTP and HTTPS over TCP; accepted: protocol "TCP", or none',
      'rag.egress[1].ports[1]: {"from":50,"to":60} includes port 53, DNS, which goes to the cluster resolver and never through the proxy; accepted: the ports of HTTP or HTTPS services, e.g. 443',
    ]);
  });

  it("refuses an app in the proxy's namespace and proxy variables an app with names sets itself", () => {
    expect(
      errorsAbout('egress proxy', {
        apps: [
          app([{ hosts: ['api.openai.com'], ports: [443] }], { env: { HTTPS_PROXY: 'http://mine:3128', no_proxy: '*' } }),
          app([], { name: 'sneaky', namespace: 'ops-proxy' }),
        ],
        egressProxy: { namespace: 'ops-proxy' },
      }),
    ).toEqual([
      `rag.env.HTTPS_PROXY: "http://mine:3128" is set by the egress proxy for an app with host names (egress[0]): HTTPS_PROXY and HTTP_PROXY to the app's port of the proxy, NO_PROXY to the cluster and the app's direct destinations; accepted: no HTTPS_PROXY in env`,
      `rag.env.no_proxy: "*" is set by the egress proxy for an app with host names (egress[0]): HTTPS_PROXY and HTTP_PROXY to the app's port of the proxy, NO_PROXY to the cluster and the app's direct destinations; accepted: no no_proxy in env`,
      `sneaky.namespace: "ops-proxy" is the egress proxy's namespace, which holds the proxy alone; accepted: another namespace, or egressProxy: { namespace: '...' } elsewhere`,
    ]);
  });

  it('refuses fewer than 2 replicas of the proxy', () => {
    expect(errors({ apps: [app([])], egressProxy: { replicas: 1 } })).toEqual([
      "egressProxy.replicas: 1 leaves every app's hostname destinations without a proxy whenever one pod is down (a node drained, a rollout); accepted: a whole number, 2 or more",
    ]);
  });

  it('leaves dist/ as it was when a name is refused', () => {
    const { result, before, after } = synthOverDist({ apps: [app([{ hosts: ['*.com'], ports: [443] }])] });
    expect(result.ok).toBe(false);
    expect(after).toEqual(before);
  });
});

describe('the route of an app to the proxy, and its environment', () => {
  const intent: PlatformIntent = {
    apps: [
      app([{ hosts: ['api.openai.com'], ports: [443] }], { name: 'b', namespace: 'z' }),
      app(
        [
          { hosts: ['pypi.org'], ports: [443] },
          { namespace: 'vector-db', podLabels: { app: 'qdrant' }, ports: [6333] },
          { cidr: '198.51.100.0/24', ports: [443] },
        ],
        {
          name: 'a',
          namespace: 'y',
        },
      ),
      app([], { name: 'c', namespace: 'x' }),
    ],
  };

  it('gives each app with names a port of its own, by namespace then name, from 3129; none to an app without names', () => {
    expect(egressProxyRoutes(intent).map((r) => [`${r.appNamespace}/${r.app}`, r.port])).toEqual([
      ['y/a', 3129],
      ['z/b', 3130],
    ]);
  });

  it('points HTTPS_PROXY and HTTP_PROXY, in both cases, at that port, and leaves the cluster and the direct destinations out through NO_PROXY', () => {
    const [route] = egressProxyRoutes(intent);
    const env = proxyEnvironment(intent.apps[1], route, { allowLists: [], cloud: 'any' });
    expect(env).toEqual({
      HTTPS_PROXY: 'http://egress-proxy.ai-egress-proxy.svc:3129',
      https_proxy: 'http://egress-proxy.ai-egress-proxy.svc:3129',
      HTTP_PROXY: 'http://egress-proxy.ai-egress-proxy.svc:3129',
      http_proxy: 'http://egress-proxy.ai-egress-proxy.svc:3129',
      NO_PROXY: 'localhost,127.0.0.1,::1,.svc,.cluster.local,.vector-db,198.51.100.0/24',
      no_proxy: 'localhost,127.0.0.1,::1,.svc,.cluster.local,.vector-db,198.51.100.0/24',
    });
  });

  it('keeps a namespace out of NO_PROXY where a declared name ends in it', () => {
    const declares = app([
      { hosts: ['models.vector-db'], ports: [443] },
      { namespace: 'vector-db', podLabels: { app: 'qdrant' }, ports: [6333] },
    ]);
    const [route] = egressProxyRoutes({ apps: [declares] });
    expect(proxyEnvironment(declares, route, { allowLists: [], cloud: 'any' }).NO_PROXY).toBe('localhost,127.0.0.1,::1,.svc,.cluster.local');
  });

  it("leaves the cluster's own domain out through NO_PROXY when dnsResolver.clusterDomain names another than cluster.local", () => {
    const [route] = egressProxyRoutes(intent);
    expect(proxyEnvironment(intent.apps[1], route, { allowLists: [], cloud: 'any' }, 'k8s.example.internal').NO_PROXY).toBe(
      'localhost,127.0.0.1,::1,.svc,.k8s.example.internal,.vector-db,198.51.100.0/24',
    );
  });
});
