import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { RULE_DESCRIPTIONS_ANNOTATION, SyncWave, appSelector, formatRuleDescriptions, pruneLast, syncWave } from '../conventions';
import type { AppPlan, PlannedPort, PlannedRule, PolicyPeer } from '../intent';
import { reasonAnnotations } from './plan';
import { NAMESPACE_NAME_LABEL } from '../k8s';

/**
 * Kubernetes NetworkPolicies (`networking.k8s.io/v1`) are additive allow-lists: a pod selected
 * by any policy of a direction is isolated for it, and a connection needs both the sender's
 * egress and the receiver's ingress to allow it.
 * See https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */

export interface NamespaceDefaultDenyProps {
  /** The namespace whose every pod it selects. */
  readonly namespace: string;
}

/** Denies all ingress and egress of every pod in the namespace, so nothing is open by omission. */
export class NamespaceDefaultDeny extends Construct {
  /** The policy's name in every managed namespace. */
  static readonly NAME = 'default-deny-all';

  constructor(scope: Construct, id: string, props: NamespaceDefaultDenyProps) {
    super(scope, id);
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: NamespaceDefaultDeny.NAME, namespace: props.namespace, annotations: pruneLast(SyncWave.policy) },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  }
}

export interface KubernetesAppPoliciesProps {
  /** The app's plan: its name and namespace, what it may send (DNS first) and who may call it. */
  readonly plan: AppPlan;
}

/**
 * The app's own allows: `<app>-egress` (DNS and the declared destinations) and, when clients
 * are declared, `<app>-ingress` (those clients on the service port).
 */
export class KubernetesAppPolicies extends Construct {
  constructor(scope: Construct, id: string, props: KubernetesAppPoliciesProps) {
    super(scope, id);
    const { plan } = props;
    new k8s.KubeNetworkPolicy(this, 'Egress', {
      metadata: {
        name: `${plan.name}-egress`,
        namespace: plan.namespace,
        annotations: { ...syncWave(SyncWave.policy), ...reasonAnnotations(plan), ...ruleDescriptions(plan.egress) },
      },
      spec: {
        podSelector: { matchLabels: appSelector(plan.name) },
        policyTypes: ['Egress'],
        egress: plan.egress.map((rule) => ({ to: rule.peers.flatMap(peer), ports: rule.ports.map(port) })),
      },
    });
    if (plan.ingress.length > 0) {
      new k8s.KubeNetworkPolicy(this, 'Ingress', {
        metadata: { name: `${plan.name}-ingress`, namespace: plan.namespace, annotations: syncWave(SyncWave.policy) },
        spec: {
          podSelector: { matchLabels: appSelector(plan.name) },
          policyTypes: ['Ingress'],
          ingress: plan.ingress.map((rule) => ({ from: rule.peers.flatMap(peer), ports: rule.ports.map(port) })),
        },
      });
    }
  }
}

/**
 * The descriptions of the egress rules, which a NetworkPolicy rule has no field for (the calico
 * flavor keeps each on its rule): one annotation, a line per described rule (lib/conventions'
 * rule-descriptions.ts writes it, and the verifier reads it there).
 */
function ruleDescriptions(egress: readonly PlannedRule[]): Record<string, string> {
  const text = formatRuleDescriptions(
    egress.flatMap((rule, index) => (rule.description ? [{ direction: 'egress' as const, index, description: rule.description }] : [])),
  );
  return text ? { [RULE_DESCRIPTIONS_ANNOTATION]: text } : {};
}

/** A planned peer as NetworkPolicy peers: one ipBlock per block, or pods by namespace name and (when given) labels. */
function peer(p: PolicyPeer): k8s.NetworkPolicyPeer[] {
  if (p.kind === 'nets') return p.blocks.map((b) => ({ ipBlock: { cidr: b.cidr, ...(b.except.length ? { except: [...b.except] } : {}) } }));
  return [
    {
      namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: p.namespace } },
      ...(Object.keys(p.podLabels).length ? { podSelector: { matchLabels: { ...p.podLabels } } } : {}),
    },
  ];
}

function port(p: PlannedPort): k8s.NetworkPolicyPort {
  return {
    protocol: p.protocol,
    port: k8s.IntOrString.fromNumber(p.from),
    ...(p.to !== p.from ? { endPort: p.to } : {}),
  };
}
