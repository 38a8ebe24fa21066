/**
 * Cloud instance metadata endpoints (AWS, GCP, Azure on IPv4; AWS on IPv6): an AI pod must never
 * reach them. Renderers carve them out of every allowed block; reviews name them when a rule
 * denies them.
 */

import { Cidr, cidr, sameCidr } from './ip';

/** The metadata addresses as blocks are written. */
export const METADATA_CIDRS: readonly string[] = ['169.254.169.254/32', 'fd00:ec2::254/128'];

/** The same, parsed. */
export const METADATA_BLOCKS: readonly Cidr[] = METADATA_CIDRS.map(cidr);

/** True when the block is exactly one of the metadata addresses. */
export function isMetadataBlock(block: Cidr): boolean {
  return METADATA_BLOCKS.some((m) => sameCidr(m, block));
}
