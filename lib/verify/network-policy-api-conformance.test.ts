/**
 * The verifier agrees with the network-policy-api conformance suite: every probe of every step of
 * every test it can answer (test/fixtures/network-policy-api/conformance.ts says which, and the
 * revisions), with the policies written as ClusterNetworkPolicy (v0.2.0) and as
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy (v0.1.7), undeclared and on the Calico release
 * that serves each.
 */
import { parseCalicoVersion, query, VerifyOptions } from './index';
import { readCluster } from '../../test/support/verify-builders';
import {
  baseCluster,
  CaseObjects,
  CONFORMANCE_CASES,
  ConformanceCase,
  NOT_MODELLED,
  podId,
  Probe,
  Step,
  v1alpha1,
  v1alpha2,
} from '../../test/fixtures/network-policy-api/conformance';

type Render = (o: CaseObjects) => Record<string, unknown>[];

/** Runs a case's steps in order, each on what the step before left; returns every probe with the verifier's answer. */
function run(c: ConformanceCase, render: Render, options: VerifyOptions = {}): { step: Step; probe: Probe; allowed: boolean }[] {
  const objects = c.objects();
  return c.steps.flatMap((step) => {
    step.change?.(objects);
    const cluster = readCluster([...baseCluster(), ...render(objects)], options);
    return step.probes.map((probe) => {
      const [client, server, protocol, port] = probe;
      return { step, probe, allowed: query(cluster, podId(client), podId(server), port, protocol).allowed };
    });
  });
}

/** The probes the verifier answers otherwise than the suite, one line each. */
function disagreements(results: ReturnType<typeof run>, c: ConformanceCase): string[] {
  return results
    .filter((r) => r.allowed !== r.probe[4])
    .map(
      ({ step, probe: [client, server, protocol, port, expected] }) =>
        `${c.name} / ${step.name}: ${client} -> ${server} ${protocol} ${port}: the suite expects ${expected ? 'allowed' : 'denied'}`,
    );
}

const v332 = { calico: parseCalicoVersion('3.32')! };
const v331 = { calico: parseCalicoVersion('3.31')! };
const namedPort = (c: ConformanceCase) => c.name.endsWith('NamedPort');

describe('the verifier agrees with the network-policy-api conformance suite', () => {
  it('translates every test of the suite, or says why not', () => {
    expect(CONFORMANCE_CASES.length + NOT_MODELLED.length).toBe(24);
    expect(CONFORMANCE_CASES.flatMap((c) => c.steps.flatMap((s) => s.probes)).length).toBeGreaterThan(250);
  });

  it.each(CONFORMANCE_CASES.map((c) => [c.name, c] as const))('%s as ClusterNetworkPolicy (v0.2.0), undeclared and on Calico 3.32', (_, c) => {
    expect(disagreements(run(c, v1alpha2), c)).toEqual([]);
    expect(disagreements(run(c, v1alpha2, v332), c)).toEqual([]);
  });

  it.each(CONFORMANCE_CASES.map((c) => [c.name, c] as const))('%s as AdminNetworkPolicy and BaselineAdminNetworkPolicy (v0.1.7)', (_, c) => {
    expect(disagreements(run(c, v1alpha1), c)).toEqual([]);
    // Calico 3.29 to 3.31 do not convert namedPort: such a rule matches every port (admin-tiers.ts), so those steps differ there, and only those.
    const onCalico = disagreements(run(c, v1alpha1, v331), c);
    if (namedPort(c)) expect(onCalico.length).toBeGreaterThan(0);
    else expect(onCalico).toEqual([]);
  });

  it('on Calico 3.31, a named-port Accept matches every port: the probes the suite expects denied are allowed, and the others agree', () => {
    for (const c of CONFORMANCE_CASES.filter(namedPort)) {
      const results = run(c, v1alpha1, v331);
      expect(results.filter((r) => r.allowed !== r.probe[4]).map((r) => r.probe[4])).toEqual(results.filter((r) => !r.probe[4]).map(() => false));
    }
  });

  it('a kind the declared Calico does not serve decides nothing: ClusterNetworkPolicy on 3.31, AdminNetworkPolicy on 3.32', () => {
    const c = CONFORMANCE_CASES.find((x) => x.name === 'CNPAdminTierEgressTCP')!;
    const denied = c.steps[1].probes.filter((p) => !p[4]);
    expect(denied.length).toBeGreaterThan(0);
    for (const [render, options] of [
      [v1alpha2, v331],
      [v1alpha1, v332],
    ] as const) {
      const objects = c.objects();
      const cluster = readCluster([...baseCluster(), ...render(objects)], options);
      for (const [client, server, protocol, port] of denied) expect(query(cluster, podId(client), podId(server), port, protocol).allowed).toBe(true);
      expect(cluster.notes.map((n) => n.kind)).toEqual(['not-enforced']);
    }
  });

  it('the node-peer tests it leaves out hold nodes peers, which it reports as not modelled', () => {
    const nodes: CaseObjects = {
      policies: [
        {
          name: 'node-and-cidr-as-peers-example',
          tier: 'Admin',
          priority: 75,
          subject: { pods: 'gryffindor' },
          egress: [
            { name: 'allow-egress-to-nodes', action: 'Accept', peers: [{ nodes: { 'kubernetes.io/os': 'linux' } }], ports: [{ protocol: 'TCP', port: 36363 }] },
          ],
        },
      ],
      networkPolicies: [],
    };
    const cluster = readCluster([...baseCluster(), ...v1alpha2(nodes)]);
    expect(cluster.notes).toMatchObject([
      { kind: 'not-modelled', object: { kind: 'ClusterNetworkPolicy', name: 'node-and-cidr-as-peers-example' }, field: 'spec.egress[0].to[0].nodes' },
    ]);
  });
});
