import * as path from 'path';
import { clusterFromText, loadCluster } from './index';
import { describeSkipped, ManifestError, parseManifests, readManifestFiles, readManifestSet } from './manifests';
import { query } from './reach';
import { calico, deployment, namespace, networkPolicy, yamlOf } from '../../test/support/verify-builders';

const FIXTURES = path.join(__dirname, '../../test/fixtures/verify');

const errorOf = (fn: () => unknown): ManifestError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ManifestError) return e;
    throw e;
  }
  throw new Error('expected a ManifestError');
};

describe('reading manifests', () => {
  it('reads folders recursively: *.yaml, *.yml and *.json, multi-document YAML and kind: List', () => {
    const manifests = readManifestFiles([path.join(FIXTURES, 'kubernetes')]);
    expect(manifests.map((m) => `${m.object.kind} ${m.object.metadata.name}`)).toEqual([
      'Namespace ai',
      'Namespace vector-db',
      'ConfigMap settings',
      'NetworkPolicy default-deny',
      'NetworkPolicy rag-egress',
      'NetworkPolicy qdrant-ingress',
      'Deployment rag',
      'CronJob reindex',
      'StatefulSet qdrant',
    ]);
    expect(manifests[8].source).toEqual({ file: path.join(FIXTURES, 'kubernetes/nested/30-vector-db.json'), document: 1, item: 0 });
  });

  it('makes endpoints of pods and the pod templates of workloads, CronJobs included, and ignores other kinds', () => {
    const c = loadCluster([path.join(FIXTURES, 'kubernetes')]);
    expect(c.endpoints.map((e) => `${e.id} ${e.kind} ${e.serviceAccount}`)).toEqual([
      'ai/rag Deployment rag',
      'ai/reindex CronJob default',
      'vector-db/qdrant StatefulSet default',
    ]);
  });

  it('accepts files given one by one', () => {
    const c = loadCluster([path.join(FIXTURES, 'kubernetes/00-namespaces.yaml'), path.join(FIXTURES, 'kubernetes/nested/20-workloads.yml')]);
    expect(c.endpoints.map((e) => e.id)).toEqual(['ai/rag', 'ai/reindex']);
  });

  it('invalid YAML names the file and the document', () => {
    const file = path.join(FIXTURES, 'invalid/bad-yaml.yaml');
    const e = errorOf(() => readManifestFiles([file]));
    expect(e.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}, document 2: invalid YAML at line 10`));
  });

  it('a malformed CIDR names the file, the document, the object and the field', () => {
    const e = errorOf(() => loadCluster([path.join(FIXTURES, 'invalid/bad-cidr.yaml')]));
    expect(e.message).toContain('bad-cidr.yaml, document 2 (NetworkPolicy ai/broken): spec.egress[0].to[0].ipBlock.cidr: "10.0.0.0/33" is not a CIDR');
  });

  it('a missing file or folder is a ManifestError', () => {
    expect(errorOf(() => readManifestFiles(['/no/such/place'])).message).toBe('/no/such/place: no such file or folder');
  });

  it('a document without kind or metadata.name is an error with its index', () => {
    expect(errorOf(() => parseManifests('---\nkind: Namespace\nmetadata: {name: a}\n---\nmetadata: {name: b}\n', 'x.yaml')).message).toBe(
      'x.yaml, document 2: kind: is missing',
    );
    expect(errorOf(() => parseManifests('kind: Namespace\nmetadata: {}\n', 'x.yaml')).message).toBe(
      'x.yaml, document 1: metadata.name: is missing (kind Namespace)',
    );
    expect(errorOf(() => parseManifests('kind: List\nitems:\n- kind: Pod\n  metadata: {name: a}\n- kind: Pod\n', 'x.yaml')).message).toBe(
      'x.yaml, document 1, items[1]: metadata.name: is missing (kind Pod)',
    );
  });

  it('empty documents are skipped but still counted', () => {
    const m = parseManifests('kind: Namespace\nmetadata: {name: a}\n---\n---\nkind: Namespace\nmetadata: {name: b}\n', 'x.yaml');
    expect(m.map((x) => x.source.document)).toEqual([1, 3]);
  });

  it('an invalid Calico selector names the field and points at the failure', () => {
    const text = yamlOf([calico('GlobalNetworkPolicy', 'p', { selector: "app == 'a' &&", types: ['Egress'] })]);
    const e = errorOf(() => clusterFromText([{ name: 'calico.yaml', text }]));
    expect(e.message).toContain('calico.yaml, document 1 (GlobalNetworkPolicy p): spec.selector: invalid selector: unexpected end of selector');
    expect(e.message).toContain('column 14');
  });

  it('invalid policy fields are errors with their path', () => {
    const bad = (spec: Record<string, unknown>) => errorOf(() => clusterFromText(yamlOf([networkPolicy('ai', 'p', spec)]))).message;
    expect(bad({ podSelector: { matchExpressions: [{ key: 'a', operator: 'Has' }] } })).toContain(
      'spec.podSelector.matchExpressions[0].operator: must be In, NotIn, Exists or DoesNotExist',
    );
    expect(bad({ egress: [{ ports: [{ port: 80, endPort: 79 }] }] })).toContain('spec.egress[0].ports[0].endPort: must be between port (80) and 65535');
    expect(bad({ egress: [{ ports: [{ protocol: 'ICMP' }] }] })).toContain('spec.egress[0].ports[0].protocol: must be TCP, UDP or SCTP');
    expect(bad({ egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/8'] } }] }] })).toContain(
      'spec.egress[0].to[0].ipBlock.except[0]: "11.0.0.0/8" is not a strict subset',
    );
    expect(bad({ egress: [{ to: [{}] }] })).toContain('spec.egress[0].to[0]: a peer needs podSelector, namespaceSelector or ipBlock');
    const calicoBad = (spec: Record<string, unknown>) => errorOf(() => clusterFromText(yamlOf([calico('NetworkPolicy', 'p', spec, 'ai')]))).message;
    expect(calicoBad({ egress: [{ action: 'Drop' }] })).toContain('spec.egress[0].action: must be Allow, Deny, Log or Pass');
    expect(calicoBad({ egress: [{ action: 'Allow', destination: { nets: ['10.0.0.300/8'] } }] })).toContain(
      'spec.egress[0].destination.nets[0]: "10.0.0.300/8" is not a CIDR',
    );
    expect(calicoBad({ egress: [{ action: 'Allow', destination: { ports: [443] } }] })).toContain('ports need the rule to set protocol TCP, UDP or SCTP');
  });

  it('the same object twice is fine when identical, an error when it differs', () => {
    const twice = yamlOf([namespace('ai'), namespace('ai')]);
    expect(() => clusterFromText(twice)).not.toThrow();
    const differ = [
      { name: 'a.yaml', text: yamlOf([deployment('ai', 'x', { app: 'a' })]) },
      { name: 'b.yaml', text: yamlOf([deployment('ai', 'x', { app: 'b' })]) },
    ];
    const error = errorOf(() => clusterFromText(differ));
    expect(error.object).toEqual({ kind: 'Deployment', namespace: 'ai', name: 'x' });
    expect(error.source).toEqual({ file: 'b.yaml', document: 1 });
    expect(error.message).toBe('b.yaml, document 1 (Deployment ai/x): is also defined, differently, in a.yaml, document 1');
  });

  it('two workloads of one name in a namespace are an error about the second, naming the first', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'ai', labels: { app: 'b' } }, spec: { containers: [] } };
    const error = errorOf(() => clusterFromText(yamlOf([namespace('ai'), deployment('ai', 'x', { app: 'a' }), pod])));
    expect(error.object).toEqual({ kind: 'Pod', namespace: 'ai', name: 'x' });
    expect(error.field).toBe('metadata.name');
    expect(error.message).toBe(
      '<inline>, document 3 (Pod ai/x): metadata.name: has the same name as Deployment ai/x (<inline>, document 2); endpoint names must be unique',
    );
  });

  describe('what clusters and other tools write', () => {
    const FIELD = path.join(FIXTURES, 'from-the-field');

    it('reads typed lists from the raw API (items without kind), kind: List and ReplicationController; skips a stray JSON file with a note', () => {
      const c = loadCluster([FIELD]);
      expect(c.endpoints.map((e) => `${e.id} ${e.kind}`)).toEqual([
        'ai/legacy-scraper ReplicationController',
        'ai/rag-7d9f8-x2k4q Pod',
        'vector-db/qdrant-0 Pod',
      ]);
      expect(c.policies.map((p) => `${p.ref.kind} ${p.ref.namespace}/${p.ref.name}`)).toEqual(['KubernetesNetworkPolicy vector-db/qdrant-ingress']);
      expect(c.skipped).toEqual([{ file: path.join(FIELD, 'package.json'), reason: 'holds no Kubernetes object (no document has apiVersion or kind)' }]);
      expect(describeSkipped(c.skipped[0])).toBe(
        `skipped ${path.join(FIELD, 'package.json')}: holds no Kubernetes object (no document has apiVersion or kind)`,
      );
    });

    it("an item of a typed list takes the list's kind and apiVersion, and is answered about like any pod", () => {
      const c = loadCluster([FIELD]);
      const rag = readManifestSet([FIELD]).manifests.find((m) => m.object.metadata.name === 'rag-7d9f8-x2k4q')!;
      expect(rag.object).toMatchObject({ apiVersion: 'v1', kind: 'Pod' });
      expect(rag.source).toEqual({ file: path.join(FIELD, 'pods-raw.json'), document: 1, item: 0 });
      expect(query(c, 'ai/rag-7d9f8-x2k4q', 'vector-db/qdrant-0', 6333).allowed).toBe(true);
      expect(query(c, 'ai/legacy-scraper', 'vector-db/qdrant-0', 6333).allowed).toBe(false);
    });

    it('a document that claims to be an object and is malformed still fails, in a typed list too', () => {
      expect(errorOf(() => parseManifests('{"kind": "Pod", "apiVersion": "v1"}', 'pod.json')).message).toBe(
        'pod.json, document 1: metadata.name: is missing (kind Pod)',
      );
      expect(errorOf(() => parseManifests('{"apiVersion": "v1", "metadata": {"name": "x"}}', 'x.json')).message).toBe('x.json, document 1: kind: is missing');
      expect(errorOf(() => parseManifests('{"kind": "PodList", "apiVersion": "v1", "items": [{"spec": {}}]}', 'pods.json')).message).toBe(
        'pods.json, document 1, items[0]: metadata.name: is missing (kind Pod)',
      );
      expect(errorOf(() => parseManifests('kind: Namespace\nmetadata: {name: a}\n---\nname: settings\n', 'mixed.yaml')).message).toBe(
        'mixed.yaml, document 2: kind: is missing',
      );
    });

    it('a file without a document that claims to be an object yields none, whatever its shape', () => {
      for (const text of ['{"name": "x", "version": "1.0.0"}', '[1, 2, 3]', '"just a string"', 'settings:\n  a: 1\n---\nother: 2\n']) {
        expect(parseManifests(text, 'x.json')).toEqual([]);
      }
      expect(readManifestSet([path.join(FIXTURES, 'kubernetes')]).skipped).toEqual([]);
    });
  });
});
