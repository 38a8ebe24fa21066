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

/** The cluster the objects describe. */
export function clusterOf(objects: readonly Obj[], options?: VerifyOptions): Cluster {
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
