/**
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy (`policy.networking.k8s.io/v1alpha1`) written
 * as the ClusterNetworkPolicy (`v1alpha2`) that does the same: what a cluster must apply before it
 * upgrades to Calico 3.32, which removed the v1alpha1 kinds.
 *
 * The mapping, field for field (kubernetes-sigs/network-policy-api, v0.1.7 `apis/v1alpha1` and
 * v0.2.0 `apis/v1alpha2`, whose types keep the v1alpha1 ones' meaning):
 * - AdminNetworkPolicy: tier Admin, the same priority; BaselineAdminNetworkPolicy: tier
 *   Baseline, priority 1000 (it had none, and stands last among Baseline policies, as Calico
 *   orders it in its own tier);
 * - subject, peers (`namespaces`, `pods`, `networks`, and the experimental `nodes` and
 *   `domainNames`) and rule names as they are; action Allow becomes Accept;
 * - `ports` become `protocols`: `portNumber` a protocol's `destinationPort.number` (TCP when none
 *   was given), `portRange` its `destinationPort.range`, `namedPort` a `destinationNamedPort`.
 * - The name is kept; labels and annotations too, but kubectl's last-applied configuration.
 */

import { Manifest } from './manifests';
import { CLUSTER_POLICY_API_VERSION } from '../k8s';

type Obj = Record<string, unknown>;

const asObject = (value: unknown): Obj => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : {});
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** True for the v1alpha1 kinds Calico 3.32 no longer serves. */
export function isV1alpha1Kind(m: Manifest): boolean {
  const { kind, apiVersion } = m.object;
  return (kind === 'AdminNetworkPolicy' || kind === 'BaselineAdminNetworkPolicy') && apiVersion === CLUSTER_POLICY_API_VERSION[kind];
}

function protocolOf(port: Obj): Obj {
  const named = port.namedPort;
  if (typeof named === 'string') return { destinationNamedPort: named };
  const number = asObject(port.portNumber);
  const range = asObject(port.portRange);
  const body = Object.keys(number).length > 0 ? number : range;
  const protocol = typeof body.protocol === 'string' ? body.protocol.toLowerCase() : 'tcp';
  const destinationPort = Object.keys(number).length > 0 ? { number: number.port } : { range: { start: range.start, end: range.end } };
  return { [protocol]: { destinationPort } };
}

function ruleOf(raw: unknown, peers: 'from' | 'to'): Obj {
  const rule = asObject(raw);
  const ports = asList(rule.ports);
  return {
    ...(typeof rule.name === 'string' && rule.name !== '' ? { name: rule.name } : {}),
    action: rule.action === 'Allow' ? 'Accept' : rule.action,
    [peers]: asList(rule[peers]),
    ...(ports.length > 0 ? { protocols: ports.map((p) => protocolOf(asObject(p))) } : {}),
  };
}

/** The ClusterNetworkPolicy that does what an AdminNetworkPolicy or BaselineAdminNetworkPolicy does (see the module's doc), from where the original was read. */
export function clusterNetworkPolicyOf(m: Manifest): Manifest {
  return { object: translate(m) as Manifest['object'], source: m.source };
}

function translate(m: Manifest): Obj {
  const { metadata } = m.object;
  const spec = asObject(m.object.spec);
  const admin = m.object.kind === 'AdminNetworkPolicy';
  const annotations = Object.fromEntries(
    Object.entries(asObject(metadata.annotations)).filter(([k]) => k !== 'kubectl.kubernetes.io/last-applied-configuration'),
  );
  const labels = asObject(metadata.labels);
  const ingress = asList(spec.ingress);
  const egress = asList(spec.egress);
  return {
    apiVersion: CLUSTER_POLICY_API_VERSION.ClusterNetworkPolicy,
    kind: 'ClusterNetworkPolicy',
    metadata: {
      name: metadata.name,
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: {
      tier: admin ? 'Admin' : 'Baseline',
      priority: admin ? spec.priority : 1000,
      subject: spec.subject,
      ...(ingress.length > 0 ? { ingress: ingress.map((r) => ruleOf(r, 'from')) } : {}),
      ...(egress.length > 0 ? { egress: egress.map((r) => ruleOf(r, 'to')) } : {}),
    },
  };
}
