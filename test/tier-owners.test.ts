import { PlatformIntent, checkIntent, formatIssue, validateIntent, formatPath } from '../lib/intent';
import { validateObject } from '../lib/validate';
import { aws, fleet, fourApps, minimal, shipped } from './fixtures/intents';
import { K8sObject, ofKind, readManifests } from '../lib/testing';
import { synthesized, synthOverDist } from './support/synth';
import { sampleIntent } from './support/sample-intent';

const manifests = synthesized(aws, readManifests);
const role = ofKind(manifests, 'ClusterRole')[0];
const binding = ofKind(manifests, 'ClusterRoleBinding')[0];
const wave = (o: K8sObject) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']);
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe("the tier owners' RBAC (calico.owners)", () => {
  it('binds exactly the declared users, groups and ServiceAccounts', () => {
    expect(binding.metadata.name).toBe('ai-guard-tier-owner');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'ai-guard-tier-owner' });
    expect(binding.subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice@example.com' },
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'platform-security' },
      { kind: 'ServiceAccount', namespace: 'argocd', name: 'argocd-application-controller' },
    ]);
  });

  it("grants get on the tier, its policies through Calico's tier pseudo-resources named <tier>.*, patch included, and GlobalNetworkSets only when the tier has allow-lists (create, and the rest by name)", () => {
    expect(role.rules).toEqual([
      { apiGroups: ['projectcalico.org'], resources: ['tiers'], resourceNames: ['ai-guard'], verbs: ['get', 'update', 'patch', 'delete'] },
      { apiGroups: ['projectcalico.org'], resources: ['tiers'], verbs: ['create'] },
      {
        apiGroups: ['projectcalico.org'],
        resources: ['tier.networkpolicies', 'tier.globalnetworkpolicies', 'tier.stagednetworkpolicies', 'tier.stagedglobalnetworkpolicies'],
        resourceNames: ['ai-guard.*'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
      },
      {
        apiGroups: ['projectcalico.org'],
        resources: ['networkpolicies', 'globalnetworkpolicies', 'stagednetworkpolicies', 'stagedglobalnetworkpolicies'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
      },
    ]);
    const withSets = ofKind(synthesized(shipped, readManifests), 'ClusterRole')[0];
    expect(withSets.rules.slice(-2)).toEqual([
      { apiGroups: ['projectcalico.org'], resources: ['globalnetworksets'], verbs: ['create'] },
      { apiGroups: ['projectcalico.org'], resources: ['globalnetworksets'], resourceNames: ['model-registry'], verbs: ['get', 'update', 'patch', 'delete'] },
    ]);
  });

  it("comes in the cluster file, after the Namespaces and before the Tier's file, in a wave before the tier's policies", () => {
    const kinds = (file: string) => manifests.filter((m) => m.file === file).map((m) => m.object.kind);
    expect(kinds('00-cluster.k8s.yaml')).toEqual([
      'Namespace',
      'Namespace',
      'Namespace',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
      'ClusterRole',
      'ClusterRoleBinding',
    ]);
    expect(kinds('01-calico-tier.k8s.yaml')).toEqual(['Tier']);
    const policies = manifests.map((m) => m.object).filter((o) => o.apiVersion === 'projectcalico.org/v3' && /NetworkPolicy$/.test(o.kind));
    for (const rbac of [role, binding]) {
      expect(rbac.metadata.namespace).toBeUndefined();
      expect(wave(rbac)).toBeLessThanOrEqual(wave(ofKind(manifests, 'Tier')[0]));
      for (const policy of policies) expect(wave(rbac)).toBeLessThan(wave(policy));
    }
  });

  it('is not written without declared owners, nor without a tier', () => {
    for (const intent of [minimal, fourApps, { ...shipped, calico: {} }, { ...minimal, calico: aws.calico }]) {
      const rbac = synthesized(intent, readManifests).filter((m) => m.object.apiVersion === 'rbac.authorization.k8s.io/v1');
      expect(rbac).toEqual([]);
    }
  });

  it('validates against the Kubernetes schema, and a binding without its role is refused', () => {
    expect(validateObject(role)).toEqual([]);
    expect(validateObject(binding)).toEqual([]);
    const broken = clone(binding);
    delete broken.roleRef.name;
    broken.metadata.namespace = 'argocd';
    expect(validateObject(broken)).toEqual([
      '/roleRef: must have required property name',
      '/metadata/namespace: must be absent, ClusterRoleBinding is cluster-scoped',
    ]);
  });
});

describe('tier owners that cannot be bound are refused, and dist/ stays as it was', () => {
  const owners = (value: unknown) => sampleIntent({ flavor: 'calico' }, { calico: { owners: value } } as Partial<PlatformIntent>);

  it.each([
    [
      'nobody',
      owners({}),
      'calico.owners',
      '{}',
      'names nobody; accepted: at least one of users, groups, serviceAccounts, e.g. { serviceAccounts: ["argocd/argocd-application-controller"] }',
    ],
    [
      'a ServiceAccount written as its user name',
      owners({ serviceAccounts: ['system:serviceaccount:argocd:argocd-application-controller'] }),
      'calico.owners.serviceAccounts[0]',
      '"system:serviceaccount:argocd:argocd-application-controller"',
      'is not a ServiceAccount; accepted: "namespace/name", e.g. "argocd/argocd-application-controller". Did you mean "argocd/argocd-application-controller"?',
    ],
    [
      'a ServiceAccount without its namespace',
      owners({ serviceAccounts: ['argocd-application-controller'] }),
      'calico.owners.serviceAccounts[0]',
      '"argocd-application-controller"',
      'is not a ServiceAccount; accepted: "namespace/name"',
    ],
    ['an empty group name', owners({ groups: [''] }), 'calico.owners.groups[0]', '""', 'is empty; accepted: a group name'],
    [
      'a misspelled field of the owners',
      owners({ serviceAccount: ['argocd/argocd-application-controller'] }),
      'calico.owners.serviceAccount',
      '["argocd/argocd-application-controller"]',
      'is not a field of tier owners; accepted: users, groups, serviceAccounts. Did you mean "serviceAccounts"?',
    ],
    [
      'a misspelled owners field',
      sampleIntent({ flavor: 'calico' }, { calico: { ownres: { users: ['alice'] } } } as Partial<PlatformIntent>),
      'calico.ownres',
      '{"users":["alice"]}',
      'is not a field of calico settings; accepted: tier, tierOrder, audit, owners, log. Did you mean "owners"?',
    ],
  ])('refuses %s', (_, intent, path, value, says) => {
    expect(validateIntent(intent).map((i) => ({ path: formatPath(i.path), message: i.message }))).toEqual([{ path, message: expect.stringContaining(says) }]);
    const { result, before, after } = synthOverDist(intent);
    expect(result.ok ? '' : result.message).toContain(`\n  ${path}: ${value} ${says}`);
    expect(after).toEqual(before);
  });
});

describe('tier owners of a tier that no app uses', () => {
  const warnings = (intent: PlatformIntent) =>
    checkIntent(intent)
      .filter((i) => i.severity === 'warning' && formatPath(i.path).startsWith('calico.owners'))
      .map(formatIssue);
  const ownersOnly = { ...minimal, calico: aws.calico };
  const says = `calico.owners: ${JSON.stringify(aws.calico!.owners)} names who may write the Calico tier, and no app uses flavor "calico" and no guardrail is "calico", so dist/ has no tier and no RBAC for them is written; accepted: flavor: "calico" on the apps the tier should confine, guardrail: "calico", or no calico.owners`;

  it('are a warning, not an error, since nothing is written for them: no tier and no RBAC', () => {
    expect(warnings(ownersOnly)).toEqual([says]);
    expect(validateIntent(ownersOnly)).toEqual([]);
    expect(synthesized(ownersOnly, readManifests).filter((m) => m.object.apiVersion === 'rbac.authorization.k8s.io/v1' || m.object.kind === 'Tier')).toEqual(
      [],
    );
  });

  it('are not warned about where an app uses the calico flavor, on one cluster of a fleet being enough', () => {
    expect(warnings(aws)).toEqual([]);
    expect(warnings(shipped)).toEqual([]);
    expect(warnings(fleet)).toEqual([]);
    const noCalico = {
      ...fleet,
      apps: fleet.apps.map((a) => ({ ...a, flavor: 'kubernetes' as const })),
      clusters: fleet.clusters!.map((c) => ({ ...c, calicoInstalled: undefined })),
    };
    expect(warnings({ ...noCalico, calico: aws.calico })).toEqual([says]);
  });
});
