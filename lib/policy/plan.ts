import { Cidr, cidr, formatCidr } from '../net';
import {
  AiAppIntent, AllowList, Labels, PortSpec, Protocol,
  isAllowListDestination, isCidrDestination, metadataInside,
} from '../intent';
import { KUBE_DNS } from '../conventions';

/** An external block to allow, with the metadata addresses inside it that stay denied. */
export interface PlannedBlock {
  readonly cidr: string;
  readonly version: 4 | 6;
  readonly except: readonly string[];
}

/** A protocol with a port or inclusive range. */
export interface PlannedPort {
  readonly protocol: Protocol;
  readonly from: number;
  readonly to: number;
}

interface PlannedRuleBase {
  /** Never empty; may mix protocols (DNS is UDP and TCP 53). */
  readonly ports: readonly PlannedPort[];
  readonly description?: string;
}

/** Egress to external blocks: one declared CIDR, or the contents of a shared allow-list. */
export interface PlannedNetsRule extends PlannedRuleBase {
  readonly kind: 'nets';
  readonly blocks: readonly PlannedBlock[];
  /** Set when the blocks come from a shared allow-list. */
  readonly allowList?: string;
  /** Written reason, when the destination is internet egress. */
  readonly internetReason?: string;
}

/** Egress to pods in the cluster, by namespace name and pod labels. */
export interface PlannedPodsRule extends PlannedRuleBase {
  readonly kind: 'pods';
  readonly namespace: string;
  readonly podLabels: Labels;
}

export type PlannedRule = PlannedNetsRule | PlannedPodsRule;

/**
 * The egress of one app as flavor-neutral rules, in order: DNS first, then each declared
 * destination. Both renderers draw from this, so both flavors allow the same thing.
 */
export function planEgress(app: AiAppIntent, allowLists: readonly AllowList[]): PlannedRule[] {
  const rules: PlannedRule[] = [];
  const dnsPorts: PlannedPort[] = [{ protocol: 'UDP', from: 53, to: 53 }, { protocol: 'TCP', from: 53, to: 53 }];
  if (app.dns?.kubeDns !== false) {
    rules.push({ kind: 'pods', ...KUBE_DNS, ports: dnsPorts, description: 'DNS (kube-dns)' });
  }
  const nodeLocal = app.dns?.nodeLocal ?? [];
  if (nodeLocal.length > 0) {
    const blocks = nodeLocal.map((address) => planBlock(address.includes(':') ? `${address}/128` : `${address}/32`));
    rules.push({ kind: 'nets', blocks, ports: dnsPorts, description: 'DNS (NodeLocal DNSCache)' });
  }
  for (const d of app.egress) {
    const common = { ports: planPorts(d.ports, d.protocol ?? 'TCP'), description: d.description };
    if (isCidrDestination(d)) {
      rules.push({ kind: 'nets', ...common, blocks: [planBlock(d.cidr)], internetReason: d.internet?.reason });
    } else if (isAllowListDestination(d)) {
      const list = allowLists.find((l) => l.name === d.allowList);
      if (!list) throw new Error(`allow-list ${d.allowList} is not declared`);
      rules.push({ kind: 'nets', ...common, blocks: list.cidrs.map(planBlock), allowList: list.name });
    } else {
      rules.push({ kind: 'pods', ...common, namespace: d.namespace, podLabels: d.podLabels });
    }
  }
  return rules;
}

/** A block with the metadata addresses it contains listed for carving out. */
export function planBlock(text: string): PlannedBlock {
  const block: Cidr = cidr(text);
  return { cidr: formatCidr(block), version: block.version, except: metadataInside(block).map(formatCidr) };
}

/** Ports of one protocol, sorted, as inclusive ranges. */
export function planPorts(ports: readonly PortSpec[], protocol: Protocol): PlannedPort[] {
  return ports
    .map((p) => (typeof p === 'number' ? { protocol, from: p, to: p } : { protocol, from: p.from, to: p.to }))
    .sort((a, b) => a.from - b.from || a.to - b.to);
}
