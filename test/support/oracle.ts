import { AiAppIntent, PlatformIntent } from '../../lib/intent';
import { METADATA_ENDPOINTS, cidr, cidrContains, formatCidr, metadataBlocks } from '../../lib/net';
import { FlowChangeJson, flowChangeJson } from '../../lib/review';
import { ExpectedReach, expectedEntries, reachDifferences } from '../../lib/testing';
import { WorkloadEgress } from '../../lib/verify';

/**
 * What an app may reach according to its declared intent alone, written as the reach matchers
 * take it (`expect(cluster).toReachExactly(app, declaredDestinations(app, intent))`). Computed
 * here from the intent, not from the plan or the destination kinds' peers, so the tests compare
 * two independent readings: the declaration, and the verifier's reading of the YAML.
 */
export function declaredDestinations(app: AiAppIntent, platform: PlatformIntent): ExpectedReach[] {
  const out: ExpectedReach[] = [];
  const block = (text: string, ports: ExpectedReach['ports'], protocol: 'TCP' | 'UDP' | 'SCTP') => {
    const outer = cidr(text);
    const except = metadataBlocks(platform.cloud).filter((m) => cidrContains(outer, m) && m.prefix !== outer.prefix).map(formatCidr);
    out.push({ cidr: text, ...(except.length ? { except } : {}), ports, protocol });
  };
  for (const protocol of ['UDP', 'TCP'] as const) {
    if (app.dns?.kubeDns !== false) out.push({ namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [53], protocol });
    const nodeLocal = app.dns?.nodeLocal ?? [];
    const clusterIp = nodeLocal.length > 0 && app.dns?.kubeDnsClusterIp ? [app.dns.kubeDnsClusterIp] : [];
    for (const address of [...nodeLocal, ...clusterIp]) block(`${address}/${address.includes(':') ? 128 : 32}`, [53], protocol);
  }
  for (const d of app.egress) {
    const protocol = d.protocol ?? 'TCP';
    if ('cidr' in d) block(d.cidr, d.ports, protocol);
    else if ('allowList' in d) for (const c of platform.allowLists!.find((l) => l.name === d.allowList)!.cidrs) block(c, d.ports, protocol);
    else if ('namespace' in d) out.push({ namespace: d.namespace, podLabels: d.podLabels, ports: d.ports, protocol });
    // The endpoint's own addresses, read from the table of endpoints (data), not from the kind's peer.
    else if ('credentials' in d) for (const c of METADATA_ENDPOINTS.find((e) => e.name === d.credentials)!.cidrs) block(c, d.ports, protocol);
    // A new kind of destination needs its own reading here, written apart from its module's peer.
    else throw new Error(`the oracle does not know the destination ${JSON.stringify(d)}`);
  }
  return out;
}

/**
 * Where the verifier's allowed egress and the declaration disagree (empty when they are equal).
 * Entries for known endpoints must lie inside a declared class of pods; they are then left out,
 * since the declaration names classes of pods, not pods.
 */
export function reachMismatch(app: AiAppIntent, platform: PlatformIntent, actual: WorkloadEgress): FlowChangeJson[] {
  return reachDifferences(expectedEntries(declaredDestinations(app, platform)), actual).map(flowChangeJson);
}
