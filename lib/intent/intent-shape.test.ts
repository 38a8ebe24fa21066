import { PlatformIntent, didYouMean, formatPath, formatScope, validateIntent } from './index';
import { synthOverDist } from '../../test/support/synth';
import { sampleIntent } from '../../test/support/sample-intent';

/** An intent as main.ts might hand it over at run time, whatever its declared type says. */
const asIntent = (value: unknown) => value as PlatformIntent;
const app = (overrides: Record<string, unknown>) => asIntent(sampleIntent(overrides));
const egress = (...destinations: unknown[]) => app({ egress: destinations });

/** [case, intent, the line printed for the problem] */
const shapes: [string, PlatformIntent, string][] = [
  [
    'a misspelled destination field',
    egress({ cidr: '203.0.113.10/32', ports: [53], protocoll: 'UDP' }),
    'llm.egress[0].protocoll: "UDP" is not a field of a cidr destination; accepted: cidr, ports, protocol, description, internet, networkSet, shared. Did you mean "protocol"?',
  ],
  [
    'a misspelled app field',
    app({ healthpath: '/health' }),
    'llm.healthpath: "/health" is not a field of an app; accepted: name, namespace, image, args, port, healthPath, startupSeconds, replicas, resources, gpus, shmSize, runtimeClassName, tolerations, nodeSelector, env, envExceptions, modelCachePath, modelCacheSize, modelCache, probes, tmpSize, homeSize, flavor, audit, egress, ingress, dns, metrics. Did you mean "healthPath"?',
  ],
  [
    'a misspelled platform field',
    { ...sampleIntent(), allowList: [] } as PlatformIntent,
    'allowList: [] is not a field of a platform intent; accepted: apps, allowLists, cloud, calicoInstalled, metrics, calico, clusterNetwork, dnsResolver, guardrail, calicoVersion, clusters, argocd, egressProxy. Did you mean "allowLists"?',
  ],
  [
    'a misspelled cloud field',
    { ...sampleIntent(), clod: 'aws' } as PlatformIntent,
    'clod: "aws" is not a field of a platform intent; accepted: apps, allowLists, cloud, calicoInstalled, metrics, calico, clusterNetwork, dnsResolver, guardrail, calicoVersion, clusters, argocd, egressProxy. Did you mean "cloud"?',
  ],
  [
    'a misspelled calico setting',
    { ...sampleIntent(), calico: { logs: 'none' } } as PlatformIntent,
    'calico.logs: "none" is not a field of calico settings; accepted: tier, tierOrder, audit, owners, log. Did you mean "log"?',
  ],
  [
    'a logging choice that does not exist',
    asIntent({ ...sampleIntent(), calico: { log: 'all' } }),
    'calico.log: "all" is not a logging choice; accepted: "denied-egress" (what AI pods tried to send and were denied), "denied" (both directions) or "none"',
  ],
  [
    'the ClusterIP field with another case',
    app({ dns: { publicNames: { reason: 'public names' }, nodeLocal: ['169.254.20.10'], kubeDnsClusterIP: '10.96.0.10' } }),
    'llm.dns.kubeDnsClusterIP: "10.96.0.10" is not a field of dns settings; accepted: publicNames, kubeDns, nodeLocal, kubeDnsClusterIp. Did you mean "kubeDnsClusterIp"?',
  ],
  [
    'a misspelled credentials destination',
    egress({ credential: 'eks-pod-identity', ports: [80], reason: 'S3' }),
    'llm.egress[0]: {"credential":"eks-pod-identity","ports":[80],"reason":"S3"} is no kind of destination (it has none of cidr, namespace, allowList, credentials, hosts); accepted: { cidr, ports }, { namespace, podLabels, ports }, { allowList, ports }, { credentials, ports, reason } or { hosts, ports }. Did you mean "credentials" for "credential"?',
  ],
  [
    'a misspelled field of a credentials destination',
    egress({ credentials: 'eks-pod-identity', ports: [80], reasn: 'S3' }),
    'llm.egress[0].reasn: "S3" is not a field of a credentials destination; accepted: credentials, ports, protocol, description, reason. Did you mean "reason"?',
  ],
  [
    'a field nothing is close to',
    app({ team: 'search' }),
    'llm.team: "search" is not a field of an app; accepted: name, namespace, image, args, port, healthPath, startupSeconds, replicas, resources, gpus, shmSize, runtimeClassName, tolerations, nodeSelector, env, envExceptions, modelCachePath, modelCacheSize, modelCache, probes, tmpSize, homeSize, flavor, audit, egress, ingress, dns',
  ],
  [
    'a misspelled field of a port range',
    egress({ cidr: '203.0.113.10/32', ports: [{ from: 8000, too: 8100 }] }),
    'llm.egress[0].ports[0].too: 8100 is not a field of a port range; accepted: from, to. Did you mean "to"?',
  ],
  ['a port written as a string', app({ port: '8000' }), 'llm.port: "8000" is not a port; accepted: a whole number from 1 to 65535'],
  [
    'a destination port written as a string',
    egress({ cidr: '203.0.113.10/32', ports: ['443'] }),
    'llm.egress[0].ports[0]: "443" is not a port; accepted: a whole number from 1 to 65535, or { from, to } for a range',
  ],
  [
    'ports given as one number',
    egress({ cidr: '203.0.113.10/32', ports: 443 }),
    'llm.egress[0].ports: 443 is not a list of ports; accepted: at least one port (a number, or { from, to } for a range)',
  ],
  [
    'a number as an environment value',
    app({ env: { WORKERS: 4 } }),
    'llm.env.WORKERS: 4 is not a string; accepted: a string (quote numbers and booleans: "8080", "true")',
  ],
  [
    'a missing image',
    app({ image: undefined }),
    'llm.image is missing; accepted: an image with a fixed tag or digest, e.g. "vllm/vllm-openai:v0.11.0" (never "latest")',
  ],
  ['a missing egress', app({ egress: undefined }), 'llm.egress is missing; accepted: a list of destinations (it may be empty: DNS only)'],
  [
    'a missing half of the resources',
    app({ resources: { cpu: { request: '1', limit: '2' } } }),
    'llm.resources.memory is missing; accepted: { request, limit }',
  ],
  [
    'a missing range end',
    egress({ cidr: '203.0.113.10/32', ports: [{ from: 8000 }] }),
    'llm.egress[0].ports[0].to is missing; accepted: a whole number from 1 to 65535',
  ],
  [
    'a destination that is a block and pods at once',
    egress({ cidr: '10.0.0.0/8', namespace: 'db', podLabels: { app: 'pg' }, ports: [5432] }),
    'llm.egress[0]: {"cidr":"10.0.0.0/8","namespace":"db"} is more than one kind of destination (it has cidr and namespace); accepted: exactly one of cidr, namespace, allowList, credentials, hosts: { cidr, ports }, { namespace, podLabels, ports }, { allowList, ports }, { credentials, ports, reason } or { hosts, ports }',
  ],
  [
    'a destination that is a block and an allow-list at once',
    egress({ cidr: '203.0.113.0/24', allowList: 'model-registry', ports: [443] }),
    'llm.egress[0]: {"cidr":"203.0.113.0/24","allowList":"model-registry"} is more than one kind of destination (it has cidr and allowList)',
  ],
  [
    'a destination of no kind',
    egress({ cdir: '203.0.113.10/32', ports: [443] }),
    'llm.egress[0]: {"cdir":"203.0.113.10/32","ports":[443]} is no kind of destination (it has none of cidr, namespace, allowList, credentials, hosts); accepted: { cidr, ports }, { namespace, podLabels, ports }, { allowList, ports }, { credentials, ports, reason } or { hosts, ports }. Did you mean "cidr" for "cdir"?',
  ],
  ['pods without labels', egress({ namespace: 'db', ports: [5432] }), 'llm.egress[0].podLabels is missing; accepted: an object of label key/value pairs'],
  [
    'a destination that is a string',
    egress('203.0.113.10/32'),
    'llm.egress[0]: "203.0.113.10/32" is not a destination; accepted: { cidr, ports }, { namespace, podLabels, ports }, { allowList, ports }, { credentials, ports, reason } or { hosts, ports }',
  ],
  ['apps that are not a list', asIntent({ apps: { llm: sampleIntent().apps[0] } }), 'apps: {"llm":'],
  ['an app that is not an object', asIntent({ apps: ['llm'] }), 'apps[0]: "llm" is not an app; accepted: { name, namespace, image, args, port,'],
  [
    'an intent that is not an object',
    asIntent(undefined),
    'intent is missing; accepted: an object { apps: [...], allowLists?: [...], cloud?: ..., calico?: {...}, guardrail?: ..., calicoVersion?: ..., clusters?: [...], argocd?: {...}, egressProxy?: {...} }',
  ],
];

describe('the intent is checked as data at run time, and what tsc would refuse is refused with its field path', () => {
  it.each(shapes)('refuses %s, and dist/ stays as it was', (_, intent, line) => {
    const { result, before, after, leftovers } = synthOverDist(intent);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toContain(`\n  ${line}`);
    expect(result.ok ? '' : result.message).toMatch(/^the declared intent has \d+ problems?; nothing was written:\n/);
    expect(after).toEqual(before);
    expect(leftovers).toEqual(['dist']);
  });

  it('reports every problem of every app in one run, each with its own path', () => {
    const llm = sampleIntent().apps[0];
    const intent = asIntent({
      apps: [
        { ...llm, port: '8000', egress: [{ cidr: '203.0.113.10', ports: [443], protocoll: 'UDP' }] },
        { ...llm, name: 'reranker', image: undefined, egress: [{ cidr: '10.0.0.0/8', namespace: 'db', ports: [5432] }] },
      ],
      calico: { teir: 'x' },
    });
    expect(validateIntent(intent).map((i) => `${formatScope(i.scope)} ${formatPath(i.path)}`)).toEqual([
      'platform calico.teir',
      'llm llm.port',
      'llm llm.egress[0].cidr',
      'llm llm.egress[0].protocoll',
      'reranker reranker.image',
      'reranker reranker.egress[0]',
    ]);
  });

  it('accepts a destination with exactly one of cidr, namespace and allowList, each as before', () => {
    const intent = sampleIntent(
      {
        egress: [
          { cidr: '203.0.113.10/32', ports: [443] },
          {
            namespace: 'vector-db',
            podLabels: { app: 'qdrant' },
            ports: [6333],
            protocol: 'TCP',
            description: 'vector database',
            ungoverned: { reason: 'run by the data team' },
          },
          { allowList: 'mirrors', ports: [443] },
        ],
      },
      { allowLists: [{ name: 'mirrors', cidrs: ['198.51.100.0/24'] }] },
    );
    expect(validateIntent(intent)).toEqual([]);
    expect(synthOverDist(intent).result.ok).toBe(true);
  });
});

describe('did you mean', () => {
  it.each([
    ['protocoll', 'protocol'],
    ['podlabels', 'podLabels'],
    ['teir', 'tier'],
    ['cdir', 'cidr'],
    ['too', 'to'],
    ['healthpath', 'healthPath'],
  ])('proposes the known name closest to %s: %s', (given, meant) => {
    expect(didYouMean(given, ['protocol', 'podLabels', 'tier', 'cidr', 'to', 'healthPath', 'namespace'])).toBe(meant);
  });

  it.each(['team', 'x', 'egressRules'])('proposes nothing when no known name is close to %s', (given) => {
    expect(didYouMean(given, ['protocol', 'podLabels', 'tier', 'cidr', 'to', 'egress', 'namespace'])).toBeUndefined();
  });
});
