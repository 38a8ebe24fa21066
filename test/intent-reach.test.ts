import { AiAppIntent, Flavor, PlatformIntent } from '../lib/intent';
import { egressReport, loadCluster, query, queryJson } from '../lib/verify';
import { fourApps, shipped } from './fixtures/intents';
import { reachMismatch } from '../lib/testing';
import { looserPolicy as looser } from './support/verify-builders';
import { synthesized } from './support/synth';

const other = (f: Flavor | undefined): Flavor => (f === 'calico' ? 'kubernetes' : 'calico');
const flip = (intent: PlatformIntent): PlatformIntent => ({ ...intent, apps: intent.apps.map((a) => ({ ...a, flavor: other(a.flavor) })) });
const id = (a: AiAppIntent) => `${a.namespace}/${a.name}`;

const looserPolicy = (namespace: string) => looser(namespace, 'allow-everything-out');

describe.each([
  ['the shipped scenario', shipped],
  ['the shipped scenario, every app in the other flavor', flip(shipped)],
  ['four apps in three namespaces', fourApps],
  ['four apps in three namespaces, every app in the other flavor', flip(fourApps)],
] as const)('intent equals reach: %s', (_, declared) => {
  const cluster = synthesized(declared, (dist) => loadCluster([dist]));
  const report = egressReport(cluster);

  it.each(declared.apps.map((a) => [`${id(a)} (${a.flavor})`, a] as const))('%s may reach exactly its declared destinations plus DNS', (__, app) => {
    const egress = report.workloads.find((w) => w.endpoint === id(app))!;
    expect(egress.isolated).toBe(true);
    expect(reachMismatch(app, declared, egress)).toEqual([]);
  });

  it.each(declared.apps.map((a) => [id(a), a] as const))('%s cannot reach cloud metadata or an arbitrary internet address', (__, app) => {
    for (const [to, port] of [
      ['169.254.169.254', 80],
      ['fd00:ec2::254', 80],
      ['8.8.8.8', 443],
      ['2001:4860:4860::8888', 443],
      ['203.0.113.11', 443],
    ] as const) {
      expect({ to, port, allowed: query(cluster, id(app), to, port).allowed }).toEqual({ to, port, allowed: false });
    }
  });

  it.each(declared.apps.filter((a) => a.flavor === 'calico').map((a) => [id(a), a] as const))(
    '%s (calico) stays closed when a looser Kubernetes NetworkPolicy is added',
    (__, app) => {
      const loosened = synthesized(declared, (dist) => loadCluster([dist]), { '99-looser.yaml': looserPolicy(app.namespace) });
      const answer = queryJson(query(loosened, id(app), '8.8.8.8', 443));
      expect(answer.allowed).toBe(false);
      expect(answer.egress).toMatchObject({ tier: 'ai-egress', policy: `${app.namespace}/ai-egress.${app.name}`, action: 'Deny' });
      expect(
        reachMismatch(
          app,
          declared,
          egressReport(loosened).workloads.find((w) => w.endpoint === id(app))!,
        ),
      ).toEqual([]);
    },
  );

  it.each(declared.apps.filter((a) => a.flavor !== 'calico').map((a) => [id(a), a] as const))(
    '%s (kubernetes) is widened by a looser Kubernetes NetworkPolicy, and the verifier names it',
    (__, app) => {
      const loosened = synthesized(declared, (dist) => loadCluster([dist]), { '99-looser.yaml': looserPolicy(app.namespace) });
      const answer = queryJson(query(loosened, id(app), '8.8.8.8', 443));
      expect(answer.allowed).toBe(true);
      expect(answer.egress).toMatchObject({
        tier: 'default',
        kind: 'KubernetesNetworkPolicy',
        policy: `${app.namespace}/allow-everything-out`,
        action: 'Allow',
      });
      expect(query(loosened, id(app), '169.254.169.254', 80).allowed).toBe(false);
    },
  );
});

describe('the intent-equals-reach comparison itself', () => {
  const report = egressReport(synthesized(shipped, (dist) => loadCluster([dist])));
  const service = shipped.apps.find((a) => a.name === 'ai-service')!;
  const egress = report.workloads.find((w) => w.endpoint === id(service))!;

  it('notices a declared destination that dist/ does not allow', () => {
    const declaredMore = { ...service, egress: [...service.egress, { cidr: '192.0.2.0/24', ports: [443] }] };
    expect(reachMismatch(declaredMore, shipped, egress)).toEqual([expect.objectContaining({ change: 'removed', to: 'cidr 192.0.2.0/24', ports: '443' })]);
  });

  it('notices reach in dist/ that was not declared', () => {
    const declaredLess = { ...service, egress: service.egress.filter((d) => !('namespace' in d && d.namespace === 'vector-db')) };
    expect(reachMismatch(declaredLess, shipped, egress)).toEqual([
      expect.objectContaining({ change: 'added', to: 'pods vector-db {app=qdrant}', ports: '6333' }),
    ]);
  });
});
