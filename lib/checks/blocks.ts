/**
 * The address blocks policies let out, read rule by rule: every block that contains a cloud
 * metadata address carves it out (so a cluster without Calico's guardrail still denies it), and
 * every block shorter than /8 carries its written reason.
 */
import { CREDENTIALS_REASON_ANNOTATION, INTERNET_REASON_ANNOTATION, reasonFor } from '../conventions';
import { Cloud, METADATA_ENDPOINTS, cidrContains, formatIp, metadataBlocks, metadataNat64Blocks, parseCidrLenient } from '../net';
import { Selector } from '../verify';
import { K8sObject, fields, list } from './objects';
import {
  CALICO_API_VERSION,
  NETWORKING_API_VERSION,
  NETWORK_POLICY_API_GROUP,
  isCalicoPolicyKind,
  isClusterPolicyKind,
  formatObjectRef,
  objectRefOf,
} from '../k8s';

/** An allowed block of some policy rule, with what it carves out; the policy's annotations hold its written reasons. */
interface AllowedBlock {
  readonly policy: K8sObject;
  readonly cidr: string;
  readonly except: readonly string[];
}

/** Every block that an egress Allow (or Accept) rule lets out, in Kubernetes, Calico and network-policy-api policies alike (network sets expanded). */
function allowedBlocks(objects: readonly K8sObject[]): AllowedBlock[] {
  const sets = objects.filter((o) => o.apiVersion === CALICO_API_VERSION && o.kind === 'GlobalNetworkSet');
  const out: AllowedBlock[] = [];
  for (const policy of objects) {
    const push = (block: unknown, except: readonly unknown[]) => {
      if (typeof block === 'string') out.push({ policy, cidr: block, except: except.filter((e): e is string => typeof e === 'string') });
    };
    const spec = fields(policy.spec);
    if (policy.apiVersion === NETWORKING_API_VERSION && policy.kind === 'NetworkPolicy') {
      for (const rule of list(spec.egress).map(fields)) {
        for (const peer of list(rule.to).map(fields)) {
          const ipBlock = fields(peer.ipBlock);
          if (peer.ipBlock) push(ipBlock.cidr, list(ipBlock.except));
        }
      }
    } else if (String(policy.apiVersion).startsWith(`${NETWORK_POLICY_API_GROUP}/`) && isClusterPolicyKind(policy.kind)) {
      // An Accept (v1alpha2) or Allow (v1alpha1) of networks: these kinds cannot carve anything out of a block.
      for (const rule of list(spec.egress).map(fields)) {
        if (rule.action !== 'Accept' && rule.action !== 'Allow') continue;
        for (const peer of list(rule.to).map(fields)) for (const net of list(peer.networks)) push(net, []);
      }
    } else if (policy.apiVersion === CALICO_API_VERSION && isCalicoPolicyKind(policy.kind)) {
      for (const rule of list(spec.egress).map(fields)) {
        if (rule.action !== 'Allow') continue;
        const d = fields(rule.destination);
        const except = list(d.notNets);
        for (const net of list(d.nets)) push(net, except);
        // A selector that is not a string is the schema's finding (Calico refuses the policy).
        if (typeof d.selector === 'string' && d.namespaceSelector === 'global()') {
          const selector = new Selector(d.selector);
          for (const set of sets.filter((x) => selector.test(new Map(Object.entries(x.metadata.labels ?? {}))))) {
            for (const net of list(fields(set.spec).nets).filter(
              (n) => typeof n === 'string' && (rule.ipVersion === undefined || parseCidrLenient(n)?.version === rule.ipVersion),
            ))
              push(net, except);
          }
        }
      }
    }
  }
  return out;
}

/** What is wrong with one allowed block, and which of the two rules it breaks. */
export interface BlockProblem {
  readonly rule: 'metadata-carved-out' | 'internet-block-reason';
  readonly block: AllowedBlock;
  readonly message: string;
}

/**
 * No allowed block contains a metadata address of the cloud without carving it out, none is a
 * metadata address unless it is a pod credential endpoint whose reason the policy carries, and
 * none shorter than /8 lacks its written reason.
 */
export function blockProblems(objects: readonly K8sObject[], cloud: Cloud = 'any'): BlockProblem[] {
  // As written, and each IPv4 address in its NAT64 form (RFC 6052: a translator on the path sends
  // 64:ff9b::a9fe:a9fe to 169.254.169.254), which is never a credential endpoint.
  const metadata = [...metadataBlocks(cloud), ...metadataNat64Blocks(cloud)];
  return allowedBlocks(objects).flatMap((b) => {
    // A block that does not parse is the schema's and the verifier's finding, not this one's.
    const block = parseCidrLenient(b.cidr);
    if (!block) return [];
    const problems: BlockProblem[] = [];
    const problem = (rule: BlockProblem['rule'], message: string) => problems.push({ rule, block: b, message });
    const where = formatObjectRef(objectRefOf(b.policy));
    const reason = (annotation: string) => reasonFor(b.policy.metadata.annotations, annotation, b.cidr);
    for (const m of metadata) {
      if (cidrContains(m, block)) {
        const credential = METADATA_ENDPOINTS.some((e) => e.podCredentials !== undefined && e.cidrs.includes(b.cidr));
        if (!credential || reason(CREDENTIALS_REASON_ANNOTATION) === undefined) {
          problem(
            'metadata-carved-out',
            `${where} allows the metadata block ${b.cidr}${credential ? ` without a written reason (${CREDENTIALS_REASON_ANNOTATION})` : ''}`,
          );
        }
      } else if (
        cidrContains(block, m) &&
        !b.except.some((e) => {
          const c = parseCidrLenient(e);
          return c !== undefined && cidrContains(c, m);
        })
      ) {
        problem('metadata-carved-out', `${where} allows ${b.cidr} without carving out ${formatIp({ version: m.version, value: m.network })}`);
      }
    }
    if (block.prefix < 8 && reason(INTERNET_REASON_ANNOTATION) === undefined)
      problem('internet-block-reason', `${where} allows ${b.cidr} without a written reason (${INTERNET_REASON_ANNOTATION})`);
    return problems;
  });
}
