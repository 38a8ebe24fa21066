/**
 * The Calico tier at scale: Calico's CRDs cap every `spec.selector` at 1024 characters
 * (projectcalico.org_globalnetworkpolicies.yaml and projectcalico.org_networkpolicies.yaml,
 * `maxLength: 1024`), so no selector of the tier may grow with the number of apps. Each
 * kubernetes-flavor app is handed on to the default tier by a Pass policy of its own, in its
 * namespace, and the closing Deny selects `all()`: with forty such apps the output is still valid,
 * a pod that copies an app's labels under another ServiceAccount is still denied both ways, and
 * each app still reaches what it declares.
 */
import { PlatformIntent } from '../lib/intent';
import { validateObject } from '../lib/validate';
import { buildCluster, query, readManifestFiles } from '../lib/verify';
import { K8sObject, readManifests } from '../lib/testing';
import { synthesized } from './support/synth';
import { readCluster } from './support/verify-builders';

const APPS = 40;
const name = (i: number) => `kubernetes-flavor-app-${String(i).padStart(2, '0')}`;
const intent: PlatformIntent = {
  guardrail: 'calico',
  apps: Array.from({ length: APPS }, (_, i) => ({
    name: name(i),
    namespace: `ai-team-with-a-long-namespace-name-${i % 4}`,
    image: 'vllm/vllm-openai:v0.10.2',
    port: 8000,
    resources: { cpu: { request: '1', limit: '2' }, memory: { request: '4Gi', limit: '4Gi' } },
    egress: [{ cidr: '203.0.113.10/32', ports: [443] }],
  })),
};

/** Every value of a field named like a Calico selector, anywhere in an object. */
function selectors(value: unknown, found: { field: string; selector: string }[] = [], field = ''): { field: string; selector: string }[] {
  if (Array.isArray(value)) value.forEach((v, i) => selectors(v, found, `${field}[${i}]`));
  else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (/[sS]elector$/.test(key) && typeof v === 'string') found.push({ field: `${field}.${key}`, selector: v });
      else selectors(v, found, `${field}.${key}`);
    }
  }
  return found;
}

describe(`a calico tier with ${APPS} kubernetes-flavor apps`, () => {
  const objects = synthesized(intent, readManifests).map((m) => m.object);
  const calico = objects.filter((o) => o.apiVersion === 'projectcalico.org/v3');

  it('synthesizes, every object valid against its schema', () => {
    expect(objects.flatMap((o) => validateObject(o).map((p) => `${o.kind} ${o.metadata.name}: ${p}`))).toEqual([]);
  });

  it('writes no Calico selector longer than the 1024 characters its CRDs accept', () => {
    const found = calico.flatMap((o) => selectors(o.spec).map((s) => ({ ...s, object: `${o.kind} ${o.metadata.name}` })));
    expect(found.length).toBeGreaterThan(APPS);
    expect(found.filter((s) => s.selector.length > 1024)).toEqual([]);
  });

  it("hands each app on with a Pass policy of its own, named like a calico app's, in its namespace, and closes with a Deny of all()", () => {
    const passes = calico.filter((o) => o.kind === 'NetworkPolicy' && o.spec.order === 1000);
    expect(passes.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual(intent.apps.map((a) => `${a.namespace}/ai-egress.${a.name}`).sort());
    for (const p of passes) {
      const app = p.metadata.name.replace(/^ai-egress\./, '');
      expect(p.spec).toMatchObject({
        tier: 'ai-egress',
        selector: `app.kubernetes.io/name == '${app}'`,
        serviceAccountSelector: `projectcalico.org/name == '${app}'`,
        types: ['Ingress', 'Egress'],
      });
      expect([...p.spec.ingress, ...p.spec.egress].map((r: K8sObject) => r.action)).toEqual(['Pass', 'Pass']);
    }
    expect(calico.filter((o) => o.kind === 'GlobalNetworkPolicy').map((o) => [o.metadata.name, o.spec.selector])).toEqual([
      ['ai-egress.deny-cloud-metadata', 'all()'],
      ['ai-egress.deny-undeclared-pods', 'all()'],
    ]);
  });

  describe('an impostor: a pod with the labels of an app, under the default ServiceAccount, allowed everything by a NetworkPolicy', () => {
    const app = intent.apps[0];
    const labels = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === app.name)!.spec.template.metadata.labels;
    const cluster = readCluster([
      ...objects,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'impostor', namespace: app.namespace, labels },
        spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'allow-all', namespace: app.namespace },
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] },
      },
    ]);
    const impostor = `${app.namespace}/impostor`;

    it('is denied both ways by the closing Deny of the tier, before the default tier is asked', () => {
      const out = query(cluster, impostor, '203.0.113.10', 443);
      expect(out.allowed).toBe(false);
      expect(out.egress.decision).toMatchObject({ reason: 'rule', action: 'Deny', rule: { name: 'ai-egress.deny-undeclared-pods' } });
      const inbound = query(cluster, `${intent.apps[1].namespace}/${intent.apps[1].name}`, impostor, 8000).ingress;
      expect(inbound.allowed).toBe(false);
      expect(inbound.decision).toMatchObject({ reason: 'rule', action: 'Deny', rule: { name: 'ai-egress.deny-undeclared-pods' } });
    });

    it('while the app it copies is passed on to its Kubernetes NetworkPolicies: it reaches what it declares, and nothing else', () => {
      const own = readCluster(objects);
      expect(query(own, `${app.namespace}/${app.name}`, '203.0.113.10', 443).allowed).toBe(true);
      expect(query(own, `${app.namespace}/${app.name}`, '203.0.113.11', 443).allowed).toBe(false);
      expect(query(own, `${app.namespace}/${app.name}`, '203.0.113.10', 443).egress.decision).toMatchObject({ reason: 'rule', action: 'Allow' });
    });
  });
});

/**
 * The resolver of cluster names admits DNS from every namespace whose apps use it, TCP and UDP.
 * Calico's CRDs cap a policy's rules at 1024 per direction (`maxItems: 1024`): one rule per
 * namespace and protocol made synth refuse its own output from 513 such namespaces, the number
 * here. The namespaces are named in `in {...}` selectors, as few as keep each within 1024 characters.
 */
describe('the resolver admitting 513 namespaces', () => {
  const NAMESPACES = 513;
  const ns = (i: number) => `ai-team-namespace-${String(i).padStart(3, '0')}`;
  const many: PlatformIntent = {
    guardrail: 'calico',
    apps: Array.from({ length: NAMESPACES }, (_, i) => ({
      name: `model-${String(i).padStart(3, '0')}`,
      namespace: ns(i),
      flavor: 'calico' as const,
      image: 'vllm/vllm-openai:v0.10.2',
      port: 8000,
      resources: { cpu: { request: '1', limit: '2' }, memory: { request: '4Gi', limit: '4Gi' } },
      egress: [{ cidr: '203.0.113.10/32', ports: [443] }],
    })),
  };
  // Read once, as the verifier reads dist/; the cluster is built from the objects read (it keeps of a policy only its metadata).
  const manifests = synthesized(many, (dist) => readManifestFiles([dist]));
  const cluster = buildCluster(manifests);
  const objects = manifests.map((m) => m.object as K8sObject);
  const resolver = objects.find((o) => o.kind === 'NetworkPolicy' && o.apiVersion === 'projectcalico.org/v3' && o.metadata.name === 'ai-egress.dns-resolver');

  it('is a policy valid against its schema, every selector within 1024 characters', () => {
    expect(resolver).toBeDefined();
    expect(validateObject(resolver!)).toEqual([]);
    expect(selectors(resolver!.spec).filter((s) => s.selector.length > 1024)).toEqual([]);
  });

  it('names every namespace once per protocol, in far fewer rules than namespaces', () => {
    const ingress = (resolver!.spec.ingress as { action: string; protocol?: string; source?: { namespaceSelector?: string } }[]).filter(
      (r) => r.action === 'Allow',
    );
    expect(ingress.length).toBeLessThan(NAMESPACES / 5);
    for (const protocol of ['UDP', 'TCP']) {
      const named = ingress
        .filter((r) => r.protocol === protocol)
        .flatMap((r) => [...(r.source?.namespaceSelector ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]));
      expect(named).toEqual(Array.from({ length: NAMESPACES }, (_, i) => ns(i)));
    }
  });

  it('lets the apps of the first and the last namespace reach the resolver on 53, TCP and UDP', () => {
    for (const i of [0, NAMESPACES - 1]) {
      const from = `${ns(i)}/model-${String(i).padStart(3, '0')}`;
      {
        for (const protocol of ['UDP', 'TCP'] as const) {
          expect(query(cluster, from, 'ai-dns/dns-resolver', 53, protocol).allowed).toBe(true);
        }
      }
    }
  });
});
