import { cidr, dnsLabel, fields, internetSized, metadataProblem, ports, problem, protocol, sharedRangeProblem, text } from '../fields';
import { DestinationBase, DestinationKind } from './kind';
import { planBlock } from '../plan-types';

/** Marks a destination as deliberate internet egress; required for `0.0.0.0/0`, `::/0` and prefixes shorter than /8. */
interface InternetEgress {
  /** Why this app needs the open internet; kept as an annotation on the policy. */
  readonly reason: string;
}

/** An external network: a CIDR block (IPv4 or IPv6), ports and protocol. */
export interface CidrDestination extends DestinationBase {
  /** The block, with its mask and no host bits: `203.0.113.10/32`, `2001:db8::/64`. */
  readonly cidr: string;
  /** Required when the block is the internet or a very large part of it. */
  readonly internet?: InternetEgress;
  /**
   * Calico flavor only: render the block as a GlobalNetworkSet of this name, which the app's
   * policy selects, instead of naming it inline (`nets`). Calico's flow logs name an address
   * outside the cluster only by the network set it falls in (else only as a public or private
   * network), so flows to the block are then named and attributable (`verify observed`). A name
   * may stand for one block only, and not be an allow-list's (both are GlobalNetworkSets).
   * @default none: the block is written into the rule
   */
  readonly networkSet?: string;
  /** Required when the block lies inside a published range of a cloud or CDN (lib/net, shared-ranges). */
  readonly shared?: SharedRange;
}

/** Why an app may send to addresses that a cloud or CDN shares among its customers. */
export interface SharedRange {
  /** A sentence saying why an address, and not the hostname proxy or a private endpoint; kept on the app's policy. */
  readonly reason: string;
}

export function isCidrDestination(d: DestinationBase): d is CidrDestination {
  return 'cidr' in d;
}

/** `{ cidr, ports }`: one block, no metadata address of the cloud and those inside it carved out, internet-sized only with a reason. */
export const cidrKind: DestinationKind<CidrDestination> = {
  key: 'cidr',
  form: '{ cidr, ports }',
  schema: fields('a cidr destination', {
    cidr,
    ports,
    protocol: protocol.optional(),
    description: text('a few words saying what the destination is').optional(),
    internet: fields('internet egress', { reason: text('a sentence saying why this app needs the internet') }).optional(),
    networkSet: dnsLabel('network set name').optional(),
    shared: fields('a shared range', { reason: text('a sentence saying why an address and not a name or a private endpoint') }).optional(),
  }).superRefine((d, ctx) => {
    if (d.internet === undefined) internetSized(ctx, d.cidr, ['cidr']);
    else if (d.internet.reason.trim() === '')
      problem(ctx, d.internet.reason, 'is empty; accepted: a sentence saying why this app needs the internet', ['internet', 'reason']);
    if (d.shared !== undefined && d.shared.reason.trim() === '')
      problem(ctx, d.shared.reason, 'is empty; accepted: a sentence saying why an address and not a name or a private endpoint', ['shared', 'reason']);
  }),
  describe: (d) => `block ${d.cidr}`,
  peer: (d, { carved }) => ({
    kind: 'nets',
    blocks: [planBlock(d.cidr, carved)],
    internetReason: d.internet?.reason,
    sharedReason: d.shared?.reason,
    ...(d.networkSet === undefined ? {} : { networkSet: d.networkSet }),
  }),
  check: (d, { cloud, sharedRanges }) => {
    const metadata = metadataProblem(d.cidr, cloud);
    const shared = d.shared === undefined ? sharedRangeProblem(d.cidr, sharedRanges, "shared: { reason: '...' } on this destination") : undefined;
    return [...(metadata ? [{ field: 'cidr', value: d.cidr, message: metadata }] : []), ...(shared ? [{ field: 'cidr', value: d.cidr, message: shared }] : [])];
  },
};
