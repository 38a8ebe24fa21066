import { Cidr, cidr } from '../net';

/** Cloud instance metadata endpoints (AWS, GCP, Azure on IPv4; AWS on IPv6). Never reachable from an AI pod. */
export const METADATA_CIDRS: readonly string[] = ['169.254.169.254/32', 'fd00:ec2::254/128'];

/** The same, parsed. */
export const METADATA_BLOCKS: readonly Cidr[] = METADATA_CIDRS.map(cidr);
