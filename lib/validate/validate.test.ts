/**
 * lib/validate checks every object against its schema: the kinds this project renders, and any
 * other kind of the built-in Kubernetes API, so that the manifests of any cdk8s app can be
 * checked (the validation plugin does). Custom resources it has no schema of are said to be so.
 */
import { hasSchema, validateObject } from './index';

describe('schemas of built-in Kubernetes kinds beyond those this project renders', () => {
  it('checks a ConfigMap against its schema: string data passes, a number in data fails with its path', () => {
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'web' }, data: { mode: 'fast' } };
    expect(validateObject(configMap)).toEqual([]);
    expect(validateObject({ ...configMap, data: { replicas: 3 } })).toEqual(['/data/replicas: must be string']);
  });

  it('checks a kind of another API group and version (apps/v1 StatefulSet, networking.k8s.io/v1 Ingress)', () => {
    expect(validateObject({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' }, spec: {} })).toEqual([
      '/spec: must have required property selector',
      '/spec: must have required property template',
    ]);
    expect(
      validateObject({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web' }, spec: { rules: [{ host: 'example.com' }] } }),
    ).toEqual([]);
  });

  it('knows no schema for a custom resource of another project, and says which kinds it knows', () => {
    const certificate = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'web' } };
    expect(hasSchema(certificate)).toBe(false);
    expect(validateObject(certificate)).toEqual([
      expect.stringMatching(
        /^no schema is known for cert-manager\.io\/v1\/Certificate; accepted kinds: every built-in Kubernetes kind, and argoproj\.io\/v1alpha1\/Application, argoproj\.io\/v1alpha1\/ApplicationSet, policy\.networking\.k8s\.io\/v1alpha1\/AdminNetworkPolicy, policy\.networking\.k8s\.io\/v1alpha1\/BaselineAdminNetworkPolicy, policy\.networking\.k8s\.io\/v1alpha2\/ClusterNetworkPolicy, projectcalico\.org\/v3\/GlobalNetworkPolicy, /,
      ),
    ]);
    expect(hasSchema({ apiVersion: 'v1', kind: 'Pod' })).toBe(true);
  });

  it('takes only an API version and a kind as a module name: neither a path nor a part of an object (PodSpec)', () => {
    expect(hasSchema({ apiVersion: '../../fs/v1', kind: 'Certificate' })).toBe(false);
    expect(hasSchema({ apiVersion: 'v1', kind: 'PodSpec' })).toBe(false);
    expect(hasSchema({ apiVersion: 'v1', kind: 'configmap' })).toBe(false);
  });
});
