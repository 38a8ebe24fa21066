/**
 * Argo CD objects are validated like Calico's: against the schemas of their CRDs (Argo CD 3.6),
 * compiled into imports/argocd-validators.js by npm run import. Each check below is one a broken
 * object fails.
 */
import { validateObject } from './index';
import { K8sObject } from '../testing';

describe('Argo CD objects are checked against the schemas of the Argo CD CRDs', () => {
  const application = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'a', namespace: 'argocd' },
    spec: { project: 'default', destination: { name: 'x' }, source: { repoURL: 'https://git.example.com/p.git', path: 'dist' } },
  };
  const set = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: 's' },
    spec: { generators: [{ list: { elements: [] } }], template: { metadata: {}, spec: application.spec } },
  };
  const broken = (o: object, change: (copy: K8sObject) => void) => {
    const copy = JSON.parse(JSON.stringify(o)) as K8sObject;
    change(copy);
    return copy;
  };

  it.each([
    ['an Application without a project', broken(application, (a) => delete a.spec.project), "/spec: must have required property 'project'"],
    [
      'an Application with repoUrl for repoURL',
      broken(application, (a) => {
        a.spec.source.repoUrl = a.spec.source.repoURL;
        delete a.spec.source.repoURL;
      }),
      '/spec/source: has the unknown field "repoUrl"',
    ],
    [
      'automated sync with prune as a string',
      broken(application, (a) => {
        a.spec.syncPolicy = { automated: { prune: 'true' } };
      }),
      '/spec/syncPolicy/automated/prune: must be boolean',
    ],
    ['an ApplicationSet without generators', broken(set, (s) => delete s.spec.generators), "/spec: must have required property 'generators'"],
    [
      'an ApplicationSet whose template names no project',
      broken(set, (s) => delete s.spec.template.spec.project),
      "/spec/template/spec: must have required property 'project'",
    ],
    [
      'an ApplicationSet with a field of a matrix generator misspelled',
      broken(set, (s) => s.spec.generators.push({ matrix: { generator: [] } })),
      '/spec/generators/1/matrix: has the unknown field "generator"',
    ],
    [
      'an Application named in capitals',
      broken(application, (a) => {
        a.metadata.name = 'Egress';
      }),
      '/metadata/name: "Egress" is not a DNS-1123 subdomain',
    ],
  ])('refuses %s', (_, object, problem) => {
    expect(validateObject(object)).toContain(problem);
  });

  it('accepts the objects those were broken from', () => {
    expect([validateObject(application), validateObject(set)]).toEqual([[], []]);
  });
});
