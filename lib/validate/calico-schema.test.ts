import { readFileSync } from 'fs';
import { join } from 'path';
import { CALICO_SCHEMAS, validateObject } from './index';
import { aws, shipped } from '../../test/fixtures/intents';
import { K8sObject, readManifests } from '../testing';
import { synthesized } from '../../test/support/synth';

const CALICO = 'projectcalico.org/v3';
const calicoObjects = (objects: readonly K8sObject[]) => objects.filter((o) => o.apiVersion === CALICO);
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const enforced = calicoObjects(synthesized(shipped, readManifests).map((m) => m.object));
const audited = calicoObjects(synthesized({ ...shipped, calico: { audit: true } }, readManifests).map((m) => m.object));
/** Every setting of the platform, and a pod credential endpoint: notSelector, notProtocol and notPorts in the guardrail. */
const everySetting = synthesized(aws, readManifests).map((m) => m.object);
/** A calico app's own policy (the tier's Pass policies, first in apply order, have no destination). */
const policy = enforced.find((o) => o.kind === 'NetworkPolicy' && o.spec.egress?.[0]?.destination !== undefined)!;

describe('Calico schema validation', () => {
  it('knows every Calico kind the project renders', () => {
    expect(Object.keys(CALICO_SCHEMAS).sort()).toEqual(
      expect.arrayContaining(
        [
          'GlobalNetworkPolicy',
          'GlobalNetworkSet',
          'NetworkPolicy',
          'StagedGlobalNetworkPolicy',
          'StagedKubernetesNetworkPolicy',
          'StagedNetworkPolicy',
          'Tier',
        ].map((kind) => `${CALICO}/${kind}`),
      ),
    );
  });

  it.each([
    ['the shipped scenario', enforced],
    ['audit mode', audited],
    ['the aws fixture', calicoObjects(everySetting)],
  ])('passes every Calico object of %s against its CRD openAPIV3Schema', (_, objects) => {
    expect(objects.length).toBeGreaterThan(3);
    expect(objects.map((o) => [`${o.kind}/${o.metadata.name}`, validateObject(o)])).toEqual(objects.map((o) => [`${o.kind}/${o.metadata.name}`, []]));
  });

  it('passes every object of the aws fixture, RBAC included, against its schema', () => {
    expect(everySetting.map((o) => o.kind)).toEqual(expect.arrayContaining(['ClusterRole', 'ClusterRoleBinding', 'Tier', 'GlobalNetworkPolicy']));
    expect(everySetting.map((o) => [`${o.kind}/${o.metadata.name}`, validateObject(o)])).toEqual(everySetting.map((o) => [`${o.kind}/${o.metadata.name}`, []]));
  });

  it('rejects a rule whose action is misspelled, naming the field and the accepted values', () => {
    const broken = clone(policy);
    broken.spec.egress[0].action = 'Allw';
    expect(validateObject(broken)).toEqual(['/spec/egress/0/action: must be one of "Allow", "Deny", "Log", "Pass"']);
  });

  it('rejects a field the CRD does not define, as kubectl apply does', () => {
    const broken = clone(policy);
    broken.spec.egress[0].destination.port = [53];
    expect(validateObject(broken)).toEqual(['/spec/egress/0/destination: has the unknown field "port"']);
  });

  it('rejects policy types listed twice and an unknown staged action', () => {
    const staged = clone(audited.find((o) => o.kind === 'StagedNetworkPolicy')!);
    staged.spec.types = ['Egress', 'Egress'];
    staged.spec.stagedAction = 'Apply';
    expect(validateObject(staged)).toEqual([
      '/spec/stagedAction: must be one of "Set", "Delete", "Learn", "Ignore"',
      '/spec/types: must NOT have duplicate items (items ## 1 and 0 are identical)',
    ]);
  });

  it('rejects a namespace on a cluster-scoped kind and a name Kubernetes would refuse', () => {
    const tier = clone(enforced.find((o) => o.kind === 'Tier')!);
    tier.metadata.namespace = 'ai-application';
    tier.metadata.name = 'AI_Egress';
    expect(validateObject(tier)).toEqual([
      '/metadata/name: "AI_Egress" is not a DNS-1123 subdomain',
      '/metadata/namespace: must be absent, Tier is cluster-scoped',
    ]);
  });

  it('needs no CRD file at run time: the validators are generated code in imports/', () => {
    const generated = readFileSync(join(__dirname, '..', '..', 'imports', 'calico-validators.js'), 'utf8');
    expect(generated).not.toMatch(/crds\/calico|shared\//);
    expect(
      generated
        .match(/require\("([^"]+)"\)/g)
        ?.map((r) => r.split('"')[1])
        .every((m) => m.startsWith('ajv')),
    ).toBe(true);
  });
});
