/**
 * The endpoints an app's environment names are reachable from it (lib/intent/env-endpoints.ts):
 * a variable holding a URL or a host whose destination no declared egress allows is refused,
 * naming the variable and proposing the destination, on each cluster where it arises; a
 * deliberate exception is declared with a reason.
 */
import { PlatformIntent, formatIssue, formatPath, validateIntent } from './index';
import { sampleIntent } from '../../test/support/sample-intent';

const errorsOf = (intent: PlatformIntent) => validateIntent(intent).map((e) => [formatPath(e.path), e.value, e.message]);
const withEnv = (env: Record<string, string>, more: Parameters<typeof sampleIntent>[0] = {}, platform: Partial<PlatformIntent> = {}) =>
  sampleIntent({ image: 'example/rag:1.0.0', env, ...more }, platform);

describe('endpoints in the environment', () => {
  it('refuses an address the policy denies, naming the variable and proposing the block (HF_ENDPOINT to 10.20.0.15)', () => {
    expect(errorsOf(withEnv({ HF_ENDPOINT: 'https://10.20.0.15' }))).toEqual([
      [
        'llm.env.HF_ENDPOINT',
        'https://10.20.0.15',
        "points at address 10.20.0.15 on port 443, which no egress destination of llm allows, so the server fails there at run time; accepted: { cidr: '10.20.0.15/32', ports: [443] } in egress, or envExceptions: { HF_ENDPOINT: '<why llm never calls it from here>' }",
      ],
    ]);
  });

  it('accepts an address a block or an allow-list holds on that port, and refuses another port or a carved-out metadata address', () => {
    expect(errorsOf(withEnv({ HF_ENDPOINT: 'https://203.0.113.10' }))).toEqual([]);
    expect(errorsOf(withEnv({ MIRROR_URL: 'http://203.0.113.10:8080/models' })).map(([p]) => p)).toEqual(['llm.env.MIRROR_URL']);
    const listed = withEnv(
      { REGISTRY_HOST: '[2001:db8::5]:443' },
      { egress: [{ allowList: 'registry', ports: [443] }] },
      { allowLists: [{ name: 'registry', cidrs: ['2001:db8::/64'] }] },
    );
    expect(errorsOf(listed)).toEqual([]);
    const wide = withEnv({ METADATA_URL: 'http://169.254.169.254/latest' }, { egress: [{ cidr: '169.254.0.0/16', ports: [80] }] });
    expect(errorsOf(wide).map(([p]) => p)).toEqual(['llm.env.METADATA_URL']);
  });

  it('reads cluster names as Services of a namespace, and accepts them where a destination of that namespace allows the port', () => {
    const egress = [{ namespace: 'vector-db', podLabels: { app: 'qdrant' }, ports: [6333], ungoverned: { reason: 'run by the data team' } }];
    for (const value of ['http://qdrant.vector-db.svc.cluster.local:6333', 'qdrant.vector-db:6333', 'http://qdrant.vector-db.svc:6333'])
      expect(errorsOf(withEnv({ QDRANT_URL: value }, { egress }))).toEqual([]);
    expect(errorsOf(withEnv({ QDRANT_URL: 'http://qdrant.vector-db.svc:6334' }, { egress }))).toEqual([
      [
        'llm.env.QDRANT_URL',
        'http://qdrant.vector-db.svc:6334',
        expect.stringMatching(
          /^points at Service qdrant of namespace vector-db on port 6334, .* accepted: \{ namespace: 'vector-db', podLabels: \{ \.\.\. \}, ports: \[6334\] \}/,
        ),
      ],
    ]);
  });

  it('refuses a host name no destination covers, proposing a hosts destination; accepts it once a hosts destination names it on its port', () => {
    expect(errorsOf(withEnv({ OPENAI_BASE_URL: 'https://api.openai.com/v1' }))).toEqual([
      [
        'llm.env.OPENAI_BASE_URL',
        'https://api.openai.com/v1',
        expect.stringMatching(
          /^points at host api\.openai\.com on port 443, .* accepted: \{ hosts: \['api\.openai\.com'\], ports: \[443\] \} in egress \(through the egress proxy\)/,
        ),
      ],
    ]);
    const byName = (hosts: string[], ports: number[]) => withEnv({ OPENAI_BASE_URL: 'https://api.openai.com/v1' }, { egress: [{ hosts, ports }] });
    expect(errorsOf(byName(['API.OpenAI.com.'], [443]))).toEqual([]);
    expect(errorsOf(byName(['*.openai.com'], [443]))).toEqual([]);
    expect(errorsOf(byName(['api.openai.com'], [8443])).map(([p]) => p)).toEqual(['llm.env.OPENAI_BASE_URL']);
    expect(errorsOf(byName(['*.api.openai.com'], [443])).map(([p]) => p)).toEqual(['llm.env.OPENAI_BASE_URL']);
  });

  it('reads proxy variables, and leaves alone loopback, listen addresses and what holds no endpoint', () => {
    expect(errorsOf(withEnv({ HTTPS_PROXY: 'http://10.0.0.9:3128' })).map(([p]) => p)).toEqual(['llm.env.HTTPS_PROXY']);
    expect(
      errorsOf(
        withEnv({
          OTEL_HOST: 'localhost:4317',
          BIND_ADDR: '0.0.0.0:8000',
          LISTEN_ADDRESS: '[::]:8000',
          NO_PROXY: '10.0.0.0/8',
          HF_HOME: '/models',
          LOG_URL: 'not a url',
        }),
      ),
    ).toEqual([]);
  });

  it('takes a declared exception with its reason, and refuses one that names no variable', () => {
    expect(
      errorsOf(withEnv({ CALLBACK_URL: 'https://10.20.0.15/hook' }, { envExceptions: { CALLBACK_URL: 'printed in responses, called by the client' } })),
    ).toEqual([]);
    expect(errorsOf(withEnv({}, { envExceptions: { CALLBAK_URL: 'typo' } })).map(([p]) => p)).toEqual(['llm.envExceptions.CALLBAK_URL']);
  });

  it('checks each cluster against its own allow-lists, and names the cluster where it arises', () => {
    const intent = withEnv(
      { HF_ENDPOINT: 'https://203.0.113.10' },
      { egress: [{ allowList: 'registry', ports: [443] }] },
      {
        allowLists: [{ name: 'registry', cidrs: ['203.0.113.10/32'] }],
        clusters: [{ name: 'eu' }, { name: 'us', allowLists: [{ name: 'registry', cidrs: ['192.0.2.10/32'] }] }],
      },
    );
    expect(validateIntent(intent).map((e) => [e.path, e.clusters])).toEqual([[['llm', 'env', 'HF_ENDPOINT'], ['us']]]);
    expect(validateIntent(intent).map(formatIssue)).toEqual([
      expect.stringMatching(/^llm\.env\.HF_ENDPOINT in cluster us: "https:\/\/203\.0\.113\.10" points at/),
    ]);
  });
});
