/**
 * The widenings of issue 18 that the verifier has to see, each reproduced from manifests built
 * here (the shipped calico app as the renderer wrote it, and as it writes it once its selectors
 * name pods only: test/support/verify-builders.ts) and asked as a reviewer asks: `verify query`,
 * and `verify diff --fail-on-widen` from the closed manifests to the open ones.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { diffMain } from '../lib/review';
import { EXIT } from '../lib/cli';
import { verifyMain } from '../lib/verify';
import { autoHostEndpoints, calico, hostEndpoint, networkPolicy, node, shippedCalicoApp, yamlOf } from './support/verify-builders';

type Obj = Record<string, unknown>;

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The objects written as one manifest file in a folder of their own. */
function folder(objects: readonly Obj[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'widenings-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'manifests.yaml'), yamlOf(objects));
  return dir;
}

const today = (...extra: Obj[]) => folder([...shippedCalicoApp({ selectsOnlyPods: false }), ...extra]);
const podsOnly = (...extra: Obj[]) => folder([...shippedCalicoApp({ selectsOnlyPods: true }), ...extra]);

/** `verify query`'s first word. */
const answer = (manifests: string, from: string, to: string, port: number) =>
  verifyMain(['query', '--manifests', manifests, '--from', from, '--to', to, '--port', String(port)]).stdout.split(' ')[0];

/** `verify diff --fail-on-widen`: its exit code, output and the message on stderr. */
const diff = (base: string, head: string) => diffMain(['--base', base, '--head', head, '--fail-on-widen']);

const EVERY_IPV4 = ['0.0.0.0/1', '128.0.0.0/1'];
const AI_SERVICE = 'ai-application/ai-service';

describe('a NetworkSet in vector-db labelled app: qdrant (issue 18, finding 2)', () => {
  const wide = calico('NetworkSet', 'everything', { nets: EVERY_IPV4 }, 'vector-db', { app: 'qdrant' });

  it('lets ai-service send anywhere on 6333 with the selectors as written: ALLOWED, and DENIED once they name pods only', () => {
    expect(answer(today(wide), AI_SERVICE, '8.8.8.8', 6333)).toBe('ALLOWED');
    expect(answer(podsOnly(wide), AI_SERVICE, '8.8.8.8', 6333)).toBe('DENIED');
  });

  it('is a widening: adding it, and going back to selectors that it joins', () => {
    for (const result of [diff(today(), today(wide)), diff(podsOnly(wide), today(wide))]) {
      expect(result.code).toBe(EXIT.failed);
      expect(result.stderr).toContain('verify diff: egress widened');
      expect(result.stdout).toMatch(/\+ may now reach +TCP 6333 +cidr 0\.0\.0\.0\/0\n.*allowed by NetworkPolicy ai-application\/ai-egress\.ai-service rule 4/);
    }
  });
});

describe('a NetworkSet in ai-gateway lets outside addresses call ai-service on 8000 (issue 18, finding 2)', () => {
  const callers = calico('NetworkSet', 'callers', { nets: EVERY_IPV4 }, 'ai-gateway');

  it('ALLOWED with the namespace-only peer as written, DENIED once it names pods only', () => {
    expect(answer(today(callers), '8.8.8.8', AI_SERVICE, 8000)).toBe('ALLOWED');
    expect(answer(podsOnly(callers), '8.8.8.8', AI_SERVICE, 8000)).toBe('DENIED');
  });

  it('is a widening of ingress', () => {
    for (const result of [diff(today(), today(callers)), diff(podsOnly(callers), today(callers))]) {
      expect(result.code).toBe(EXIT.failed);
      expect(result.stdout).toMatch(/\+ may now be reached from +TCP 8000 +cidr 0\.0\.0\.0\/0\n/);
    }
  });
});

describe('a HostEndpoint labelled with the allow-list (issue 18, finding 2)', () => {
  const allowList = { 'secure-ai-egress/allow-list': 'model-registry' };
  const byHand = hostEndpoint('joiner', allowList, ['8.8.8.8']);
  const labelledNode = [node('gpu-node-7', allowList, ['10.0.7.7']), autoHostEndpoints()];

  it('joins the allow-list: its address is reachable on 443', () => {
    expect(answer(today(byHand), AI_SERVICE, '8.8.8.8', 443)).toBe('ALLOWED');
    expect(answer(today(...labelledNode), AI_SERVICE, '10.0.7.7', 443)).toBe('ALLOWED');
  });

  it("is a widening; a node's automatic HostEndpoint is left out by the allow-list's selector once it names the project's sets only", () => {
    expect(diff(today(), today(byHand))).toMatchObject({ code: EXIT.failed, stdout: expect.stringMatching(/\+ may now reach +TCP 443 +cidr 8\.8\.8\.8\/32/) });
    expect(answer(podsOnly(...labelledNode), AI_SERVICE, '10.0.7.7', 443)).toBe('DENIED');
    expect(diff(podsOnly(...labelledNode), today(...labelledNode))).toMatchObject({
      code: EXIT.failed,
      stdout: expect.stringMatching(/\+ may now reach +TCP 443 +cidr 10\.0\.7\.7\/32/),
    });
  });
});

describe('rules inserted before the closing Deny that the verifier took as matching pods of unknown address (issue 18, finding 6)', () => {
  /** The shipped app with rules inserted before its ingress Deny. */
  const inserted = (...rules: Obj[]) =>
    folder(
      shippedCalicoApp({ selectsOnlyPods: false }).map((o) => {
        const spec = o.spec as { ingress?: Obj[] } | undefined;
        if (o.kind !== 'NetworkPolicy' || !spec?.ingress) return o;
        return { ...o, spec: { ...spec, ingress: [...spec.ingress.slice(0, -1), ...rules, spec.ingress.at(-1)] } };
      }),
    );

  it('Deny ipVersion 6, then Allow: every pod may now reach ai-service over IPv4, a widening', () => {
    const result = diff(today(), inserted({ action: 'Deny', ipVersion: 6 }, { action: 'Allow' }));
    expect(result.code).toBe(EXIT.failed);
    expect(result.stderr).toContain('ingress widened');
    expect(result.stdout).toMatch(/\+ may now be reached from +every protocol and port any other pod\n/);
  });

  it('Deny of sources not in 10.0.0.0/8, then Allow: the pods of unknown address may be in it, so they may now reach ai-service', () => {
    const result = diff(today(), inserted({ action: 'Deny', source: { notNets: ['10.0.0.0/8'] } }, { action: 'Allow' }));
    expect(result.code).toBe(EXIT.failed);
    expect(result.stdout).toMatch(/\+ may now be reached from +every protocol and port any other pod\n/);
    expect(result.stdout).toMatch(/\+ may now be reached from +every protocol and port cidr 10\.0\.0\.0\/8\n/);
  });
});

describe('a switch from the calico flavor to the kubernetes one (issue 18, finding 6)', () => {
  /** ai-service's reach as Kubernetes NetworkPolicies in the default tier, selected by labels alone. */
  const kubernetesFlavor = (): string => {
    const peer = (ns: string, labels: Record<string, string>) => ({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
      podSelector: { matchLabels: labels },
    });
    const app = { matchLabels: { 'app.kubernetes.io/name': 'ai-service' } };
    return folder([
      ...shippedCalicoApp({ selectsOnlyPods: false }).filter((o) => !(o.kind === 'NetworkPolicy' && o.apiVersion === 'projectcalico.org/v3')),
      networkPolicy('ai-application', 'ai-service-egress', {
        podSelector: app,
        policyTypes: ['Egress'],
        egress: [
          { to: [peer('kube-system', { 'k8s-app': 'kube-dns' })], ports: [{ port: 53, protocol: 'UDP' }, { port: 53 }] },
          { to: [{ ipBlock: { cidr: '203.0.113.10/32' } }, { ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ port: 443 }] },
          { to: [peer('vector-db', { app: 'qdrant' })], ports: [{ port: 6333 }] },
        ],
      }),
      networkPolicy('ai-application', 'ai-service-ingress', {
        podSelector: app,
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ai-gateway' } } }], ports: [{ port: 8000 }] }],
      }),
    ]);
  };

  it('allows the same reach, yet drops the tier before the default one and the ServiceAccount binding: protection weakened, a widening', () => {
    const result = diff(today(), kubernetesFlavor());
    expect(result.code).toBe(EXIT.failed);
    expect(result.stderr).toContain('verify diff: protection weakened');
    expect(result.stdout).not.toMatch(/\+ may now/);
    const weakened = result.stdout.split('\n').filter((l) => l.includes('! protection weakened'));
    expect(weakened).toEqual([
      expect.stringContaining('its egress is no longer decided before the default tier: a Kubernetes NetworkPolicy of ai-application'),
      expect.stringContaining('what its egress allows is no longer bound to its ServiceAccount'),
      expect.stringContaining('its ingress is no longer decided before the default tier'),
      expect.stringContaining('what its ingress allows is no longer bound to its ServiceAccount'),
    ]);
  });

  it('is no weakening the other way round', () => {
    expect(diff(kubernetesFlavor(), today()).stdout).not.toContain('protection weakened');
  });
});
