import { DecidedBy, describeDecision, describeDestination, Destination, RuleId } from '../verify';
import { reviewDecision, reviewDestination, reviewPolicyRef, reviewRule } from './words';

const rule: RuleId = { kind: 'KubernetesNetworkPolicy', namespace: 'ai', name: 'rag-egress', tier: 'default', direction: 'egress', index: 3 };
const anyNamespace = (over: Partial<Destination>): Destination => ({ type: 'pods', namespace: '*', labels: { app: 'x' }, ...over }) as Destination;

describe('the review words what decided as a reviewer reads it, beside the verifier', () => {
  it('names a Kubernetes NetworkPolicy with its API group, and the rule after its policy', () => {
    expect(reviewRule(rule)).toBe('NetworkPolicy (networking.k8s.io) ai/rag-egress rule 3 (tier default)');
    expect(reviewRule({ ...rule, description: 'model registry' })).toBe(
      'NetworkPolicy (networking.k8s.io) ai/rag-egress rule 3 (tier default): model registry',
    );
    expect(reviewPolicyRef({ ...rule, kind: 'GlobalNetworkPolicy', namespace: undefined, name: 'guard', tier: 'security' })).toBe(
      'GlobalNetworkPolicy guard (tier security)',
    );
  });

  it('says what a default allows, where the verifier says what decided', () => {
    const byDefault: DecidedBy = { reason: 'no-policy', action: 'Allow', direction: 'egress' };
    const byProfile: DecidedBy = { reason: 'profile', action: 'Allow', direction: 'egress', tier: 'default' };
    expect([byDefault, byProfile].map(reviewDecision)).toEqual([
      'no egress policy selects it (allowed by default)',
      'every tier passed (default): allowed by the profile',
    ]);
    expect([byDefault, byProfile].map(describeDecision)).toEqual(['no egress policy applies', 'tier default passed; namespace profile allows']);
  });

  it('names pods of any namespace by the labels of their namespaces, and other destinations as the verifier does', () => {
    const labelled = anyNamespace({ namespaceLabels: { team: 'ml' } });
    expect(reviewDestination(labelled)).toBe('pods namespaces {team=ml} {app=x}');
    expect(describeDestination(labelled)).toBe('pods any namespace {team=ml} {app=x}');
    expect(reviewDestination(anyNamespace({}))).toBe('pods * {app=x}');
    expect(reviewDestination(anyNamespace({ labels: {} }))).toBe('any other pod');
  });
});
