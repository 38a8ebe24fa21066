/**
 * npm run synth for an intent with clusters: a verified folder of dist/ per cluster and the Argo
 * CD manifests that apply them, written all or nothing; without clusters, dist/ as it always was.
 */
import { execFileSync, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildApp } from '../lib/app';
import { PlatformIntent, clusterIntents } from '../lib/intent';
import { diffMain, reportMain } from '../lib/review';
import { runSynth, safeWrite, SYNTH_MODES } from '../lib/synth';
import { validateManifestDir } from '../lib/validate';
import { fleet, minimal, shipped } from './fixtures/intents';
import { distFolders, egressProblems, ingressProblems, K8sObject, metadataReached, ofKind, readManifests, readSynthesized, readTree } from '../lib/testing';

const ROOT = join(__dirname, '..');
let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'fleet-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** `npm run synth` of an intent into `<root>/dist`, in this process: its run, and what dist/ and deploy/argocd/ then hold. */
function synth(intent: PlatformIntent, root = work) {
  const dist = join(root, 'dist');
  const deploy = join(root, 'deploy', 'argocd');
  const run = runSynth({ ok: true, intent }, dist, SYNTH_MODES.npmRunSynth);
  return { run, dist, deploy, files: readTree(dist), argocd: readTree(deploy) };
}

/** The fleet synthesized once, for the tests that only read it. */
let fleetRoot: string;
let synthesized: ReturnType<typeof synth>;
beforeAll(() => {
  fleetRoot = mkdtempSync(join(tmpdir(), 'fleet-shared-'));
  synthesized = synth(fleet, fleetRoot);
});
afterAll(() => rmSync(fleetRoot, { recursive: true, force: true }));

/** The files cdk8s writes for an intent of one cluster (`app.synth()`), by name. */
function synthesizedBy(intent: PlatformIntent): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-one-'));
  try {
    buildApp(dir, intent).synth();
    return readTree(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const objectsIn = (dir: string): K8sObject[] => readManifests(dir).map((m) => m.object);
const named = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;

describe('without clusters', () => {
  it('writes dist/ as it always was: the files of one cluster, byte for byte what cdk8s writes', () => {
    const { run, files } = synth(shipped);
    expect(run.code).toBe(0);
    expect(files).toEqual(synthesizedBy(shipped));
    expect(Object.keys(files).every((f) => !f.includes('/'))).toBe(true);
  });

  it('writes one Argo CD Application for dist/ into deploy/argocd/applications/, and no ApplicationSet', () => {
    const { run, argocd, deploy } = synth(shipped);
    expect(Object.keys(argocd)).toEqual(['applications/secure-ai-egress.k8s.yaml']);
    expect(run.stdout).toContain(`synth: wrote 1 file to ${deploy}/, all valid:\n  ${deploy}/applications/secure-ai-egress.k8s.yaml\n`);
    const [application] = objectsIn(join(deploy, 'applications'));
    expect(application.spec).toEqual({
      project: 'default',
      source: { repoURL: 'https://git.example.com/platform/secure-ai-egress.git', targetRevision: 'HEAD', path: 'dist' },
      destination: { server: 'https://kubernetes.default.svc' },
      syncPolicy: {
        automated: { prune: true, selfHeal: true, allowEmpty: false },
        retry: { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
      },
    });
    expect(application.metadata).toEqual({ name: 'secure-ai-egress', namespace: 'argocd' });
  });

  it('prunes in reverse wave order: no Application or ApplicationSet template asks to prune last, and every sync retries for about 30 minutes', () => {
    // PruneLast gives every pruned object one final wave, deleted together (gitops-engine
    // sync_context.go): a Deployment would go with the policies that confine it.
    const policies = [
      ...objectsIn(join(synth(shipped).deploy, 'applications')).map((a) => a.spec.syncPolicy),
      ...objectsIn(synthesized.deploy).map((set) => set.spec.template.spec.syncPolicy),
      ...objectsIn(join(synthesized.deploy, 'applications')).map((a) => a.spec.syncPolicy),
    ];
    expect(policies.length).toBeGreaterThan(3);
    for (const policy of policies) {
      expect(policy.syncOptions ?? []).not.toContain('PruneLast=true');
      expect(policy.retry).toEqual({ limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } });
    }
  });

  it('takes every Argo CD setting from the intent: repository, revision, project, namespace, name, destination, manual sync, server-side apply', () => {
    const { deploy } = synth({
      ...minimal,
      argocd: {
        repoURL: 'git@github.com:example/platform.git',
        targetRevision: 'v1.2.0',
        project: 'ai',
        namespace: 'gitops',
        name: 'egress',
        destination: { name: 'in-cluster' },
        automated: false,
        serverSideApply: true,
      },
    });
    const [application] = objectsIn(join(deploy, 'applications'));
    expect(application.metadata).toEqual({ name: 'egress', namespace: 'gitops' });
    expect(application.spec).toEqual(
      expect.objectContaining({
        project: 'ai',
        source: { repoURL: 'git@github.com:example/platform.git', targetRevision: 'v1.2.0', path: 'dist' },
        destination: { name: 'in-cluster' },
      }),
    );
    expect(application.spec.syncPolicy.automated).toBeUndefined();
    expect(application.spec.syncPolicy.syncOptions).toEqual(['ServerSideApply=true']);
  });

  it('writes no Argo CD manifests without argocd settings, and removes those an earlier synthesis wrote', () => {
    expect(synth(minimal).argocd).toEqual({});
    expect(existsSync(join(work, 'deploy'))).toBe(false);
    expect(Object.keys(synth(shipped).argocd)).toHaveLength(1);
    const { run, argocd, deploy } = synth(minimal);
    expect(argocd).toEqual({});
    expect(run.stdout).toContain(`synth: removed ${deploy}/: the intent declares no argocd settings\n`);
  });
});

describe('with clusters', () => {
  it("writes a folder per cluster, each byte for byte what cdk8s writes for that cluster's intent, and nothing else in dist/", () => {
    const { run, dist, files } = synthesized;
    expect(run).toEqual(expect.objectContaining({ code: 0, stderr: '' }));
    expect(readdirSync(dist).sort()).toEqual(['edge', 'prod-eu', 'prod-us']);
    const expected = Object.fromEntries(
      clusterIntents(fleet).flatMap(({ cluster, intent }) => Object.entries(synthesizedBy(intent)).map(([f, text]) => [`${cluster}/${f}`, text])),
    );
    expect(files).toEqual(expected);
    expect(run.stdout).toContain(`synth: wrote 21 files to ${dist}/, all valid:\n  ${dist}/edge/00-cluster.k8s.yaml\n`);
  });

  it("writes each cluster's folder in apply order, and validates every object of every folder", () => {
    const { dist } = synthesized;
    // edge runs without Calico: its guardrail is a ClusterNetworkPolicy, in a file of its own after the Namespaces.
    expect(readdirSync(join(dist, 'edge'))).toEqual([
      '00-cluster.k8s.yaml',
      '03-cluster-guardrail.k8s.yaml',
      '05-dns-resolver.k8s.yaml',
      '10-policies-ai-embeddings.k8s.yaml',
      '20-workloads-ai-embeddings.k8s.yaml',
    ]);
    expect(readdirSync(join(dist, 'prod-us'))).toEqual([
      '00-cluster.k8s.yaml',
      '01-calico-tier.k8s.yaml',
      '02-calico-global-policies.k8s.yaml',
      '05-dns-resolver.k8s.yaml',
      '10-policies-ai-chat.k8s.yaml',
      '10-policies-ai-embeddings.k8s.yaml',
      '20-workloads-ai-chat.k8s.yaml',
      '20-workloads-ai-embeddings.k8s.yaml',
    ]);
    expect(validateManifestDir(dist)).toEqual([]);
  });

  it('gives each cluster its own allow-lists, cloud, kube-dns ClusterIP, resolver address in its Service range and apps, and no Calico object where Calico is not installed', () => {
    const { dist } = synthesized;
    const sets = (cluster: string) => ofKind(readManifests(join(dist, cluster)), 'GlobalNetworkSet').map((s) => [s.metadata.name, s.spec.nets]);
    expect(sets('prod-eu')).toEqual([
      ['model-registry', ['203.0.113.10/32']],
      ['object-store', ['198.51.100.0/24']],
    ]);
    expect(sets('prod-us')).toEqual([
      ['model-registry', ['192.0.2.10/32']],
      ['object-store', ['192.0.2.128/25']],
    ]);
    const guardrail = (cluster: string) => JSON.stringify(named(objectsIn(join(dist, cluster)), 'GlobalNetworkPolicy', 'ai-egress.deny-cloud-metadata'));
    const guarded = ['169.254.169.252/32', '169.254.170.23/32', '100.100.100.200/32'].map((a) => [
      guardrail('prod-eu').includes(a),
      guardrail('prod-us').includes(a),
    ]);
    expect(guarded).toEqual([
      [true, false],
      [false, true],
      [false, false],
    ]);
    // The resolver of cluster names asks kube-dns through NodeLocal DNSCache, at the cluster's kube-dns ClusterIP.
    const dnsBlocks = (cluster: string) =>
      named(objectsIn(join(dist, cluster)), 'NetworkPolicy', 'ai-egress.dns-resolver').spec.egress.flatMap(
        (r: { destination?: { nets?: string[] } }) => r.destination?.nets ?? [],
      );
    expect(dnsBlocks('prod-us')).toEqual(expect.arrayContaining(['169.254.20.10/32', '172.20.0.10/32']));
    expect(dnsBlocks('prod-eu')).toEqual(expect.arrayContaining(['169.254.20.10/32', '10.96.0.10/32']));
    expect(dnsBlocks('prod-eu')).not.toContain('172.20.0.10/32');
    const nameservers = (cluster: string) => named(objectsIn(join(dist, cluster)), 'Deployment', 'embeddings').spec.template.spec.dnsConfig.nameservers;
    expect(['prod-eu', 'prod-us', 'edge'].map(nameservers)).toEqual([['34.118.224.53'], ['172.20.0.53'], ['10.0.0.53']]);
    const edge = readManifests(join(dist, 'edge'));
    expect(edge.filter((m) => m.object.apiVersion.startsWith('projectcalico.org'))).toEqual([]);
    expect(ofKind(edge, 'Deployment').map((d) => d.metadata.name)).toEqual(['dns-resolver', 'embeddings']);
  });

  it("verifies each folder against its cluster's intent: intent equals reach, and no cloud metadata, in every cluster", () => {
    const { dist } = synthesized;
    for (const { label, intent, dir } of distFolders(fleet, dist)) {
      const s = readSynthesized(intent, dir);
      const problems = intent.apps.flatMap((a) => [...egressProblems(s, a), ...ingressProblems(s, a), ...metadataReached(s, a)]);
      expect({ [label]: problems }).toEqual({ [label]: [] });
    }
  });

  it('finds what an allow-list of the platform would reach in a cluster that replaced it: the folders are not interchangeable', () => {
    const { dist } = synthesized;
    const [eu, us] = distFolders(fleet, dist);
    const usReadAsEu = readSynthesized(eu.intent, us.dir);
    expect(egressProblems(usReadAsEu, eu.intent.apps[0])).toEqual(
      expect.arrayContaining(['added: TCP 443 cidr 192.0.2.10/32', expect.stringMatching(/^removed: TCP 443 .*cidr 203\.0\.113\.10\/32/)]),
    );
  });

  it('writes an Application per cluster and an ApplicationSet that maps each cluster to its folder, all valid against the Argo CD CRDs', () => {
    const { deploy, argocd } = synthesized;
    expect(Object.keys(argocd)).toEqual([
      'applications/secure-ai-egress-edge.k8s.yaml',
      'applications/secure-ai-egress-prod-eu.k8s.yaml',
      'applications/secure-ai-egress-prod-us.k8s.yaml',
      'applicationset.k8s.yaml',
    ]);
    expect(validateManifestDir(deploy)).toEqual([]);
    const applications = objectsIn(join(deploy, 'applications'));
    expect(applications.map((a) => [a.metadata.name, a.spec.source.path, a.spec.destination])).toEqual([
      ['secure-ai-egress-edge', 'dist/edge', { name: 'edge' }],
      ['secure-ai-egress-prod-eu', 'dist/prod-eu', { name: 'prod-eu' }],
      ['secure-ai-egress-prod-us', 'dist/prod-us', { server: 'https://prod-us.k8s.example.com' }],
    ]);
    const [set] = objectsIn(deploy);
    expect(set.kind).toBe('ApplicationSet');
    expect(set.spec.generators).toEqual([
      {
        list: {
          elements: [
            { cluster: 'prod-eu', path: 'dist/prod-eu', destinationServer: '', destinationName: 'prod-eu' },
            { cluster: 'prod-us', path: 'dist/prod-us', destinationServer: 'https://prod-us.k8s.example.com', destinationName: '' },
            { cluster: 'edge', path: 'dist/edge', destinationServer: '', destinationName: 'edge' },
          ],
        },
      },
    ]);
    expect(set.spec.syncPolicy).toEqual({ preserveResourcesOnDeletion: true });
    expect(set.spec.goTemplateOptions).toEqual(['missingkey=error']);
    expect(set.spec.template.metadata.name).toBe('secure-ai-egress-{{.cluster}}');
    expect(set.spec.template.spec.destination).toEqual({ server: '{{.destinationServer}}', name: '{{.destinationName}}' });
    expect(set.spec.template.spec.syncPolicy).toEqual(applications[0].spec.syncPolicy);
  });

  it('removes the folder of a cluster the intent no longer declares, and goes back to the files of one cluster without clusters', () => {
    synth(fleet);
    const { dist } = synth({ ...fleet, clusters: fleet.clusters!.filter((c) => c.name !== 'edge') });
    expect(readdirSync(dist).sort()).toEqual(['prod-eu', 'prod-us']);
    const flat = synth(shipped);
    expect(flat.files).toEqual(synthesizedBy(shipped));
    expect(Object.keys(flat.argocd)).toEqual(['applications/secure-ai-egress.k8s.yaml']);
  });
});

describe('all or nothing: one bad cluster leaves every folder as it was', () => {
  it('refuses a calico app on the cluster without Calico, and leaves dist/ and deploy/argocd/ byte-identical', () => {
    const before = synth(fleet);
    const bad: PlatformIntent = { ...fleet, clusters: fleet.clusters!.map((c) => (c.name === 'edge' ? { ...c, apps: undefined } : c)) };
    const after = synth(bad);
    expect(after.run.code).toBe(1);
    expect(after.run.stderr).toContain(
      'clusters.edge.calicoInstalled: false leaves out Calico\'s API (projectcalico.org/v3, Calico 3.29 or later: not the managed Calico of AKS or GKE, which enforces Kubernetes NetworkPolicy only), and chat runs there with flavor "calico"',
    );
    expect(after.run.stderr).toContain(`${before.dist}/ was left unchanged.\n${before.deploy}/ was left unchanged.\n`);
    expect([after.files, after.argocd]).toEqual([before.files, before.argocd]);
    expect(readdirSync(work).sort()).toEqual(['deploy', 'dist']);
    expect(readdirSync(join(work, 'deploy'))).toEqual(['argocd']);
  });

  it('leaves every folder as it was when a later folder fails, and removes the staging folders and the parents made for them', () => {
    const before = synth(fleet);
    const fresh = join(work, 'new', 'deploy', 'argocd');
    const result = safeWrite([
      { dir: before.dist, write: () => undefined },
      {
        dir: fresh,
        write: () => {
          throw new Error('the Argo CD manifests could not be built');
        },
      },
    ]);
    expect(result).toEqual({ ok: false, message: 'the app failed: the Argo CD manifests could not be built' });
    expect(readTree(before.dist)).toEqual(before.files);
    expect(readdirSync(work).sort()).toEqual(['deploy', 'dist']);
  });

  it('leaves every folder as it was when an object of any folder fails its schema', () => {
    const before = synth(fleet);
    const invalid = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'broken' }, spec: { destination: {} } };
    const result = safeWrite([
      { dir: before.dist, write: (staging) => buildApp(staging, minimal).synth() },
      { dir: before.deploy, write: (staging) => writeFileSync(join(staging, 'broken.yaml'), JSON.stringify(invalid)) },
    ]);
    expect(result.ok ? '' : result.message).toBe(
      "1 schema problem in the synthesized manifests:\n  broken.yaml document 1 (Application/broken): /spec: must have required property 'project'",
    );
    expect([readTree(before.dist), readTree(before.deploy)]).toEqual([before.files, before.argocd]);
  });
});

describe('a cluster folder is a folder like any other for verify and report', () => {
  it("verify diff between two clusters' folders shows what one may reach that the other may not", () => {
    const { dist } = synthesized;
    const result = diffMain(['--base', join(dist, 'prod-eu'), '--head', join(dist, 'prod-us'), '--fail-on-widen']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/ai-chat\/chat[\s\S]*\+ may now reach[\s\S]*192\.0\.2\.10/);
    expect(result.stdout).toMatch(/- may no longer reach[\s\S]*203\.0\.113\.10/);
  });

  it('verify diff reads a cluster folder from a git revision as REV:dist/<cluster>', () => {
    const { dist } = synth(fleet);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: work, stdio: 'pipe' });
    git('init', '-q');
    git('add', 'dist');
    git('-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '-qm', 'fleet');
    // npm run verify, run where the repository is, as a user would in theirs: the folder read
    // from the commit is the folder on disk, so nothing widened and nothing changed.
    const run = spawnSync(
      process.execPath,
      [
        '--require',
        require.resolve('tsx/cjs'),
        join(ROOT, 'scripts', 'verify.ts'),
        'diff',
        '--base',
        'HEAD:dist/prod-us',
        '--head',
        join(dist, 'prod-us'),
        '--fail-on-widen',
      ],
      { cwd: work, encoding: 'utf8' },
    );
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toContain('HEAD:dist/prod-us');
  });

  // reportMain is what scripts/report.ts runs (test/report-cli.test.ts starts the program itself).
  it("npm run report writes the reports of one cluster's folder", () => {
    const { dist } = synthesized;
    const out = join(work, 'reports');
    const run = reportMain(['--manifests', join(dist, 'edge'), '--out', out], ROOT);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^report: 2 workloads,/);
    expect(readdirSync(out).sort()).toEqual(['egress.html', 'egress.md']);
  });
});
