/**
 * Identity that cannot be borrowed: a pod that copies an app's labels under another ServiceAccount
 * is refused at admission (the ValidatingAdmissionPolicy, its CEL run here by a CEL evaluator,
 * @bufbuild/cel), and if it ran anyway (a cluster without the policy), the Calico tier denies it
 * both ways, so no NetworkPolicy written later in the default tier can open it.
 */
import { run } from '@bufbuild/cel';
import { validateObject } from '../lib/validate';
import { query } from '../lib/verify';
import { diffClusters } from '../lib/review';
import { shipped } from './fixtures/intents';
import { K8sObject, ofKind, readManifests } from '../lib/testing';
import { synthesized } from './support/synth';
import { readCluster } from './support/verify-builders';

const objects = synthesized(shipped, readManifests).map((m) => m.object);
const policy = objects.find((o) => o.kind === 'ValidatingAdmissionPolicy')!;
const binding = objects.find((o) => o.kind === 'ValidatingAdmissionPolicyBinding')!;

/** JSON as CEL sees a Kubernetes object: objects as maps. */
const toCel = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(toCel) : v !== null && typeof v === 'object' ? new Map(Object.entries(v).map(([k, x]) => [k, toCel(x)])) : v;

/** What the API server answers for a create in a namespace: allowed, or the policy's message (its variables evaluated in order, then its validation). */
function admit(object: object, namespace: string): true | string {
  const bindings: Record<string, unknown> = { object: toCel(object), request: toCel({ namespace, operation: 'CREATE' }) };
  const variables = new Map<string, unknown>();
  for (const v of policy.spec.variables as { name: string; expression: string }[]) {
    variables.set(v.name, run(v.expression, { ...bindings, variables } as never));
  }
  const [validation] = policy.spec.validations as { expression: string; messageExpression: string }[];
  const context = { ...bindings, variables } as never;
  if (run(validation.expression, context) === true) return true;
  const message = run(validation.messageExpression, context);
  if (typeof message !== 'string') throw new Error(`the messageExpression gave ${typeof message}`);
  return message;
}

const pod = (labels: Record<string, string>, serviceAccountName?: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels },
  spec: { ...(serviceAccountName ? { serviceAccountName } : {}), containers: [{ name: 'c', image: 'busybox:1.36' }], ...extra },
});
const AI_SERVICE = { 'app.kubernetes.io/name': 'ai-service' };

describe('the admission policy that ties each app name label to its ServiceAccount', () => {
  it('is admissionregistration.k8s.io/v1, valid against its schema, bound with Deny, failing closed, for the namespaces this project writes', () => {
    expect([policy, binding].map((o) => validateObject(o))).toEqual([[], []]);
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(policy.spec.matchConstraints.namespaceSelector).toEqual({ matchLabels: { 'secure-ai-egress/governed': 'true' } });
    expect(policy.spec.matchConstraints.resourceRules.flatMap((r: { resources: string[] }) => r.resources).sort()).toEqual(
      ['cronjobs', 'daemonsets', 'deployments', 'jobs', 'pods', 'pods/status', 'replicasets', 'replicationcontrollers', 'statefulsets'].sort(),
    );
    expect(binding.spec).toEqual({ policyName: policy.metadata.name, validationActions: ['Deny'] });
  });

  it("checks a pod's labels when they change through pods/status too, which resets the pod's spec but not its labels", () => {
    // Kubernetes pkg/registry/core/pod/strategy.go: podStatusStrategy.PrepareForUpdate and
    // GetResetFields reset spec, deletionTimestamp and ownerReferences only, so an update of
    // pods/status may relabel a running pod; admission rules on `pods` do not match the subresource.
    const core = policy.spec.matchConstraints.resourceRules.find((r: { apiGroups: string[] }) => r.apiGroups.includes(''));
    expect(core.resources).toContain('pods/status');
    expect(core.operations).toContain('UPDATE');
    expect(admit(pod(AI_SERVICE, 'default'), 'ai-application')).toMatch(/not as default$/);
  });

  it("admits every pod template dist/ writes: each app's, and the resolver's", () => {
    for (const d of ofKind(synthesized(shipped, readManifests), 'Deployment'))
      expect([d.metadata.name, admit(d, d.metadata.namespace!)]).toEqual([d.metadata.name, true]);
  });

  it("refuses a pod with an app's name label under another ServiceAccount, or none, naming the app and the account it must run as", () => {
    expect(admit(pod(AI_SERVICE), 'ai-application')).toBe(
      'a pod labelled app.kubernetes.io/name=ai-service in namespace ai-application runs as the ServiceAccount ai-service, whose network policy it would share, not as default',
    );
    expect(admit(pod(AI_SERVICE, 'builder'), 'ai-application')).toMatch(/not as builder$/);
    expect(admit(pod({ 'app.kubernetes.io/name': 'embeddings' }, 'ai-service'), 'ai-embeddings')).toMatch(/runs as the ServiceAccount embeddings/);
    expect(admit(pod({ 'app.kubernetes.io/name': 'dns-resolver' }), 'ai-dns')).toMatch(/runs as the ServiceAccount dns-resolver/);
  });

  it('checks the pod templates of every controller, and the deprecated serviceAccount field', () => {
    const template = { metadata: { labels: AI_SERVICE }, spec: { serviceAccountName: 'default', containers: [] } };
    for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController']) {
      expect([kind, admit({ kind, metadata: { name: 'x' }, spec: { template } }, 'ai-application')]).toEqual([kind, expect.stringMatching(/not as default$/)]);
    }
    expect(admit({ kind: 'CronJob', metadata: { name: 'x' }, spec: { jobTemplate: { spec: { template } } } }, 'ai-application')).toMatch(/not as default$/);
    expect(admit(pod(AI_SERVICE, undefined, { serviceAccount: 'ai-service' }), 'ai-application')).toBe(true);
    expect(admit(pod(AI_SERVICE, undefined, { serviceAccount: 'other' }), 'ai-application')).toMatch(/not as other$/);
  });

  it("admits what names no declared app there: other labels, no labels, the app's ServiceAccount without its label, its name in another namespace", () => {
    expect(admit(pod({ 'app.kubernetes.io/name': 'migrations' }), 'ai-application')).toBe(true);
    expect(admit(pod({}), 'ai-application')).toBe(true);
    expect(admit({ kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [] } }, 'ai-application')).toBe(true);
    expect(admit(pod({}, 'ai-service'), 'ai-application')).toBe(true);
    expect(admit(pod(AI_SERVICE), 'ai-embeddings')).toBe(true);
    expect(admit({ kind: 'Deployment', metadata: { name: 'x' }, spec: { template: { spec: { containers: [] } } } }, 'ai-application')).toBe(true);
  });
});

/** The shipped manifests, plus what someone with `edit` in an app namespace adds: a pod copying an app's labels under the default ServiceAccount, and a NetworkPolicy that allows it everything. */
function withImpostor(manifests: readonly K8sObject[], namespace: string, labels: Record<string, string>): K8sObject[] {
  return [
    ...manifests,
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'impostor', namespace, labels }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-all', namespace },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'gateway', namespace: 'ai-gateway', labels: { app: 'gateway' } },
      spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
    },
  ];
}

/** The tier as it was: the guardrail and a Pass for every protected pod, and no closing Deny. */
function oldTier(manifests: readonly K8sObject[]): K8sObject[] {
  return manifests.map((o) =>
    o.metadata.name === 'ai-egress.deny-undeclared-pods'
      ? {
          ...o,
          metadata: { ...o.metadata, name: 'ai-egress.pass-to-kubernetes-policies' },
          spec: { tier: o.spec.tier, order: 1000, selector: "secure-ai-egress/protected == 'true'", types: ['Egress'], egress: [{ action: 'Pass' }] },
        }
      : o,
  );
}

describe('an impostor pod, with a NetworkPolicy that allows it everything', () => {
  const appLabels = ofKind(synthesized(shipped, readManifests), 'Deployment').find((d) => d.metadata.name === 'ai-service')!.spec.template.metadata.labels;

  it.each([
    ['copying the labels of a calico app', 'ai-application', appLabels],
    ['with no labels, in the namespace of a calico app', 'ai-application', {}],
  ])('%s, may send nothing and receive nothing: the tier denies it before the default tier is asked', (_, namespace, labels) => {
    const cluster = readCluster(withImpostor(objects, namespace, labels));
    const out = query(cluster, `${namespace}/impostor`, '8.8.8.8', 443);
    expect(out.allowed).toBe(false);
    expect(out.egress.decision).toMatchObject({ reason: 'rule', action: 'Deny', rule: { name: 'ai-egress.deny-undeclared-pods' } });
    expect(query(cluster, 'ai-gateway/gateway', `${namespace}/impostor`, 8000).ingress.allowed).toBe(false);
    expect(query(cluster, `${namespace}/impostor`, 'ai-embeddings/embeddings', 8080).egress.allowed).toBe(false);
  });

  it('was allowed everything by the tier as it was (every protected pod passed on to the default tier), which the verifier reports as a widening', () => {
    const before = withImpostor(objects, 'ai-application', appLabels);
    const old = oldTier(before);
    expect(query(readCluster(old), 'ai-application/impostor', '8.8.8.8', 443).allowed).toBe(true);
    const diff = diffClusters(readCluster(before), readCluster(old), { base: 'now', head: 'the old tier' });
    expect(diff.widened).toBe(true);
    expect(diff.workloads.find((w) => w.endpoint === 'ai-application/impostor')?.egress.changes).toContainEqual(expect.objectContaining({ change: 'added' }));
  });
});
