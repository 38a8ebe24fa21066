/**
 * The cdk8s validation plugin that cdk8s.yaml lists: the class is called here as cdk8s-cli calls
 * it, with cdk8s-cli's own ValidationContext and report, on manifests written to a scratch
 * folder; and `cdk8s synth` itself runs it once, offline, through cdk8s.yaml.
 */
import { SpawnSyncReturns } from 'child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { basename, join } from 'path';
import type { ValidationContext as Context } from 'cdk8s-cli/lib/plugins';
import { buildApp } from '../lib/app';
import { synthesize } from '../lib/synth';
import { RULE_NAMES, SecureAiEgressChecks } from '../lib/checks';
import { PlatformIntent } from '../lib/intent';
import { aws, shipped } from './fixtures/intents';
import { PLUGIN_ENTRY, cdk8sScript, cdk8sSynth } from './support/cdk8s';

// The package's public entry (its `exports` map names `./plugins`), as the CLI itself loads it.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- tsc resolves modules as "node" (tsconfig.json), which does not read `exports` maps, so an import of cdk8s-cli/plugins would not resolve; require does, at run time.
const { ValidationContext } = require('cdk8s-cli/plugins') as {
  ValidationContext: new (manifests: readonly string[], pkg: string, version: string, metadata?: Record<string, { path: string }>, stdout?: boolean) => Context;
};

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** An intent synthesized into a scratch folder; returns the folder and its .yaml files, as cdk8s-cli lists them. */
function synthesized(intent: PlatformIntent): { dir: string; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'plugin-'));
  dirs.push(dir);
  synthesize(buildApp(dir, intent));
  return {
    dir,
    files: readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => join(dir, f)),
  };
}

/** The same, synthesized once per intent for the tests that only read the files. */
const readOnly = new Map<PlatformIntent, { dir: string; files: string[] }>();
function synthesizedOnce(intent: PlatformIntent): { dir: string; files: string[] } {
  let made = readOnly.get(intent);
  if (!made) readOnly.set(intent, (made = synthesized(intent)));
  return made;
}

/** Runs the plugin as cdk8s-cli does: constructed with the properties, then validate(context); returns the report as JSON and as printed. */
async function run(files: readonly string[], properties: object = {}, metadata: Record<string, { path: string }> = {}) {
  const context = new ValidationContext(files, './scripts/cdk8s-validation.js', '0.1.0', metadata, false);
  await new SecureAiEgressChecks(properties).validate(context);
  return { json: context.report.toJson(), text: context.report.toString(), success: context.report.success };
}

describe('the plugin, called as cdk8s-cli calls it', () => {
  it('passes the shipped scenario and reports each of its rules as passed, with what it read', async () => {
    const { files } = synthesizedOnce(shipped);
    const { json, success } = await run(files, { cloud: 'any' });
    expect(success).toBe(true);
    expect(json.violations).toEqual([]);
    expect(json.summary.metadata).toEqual({
      objects: `30 in ${files.length} files`,
      'schema-checked': '30',
      namespaces: 'ai-application, ai-dns, ai-embeddings',
      workloads: '3',
      cloud: 'any',
      ...Object.fromEntries(RULE_NAMES.map((r) => [r, 'passed'])),
    });
  });

  it("fails an aws cluster's manifests checked for every cloud, one violation per rule, each object with its file, messages and construct path", async () => {
    const { dir, files } = synthesizedOnce(aws);
    const { json, text, success } = await run(files, {}, { summarizer: { path: 'app/20-workloads-ai-data/summarizer' } });
    expect(success).toBe(false);
    // The blocks carve out link-local addresses and the private space (Alibaba's 100.100.100.200 in it) whatever the cloud, so what stays is Azure's public WireServer.
    expect(json.summary.metadata).toMatchObject({ 'metadata-denied': '2 violations', 'metadata-carved-out': '2 violations', schema: 'passed' });
    expect(json.violations.map((v) => v.ruleName)).toEqual(['metadata-denied', 'metadata-carved-out']);
    const [denied] = json.violations;
    expect(denied.violatingConstructs).toEqual([
      {
        resourceName: 'summarizer',
        constructPath: 'app/20-workloads-ai-data/summarizer',
        manifestPath: join(dir, '20-workloads-ai-data.k8s.yaml'),
        locations: expect.arrayContaining([
          'ai-data/summarizer may reach 100.100.100.200 (the Alibaba Cloud ECS metadata service): TCP 8443 to cidr 100.100.100.200/32, allowed by rule 3 of NetworkPolicy ai-data/ai-guard.summarizer (tier ai-guard): lab gateway',
        ]),
      },
    ]);
    expect(denied.recommendation).toMatch(/^Instance metadata services hand out the node's cloud credentials/);
    expect(text).toContain('metadata-carved-out (2 occurrences)');
    expect(text).toContain('NetworkPolicy ai-data/ai-guard.summarizer allows 0.0.0.0/0 without carving out 168.63.129.16');
  });

  it('passes the same manifests once told the cloud is aws', async () => {
    expect((await run(synthesizedOnce(aws).files, { cloud: 'aws' })).success).toBe(true);
  });

  it('reports a file it cannot read, and still checks the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugin-'));
    dirs.push(dir);
    cpSync(synthesizedOnce(shipped).dir, dir, { recursive: true });
    const files = synthesizedOnce(shipped).files.map((f) => join(dir, basename(f)));
    writeFileSync(join(dir, 'zz-broken.yaml'), 'kind: [unclosed\n');
    const { json, success } = await run([...files, join(dir, 'zz-broken.yaml')]);
    expect(success).toBe(false);
    expect(json.violations.map((v) => [v.ruleName, v.violatingConstructs.map((c) => c.locations)])).toEqual([
      ['manifests-readable', [[expect.stringMatching(/^.*zz-broken\.yaml, document 1: invalid YAML/)]]],
    ]);
    expect(json.summary.metadata).toMatchObject({ objects: `30 in ${files.length + 1} files`, schema: 'passed' });
  });

  it('refuses properties it does not know, naming each, and checks nothing then', async () => {
    const { json, success } = await run(synthesizedOnce(shipped).files, { cloud: 'amazon', exempt: ['web'] });
    expect(success).toBe(false);
    expect(json.violations).toEqual([
      expect.objectContaining({
        ruleName: 'plugin-properties',
        violatingConstructs: [
          expect.objectContaining({
            resourceName: 'cdk8s.yaml',
            locations: [
              'properties.exempt: is not a property of this plugin; accepted: cloud, exemptNamespaces, clusterPerFolder',
              'properties.cloud: "amazon" is not a cloud; accepted: any, aws, gcp, azure, alibaba, oracle, ibm, digitalocean, hetzner, openstack, scaleway, akamai, tencent',
            ],
          }),
        ],
      }),
    ]);
  });
});

describe('clusters in folders of their own (clusterPerFolder)', () => {
  /**
   * Two clusters' folders under one output folder: the same namespaces and names (the shipped
   * scenario's synthesis in each), one of them widened by hand to a block holding cloud metadata.
   * Made once: the tests only read them.
   */
  let made: { files: string[]; widened: string } | undefined;
  function twoClusters(): { files: string[]; widened: string } {
    if (made) return made;
    const out = mkdtempSync(join(tmpdir(), 'plugin-clusters-'));
    dirs.push(out);
    const files: string[] = [];
    for (const cluster of ['prod-eu', 'prod-us']) {
      const dir = join(out, cluster);
      cpSync(synthesizedOnce(shipped).dir, dir, { recursive: true });
      files.push(
        ...readdirSync(dir)
          .sort()
          .map((f) => join(dir, f)),
      );
    }
    const widened = join(out, 'prod-us', '10-policies-ai-embeddings.k8s.yaml');
    const text = readFileSync(widened, 'utf8');
    writeFileSync(widened, text.replace('cidr: 203.0.113.10/32', 'cidr: 169.254.0.0/16'));
    if (readFileSync(widened, 'utf8') === text) throw new Error(`${widened} holds no 203.0.113.10/32 to widen`);
    return (made = { files, widened });
  }

  it('checks each folder as a cluster apart, naming the folder of each finding', async () => {
    const { files, widened } = twoClusters();
    const { json, success } = await run(files, { clusterPerFolder: true });
    expect(success).toBe(false);
    expect(json.summary.metadata).toMatchObject({
      clusters: 'prod-eu, prod-us',
      'prod-eu: objects': '30 in 8 files',
      'prod-us: namespaces': 'ai-application, ai-dns, ai-embeddings',
    });
    expect(json.violations.map((v) => [v.ruleName, v.violatingConstructs.map((c) => [c.manifestPath, c.resourceName])])).toEqual([
      ['metadata-carved-out', [[widened, 'embeddings-egress']]],
    ]);
  });

  it('without the property, checks each folder apart as well, since the manifests lie in more than one folder', async () => {
    const { files, widened } = twoClusters();
    const { json } = await run(files);
    expect(json.summary.metadata).toMatchObject({ clusters: 'prod-eu, prod-us' });
    expect(json.violations.map((v) => [v.ruleName, v.violatingConstructs.map((c) => [c.manifestPath, c.resourceName])])).toEqual([
      ['metadata-carved-out', [[widened, 'embeddings-egress']]],
    ]);
  });

  it('with clusterPerFolder: false, says that the folders write the same objects twice, and the verifier that one of them differs', async () => {
    const { files, widened } = twoClusters();
    const locations = (await run(files, { clusterPerFolder: false })).json.violations
      .filter((v) => v.ruleName === 'manifests-readable')
      .flatMap((v) => v.violatingConstructs.flatMap((c) => c.locations));
    expect(locations.filter((l) => / is written twice, in .*prod-eu.* and .*prod-us/.test(l))).toHaveLength(30);
    expect(locations.filter((l) => !l.includes('written twice'))).toEqual([
      `${widened}, document 2 (NetworkPolicy ai-embeddings/embeddings-egress): is also defined, differently, in ${widened.replace('prod-us', 'prod-eu')}, document 2`,
    ]);
  });
});

describe('`cdk8s synth` with the plugin, in a project of the shipped settings (test/fixtures/cdk8s)', () => {
  /** One `cdk8s synth` of the shipped scenario, as `npm run cdk8s -- synth` runs it: the tests below read what it printed and wrote. */
  let out: string;
  let cli: SpawnSyncReturns<string>;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'cdk8s-synth-'));
    dirs.push(out);
    cli = cdk8sSynth(join('test', 'fixtures', 'intents', 'shipped.ts'), out);
  });

  it('runs the app (its warnings on standard error, where cdk8s shows them), then the plugin offline, reports its checks, and writes nothing but the manifests', () => {
    expect(cli.status).toBe(0);
    expect(cli.stderr).toMatch(/^synth: wrote 8 files to .*, all valid:/);
    expect(cli.stderr).toMatch(/synth: 1 warning \(not errors: synthesis goes on\):\n {2}ai-service\.modelCacheSize: /);
    expect(cli.stdout).toContain(`Validation Report (${PLUGIN_ENTRY}@0.1.0)`);
    for (const rule of RULE_NAMES) expect(cli.stdout).toMatch(new RegExp(`║ ${rule} +│ passed +║`));
    expect(cli.stdout).toContain('Validations ended succesfully');
    const fresh = synthesizedOnce(shipped).dir;
    expect(readdirSync(out).sort()).toEqual(readdirSync(fresh).sort());
    expect(existsSync(join(out, 'construct-metadata.json'))).toBe(false);
    for (const f of readdirSync(fresh)) expect(readFileSync(join(out, f), 'utf8')).toBe(readFileSync(join(fresh, f), 'utf8'));
  });

  it('npm run cdk8s runs cdk8s-cli without its upgrade check, which asks the npm registry and prints a stack trace where that fails', () => {
    // The check runs before any command (lib/cli/index.js, yargs .check): the run above shows it
    // if it ran, with the script's arguments alone to turn it off (no CDK8S_* variable).
    expect(cdk8sScript().program).toBe('cdk8s');
    expect(cli.status).toBe(0);
    expect(cli.stderr).not.toMatch(/http error|A new version|_loadurl|registry\.npmjs/);
  });

  it('synthesizes an intent with clusters, a folder per cluster, and checks each folder as its cluster without a property set by hand', () => {
    const out = mkdtempSync(join(tmpdir(), 'cdk8s-synth-'));
    dirs.push(out);
    const cli = cdk8sSynth(join('test', 'fixtures', 'intents', 'fleet.ts'), out);
    expect(cli.stderr).not.toMatch(/written twice|also defined/);
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain('Validations ended succesfully');
    expect(readdirSync(out).sort()).toEqual(['edge', 'prod-eu', 'prod-us']);
  });
});
