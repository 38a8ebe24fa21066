/**
 * Metrics: an app that serves them (`metrics`, which the presets declare) is scraped by the
 * platform's scrapers, or its own, on its metrics port, and by nobody else: a container port
 * when it is not the app's, and an ingress rule in either flavor, which the verifier reads back.
 */
import { AiAppIntent, PlatformIntent, formatPath, validateIntent } from '../lib/intent';
import { tei, vllm } from '../lib/presets';
import { query } from '../lib/verify';
import { ingressProblems, ofKind, readSynthesized, Synthesized } from '../lib/testing';
import { synthesized } from './support/synth';

const PROMETHEUS = { namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' } };
const embeddings: AiAppIntent = {
  name: 'embeddings',
  namespace: 'ai-embeddings',
  ...tei({ model: 'BAAI/bge-small-en-v1.5' }),
  egress: [],
  ingress: [{ namespace: 'ai-application' }],
};
const chat: AiAppIntent = {
  name: 'chat',
  namespace: 'ai-application',
  ...vllm({ model: 'Qwen/Qwen2.5-1.5B-Instruct' }),
  resources: { cpu: { request: '2', limit: '4' }, memory: { request: '16Gi', limit: '16Gi' } },
  flavor: 'calico',
  egress: [],
};

/** The intent, checked and synthesized, read as main.test.ts reads dist/. */
function synthesizedChecked(intent: PlatformIntent): Synthesized {
  expect(validateIntent(intent)).toEqual([]);
  return synthesized(intent, (dist) => readSynthesized(intent, dist));
}

const scraper = (s: Synthesized) => s.probes.find((p) => p.namespace === 'monitoring' && Object.keys(p.labels).length > 0)!.id;
const elsewhereInMonitoring = (s: Synthesized) => s.probes.find((p) => p.namespace === 'monitoring' && Object.keys(p.labels).length === 0)!.id;

describe("the platform's scrapers, on each app that serves metrics", () => {
  const s = synthesizedChecked({ apps: [embeddings, chat], metrics: { scrapers: [PROMETHEUS] } });

  it("admits them on TEI's metrics port, 9000, a container port of its own, and nobody else there", () => {
    const pod = ofKind(s.manifests, 'Deployment').find((d) => d.metadata.name === 'embeddings')!.spec.template.spec;
    expect(pod.containers[0].ports).toContainEqual({ containerPort: 9000, name: 'metrics', protocol: 'TCP' });
    expect(query(s.cluster, scraper(s), 'ai-embeddings/embeddings', 9000).allowed).toBe(true);
    expect(query(s.cluster, elsewhereInMonitoring(s), 'ai-embeddings/embeddings', 9000).allowed).toBe(false);
    expect(query(s.cluster, scraper(s), 'ai-embeddings/embeddings', 8080).allowed).toBe(false);
  });

  it("admits them on vLLM's API port, where it serves /metrics, through its Calico policy", () => {
    expect(query(s.cluster, scraper(s), 'ai-application/chat', 8000).allowed).toBe(true);
    expect(query(s.cluster, elsewhereInMonitoring(s), 'ai-application/chat', 8000).allowed).toBe(false);
  });

  it('is what the verifier reads: every client and non-client of each app, its metrics port included, admitted as declared', () => {
    for (const app of s.intent.apps) expect(ingressProblems(s, app)).toEqual([]);
  });
});

describe('nothing opened without scrapers, or for an app that serves no metrics', () => {
  it('has no metrics port and no rule without scrapers', () => {
    const s = synthesizedChecked({ apps: [embeddings] });
    const pod = ofKind(s.manifests, 'Deployment').find((d) => d.metadata.name !== 'dns-resolver')!.spec.template.spec;
    expect(pod.containers[0].ports).toEqual([{ containerPort: 8080, name: 'http', protocol: 'TCP' }]);
    expect(JSON.stringify(ofKind(s.manifests, 'NetworkPolicy'))).not.toContain('9000');
  });

  it("admits an app's own scrapers in place of the platform's", () => {
    const own = { namespace: 'observability', podLabels: { app: 'vmagent' } };
    const s = synthesizedChecked({ apps: [{ ...embeddings, metrics: { port: 9000, scrapers: [own] } }], metrics: { scrapers: [PROMETHEUS] } });
    const vmagent = s.probes.find((p) => p.namespace === 'observability' && p.labels.app === 'vmagent')!.id;
    expect(query(s.cluster, vmagent, 'ai-embeddings/embeddings', 9000).allowed).toBe(true);
    expect(s.probes.some((p) => p.namespace === 'monitoring')).toBe(false);
    for (const app of s.intent.apps) expect(ingressProblems(s, app)).toEqual([]);
  });

  it('refuses an empty list of scrapers, with its path', () => {
    expect(validateIntent({ apps: [embeddings], metrics: { scrapers: [] } }).map((e) => formatPath(e.path))).toEqual(['metrics.scrapers']);
  });
});
