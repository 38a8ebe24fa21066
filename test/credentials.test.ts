import { CREDENTIALS_REASON_ANNOTATION } from '../lib/conventions';
import { PlatformIntent, formatPath, validateIntent } from '../lib/intent';
import { Selector, loadCluster, query } from '../lib/verify';
import { aws } from './fixtures/intents';
import { K8sObject, ofKind, readManifests } from '../lib/testing';
import { sampleIntent } from './support/sample-intent';
import { synthesized } from './support/synth';

/** A pod in a namespace with labels and a ServiceAccount, as YAML for the verifier. */
const pod = (namespace: string, name: string, labels: Record<string, string>, serviceAccount: string) => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${namespace}, labels: ${JSON.stringify(labels)} }
spec: { serviceAccountName: ${serviceAccount}, containers: [{ name: c, image: busybox:1.36 }] }
`;

const protectedLabels = (app: string) => ({ 'app.kubernetes.io/name': app, 'secure-ai-egress/protected': 'true' });

describe('a pod credential endpoint allowed to one app (EKS Pod Identity, cloud aws)', () => {
  const cluster = synthesized(aws, (dist) => loadCluster([dist]), {
    'impostors.yaml': [
      pod('ai-data', 'same-sa-other-labels', { 'secure-ai-egress/protected': 'true' }, 'ingest'),
      pod('ai-data', 'same-labels-other-sa', protectedLabels('ingest'), 'default'),
    ].join('---\n'),
  });
  const reach = (from: string, to: string, port: number, protocol: 'TCP' | 'UDP' = 'TCP') => query(cluster, from, to, port, protocol).allowed;

  it('keeps the port limit while the app is only previewed (audit mode), when the guardrail alone is enforced', () => {
    const previewed = synthesized(
      {
        ...aws,
        calico: { ...aws.calico, audit: true },
        apps: aws.apps.filter((a) => a.namespace === 'ai-data').map((a) => ({ ...a, egress: a.egress.filter((d) => !('namespace' in d)) })),
      },
      (dist) => loadCluster([dist]),
    );
    expect(query(previewed, 'ai-data/ingest', '169.254.170.23', 80, 'TCP').allowed).toBe(true);
    expect(query(previewed, 'ai-data/ingest', '169.254.170.23', 443, 'TCP').allowed).toBe(false);
    expect(query(previewed, 'ai-data/ingest', '169.254.170.23', 80, 'UDP').allowed).toBe(false);
    expect(query(previewed, 'ai-data/summarizer', '169.254.170.23', 80, 'TCP').allowed).toBe(false);
  });

  it.each(['169.254.170.23', 'fd00:ec2::23'])('lets the declaring apps of both flavors reach %s on the declared port only', (address) => {
    expect(reach('ai-data/ingest', address, 80)).toBe(true);
    expect(reach('ai-index/indexer', address, 80)).toBe(true);
    expect(reach('ai-data/ingest', address, 443)).toBe(false);
    expect(reach('ai-index/indexer', address, 80, 'UDP')).toBe(false);
  });

  it('denies it to every other pod, even one with the internet allowed, one running as the same ServiceAccount, or one with the same labels', () => {
    expect(reach('ai-data/summarizer', '169.254.170.23', 80)).toBe(false);
    expect(reach('ai-data/summarizer', '169.254.170.23', 443)).toBe(false);
    expect(reach('ai-data/same-sa-other-labels', '169.254.170.23', 80)).toBe(false);
    expect(reach('ai-data/same-labels-other-sa', '169.254.170.23', 80)).toBe(false);
  });

  it('keeps the other AWS endpoints denied to the declaring apps', () => {
    for (const address of ['169.254.169.254', '169.254.170.2', 'fd00:ec2::254']) {
      expect([address, reach('ai-data/ingest', address, 80), reach('ai-index/indexer', address, 80)]).toEqual([address, false, false]);
    }
  });

  it('keeps the written reason on the policy that allows it, in both flavors', () => {
    const manifests = synthesized(aws, readManifests);
    const annotations = (kind: string, name: string) => ofKind(manifests, kind).find((o) => o.metadata.name === name)!.metadata.annotations ?? {};
    expect(annotations('NetworkPolicy', 'ai-guard.ingest')[CREDENTIALS_REASON_ANNOTATION]).toBe(
      '169.254.170.23/32, fd00:ec2::23/128: reads documents from S3 with the role of its ServiceAccount',
    );
    expect(annotations('NetworkPolicy', 'indexer-egress')[CREDENTIALS_REASON_ANNOTATION]).toBe(
      '169.254.170.23/32, fd00:ec2::23/128: writes its index to S3 with the role of its ServiceAccount',
    );
    expect(annotations('NetworkPolicy', 'ai-guard.summarizer')[CREDENTIALS_REASON_ANNOTATION]).toBeUndefined();
  });

  it("denies the address in the guardrail to every pod but the declaring apps', and to theirs on other protocols and ports", () => {
    const guardrail = ofKind(synthesized(aws, readManifests), 'GlobalNetworkPolicy').find((p) => p.metadata.name === 'ai-guard.deny-cloud-metadata')!;
    const rules = guardrail.spec.egress.filter(
      (r: { action: string; destination: { nets: string[] } }) => r.action === 'Deny' && r.destination.nets[0] === '169.254.170.23/32',
    );
    const ingest =
      "projectcalico.org/namespace == 'ai-data' && projectcalico.org/serviceaccount == 'ingest' && app.kubernetes.io/name == 'ingest' && projectcalico.org/orchestrator == 'k8s'";
    const indexer =
      "projectcalico.org/namespace == 'ai-index' && projectcalico.org/serviceaccount == 'indexer' && app.kubernetes.io/name == 'indexer' && projectcalico.org/orchestrator == 'k8s'";
    expect(rules.map(({ metadata, ...match }: K8sObject) => match)).toEqual([
      { action: 'Deny', source: { notSelector: `(${ingest}) || (${indexer})` }, destination: { nets: ['169.254.170.23/32'] } },
      { action: 'Deny', notProtocol: 'TCP', source: { selector: ingest }, destination: { nets: ['169.254.170.23/32'] } },
      { action: 'Deny', protocol: 'TCP', source: { selector: ingest }, destination: { nets: ['169.254.170.23/32'], notPorts: [80] } },
      { action: 'Deny', notProtocol: 'TCP', source: { selector: indexer }, destination: { nets: ['169.254.170.23/32'] } },
      { action: 'Deny', protocol: 'TCP', source: { selector: indexer }, destination: { nets: ['169.254.170.23/32'], notPorts: [80] } },
    ]);
    const others = guardrail.spec.egress.filter(
      (r: { destination: { nets: string[] } }) => !['169.254.170.23/32', 'fd00:ec2::23/128'].includes(r.destination.nets[0]),
    );
    expect(others.length).toBeGreaterThan(0);
    for (const rule of others) expect(rule.source).toBeUndefined();
  });
});

describe('a credentials destination is refused', () => {
  const withCredentials = (credentials: string, platform: Partial<PlatformIntent> = {}, reason = 'reads weights from S3') =>
    sampleIntent({ egress: [{ credentials, ports: [80], reason }] }, platform);

  it.each([
    [
      "an instance metadata service, which hands out the node's credentials",
      withCredentials('aws-imds'),
      'llm.egress[0].credentials',
      'is the EC2 instance metadata service, which hands out the node\'s credentials, never a pod\'s own, and is never reachable; accepted: "eks-pod-identity" (the EKS Pod Identity agent)',
    ],
    [
      'a misspelled endpoint',
      withCredentials('eks-pod-identiy'),
      'llm.egress[0].credentials',
      'names no pod credential endpoint; accepted: "eks-pod-identity" (the EKS Pod Identity agent). Did you mean "eks-pod-identity"?',
    ],
    [
      "an endpoint of another cloud than the platform's",
      withCredentials('eks-pod-identity', { cloud: 'gcp' }),
      'llm.egress[0].credentials',
      'is an endpoint of aws, not of cloud "gcp"; accepted: none: cloud "gcp" has no pod credential endpoint this project knows',
    ],
    [
      'an empty reason',
      withCredentials('eks-pod-identity', {}, ''),
      'llm.egress[0].reason',
      'is empty; accepted: a sentence saying why this app needs its own cloud credentials',
    ],
  ])('%s', (_, intent, path, message) => {
    expect(validateIntent(intent).map((i) => ({ path: formatPath(i.path), message: i.message }))).toEqual([{ path, message }]);
  });

  it('when one app declares it twice, since the guardrail leaves the app one protocol and its ports there', () => {
    const twice = sampleIntent({
      egress: [
        { credentials: 'eks-pod-identity', ports: [80], reason: 'S3' },
        { credentials: 'eks-pod-identity', ports: [2703], protocol: 'UDP', reason: 'S3' },
      ],
    });
    expect(validateIntent(twice)).toEqual([
      expect.objectContaining({
        path: ['llm', 'egress', 1, 'credentials'],
        message: 'is declared a second time; accepted: one credentials destination per endpoint, with all its ports, of one protocol',
      }),
    ]);
  });

  it('and a cidr destination at its address says how to ask for it instead', () => {
    expect(validateIntent(sampleIntent({ egress: [{ cidr: '169.254.170.23/32', ports: [80] }] }, { cloud: 'aws' }))[0].message).toMatch(
      /never reachable with cloud "aws".*declare \{ credentials: 'eks-pod-identity', ports: \[\.\.\.\], reason: '\.\.\.' \} instead$/,
    );
  });

  it('but accepted on AWS and under any cloud', () => {
    expect(validateIntent(withCredentials('eks-pod-identity', { cloud: 'aws' }))).toEqual([]);
    expect(validateIntent(withCredentials('eks-pod-identity'))).toEqual([]);
  });
});

// Calico selectors see HostEndpoints besides pods, and a HostEndpoint's labels are whatever its
// writer gives it; Felix labels every Kubernetes pod `projectcalico.org/orchestrator: k8s`
// (libcalico-go workload_endpoint_default.go), which Calico's own conversion of a Kubernetes
// pod selector adds for that reason (conversion.go, k8sSelectorToCalico).
describe("the guardrail's exemption of the apps that declare a credential endpoint", () => {
  const guardrail = ofKind(synthesized(aws, readManifests), 'GlobalNetworkPolicy').find((p) => p.metadata.name === 'ai-guard.deny-cloud-metadata')!;
  const credentialRules = guardrail.spec.egress.filter((r: { destination: { nets: string[] } }) => r.destination.nets[0] === '169.254.170.23/32');
  const ingest = {
    'projectcalico.org/namespace': 'ai-data',
    'projectcalico.org/serviceaccount': 'ingest',
    'app.kubernetes.io/name': 'ingest',
  };
  const matches = (selector: string, labels: Record<string, string>) => new Selector(selector).test(new Map(Object.entries(labels)));

  it('selects the pods of the app (labelled by Felix as Kubernetes workloads) and no HostEndpoint that copies their labels', () => {
    const [exempt] = credentialRules.map((r: { source: { notSelector: string } }) => r.source.notSelector);
    expect(matches(exempt, { ...ingest, 'projectcalico.org/orchestrator': 'k8s' })).toBe(true);
    expect(matches(exempt, ingest)).toBe(false);
    const own = (credentialRules as { source: { selector?: string } }[]).flatMap((r) => (r.source.selector?.includes("'ingest'") ? [r.source.selector] : []));
    expect(own.length).toBeGreaterThanOrEqual(2);
    for (const selector of own) {
      expect(matches(selector, { ...ingest, 'projectcalico.org/orchestrator': 'k8s' })).toBe(true);
      expect(matches(selector, ingest)).toBe(false);
    }
  });
});
