import { WORKLOADS, formatObjectRef, isWorkloadKind, objectRefOf, podTemplateOf } from '.';

const template = { metadata: { labels: { app: 'rag' } }, spec: { containers: [{ name: 'main' }] } };

describe('the kinds that run pods, and where each holds its pod template', () => {
  it.each(WORKLOADS.filter((w) => w.kind !== 'Pod' && w.kind !== 'CronJob').map((w) => w.kind))('a %s holds it at spec.template', (kind) => {
    expect(podTemplateOf({ kind, metadata: { name: 'x' }, spec: { template } })).toBe(template);
  });

  it("a CronJob holds it in its job template's spec, and a Pod is its own", () => {
    expect(podTemplateOf({ kind: 'CronJob', spec: { jobTemplate: { spec: { template } } } })).toBe(template);
    const pod = { kind: 'Pod', metadata: { name: 'x' }, spec: template.spec };
    expect(podTemplateOf(pod)).toBe(pod);
  });

  it('another kind, or a workload whose template is missing or not a mapping, has none', () => {
    expect(podTemplateOf({ kind: 'Service', spec: { template } })).toBeUndefined();
    expect(podTemplateOf({ kind: 'Deployment', spec: {} })).toBeUndefined();
    expect(podTemplateOf({ kind: 'Deployment', spec: { template: [] } })).toBeUndefined();
    expect(podTemplateOf({ kind: 'CronJob', spec: { jobTemplate: 'x' } })).toBeUndefined();
  });

  it('knows ReplicationController (core/v1) beside the apps/v1 and batch/v1 kinds', () => {
    expect(isWorkloadKind('ReplicationController')).toBe(true);
    expect(WORKLOADS.map((w) => `${w.group || 'core'}/${w.resource}`)).toEqual([
      'core/pods',
      'core/replicationcontrollers',
      'apps/deployments',
      'apps/replicasets',
      'apps/statefulsets',
      'apps/daemonsets',
      'batch/jobs',
      'batch/cronjobs',
    ]);
  });
});

describe('ObjectRef', () => {
  it('is written as kubectl names an object: Kind namespace/name, or Kind name without a namespace', () => {
    expect(formatObjectRef(objectRefOf({ kind: 'NetworkPolicy', metadata: { namespace: 'ai', name: 'p' } }))).toBe('NetworkPolicy ai/p');
    expect(formatObjectRef(objectRefOf({ kind: 'Namespace', metadata: { name: 'ai' } }))).toBe('Namespace ai');
    expect(objectRefOf({ kind: 'Namespace', metadata: { name: 'ai' } })).toEqual({ kind: 'Namespace', name: 'ai' });
  });
});
