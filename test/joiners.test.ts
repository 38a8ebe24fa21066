/**
 * The check that main.test.ts makes of any intent now that the calico renderer selects pods only
 * (issue 18, item 2): a NetworkSet or a HostEndpoint carrying the labels of an app's peers changes
 * no reach (test/support/properties.ts, joinerProblems). The check also runs here on each
 * fixture intent's rendering with its Calico rules rewritten as issue 18 asks (pod peers with `projectcalico.org/orchestrator == 'k8s'`, allow-lists without
 * the automatic HostEndpoints of nodes), where it holds; and with those terms taken out, as the
 * renderer wrote them before, where it fails for every calico app that names a pod peer or admits
 * a client. Both hold whether or not the renderer already writes the terms.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildApp } from '../lib/app';
import { PlatformIntent } from '../lib/intent';
import { synthesize } from '../lib/synth';
import { parseYamlDocuments } from '../lib/yaml';
import { FIXTURE_CLUSTERS } from './fixtures/intents';
import { NOT_AUTO_HOST_ENDPOINT, PODS_ONLY } from './support/verify-builders';
import { joinerProblems, K8sObject, readSynthesized } from '../lib/testing';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const CALICO_POLICIES = ['NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy'];

type Side = { selector?: string; namespaceSelector?: string };

/** Each source and destination of every rule of the Calico policies, to rewrite in place. */
function sides(objects: readonly K8sObject[]): Side[] {
  return objects
    .filter((o) => o.apiVersion === 'projectcalico.org/v3' && CALICO_POLICIES.includes(o.kind))
    .flatMap((o) => [...(o.spec?.egress ?? []), ...(o.spec?.ingress ?? [])])
    .flatMap((r: { source?: Side; destination?: Side }) => [r.source, r.destination].filter((x): x is Side => x !== undefined));
}

const without = (selector: string, term: string): string | undefined =>
  selector === term ? undefined : selector.replace(` && ${term}`, '').replace(`${term} && `, '');

/** As issue 18 asks: pod peers and namespace-only peers say they want pods; allow-lists leave out automatic HostEndpoints. */
function selectOnlyPods(side: Side): void {
  if (side.namespaceSelector === 'global()') {
    if (side.selector !== undefined && !side.selector.includes(NOT_AUTO_HOST_ENDPOINT)) side.selector = `${side.selector} && ${NOT_AUTO_HOST_ENDPOINT}`;
  } else if (side.selector !== undefined || side.namespaceSelector !== undefined) {
    if (side.selector === undefined) side.selector = PODS_ONLY;
    else if (!side.selector.includes(PODS_ONLY)) side.selector = `${side.selector} && ${PODS_ONLY}`;
  }
}

/** As the renderer wrote them before issue 18: without either term. */
function selectAsBefore(side: Side): void {
  if (side.selector === undefined) return;
  const selector = without(without(side.selector, PODS_ONLY) ?? '', NOT_AUTO_HOST_ENDPOINT);
  if (selector) side.selector = selector;
  else delete side.selector;
}

/** Each intent's synthesis, once: each rewrite starts from a copy. */
const pristine = new Map<PlatformIntent, string>();

/** The intent synthesized, every Calico rule side rewritten, and read as main.test.ts reads dist/. */
function rendered(intent: PlatformIntent, rewrite: (side: Side) => void) {
  let source = pristine.get(intent);
  if (source === undefined) {
    source = mkdtempSync(join(tmpdir(), 'joiners-pristine-'));
    dirs.push(source);
    synthesize(buildApp(source, intent));
    pristine.set(intent, source);
  }
  const dir = mkdtempSync(join(tmpdir(), 'joiners-'));
  dirs.push(dir);
  cpSync(source, dir, { recursive: true });
  // Read with the project's reader (js-yaml, ten times faster than the yaml library), written back
  // as JSON, which is YAML (YAML 1.2, chapter 1.3) and which the verifier reads as it reads dist/.
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const parsed = parseYamlDocuments(readFileSync(join(dir, file), 'utf8'));
    if ('error' in parsed) throw new Error(`${file}: ${parsed.error.reason}`);
    const objects = parsed.docs as K8sObject[];
    sides(objects).forEach(rewrite);
    writeFileSync(join(dir, file), objects.map((o) => JSON.stringify(o)).join('\n---\n'));
  }
  return readSynthesized(intent, dir);
}

/**
 * The calico apps a joiner can reach: those naming a pod peer or admitting a client that is no
 * declared app. A declared app's pods (and the resolver of cluster names) are selected by their
 * ServiceAccount too, which no NetworkSet or HostEndpoint has; kube-dns is a peer only of an app
 * that declares public names.
 */
const joinable = (intent: PlatformIntent) => {
  const undeclared = (namespace: string, labels: Readonly<Record<string, string>> = {}) =>
    !intent.apps.some((x) => x.namespace === namespace && labels['app.kubernetes.io/name'] === x.name);
  return intent.apps.filter(
    (a) =>
      a.flavor === 'calico' &&
      ((a.dns?.publicNames !== undefined && a.dns.kubeDns !== false) ||
        a.egress.some((d) => 'namespace' in d && undeclared(d.namespace, d.podLabels)) ||
        (a.ingress ?? []).some((c) => undeclared(c.namespace, c.podLabels))),
  );
};

describe.each(Object.entries(FIXTURE_CLUSTERS))('a NetworkSet or HostEndpoint with the labels of a peer, in %s', (_, intent) => {
  it("changes no reach once the Calico rules select pods only and the allow-lists the project's sets only", () => {
    expect(joinerProblems(rendered(intent, selectOnlyPods))).toEqual([]);
  });

  it('widens every calico app that names a pod peer or admits a client when they do not', () => {
    const problems = joinerProblems(rendered(intent, selectAsBefore));
    for (const app of joinable(intent)) expect(problems.filter((p) => p.startsWith(`${app.namespace}/${app.name} `)).length).toBeGreaterThan(0);
    if (joinable(intent).length === 0) expect(problems).toEqual([]);
  });
});
