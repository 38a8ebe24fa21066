import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildApp } from '../lib/app';
import { AiAppIntent, PlatformIntent, formatPath, formatScope, validateIntent } from '../lib/intent';
import { safeSynth } from '../lib/synth';
import { synthOverDist } from './support/synth';
import { sampleIntent } from './support/sample-intent';

/** Runs the fail-closed synth of `intent` over a dist/; returns its message and whether dist/ changed. */
function refuse(intent: PlatformIntent): { message: string; unchanged: boolean } {
  const { result, before, after, leftovers } = synthOverDist(intent);
  return { message: result.ok ? '' : result.message, unchanged: JSON.stringify(after) === JSON.stringify(before) && leftovers.length === 1 };
}

const calicoApp = (overrides: Partial<AiAppIntent> = {}) => ({ flavor: 'calico' as const, ...overrides });
const registry = { name: 'model-registry', cidrs: ['203.0.113.10/32'] };

/** [case, intent, app, field path, value, what the message says is wrong and what is accepted] */
const badInputs: [string, PlatformIntent, string, string, unknown, string][] = [
  [
    'a shared allow-list that is used but never declared',
    sampleIntent(calicoApp({ egress: [{ allowList: 'model-regsitry', ports: [443] }] }), { allowLists: [registry] }),
    'llm',
    'llm.egress[0].allowList',
    'model-regsitry',
    'names no declared allow-list; accepted: "model-registry"',
  ],
  [
    'an allow-list declared twice with different contents',
    sampleIntent(calicoApp({ egress: [{ allowList: 'model-registry', ports: [443] }] }), {
      allowLists: [registry, { name: 'model-registry', cidrs: ['203.0.113.0/24'] }],
    }),
    'platform',
    'allowLists[1].name',
    'model-registry',
    'is declared twice with different contents; accepted: one declaration per allow-list name',
  ],
  [
    'audit mode (Calico-only) asked of a kubernetes-flavor app',
    sampleIntent({ flavor: 'kubernetes', audit: true }),
    'llm',
    'llm.audit',
    true,
    'is a Calico-only feature (Staged policies); accepted: audit on an app with flavor: "calico"',
  ],
  [
    'an audited app beside an enforced app in the same namespace, which the default deny would cut off',
    { calico: { audit: true }, apps: [{ ...sampleIntent(calicoApp()).apps[0] }, { ...sampleIntent(calicoApp({ name: 'reranker', audit: false })).apps[0] }] },
    'llm',
    'llm.audit',
    true,
    'previews this app while other apps of namespace "ai" are enforced, so the namespace\'s default deny would block it; accepted: audit on every app of the namespace, or on none',
  ],
  ...[1_000_000, 2_000_000].map((order): [string, PlatformIntent, string, string, unknown, string] => [
    `a tier order of ${order}, which would not run before the default tier`,
    sampleIntent(calicoApp(), { calico: { tierOrder: order } }),
    'platform',
    'calico.tierOrder',
    order,
    "would not run before the default tier (order 1000000), where Kubernetes NetworkPolicies live, so an app team's policy could reopen egress; accepted: a number greater than 1000 (Calico's admin tier) and less than 1000000 (the default tier), e.g. 10000",
  ]),
  ...[100, 1_000, -5].map((order): [string, PlatformIntent, string, string, unknown, string] => [
    `a tier order of ${order}, which would run before (or beside) the admin tier`,
    sampleIntent(calicoApp(), { calico: { tierOrder: order } }),
    'platform',
    'calico.tierOrder',
    order,
    "would run before Calico's admin tier (order 1000: adminnetworkpolicy in Calico 3.29 to 3.31, kube-admin from 3.32; at an equal order tiers run by name), and an Allow in this tier is final, so a cluster admin's AdminNetworkPolicy or ClusterNetworkPolicy could no longer deny what it allows; accepted: a number greater than 1000",
  ]),
];

describe('bad input for the Calico flavor is refused with a clear message, and dist/ stays as it was', () => {
  it.each(badInputs)('refuses %s', (_, intent, app, path, value, says) => {
    expect(validateIntent(intent).map((i) => ({ app: formatScope(i.scope), path: formatPath(i.path), value: i.value, message: i.message }))).toEqual([
      { app, path, value, message: expect.stringContaining(says) },
    ]);
    const { message, unchanged } = refuse(intent);
    expect(message).toContain(`${path}: ${JSON.stringify(value)} ${says}`);
    expect(message).toMatch(/nothing was written/);
    expect(unchanged).toBe(true);
  });

  it('accepts an allow-list declared twice with the same contents, and renders one GlobalNetworkSet for it', () => {
    const root = mkdtempSync(join(tmpdir(), 'calico-twice-'));
    try {
      const result = safeSynth(
        (outdir) =>
          buildApp(outdir, sampleIntent(calicoApp({ egress: [{ allowList: 'model-registry', ports: [443] }] }), { allowLists: [registry, registry] })),
        join(root, 'dist'),
      );
      expect(result.ok).toBe(true);
      expect(readFileSync(join(root, 'dist', '01-calico-tier.k8s.yaml'), 'utf8').match(/kind: GlobalNetworkSet/g)).toHaveLength(1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
