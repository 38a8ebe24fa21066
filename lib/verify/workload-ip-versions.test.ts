/**
 * A pod peer whose IP versions are unknown is asked in both; where they get different verdicts the
 * report lists the one that allows, marked with its version. The other version's packets are
 * still denied, and where they are denied counts: by the end of the default tier, a Kubernetes
 * NetworkPolicy of the namespace (which the built-in `edit` role may write) could allow them.
 */
import { directionReach, protectionOf } from '.';
import { calico, deployment, namespace, networkPolicy, readCluster } from '../../test/support/verify-builders';

// The platform tier allows IPv4 TCP to the store and passes IPv6 to it on to the default tier
// (Calico: a Pass rule hands the packet to the next tier, https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#action),
// where a Kubernetes NetworkPolicy isolates the app's egress and nothing allows it: IPv6 to the
// store is denied only by the end of the default tier. Everything else the platform tier denies.
const objects = [
  namespace('ai'),
  namespace('db'),
  deployment('ai', 'app', { app: 'app' }),
  deployment('db', 'store', { app: 'store' }),
  calico('Tier', 'platform', { order: 100 }),
  calico('GlobalNetworkPolicy', 'platform.app-out', {
    tier: 'platform',
    selector: "app == 'app'",
    types: ['Egress'],
    egress: [
      { action: 'Allow', ipVersion: 4, protocol: 'TCP', destination: { selector: "app == 'store'" } },
      { action: 'Pass', ipVersion: 6, destination: { selector: "app == 'store'" } },
      { action: 'Deny' },
    ],
  }),
  networkPolicy('ai', 'isolate', { podSelector: { matchLabels: { app: 'app' } }, policyTypes: ['Egress'] }),
];

describe('a workload whose two IP versions get different verdicts', () => {
  const cluster = readCluster(objects);
  const app = cluster.endpoints.find((e) => e.id === 'ai/app')!;
  const reach = directionReach(cluster, app, 'egress');

  it('lists the IPv4 allow to the store, marked with its version', () => {
    // The class of pods the rule names, and the known pod of it.
    expect(reach.allowed.map((e) => [e.peer.type, e.protocol, e.ipVersion])).toEqual([
      ['pods', 'TCP', 4],
      ['pods', 'TCP', 4],
    ]);
  });

  it('counts the IPv6 denial by the end of the default tier: its egress is reopenable, not decided before the default tier, and has unmatched packets', () => {
    expect(reach.reopenable).toBe(true);
    expect(reach.unmatched).toBe(true);
    expect(protectionOf(cluster, app, reach).beforeDefaultTier).toBe(false);
  });

  it('is decided before the default tier when the platform tier denies IPv6 to the store itself', () => {
    const denied = objects.map((o) =>
      (o.metadata as { name: string }).name === 'platform.app-out'
        ? calico('GlobalNetworkPolicy', 'platform.app-out', {
            tier: 'platform',
            selector: "app == 'app'",
            types: ['Egress'],
            egress: [{ action: 'Allow', ipVersion: 4, protocol: 'TCP', destination: { selector: "app == 'store'" } }, { action: 'Deny' }],
          })
        : o,
    );
    const other = readCluster(denied);
    const r = directionReach(
      other,
      other.endpoints.find((e) => e.id === 'ai/app')!,
      'egress',
    );
    expect(r.reopenable).toBe(false);
    expect(r.unmatched).toBe(false);
  });
});
