import { AiAppIntent, EgressDestination, IngressClient, PlatformIntent, checkIntent, formatIssue, formatPath } from './index';
import { shipped } from '../../test/fixtures/intents';
import { synthOverDist } from '../../test/support/synth';

/** The shipped scenario: ai-service (ai-application) calls embeddings (ai-embeddings, TCP 8080), which admits it. */
const service = shipped.apps.find((a) => a.name === 'ai-service')!;
const embeddings = shipped.apps.find((a) => a.name === 'embeddings')!;
const toEmbeddings = service.egress.findIndex((d) => 'namespace' in d && d.namespace === 'ai-embeddings');

function scenario(serviceEgress: EgressDestination | undefined, embeddingsIngress: readonly IngressClient[] | undefined): PlatformIntent {
  const apps: AiAppIntent[] = [
    { ...service, egress: service.egress.map((d, i) => (i === toEmbeddings ? serviceEgress : d)).filter((d): d is EgressDestination => d !== undefined) },
    { ...embeddings, ingress: embeddingsIngress },
  ];
  return { ...shipped, apps };
}

const callEmbeddings = (
  overrides: Partial<{ podLabels: Record<string, string>; ports: EgressDestination['ports']; protocol: 'TCP' | 'UDP' }> = {},
): EgressDestination => ({
  namespace: 'ai-embeddings',
  podLabels: { 'app.kubernetes.io/name': 'embeddings' },
  ports: [8080],
  ...overrides,
});
const admitsService: IngressClient = { namespace: 'ai-application', podLabels: { 'app.kubernetes.io/name': 'ai-service' } };

const lines = (intent: PlatformIntent, severity: 'error' | 'warning') =>
  checkIntent(intent)
    // What the images and the pods' disk need is advice of its own (advice.ts), not of callers and callees.
    .filter((i) => i.severity === severity && !formatPath(i.path).endsWith('.image') && !formatPath(i.path).endsWith('.modelCacheSize'))
    .map(formatIssue);

describe('callers and callees declared in one intent agree', () => {
  it('finds nothing to say about the shipped scenario, where embeddings admits ai-service on the port it serves', () => {
    expect(lines(shipped, 'error')).toEqual([]);
    expect(lines(shipped, 'warning')).toEqual([]);
  });

  it.each([
    ['no ingress at all', undefined, '[]'],
    ['an ingress that admits another namespace', [{ namespace: 'ai-gateway' }], '[{"namespace":"ai-gateway"}]'],
    [
      "an ingress that admits other pods of the caller's namespace",
      [{ namespace: 'ai-application', podLabels: { 'app.kubernetes.io/name': 'batch' } }],
      '[{"namespace":"ai-application","podLabels":{"app.kubernetes.io/name":"batch"}}]',
    ],
  ])('refuses a callee with %s, proposing the missing ingress entry, and leaves dist/ as it was', (_, ingress, printed) => {
    const intent = scenario(callEmbeddings(), ingress);
    const { result, before, after } = synthOverDist(intent);
    expect(result.ok ? '' : result.message).toContain(
      `  embeddings.ingress: ${printed} does not admit ai-application/ai-service, whose ai-service.egress[${toEmbeddings}] sends to pods ai-embeddings {app.kubernetes.io/name=embeddings} on TCP 8080, so the connection would be denied; accepted: add { namespace: 'ai-application', podLabels: { 'app.kubernetes.io/name': 'ai-service' } } to embeddings.ingress, or remove ai-service.egress[${toEmbeddings}]`,
    );
    expect(after).toEqual(before);
  });

  it("accepts a callee that admits the caller's whole namespace", () => {
    expect(lines(scenario(callEmbeddings(), [{ namespace: 'ai-application' }]), 'error')).toEqual([]);
  });

  it('requires every app that a label selects to admit the caller', () => {
    const reranker: AiAppIntent = { ...embeddings, name: 'reranker', ingress: [admitsService] };
    const partOf = callEmbeddings({ podLabels: { 'app.kubernetes.io/part-of': 'ai-platform' } });
    const intent: PlatformIntent = {
      ...scenario(partOf, [{ namespace: 'ai-gateway' }]),
      apps: [...scenario(partOf, [{ namespace: 'ai-gateway' }]).apps, reranker],
    };
    expect(
      checkIntent(intent)
        .filter((i) => i.severity === 'error')
        .map((i) => formatPath(i.path)),
    ).toEqual(['embeddings.ingress']);
  });

  it('warns, and synthesizes, when labels in a namespace the intent owns match none of its apps', () => {
    const intent = scenario(callEmbeddings({ podLabels: { 'app.kubernetes.io/name': 'embedings' } }), [admitsService]);
    expect(lines(intent, 'error')).toEqual([]);
    expect(lines(intent, 'warning')).toEqual([
      `ai-service.egress[${toEmbeddings}].podLabels: {"app.kubernetes.io/name":"embedings"} matches no app this intent declares in namespace "ai-embeddings" (embeddings); this egress reaches no pod unless something outside this intent runs there and admits it, since the namespace's default deny blocks pods nothing admits; accepted: the labels of a declared app, e.g. { 'app.kubernetes.io/name': 'embeddings' }. Did you mean "embeddings"?`,
    ]);
    expect(synthOverDist(intent).result.ok).toBe(true);
  });

  it('warns about ingress labels that match none of the apps of a namespace the intent owns', () => {
    const intent = scenario(callEmbeddings(), [admitsService, { namespace: 'ai-application', podLabels: { 'app.kubernetes.io/name': 'ai-servce' } }]);
    expect(lines(intent, 'warning')).toEqual([
      expect.stringMatching(
        /^embeddings\.ingress\[1\]\.podLabels: \{"app\.kubernetes\.io\/name":"ai-servce"\} matches no app this intent declares in namespace "ai-application" \(ai-service\); .* Did you mean "ai-service"\?$/,
      ),
    ]);
  });

  it('warns about ports the callee does not serve, and still requires it to admit the caller on the one it serves', () => {
    const intent = scenario(callEmbeddings({ ports: [8080, 9090] }), undefined);
    expect(lines(intent, 'warning')).toEqual([
      `ai-service.egress[${toEmbeddings}].ports: [8080,9090] names TCP 9090 on embeddings, which serves TCP 8080 only; its ingress admits nothing else, so that traffic is blocked; accepted: ports: [8080] with protocol TCP`,
    ]);
    expect(
      checkIntent(intent)
        .filter((i) => i.severity === 'error')
        .map((i) => formatPath(i.path)),
    ).toEqual(['embeddings.ingress']);
  });

  it('only warns when no port the callee serves is named: the ingress has nothing to admit', () => {
    const intent = scenario(callEmbeddings({ ports: [9090] }), undefined);
    expect(lines(intent, 'error')).toEqual([]);
    expect(lines(intent, 'warning').map((l) => l.split(':')[0])).toEqual([`ai-service.egress[${toEmbeddings}].ports`]);
  });

  it('warns about a protocol the callee does not serve', () => {
    const intent = scenario(callEmbeddings({ protocol: 'UDP' }), [admitsService]);
    expect(lines(intent, 'warning')).toEqual([
      expect.stringMatching(new RegExp(`^ai-service\\.egress\\[${toEmbeddings}\\]\\.protocol: "UDP" names UDP 8080 on embeddings, which serves TCP 8080 only`)),
    ]);
  });

  it('says nothing about namespaces the intent does not own: their pods are not its to know', () => {
    const vectorDb = service.egress.find((d) => 'namespace' in d && d.namespace === 'vector-db');
    expect(vectorDb).toBeDefined();
    expect(lines(scenario(callEmbeddings(), [admitsService]), 'warning')).toEqual([]);
  });
});
