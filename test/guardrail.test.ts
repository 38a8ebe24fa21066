/**
 * The cluster-wide guardrail written as the intent chooses, per platform or per cluster: as
 * Calico's own objects, as ClusterNetworkPolicy (v1alpha2) or as AdminNetworkPolicy (v1alpha1),
 * scoped to the namespaces the intent owns; refused where the cluster's declared Calico release
 * does not serve the kind.
 */
import { IntentError, PlatformIntent, checkIntent, clusterIntents, formatIssue, validateIntent, formatScope } from '../lib/intent';
import { SecureAiPlatform } from '../lib/platform';
import { validateObject } from '../lib/validate';
import { buildCluster, parseCalicoVersion, parseManifests, query, verifyMain } from '../lib/verify';
import { Chart, Testing } from 'cdk8s';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildApp } from '../lib/app';
import { diffMain, reportMain } from '../lib/review';
import { synthesize } from '../lib/synth';
import { fleet, guardrails } from './fixtures/intents';
import { K8sObject, readManifests } from '../lib/testing';
import { sampleIntent } from './support/sample-intent';
import { synthesized } from './support/synth';

const asIntent = (value: unknown) => value as PlatformIntent;
const errorLines = (intent: PlatformIntent) => validateIntent(intent).map(formatIssue);
const cluster = (intent: PlatformIntent, name: string) => clusterIntents(intent).find((c) => c.cluster === name)!.intent;
const objects = (intent: PlatformIntent) => synthesized(intent, readManifests).map((m) => m.object);
const byFile = (intent: PlatformIntent, file: string) =>
  synthesized(intent, readManifests)
    .filter((m) => m.file === file)
    .map((m) => m.object);
const kinds = (list: readonly K8sObject[]) => list.map((o) => `${o.kind} ${o.metadata.name}`);

/** What the verifier answers about an app's egress to an address, in the objects of an intent, on the Calico release it declares. */
function egressTo(intent: PlatformIntent, from: string, to: string, port: number) {
  const text = objects(intent)
    .map((o) => JSON.stringify(o))
    .join('\n---\n');
  const calico = intent.calicoVersion ? parseCalicoVersion(intent.calicoVersion) : undefined;
  return query(buildCluster(parseManifests(text, 'dist.yaml'), calico ? { calico } : {}), from, to, port).egress;
}

describe('the guardrail as ClusterNetworkPolicy', () => {
  const managed = cluster(guardrails, 'managed');

  it('is what a cluster declared without Calico gets, and the verifier finds it deciding', () => {
    expect(managed.guardrail).toBe('ClusterNetworkPolicy');
    expect(kinds(byFile(managed, '03-cluster-guardrail.k8s.yaml'))).toEqual([
      'ClusterNetworkPolicy ai-egress.pod-credentials.ai-search.search',
      'ClusterNetworkPolicy ai-egress.deny-cloud-metadata',
      'ClusterNetworkPolicy ai-egress.namespace-defaults',
    ]);
    expect(objects(managed).filter((o) => o.apiVersion === 'projectcalico.org/v3')).toEqual([]);
    expect(egressTo(managed, 'ai-search/search', '169.254.169.254', 80)).toMatchObject({
      allowed: false,
      decision: { reason: 'rule', rule: { kind: 'ClusterNetworkPolicy', name: 'ai-egress.deny-cloud-metadata', tier: 'Admin', priority: 1 } },
    });
    const edge = cluster(fleet, 'edge');
    expect(kinds(byFile(edge, '03-cluster-guardrail.k8s.yaml'))).toEqual([
      'ClusterNetworkPolicy ai-egress.deny-cloud-metadata',
      'ClusterNetworkPolicy ai-egress.namespace-defaults',
    ]);
  });

  it('is what an intent gets where calicoInstalled is false for the platform, and what each cluster inherits from it', () => {
    const platform = sampleIntent({}, { calicoInstalled: false });
    expect(kinds(byFile(platform, '03-cluster-guardrail.k8s.yaml'))).toEqual([
      'ClusterNetworkPolicy ai-egress.deny-cloud-metadata',
      'ClusterNetworkPolicy ai-egress.namespace-defaults',
    ]);
    const inherited = asIntent({ ...platform, clusters: [{ name: 'a' }, { name: 'b', calicoInstalled: true }] });
    expect(clusterIntents(inherited).map((c) => [c.cluster, c.intent.guardrail])).toEqual([
      ['a', 'ClusterNetworkPolicy'],
      ['b', undefined],
    ]);
    expect(errorLines(asIntent({ ...platform, calicoVersion: '3.32' }))).toEqual([
      'calicoVersion: "3.32" names a Calico release for a cluster declared without Calico (calicoInstalled: false); accepted: no calicoVersion there, or calicoInstalled left true',
    ]);
  });

  it("selects the pods of the intent's namespaces by the label only the project writes on its Namespaces, never the whole cluster", () => {
    const written = objects(managed);
    for (const ns of written.filter((o) => o.kind === 'Namespace')) expect(ns.metadata.labels?.['secure-ai-egress/governed']).toBe('true');
    for (const name of ['ai-egress.deny-cloud-metadata', 'ai-egress.namespace-defaults']) {
      expect(written.find((o) => o.metadata.name === name)!.spec.subject).toEqual({ namespaces: { matchLabels: { 'secure-ai-egress/governed': 'true' } } });
    }
  });

  it('denies metadata in the Admin tier, before any admin Accept at a higher priority number; passes a declared credential endpoint to the app; defaults in the Baseline tier', () => {
    const [credentials, , deny, defaults] = byFile(cluster(guardrails, 'current'), '03-cluster-guardrail.k8s.yaml');
    expect(credentials.spec).toMatchObject({
      tier: 'Admin',
      priority: 0,
      subject: {
        pods: {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ai-ingest' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingest' } },
        },
      },
      egress: [{ action: 'Pass', to: [{ networks: ['169.254.170.23/32', 'fd00:ec2::23/128'] }], protocols: [{ tcp: { destinationPort: { number: 80 } } }] }],
    });
    expect(deny.spec).toMatchObject({
      tier: 'Admin',
      priority: 1,
      egress: [
        {
          action: 'Deny',
          to: [
            {
              networks: [
                '169.254.169.254/32',
                '169.254.170.2/32',
                '169.254.170.23/32',
                'fd00:ec2::23/128',
                'fd00:ec2::254/128',
                // The NAT64 forms of the IPv4 ones (RFC 6052), the credential endpoint's too.
                '64:ff9b::a9fe:a9fe/128',
                '64:ff9b::a9fe:aa02/128',
                '64:ff9b::a9fe:aa17/128',
              ],
            },
          ],
        },
      ],
    });
    expect(deny.spec.egress[0].protocols).toBeUndefined();
    expect(defaults.spec).toMatchObject({ tier: 'Baseline', priority: 1000 });
  });

  it('replaces the Calico GlobalNetworkPolicy guardrail, where calico apps keep their tier', () => {
    const current = objects(cluster(guardrails, 'current'));
    // The tier keeps its hand-over of kubernetes-flavor apps (a Pass policy each, in its namespace)
    // and its closing Deny of undeclared pods (issue 18, item 3).
    expect(kinds(current.filter((o) => o.kind === 'GlobalNetworkPolicy'))).toEqual(['GlobalNetworkPolicy ai-egress.deny-undeclared-pods']);
    expect(kinds(current.filter((o) => o.apiVersion === 'projectcalico.org/v3' && o.kind === 'NetworkPolicy' && o.spec.order === 1000))).toEqual([
      'NetworkPolicy ai-egress.search',
    ]);
    expect(kinds(current.filter((o) => o.kind === 'Tier'))).toEqual(['Tier ai-egress']);
  });
});

describe('the verifier and the reports show the guardrail like any other policy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  synthesize(buildApp(join(dir, 'dist'), cluster(guardrails, 'managed')));

  it('verify egress lists its deny, with the tier, priority and rule name; verify query names them; the report too', () => {
    const egress = verifyMain(['egress', '--manifests', join(dir, 'dist')]);
    expect(egress.stdout).toMatch(
      /^ai-search\/search \(Deployment\) - egress policies: ai-egress\.pod-credentials\.ai-search\.search \(ClusterNetworkPolicy, tier Admin, priority 0\); ai-egress\.deny-cloud-metadata \(ClusterNetworkPolicy, tier Admin, priority 1\); /m,
    );
    expect(egress.stdout).toMatch(
      /DENY {2}TCP\/UDP\/SCTP 1-65535 +cidr 6 blocks \(cloud metadata\): 169\.254\.169\.254\/32, 169\.254\.170\.2\/32, 64:ff9b::a9fe:a9fe\/128, 64:ff9b::a9fe:aa02\/128, 64:ff9b::a9fe:aa17\/128, fd00:ec2::254\/128 rule 0 "deny-cloud-metadata-and-credentials" of ClusterNetworkPolicy ai-egress\.deny-cloud-metadata \(tier Admin, priority 1\)/,
    );
    // The credential endpoint's NAT64 form is denied on the very port the app declares it on.
    for (const [to, port] of [
      ['fd00:ec2::254', '443'],
      ['64:ff9b::a9fe:aa17', '80'],
    ]) {
      const q = verifyMain(['query', '--manifests', join(dir, 'dist'), '--from', 'ai-search/search', '--to', to, '--port', port, '--json']);
      expect(JSON.parse(q.stdout).egress).toMatchObject({
        allowed: false,
        tier: 'Admin',
        kind: 'ClusterNetworkPolicy',
        policy: 'ai-egress.deny-cloud-metadata',
        priority: 1,
        rule: 0,
        ruleName: 'deny-cloud-metadata-and-credentials',
      });
    }
    expect(reportMain(['--manifests', join(dir, 'dist'), '--out', join(dir, 'reports')], dir).code).toBe(0);
    expect(readFileSync(join(dir, 'reports', 'egress.md'), 'utf8')).toContain(
      '| deny | cloud metadata (6 blocks): 169.254.169.254/32, 169.254.170.2/32, 64:ff9b::a9fe:a9fe/128, 64:ff9b::a9fe:aa02/128, 64:ff9b::a9fe:aa17/128, fd00:ec2::254/128 | every protocol and port | ClusterNetworkPolicy ai-egress.deny-cloud-metadata rule 0 "deny-cloud-metadata-and-credentials" (tier Admin, priority 1) |',
    );
  });
});

describe('verify diff shows a ClusterNetworkPolicy like any other policy', () => {
  it('an admin Accept of the internet for the governed namespaces is a widening, named by its tier, priority and rule; at priority 0 it comes before the guardrail', () => {
    const dir = mkdtempSync(join(tmpdir(), 'guardrail-diff-'));
    try {
      synthesize(buildApp(join(dir, 'base'), cluster(guardrails, 'managed')));
      synthesize(buildApp(join(dir, 'head'), cluster(guardrails, 'managed')));
      const open = {
        apiVersion: 'policy.networking.k8s.io/v1alpha2',
        kind: 'ClusterNetworkPolicy',
        metadata: { name: 'open-web' },
        spec: {
          tier: 'Admin',
          priority: 0,
          subject: { namespaces: { matchLabels: { 'secure-ai-egress/governed': 'true' } } },
          egress: [{ name: 'web', action: 'Accept', to: [{ networks: ['0.0.0.0/0'] }], protocols: [{ tcp: { destinationPort: { number: 443 } } }] }],
        },
      };
      writeFileSync(join(dir, 'head', '04-admins.k8s.yaml'), JSON.stringify(open));
      const r = diffMain(['--base', join(dir, 'base'), '--head', join(dir, 'head'), '--fail-on-widen']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(
        /\+ may now reach +TCP 443 +cidr 0\.0\.0\.0\/0 except .*\n +allowed by ClusterNetworkPolicy open-web rule 0 "web" \(tier Admin, priority 0\)/,
      );
      // At priority 0 it runs before the guardrail's deny (priority 1): metadata on 443 is open now, and the verifier says so.
      const q = verifyMain(['query', '--manifests', join(dir, 'head'), '--from', 'ai-search/search', '--to', '169.254.169.254', '--port', '443']);
      expect(q.stdout).toMatch(/^ALLOWED .*\n {2}egress: allowed by rule 0 "web" \(Allow\) of ClusterNetworkPolicy open-web in tier Admin at priority 0/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the guardrail as AdminNetworkPolicy', () => {
  const previous = cluster(guardrails, 'previous');

  it('writes the credentials pass and the metadata deny, and no BaselineAdminNetworkPolicy (one per cluster, the admins’)', () => {
    const written = byFile(previous, '03-cluster-guardrail.k8s.yaml');
    expect(kinds(written)).toEqual([
      'AdminNetworkPolicy ai-egress.pod-credentials.ai-ingest.ingest',
      'AdminNetworkPolicy ai-egress.pod-credentials.ai-search.search',
      'AdminNetworkPolicy ai-egress.deny-cloud-metadata',
    ]);
    expect(written[0].spec.egress[0].ports).toEqual([{ portNumber: { protocol: 'TCP', port: 80 } }]);
    expect(egressTo(previous, 'ai-ingest/ingest', 'fd00:ec2::254', 443)).toMatchObject({
      allowed: false,
      decision: { rule: { tier: 'adminnetworkpolicy', kind: 'AdminNetworkPolicy' } },
    });
  });
});

describe('the guardrail as Calico objects', () => {
  it('is written with a tier of its own when asked for, though every app is of the kubernetes flavor', () => {
    const written = objects(sampleIntent({}, { guardrail: 'calico' }));
    expect(kinds(written.filter((o) => o.apiVersion === 'projectcalico.org/v3'))).toEqual([
      'Tier ai-egress',
      // The kubernetes-flavor app's Pass to its Kubernetes NetworkPolicies, before the tier's closing Deny.
      'NetworkPolicy ai-egress.llm',
      'GlobalNetworkPolicy ai-egress.deny-cloud-metadata',
      // The tier closes with a Deny of every pod that is no declared app, so the resolver of cluster names has its policy in it.
      'GlobalNetworkPolicy ai-egress.deny-undeclared-pods',
      'NetworkPolicy ai-egress.dns-resolver',
    ]);
  });

  it('is none when nothing asks for it and no app uses the calico flavor, as before', () => {
    expect(objects(sampleIntent()).filter((o) => /NetworkPolicy$/.test(o.kind) && !o.metadata.namespace)).toEqual([]);
  });
});

describe('what every written object holds to', () => {
  it.each(clusterIntents(guardrails).map((c) => [c.cluster!, c.intent] as const))(
    'cluster %s: schema-valid, applied after the Namespaces and before any namespaced policy',
    (_, intent) => {
      const manifests = synthesized(intent, readManifests);
      const guard = manifests.filter((m) => m.file === '03-cluster-guardrail.k8s.yaml');
      expect(guard.length).toBeGreaterThan(0);
      for (const { object } of guard) {
        expect(validateObject(object)).toEqual([]);
        expect(object.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBe('-6');
      }
      const files = manifests.map((m) => m.file);
      expect(files.indexOf('03-cluster-guardrail.k8s.yaml')).toBeGreaterThan(files.lastIndexOf('00-cluster.k8s.yaml'));
      expect(files.indexOf('03-cluster-guardrail.k8s.yaml')).toBeLessThan(files.findIndex((f) => f.startsWith('10-')));
    },
  );

  it.each(clusterIntents(guardrails).map((c) => [c.cluster!, c.intent] as const))('cluster %s: 03-cluster-guardrail matches its snapshot', (_, intent) => {
    expect(byFile(intent, '03-cluster-guardrail.k8s.yaml')).toMatchSnapshot();
  });

  it('is schema-checked in a cdk8s app of a user’s own, as every object of the platform', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'mine');
    new SecureAiPlatform(chart, 'ai', { intent: sampleIntent({}, { guardrail: 'ClusterNetworkPolicy' }) });
    expect(() => app.synth()).not.toThrow();
    expect(Testing.synth(chart).filter((o) => o.kind === 'ClusterNetworkPolicy').length).toBe(2);
  });
});

describe('a guardrail kind the cluster does not serve is refused, naming the field, the value and why', () => {
  it('refuses AdminNetworkPolicy on Calico 3.32, which removed it, and ClusterNetworkPolicy before 3.32, which does not serve it', () => {
    expect(errorLines(sampleIntent({}, { guardrail: 'AdminNetworkPolicy', calicoVersion: '3.32.1' }))).toEqual([
      'guardrail: "AdminNetworkPolicy" writes the guardrail as an AdminNetworkPolicy (policy.networking.k8s.io/v1alpha1), and the cluster runs Calico 3.32.1: Calico 3.32 removed AdminNetworkPolicy and BaselineAdminNetworkPolicy for ClusterNetworkPolicy (v1alpha2), so the guardrail would be applied and never enforced; accepted: "ClusterNetworkPolicy" or "calico" there, or a calicoVersion before 3.32',
    ]);
    expect(errorLines(sampleIntent({}, { guardrail: 'ClusterNetworkPolicy', calicoVersion: '3.31' }))).toEqual([
      'guardrail: "ClusterNetworkPolicy" writes the guardrail as a ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2), and the cluster runs Calico 3.31, which does not serve it (Calico serves it from 3.32), so the guardrail would not be enforced; accepted: "AdminNetworkPolicy" (Calico 3.29 to 3.31) or "calico" there, or calicoVersion "3.32" or later once the cluster runs it',
    ]);
    expect(errorLines(sampleIntent({}, { guardrail: 'AdminNetworkPolicy', calicoVersion: '3.29' }))).toEqual([]);
    expect(errorLines(sampleIntent({}, { guardrail: 'ClusterNetworkPolicy', calicoVersion: '3.32' }))).toEqual([]);
  });

  it('says so at the cluster that declares the release, and at the platform field a cluster inherits', () => {
    const intent = asIntent({
      ...sampleIntent({}, { guardrail: 'ClusterNetworkPolicy' }),
      clusters: [
        { name: 'old', calicoVersion: '3.30' },
        { name: 'new', calicoVersion: '3.32' },
        { name: 'mixed', calicoVersion: '3.32', guardrail: 'AdminNetworkPolicy' },
      ],
    });
    const lines = errorLines(intent);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^guardrail: "ClusterNetworkPolicy" writes the guardrail as a ClusterNetworkPolicy .* runs Calico 3\.30, which does not serve it/);
    expect(lines[1]).toMatch(/^clusters\.mixed\.guardrail: "AdminNetworkPolicy" writes the guardrail as an AdminNetworkPolicy .* runs Calico 3\.32/);
    expect(validateIntent(intent).map((i) => formatScope(i.scope))).toEqual(['cluster old', 'cluster mixed']);
  });

  it('refuses the Calico guardrail, and a Calico release, on a cluster declared without Calico', () => {
    const intent = asIntent({ ...sampleIntent(), clusters: [{ name: 'edge', calicoInstalled: false, guardrail: 'calico', calicoVersion: '3.31' }] });
    expect(errorLines(intent)).toEqual([
      'clusters.edge.calicoVersion: "3.31" names a Calico release for a cluster declared without Calico (calicoInstalled: false); accepted: no calicoVersion there, or calicoInstalled left true',
      'clusters.edge.guardrail: "calico" writes the guardrail as a Calico GlobalNetworkPolicy, and the cluster leaves out Calico (calicoInstalled: false), which would leave cloud metadata reachable there; accepted: "ClusterNetworkPolicy" (policy.networking.k8s.io/v1alpha2) or "AdminNetworkPolicy" (v1alpha1), whichever the cluster\'s network plugin serves',
    ]);
  });

  it('refuses an unknown guardrail kind and a Calico release that is none, or older than 3.29', () => {
    expect(errorLines(asIntent({ ...sampleIntent(), guardrail: 'AdminNetworkPolicies', calicoVersion: '3.28' }))).toEqual([
      'guardrail: "AdminNetworkPolicies" is not a guardrail kind; accepted: "calico" (Calico\'s own objects), "ClusterNetworkPolicy" (policy.networking.k8s.io/v1alpha2) or "AdminNetworkPolicy" (v1alpha1)',
      'calicoVersion: "3.28" is older than Calico 3.29, the first release with tiers in Calico Open Source, which this project needs; accepted: a Calico release 3.29 or later, written "major.minor" or "major.minor.patch", e.g. "3.31" or "3.32.1"',
    ]);
    expect(errorLines(asIntent({ ...sampleIntent(), calicoVersion: 'latest' }))).toEqual([
      'calicoVersion: "latest" is not a Calico release; accepted: a Calico release 3.29 or later, written "major.minor" or "major.minor.patch", e.g. "3.31" or "3.32.1"',
    ]);
  });

  it('refuses before anything is built: the platform construct throws, the app is left as it was', () => {
    const app = Testing.app();
    expect(() => new SecureAiPlatform(app, 'ai', { intent: sampleIntent({}, { guardrail: 'AdminNetworkPolicy', calicoVersion: '3.32' }) })).toThrow(
      IntentError,
    );
    expect(app.node.children).toEqual([]);
    expect(checkIntent(sampleIntent({}, { guardrail: 'ClusterNetworkPolicy' })).filter((i) => i.severity === 'error')).toEqual([]);
  });
});
