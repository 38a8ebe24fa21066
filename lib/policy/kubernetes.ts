import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { AiAppIntent, IngressClient } from '../intent';
import { INTERNET_REASON_ANNOTATION, NAMESPACE_NAME_LABEL, SyncWave, appSelector, syncWave } from '../conventions';
import { PlannedPort, PlannedRule } from './plan';

/**
 * Kubernetes NetworkPolicies (`networking.k8s.io/v1`) are additive allow-lists: a pod selected
 * by any policy of a direction is isolated for it, and a connection needs both the sender's
 * egress and the receiver's ingress to allow it.
 * See https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */

/** Denies all ingress and egress of every pod in the namespace, so nothing is open by omission. */
export class NamespaceDefaultDeny extends Construct {
  /** The policy's name in every managed namespace. */
  static readonly NAME = 'default-deny-all';

  constructor(scope: Construct, id: string, namespace: string) {
    super(scope, id);
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: NamespaceDefaultDeny.NAME, namespace, annotations: syncWave(SyncWave.policy) },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  }
}

export interface KubernetesAppPoliciesProps {
  readonly app: AiAppIntent;
  /** The app's egress, planned (DNS first). */
  readonly egress: readonly PlannedRule[];
}

/**
 * The app's own allows: `<app>-egress` (DNS and the declared destinations) and, when clients
 * are declared, `<app>-ingress` (those clients on the service port).
 */
export class KubernetesAppPolicies extends Construct {
  constructor(scope: Construct, id: string, props: KubernetesAppPoliciesProps) {
    super(scope, id);
    const { app } = props;
    const reasons = props.egress
      .filter((r) => r.kind === 'nets' && r.internetReason)
      .map((r) => (r.kind === 'nets' ? `${r.blocks.map((b) => b.cidr).join(', ')}: ${r.internetReason}` : ''));
    new k8s.KubeNetworkPolicy(this, 'Egress', {
      metadata: {
        name: `${app.name}-egress`,
        namespace: app.namespace,
        annotations: {
          ...syncWave(SyncWave.policy),
          ...(reasons.length ? { [INTERNET_REASON_ANNOTATION]: reasons.join('\n') } : {}),
        },
      },
      spec: {
        podSelector: { matchLabels: appSelector(app.name) },
        policyTypes: ['Egress'],
        egress: props.egress.map(egressRule),
      },
    });
    const clients = app.ingress ?? [];
    if (clients.length > 0) {
      new k8s.KubeNetworkPolicy(this, 'Ingress', {
        metadata: { name: `${app.name}-ingress`, namespace: app.namespace, annotations: syncWave(SyncWave.policy) },
        spec: {
          podSelector: { matchLabels: appSelector(app.name) },
          policyTypes: ['Ingress'],
          ingress: [{ from: clients.map(clientPeer), ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(app.port) }] }],
        },
      });
    }
  }
}

function egressRule(rule: PlannedRule): k8s.NetworkPolicyEgressRule {
  const to: k8s.NetworkPolicyPeer[] = rule.kind === 'nets'
    ? rule.blocks.map((b) => ({ ipBlock: { cidr: b.cidr, ...(b.except.length ? { except: [...b.except] } : {}) } }))
    : [{
      namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: rule.namespace } },
      podSelector: { matchLabels: { ...rule.podLabels } },
    }];
  return { to, ports: rule.ports.map(port) };
}

function port(p: PlannedPort): k8s.NetworkPolicyPort {
  return {
    protocol: p.protocol,
    port: k8s.IntOrString.fromNumber(p.from),
    ...(p.to !== p.from ? { endPort: p.to } : {}),
  };
}

function clientPeer(client: IngressClient): k8s.NetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: client.namespace } },
    ...(client.podLabels && Object.keys(client.podLabels).length ? { podSelector: { matchLabels: { ...client.podLabels } } } : {}),
  };
}
