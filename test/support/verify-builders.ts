/**
 * Small builders of manifests for the verifier's tests, so that each test shows only the fields
 * its rule is about.
 */

import { formatCidr } from '../../lib/net';
import {
  buildCluster,
  Cluster,
  describePorts,
  Destination,
  IngressEntry,
  parseManifests,
  query,
  queryJson,
  QueryAnswerJson,
  ReachEntry,
  VerifyOptions,
} from '../../lib/verify';

type Obj = Record<string, unknown>;

/** A Namespace with labels. */
export function namespace(name: string, labels: Record<string, string> = {}): Obj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

/** A container port for {@link deployment} and {@link pod}. */
export interface PortSpec {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol?: string;
}

function podSpec(opts: { serviceAccount?: string; ports?: PortSpec[] }): Obj {
  return {
    ...(opts.serviceAccount ? { serviceAccountName: opts.serviceAccount } : {}),
    containers: [{ name: 'main', image: 'example/app:1', ports: opts.ports ?? [] }],
  };
}

/** A Deployment whose pod template carries the labels. */
export function deployment(ns: string, name: string, labels: Record<string, string>, opts: { serviceAccount?: string; ports?: PortSpec[] } = {}): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec(opts) } },
  };
}

/** A Pod, with a pod IP when given. */
export function pod(ns: string, name: string, labels: Record<string, string>, opts: { ip?: string; serviceAccount?: string; ports?: PortSpec[] } = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: podSpec(opts),
    ...(opts.ip ? { status: { podIP: opts.ip, podIPs: [{ ip: opts.ip }] } } : {}),
  };
}

/** A Kubernetes NetworkPolicy. */
export function networkPolicy(ns: string, name: string, spec: Obj): Obj {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

/** A projectcalico.org/v3 object; `ns` only for namespaced kinds. */
export function calico(kind: string, name: string, spec: Obj, ns?: string, labels?: Record<string, string>): Obj {
  return { apiVersion: 'projectcalico.org/v3', kind, metadata: { name, ...(ns ? { namespace: ns } : {}), ...(labels ? { labels } : {}) }, spec };
}

/** The objects as one multi-document YAML text: each document in JSON's flow style, which YAML reads as it is. */
export function yamlOf(objects: readonly Obj[]): string {
  return objects.map((o) => `${JSON.stringify(o)}\n`).join('---\n');
}

/**
 * The cluster the verifier reads from the objects written as one YAML file (`test.yaml`), with
 * its options: the objects go through the verifier's own parsing, as a file of manifests does.
 * (lib/testing's `clusterOf` takes manifests in any form a team's test holds them, without options.)
 */
export function readCluster(objects: readonly Obj[], options?: VerifyOptions): Cluster {
  return buildCluster(parseManifests(yamlOf(objects), 'test.yaml'), options);
}

/** A query's answer as `verify query --json` prints it: rules and policies by name, with the sentence that explains each direction. */
export function ask(...args: Parameters<typeof query>): QueryAnswerJson {
  return queryJson(query(...args));
}

/** Entries of an egress or ingress listing as short lines, `peer protocol ports`, the peer being where they go to or come from. */
export function brief(entries: readonly (ReachEntry | IngressEntry)[]): string[] {
  return entries.map((e) => {
    const peer: Destination = 'to' in e ? e.to : e.from;
    const text =
      peer.type === 'cidr'
        ? `${formatCidr(peer.cidr)}${peer.except.length ? ` except ${peer.except.map(formatCidr).join(',')}` : ''}`
        : `${peer.namespace}${JSON.stringify(peer.labels)}${peer.endpoint ? `=${peer.endpoint.id}` : ''}`;
    return `${text} ${e.protocol} ${describePorts(e.ports)}`;
  });
}

/** What a workload no policy selects in a direction may exchange: every address and every pod, on every protocol and port. */
export const EVERYTHING: readonly string[] = ['0.0.0.0/0', '::/0', '*{}'].flatMap((peer) => ['TCP', 'UDP', 'SCTP'].map((p) => `${peer} ${p} 1-65535`));

/** A HostEndpoint (cluster-scoped) with its labels, expected IPs and profiles. */
export function hostEndpoint(name: string, labels: Record<string, string>, expectedIPs: string[], profiles?: string[]): Obj {
  return calico('HostEndpoint', name, { node: 'node-1', expectedIPs, ...(profiles ? { profiles } : {}) }, undefined, labels);
}

/** A Kubernetes Node with its labels and InternalIP addresses. */
export function node(name: string, labels: Record<string, string>, internalIPs: string[], annotations: Record<string, string> = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels, annotations },
    status: { addresses: [...internalIPs.map((address) => ({ type: 'InternalIP', address })), { type: 'Hostname', address: name }] },
  };
}

/** The KubeControllersConfiguration `default` with automatic host endpoints turned on (and templates, when given). */
export function autoHostEndpoints(templates?: Obj[]): Obj {
  return calico('KubeControllersConfiguration', 'default', {
    controllers: { node: { hostEndpoint: { autoCreate: 'Enabled', ...(templates ? { templates } : {}) } } },
  });
}

/** The pod selector term that makes a Calico rule select pods only, as Calico's conversion of Kubernetes policies writes it. */
export const PODS_ONLY = "projectcalico.org/orchestrator == 'k8s'";

/** The allow-list term that leaves out the host endpoints calico-kube-controllers makes of Nodes. */
export const NOT_AUTO_HOST_ENDPOINT = '!has(projectcalico.org/created-by)';

/**
 * The shipped calico app, `ai-application/ai-service`, as the calico renderer writes it (its tier,
 * allow-list, default deny, policy and Deployment; callers in `ai-gateway`, a vector database in
 * `vector-db`, neither namespace among the manifests). `selectsOnlyPods` writes its selectors
 * the way issue 18 asks: every pod peer and namespace-only peer with {@link PODS_ONLY}, the
 * allow-list with {@link NOT_AUTO_HOST_ENDPOINT}; without it, as the renderer wrote them before.
 * The verifier's tests use it so that they hold whatever the renderer writes today.
 */
export function shippedCalicoApp(opts: { selectsOnlyPods: boolean }): Obj[] {
  const pods = (selector?: string) => (opts.selectsOnlyPods ? (selector ? `${selector} && ${PODS_ONLY}` : PODS_ONLY) : selector);
  const inNamespace = (ns: string) => `kubernetes.io/metadata.name == '${ns}'`;
  const allow = (protocol: string, port: number, destination: Obj) => ({ action: 'Allow', protocol, destination: { ...destination, ports: [port] } });
  const labels = { 'app.kubernetes.io/name': 'ai-service', 'secure-ai-egress/protected': 'true' };
  return [
    namespace('ai-application'),
    calico('Tier', 'ai-egress', { order: 10000, defaultAction: 'Deny' }),
    calico('GlobalNetworkSet', 'model-registry', { nets: ['203.0.113.10/32'] }, undefined, { 'secure-ai-egress/allow-list': 'model-registry' }),
    networkPolicy('ai-application', 'default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    calico(
      'NetworkPolicy',
      'ai-egress.ai-service',
      {
        tier: 'ai-egress',
        order: 100,
        selector: "app.kubernetes.io/name == 'ai-service'",
        serviceAccountSelector: "projectcalico.org/name == 'ai-service'",
        types: ['Ingress', 'Egress'],
        egress: [
          allow('UDP', 53, { namespaceSelector: inNamespace('kube-system'), selector: pods("k8s-app == 'kube-dns'") }),
          allow('TCP', 53, { namespaceSelector: inNamespace('kube-system'), selector: pods("k8s-app == 'kube-dns'") }),
          allow('TCP', 443, {
            namespaceSelector: 'global()',
            selector: `secure-ai-egress/allow-list == 'model-registry'${opts.selectsOnlyPods ? ` && ${NOT_AUTO_HOST_ENDPOINT}` : ''}`,
          }),
          allow('TCP', 443, { nets: ['198.51.100.0/24'] }),
          allow('TCP', 6333, { namespaceSelector: inNamespace('vector-db'), selector: pods("app == 'qdrant'") }),
          { action: 'Log' },
          { action: 'Deny' },
        ],
        ingress: [
          {
            action: 'Allow',
            protocol: 'TCP',
            destination: { ports: [8000] },
            source: { namespaceSelector: inNamespace('ai-gateway'), ...(opts.selectsOnlyPods ? { selector: PODS_ONLY } : {}) },
          },
          { action: 'Deny' },
        ],
      },
      'ai-application',
    ),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ai-service', namespace: 'ai-application' } },
    deployment('ai-application', 'ai-service', labels, { serviceAccount: 'ai-service', ports: [{ name: 'http', containerPort: 8000 }] }),
  ];
}

/**
 * A Kubernetes NetworkPolicy an app team might add later: every pod of the namespace may send
 * anywhere (on `port`, or on every port when none is given).
 */
export function looserPolicy(namespace: string, name: string, port?: number): string {
  const rule = port === undefined ? '{}' : `{ to: [{ ipBlock: { cidr: 0.0.0.0/0 } }], ports: [{ port: ${port} }] }`;
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [${rule}]
`;
}
