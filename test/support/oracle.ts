import { AiAppIntent, PlatformIntent, PortSpec } from '../../lib/intent';
import { METADATA_ENDPOINTS, cidr, cidrContains, metadataBlocks } from '../../lib/net';
import { diffWorkload, FlowChange, flowChangeJson, FlowChangeJson } from '../../lib/review';
import { DecidedBy, Destination, isNamedPort, PortRange, Protocol, ReachEntry, WorkloadEgress } from '../../lib/verify';

/**
 * What an app may reach according to its declared intent alone, written as verifier entries.
 * Computed here from the intent, not from the plan or the destination kinds' peers, so the tests
 * compare two independent readings: the declaration, and the verifier's reading of the YAML.
 */
export function declaredReach(app: AiAppIntent, platform: PlatformIntent): ReachEntry[] {
  const declared: DecidedBy = { reason: 'rule', action: 'Allow', rule: { kind: 'NetworkPolicy', tier: 'intent', name: 'declared in main.ts', direction: 'egress', index: 0 } };
  const entries: ReachEntry[] = [];
  const push = (to: Destination, protocol: Protocol, ports: readonly PortSpec[]) => {
    for (const p of ports) entries.push({ to, protocol, ports: typeof p === 'number' ? { from: p, to: p } : { from: p.from, to: p.to }, decidedBy: declared });
  };
  const block = (text: string): Destination => {
    const outer = cidr(text);
    return { type: 'cidr', cidr: outer, except: metadataBlocks(platform.cloud).filter((m) => cidrContains(outer, m) && m.prefix !== outer.prefix) };
  };
  const sorted = (labels: Readonly<Record<string, string>>) => Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
  for (const protocol of ['UDP', 'TCP'] as const) {
    if (app.dns?.kubeDns !== false) push({ type: 'pods', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, protocol, [53]);
    const nodeLocal = app.dns?.nodeLocal ?? [];
    const clusterIp = nodeLocal.length > 0 && app.dns?.kubeDnsClusterIp ? [app.dns.kubeDnsClusterIp] : [];
    for (const address of [...nodeLocal, ...clusterIp]) push(block(`${address}/${address.includes(':') ? 128 : 32}`), protocol, [53]);
  }
  for (const d of app.egress) {
    const protocol = d.protocol ?? 'TCP';
    if ('cidr' in d) push(block(d.cidr), protocol, d.ports);
    else if ('allowList' in d) for (const c of platform.allowLists!.find((l) => l.name === d.allowList)!.cidrs) push(block(c), protocol, d.ports);
    else if ('namespace' in d) push({ type: 'pods', namespace: d.namespace, labels: sorted(d.podLabels) }, protocol, d.ports);
    // The endpoint's own addresses, read from the table of endpoints (data), not from the kind's peer.
    else if ('credentials' in d) for (const c of METADATA_ENDPOINTS.find((e) => e.name === d.credentials)!.cidrs) push(block(c), protocol, d.ports);
    // A new kind of destination needs its own reading here, written apart from its module's peer.
    else throw new Error(`the oracle does not know the destination ${JSON.stringify(d)}`);
  }
  return entries;
}

/**
 * Where the verifier's allowed egress and the declaration disagree (empty when they are equal).
 * Entries for known endpoints must lie inside a declared class of pods; they are then left out,
 * since the declaration names classes of pods, not pods.
 */
export function reachMismatch(app: AiAppIntent, platform: PlatformIntent, actual: WorkloadEgress): FlowChangeJson[] {
  const expected = declaredReach(app, platform);
  const classes = actual.allowed.filter((e) => !(e.to.type === 'pods' && e.to.endpoint));
  /** Whether the declared classes of pods that this endpoint belongs to cover its whole port range. */
  const covered = (e: ReachEntry): boolean => {
    const to = e.to;
    if (to.type !== 'pods' || isNamedPort(e.ports)) return false;
    const ranges = expected
      .filter((x) => x.to.type === 'pods' && x.to.namespace === to.namespace && x.protocol === e.protocol
        && Object.entries(x.to.labels).every(([k, v]) => to.labels[k] === v))
      .map((x) => x.ports)
      .filter((p): p is PortRange => !isNamedPort(p))
      .sort((a, b) => a.from - b.from);
    let next = e.ports.from;
    for (const r of ranges) if (r.from <= next && r.to >= next) next = r.to + 1;
    return next > e.ports.to;
  };
  const uncovered = actual.allowed.filter((e) => e.to.type === 'pods' && e.to.endpoint && !covered(e));
  const differences = diffWorkload(expected, classes).filter((c) => c.change !== 'changed');
  return [...differences, ...uncovered.map((e): FlowChange => ({ change: 'added', to: [e.to], protocol: e.protocol, ports: e.ports }))].map(flowChangeJson);
}
