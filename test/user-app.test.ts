/**
 * SecureAiPlatform dropped into a cdk8s app someone else wrote: their App, their Chart, and a
 * chart of theirs that has nothing to do with AI beside it. It holds the same objects in the same
 * order as the ready-made app (main.ts, npm run synth), is checked the same way when their app
 * synthesizes, and what it writes passes every check main.test.ts makes, against the intent.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { parseAllDocuments } from 'yaml';
import { IntentError, SecureAiPlatform, buildApp, checkManifests, readManifestFiles, formatPath } from '../lib';
import { fourApps } from './fixtures/intents';
import { allProblems, readSynthesized } from '../lib/testing';
import { sampleIntent } from './support/sample-intent';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'user-app-'));
  dirs.push(dir);
  return dir;
};

/** A chart of the user's that has nothing to do with AI: a website in its own namespace. */
class Website extends Chart {
  constructor(scope: App, id: string) {
    super(scope, id);
    new kplus.Deployment(this, 'site', {
      metadata: { namespace: 'web' },
      containers: [{ image: 'nginxinc/nginx-unprivileged:1.27-alpine', portNumber: 8080 }],
    });
    new kplus.ConfigMap(this, 'settings', { metadata: { namespace: 'web' }, data: { theme: 'dark' } });
  }
}

/** Every document of a file, in order, as JSON (which keeps the order of the keys too). */
const documents = (file: string) => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => JSON.stringify(d.toJS()));

/** The objects the ready-made app writes for an intent, file by file in name order: what main.ts's dist/ would hold. */
function readyMade(intent: typeof fourApps): { dir: string; files: string[]; objects: string[] } {
  const dir = scratch();
  buildApp(dir, intent).synth();
  const files = readdirSync(dir).sort();
  return { dir, files, objects: files.flatMap((f) => documents(join(dir, f))) };
}

describe("SecureAiPlatform in a Chart of the user's own App, beside a chart of theirs", () => {
  const dir = scratch();
  const app = new App({ outdir: dir });
  const aiChart = new Chart(app, 'ai-platform');
  const platform = new SecureAiPlatform(aiChart, 'secured-ai', { intent: fourApps, printWarnings: false });
  new Website(app, 'website');
  app.synth();

  it("writes the user's two charts, one file each, and nothing else", () => {
    expect(readdirSync(dir).sort()).toEqual(['ai-platform.k8s.yaml', 'website.k8s.yaml']);
    expect(platform.parts.every((p) => Chart.of(p) === aiChart)).toBe(true);
  });

  it('holds exactly the objects of the ready-made app, in its apply order, names unhashed in a chart that hashes', () => {
    expect(documents(join(dir, 'ai-platform.k8s.yaml'))).toEqual(readyMade(fourApps).objects);
  });

  it('passes every check main.test.ts makes of dist/, intent equals reach included, with the website beside it', () => {
    const s = readSynthesized(fourApps, dir);
    expect(s.manifests.map((m) => m.object.metadata.namespace)).toContain('web');
    expect(allProblems(s)).toEqual([]);
  });

  it("passes the validation plugin's checks, the website exempted; unexempted, the website is what they find", () => {
    const manifests = readManifestFiles([dir]);
    expect(checkManifests(manifests, { exemptNamespaces: ['web'] }).findings).toEqual([]);
    const found = checkManifests(manifests).findings;
    expect(found.length).toBeGreaterThan(0);
    expect(found.filter((f) => f.object.namespace !== 'web' && f.object.name !== 'web')).toEqual([]);
  });

  it("leaves the user's own chart as it is alone", () => {
    const alone = scratch();
    const own = new App({ outdir: alone });
    new Website(own, 'website');
    own.synth();
    expect(readFileSync(join(dir, 'website.k8s.yaml'), 'utf8')).toBe(readFileSync(join(alone, 'website.k8s.yaml'), 'utf8'));
  });
});

describe("the intent's warnings in a team's own app", () => {
  it('are printed on standard error when the platform is constructed, as npm run synth prints them, and kept on the construct', () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const platform = new SecureAiPlatform(new Chart(new App({ outdir: scratch() }), 'ai'), 'secured-ai', { intent: sampleIntent({ port: 80 }) });
      expect(platform.warnings.map((w) => formatPath(w.path))).toContain('llm.port');
      expect(written.join('')).toMatch(/^SecureAiPlatform secured-ai: \d+ warnings? \(not errors: synthesis goes on\):\n {2}.*llm\.port: 80 is below 1024/s);
    } finally {
      spy.mockRestore();
    }
  });

  it('are left to the summary with printWarnings: false, as buildApp and npm run synth do', () => {
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      new SecureAiPlatform(new Chart(new App({ outdir: scratch() }), 'ai'), 'secured-ai', { intent: sampleIntent({ port: 80 }), printWarnings: false });
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});

describe("SecureAiPlatform in the user's App itself", () => {
  it("writes the ready-made app's files, byte for byte, beside the user's chart file", () => {
    const dir = scratch();
    const app = new App({ outdir: dir });
    new Website(app, 'website');
    new SecureAiPlatform(app, 'secured-ai', { intent: fourApps, printWarnings: false });
    app.synth();
    const expected = readyMade(fourApps);
    expect(readdirSync(dir).sort()).toEqual([...expected.files, 'website.k8s.yaml'].sort());
    for (const f of expected.files) expect(readFileSync(join(dir, f), 'utf8')).toBe(readFileSync(join(expected.dir, f), 'utf8'));
  });
});

describe("the same validation as npm run synth, inside the user's app", () => {
  it("refuses an invalid intent with every problem, adding nothing to the user's chart", () => {
    const app = new App({ outdir: scratch() });
    const chart = new Chart(app, 'ai-platform');
    const bad = sampleIntent({ port: 70000, egress: [{ cidr: '0.0.0.0/0', ports: [443] }] });
    expect(() => new SecureAiPlatform(chart, 'secured-ai', { intent: bad, printWarnings: false })).toThrow(IntentError);
    expect(() => new SecureAiPlatform(chart, 'secured-ai', { intent: bad, printWarnings: false })).toThrow(
      /llm\.port: 70000 .*\n.*llm\.egress\[0\]\.cidr: "0\.0\.0\.0\/0"/s,
    );
    expect(chart.node.children).toEqual([]);
  });

  it('fails app.synth() when an object no longer passes its schema, naming the object and the path', () => {
    const app = new App({ outdir: scratch() });
    const platform = new SecureAiPlatform(new Chart(app, 'ai-platform'), 'secured-ai', { intent: sampleIntent({}), printWarnings: false });
    const deployment = platform.node.findAll().find((c): c is ApiObject => ApiObject.isApiObject(c) && c.kind === 'Deployment' && c.name === 'llm')!;
    deployment.addJsonPatch(JsonPatch.replace('/spec/replicas', 'three'));
    expect(() => app.synth()).toThrow(/\[ai-platform\/secured-ai\] Deployment ai\/llm: \/spec\/replicas: must be integer/);
  });

  it('refuses a chart that sets a namespace on every object, saying where to put it instead', () => {
    const app = new App({ outdir: scratch() });
    const chart = new Chart(app, 'ai-platform', { namespace: 'web' });
    expect(() => new SecureAiPlatform(chart, 'secured-ai', { intent: fourApps, printWarnings: false })).toThrow(
      'SecureAiPlatform secured-ai: its chart ai-platform sets namespace "web" on every object it holds; accepted: a chart without a namespace, or the App itself (the platform\'s objects name their own namespaces, and its Namespaces, tier and global policies are cluster-scoped)',
    );
    expect(chart.node.children).toEqual([]);
  });
});
