import { ManifestError } from './manifests';
import { Selector } from './selector';
import { calico, readCluster, deployment, namespace, networkPolicy } from '../../test/support/verify-builders';

const n = (length: number, c = 'a') => c.repeat(length);

// What the limits of lib/k8s (names.ts) mean for manifests the verifier reads.
describe('label limits (Kubernetes API validation)', () => {
  const refused = (objects: Record<string, unknown>[]): string => {
    try {
      readCluster(objects);
    } catch (e) {
      if (e instanceof ManifestError) return e.message;
      throw e;
    }
    throw new Error('expected a ManifestError');
  };

  it('refuses a workload whose pod labels break the limits, as the API server would, naming the field', () => {
    expect(refused([deployment('ai', 'rag', { [n(64)]: 'x' })])).toContain(
      `(Deployment ai/rag): spec.template.metadata.labels["${n(64)}"]: the label key has a name part of 64 characters; accepted: at most 63`,
    );
    expect(refused([deployment('ai', 'rag', { app: n(64) })])).toContain('the value');
  });

  it('refuses namespaces, network sets and Kubernetes selectors with labels beyond the limits', () => {
    expect(refused([namespace('ai', { team: n(64) })])).toContain('(Namespace ai): metadata.labels["team"]: the value');
    expect(refused([calico('GlobalNetworkSet', 'set', { nets: ['10.0.0.0/8'] }, undefined, { [`x/${n(64)}`]: 'y' })])).toContain('metadata.labels');
    expect(refused([networkPolicy('ai', 'p', { podSelector: { matchLabels: { [n(64)]: 'x' } } })])).toContain('spec.podSelector.matchLabels.');
    expect(refused([networkPolicy('ai', 'p', { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [n(64)] }] } })])).toContain(
      'spec.podSelector.matchExpressions[0].values[0]',
    );
  });

  it('a Calico selector may name a key beyond those limits (up to 512 characters): it parses, and matches no endpoint', () => {
    const c = readCluster([namespace('ai'), deployment('ai', 'rag', { app: 'rag' })]);
    const selector = new Selector(`has(${n(100)}) || ${n(300)} == 'x'`);
    expect(c.endpoints.filter((ep) => selector.test(ep.calicoLabels))).toEqual([]);
  });
});
