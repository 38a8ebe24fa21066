/**
 * Moving to Calico 3.32, which removed AdminNetworkPolicy and BaselineAdminNetworkPolicy: every
 * command says they are not enforced there and why, and `verify migrate` writes the
 * ClusterNetworkPolicies that replace them, with the reach diff between the two readings.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { buildApp } from '../lib/app';
import { clusterIntents } from '../lib/intent';
import { migrateCommand } from '../lib/review';
import { synthesize } from '../lib/synth';
import { validateObject } from '../lib/validate';
import { buildCluster, clusterNetworkPolicyOf, parseCalicoVersion, parseManifests, query, verifyMain } from '../lib/verify';
import { baseCluster, CONFORMANCE_CASES, podId, v1alpha1 } from './fixtures/network-policy-api/conformance';
import { guardrails } from './fixtures/intents';
import { yamlOf } from './support/verify-builders';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The folder `previous` of the guardrails fixture: Calico 3.31, the guardrail as AdminNetworkPolicy. */
function previousFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrate-'));
  dirs.push(dir);
  synthesize(buildApp(dir, clusterIntents(guardrails).find((c) => c.cluster === 'previous')!.intent));
  return dir;
}

const run = (...argv: string[]) => verifyMain(argv, [migrateCommand]);
const objectsOf = (yaml: string) => parseAllDocuments(yaml).map((d) => d.toJS() as Record<string, unknown>);
const v332 = { calico: parseCalicoVersion('3.32')! };
const v331 = { calico: parseCalicoVersion('3.31')! };

describe('a folder with v1alpha1 kinds, for a cluster on Calico 3.32', () => {
  const dir = previousFolder();

  it('is answered as 3.32 enforces it, with a note per object that says it must be replaced, and how', () => {
    const r = run('query', '--manifests', dir, '--calico', '3.32', '--from', 'ai-search/search', '--to', '169.254.169.254', '--port', '80');
    expect(r.code).toBe(0);
    const notes = r.stderr.split('\n').filter(Boolean);
    expect(notes).toHaveLength(3);
    for (const n of notes)
      expect(n).toMatch(
        /^verify query: note: .*03-cluster-guardrail\.k8s\.yaml, document \d \(AdminNetworkPolicy ai-egress\.[a-z.-]+\): not enforced: Calico 3\.32 removed AdminNetworkPolicy and BaselineAdminNetworkPolicy .* replace it before upgrading \(`verify migrate` writes the ClusterNetworkPolicy that does the same\)$/,
      );
  });

  it('verify migrate writes the equivalent ClusterNetworkPolicies, schema-valid, and finds the reach diff between them empty', () => {
    const r = run('migrate', '--manifests', dir);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^# The 3 AdminNetworkPolicy and BaselineAdminNetworkPolicy objects of .* as ClusterNetworkPolicies \(v1alpha2\)\.\n/);
    expect(r.stdout).toContain(
      '# Reach changes from the v1alpha1 objects on Calico 3.31 to these ClusterNetworkPolicies on Calico 3.32: none: every workload reaches',
    );
    const written = objectsOf(r.stdout);
    expect(written.map((o) => `${String(o.kind)} ${String((o.metadata as { name: string }).name)}`)).toEqual([
      'ClusterNetworkPolicy ai-egress.pod-credentials.ai-ingest.ingest',
      'ClusterNetworkPolicy ai-egress.pod-credentials.ai-search.search',
      'ClusterNetworkPolicy ai-egress.deny-cloud-metadata',
    ]);
    for (const o of written) expect(validateObject(o)).toEqual([]);
  });

  it('says when reach changes: Calico 3.31 read a namedPort as every port, the ClusterNetworkPolicy reads the port', () => {
    const folder = mkdtempSync(join(tmpdir(), 'migrate-named-'));
    dirs.push(folder);
    const admin = {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: 'web-only' },
      spec: {
        priority: 3,
        subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'a' } } },
        egress: [{ name: 'web', action: 'Allow', to: [{ namespaces: {} }], ports: [{ namedPort: 'http' }] }],
      },
    };
    const denyAll = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny', namespace: 'a' },
      spec: { podSelector: {}, policyTypes: ['Egress'] },
    };
    const pods = ['a', 'b'].map((ns) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: ns, labels: { app: 'p' } },
      spec: { containers: [{ name: 'c', image: 'x:1', ports: [{ name: 'http', containerPort: 8080 }] }] },
    }));
    writeFileSync(join(folder, 'all.yaml'), yamlOf([admin, denyAll, ...pods]));
    const r = run('migrate', '--manifests', folder, '--calico-before', '3.30');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# Reach changes from the v1alpha1 objects on Calico 3.30 to these ClusterNetworkPolicies on Calico 3.32:');
    expect(r.stdout).toMatch(/^# a\/p \(kubernetes flavor\)$/m);
    expect(r.stdout).toMatch(/^# {3}- may no longer reach +SCTP 1-65535; TCP 1-8079, 8081-65535; UDP 1-65535 pod b\/p$/m);
    expect(objectsOf(r.stdout)[0].spec).toMatchObject({
      tier: 'Admin',
      priority: 3,
      egress: [{ name: 'web', action: 'Accept', protocols: [{ destinationNamedPort: 'http' }] }],
    });
  });

  it('has nothing to migrate where there is no v1alpha1 object, and refuses a release before the upgrade that is not before 3.32', () => {
    const folder = mkdtempSync(join(tmpdir(), 'migrate-none-'));
    dirs.push(folder);
    writeFileSync(join(folder, 'ns.yaml'), yamlOf([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }]));
    expect(run('migrate', '--manifests', folder).stdout).toMatch(/hold no AdminNetworkPolicy or BaselineAdminNetworkPolicy: nothing to migrate\.\n$/);
    expect(run('migrate', '--manifests', folder, '--calico-before', '3.32')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--calico-before must be a release before 3\.32/),
    });
  });
});

describe('the translation agrees with the conformance suite: each case written in v1alpha1 and migrated answers every probe as before', () => {
  it.each(CONFORMANCE_CASES.filter((c) => !c.name.endsWith('NamedPort')).map((c) => [c.name, c] as const))('%s', (_, c) => {
    const objects = c.objects();
    for (const step of c.steps) {
      step.change?.(objects);
      const old = parseManifests(yamlOf([...baseCluster(), ...v1alpha1(objects)]), 'v1alpha1.yaml');
      const migrated = old.map((m) => (/AdminNetworkPolicy$/.test(m.object.kind) ? clusterNetworkPolicyOf(m) : m));
      const [before, after] = [buildCluster(old, v331), buildCluster(migrated, v332)];
      for (const [client, server, protocol, port, expected] of step.probes) {
        const asked = (cluster: typeof before) => query(cluster, podId(client), podId(server), port, protocol).allowed;
        expect({ step: step.name, client, server, protocol, port, before: asked(before), after: asked(after) }).toEqual({
          step: step.name,
          client,
          server,
          protocol,
          port,
          before: expected,
          after: expected,
        });
      }
    }
  });
});
