import { METADATA_ENDPOINTS, podCredentialEndpoints } from '../../net';
import { fields, ports, problem, protocol, text } from '../fields';
import { didYouMean } from '../issues';
import { DestinationBase, DestinationKind } from './kind';
import { planBlock } from '../plan-types';

/**
 * A credential endpoint that hands a pod its own cloud credentials (not the node's), which the
 * platform otherwise denies with every metadata address of its cloud: allowed to this app only,
 * on the declared ports, with a written reason kept on its policy.
 */
export interface CredentialsDestination extends DestinationBase {
  /** The endpoint's name in lib/net's METADATA_ENDPOINTS, e.g. `eks-pod-identity`. */
  readonly credentials: string;
  /** Why this app needs its own cloud credentials from there; kept as an annotation on the policy. */
  readonly reason: string;
}

export function isCredentialsDestination(d: DestinationBase): d is CredentialsDestination {
  return 'credentials' in d;
}

/**
 * `{ credentials, ports, reason }`: the addresses of one pod credential endpoint of the cloud.
 *
 * EKS Pod Identity, for example, answers at 169.254.170.23 and fd00:ec2::23 with the credentials
 * of the IAM role associated with the pod's ServiceAccount
 * (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html); denying it, as every
 * other metadata address is, would stop a server that reads its weights from S3 with that role.
 * Instance metadata services (the node's credentials) can never be allowed this way.
 */
export const credentialsKind: DestinationKind<CredentialsDestination> = {
  key: 'credentials',
  form: '{ credentials, ports, reason }',
  schema: fields('a credentials destination', {
    credentials: text('the name of a pod credential endpoint, e.g. "eks-pod-identity"'),
    ports,
    protocol: protocol.optional(),
    description: text('a few words saying what the destination is').optional(),
    reason: text('a sentence saying why this app needs its own cloud credentials'),
  }).superRefine((d, ctx) => {
    if (d.reason.trim() === '') problem(ctx, d.reason, 'is empty; accepted: a sentence saying why this app needs its own cloud credentials', ['reason']);
  }),
  describe: (d) => `credentials ${d.credentials}`,
  peer: (d, { cloud, carved }) => {
    const endpoint = podCredentialEndpoints(cloud).find((e) => e.name === d.credentials);
    if (!endpoint) throw new Error(`${d.credentials} is no pod credential endpoint of cloud ${cloud}`);
    return { kind: 'nets', blocks: endpoint.cidrs.map((c) => planBlock(c, carved)), credentialsReason: d.reason };
  },
  check: (d, { cloud }) => {
    const allowed = podCredentialEndpoints(cloud);
    if (allowed.some((e) => e.name === d.credentials)) return [];
    const accepted = allowed.length
      ? allowed.map((e) => `"${e.name}" (${e.what})`).join(', ')
      : `none: cloud "${cloud}" has no pod credential endpoint this project knows`;
    const known = METADATA_ENDPOINTS.find((e) => e.name === d.credentials);
    let why: string;
    if (known && known.podCredentials === undefined)
      why = `is ${known.what}, which hands out the node's credentials, never a pod's own, and is never reachable`;
    else if (known) why = `is an endpoint of ${known.clouds.join(', ')}, not of cloud "${cloud}"`;
    else why = 'names no pod credential endpoint';
    const near = known
      ? undefined
      : didYouMean(
          d.credentials,
          allowed.map((e) => e.name),
        );
    return [{ field: 'credentials', value: d.credentials, message: `${why}; accepted: ${accepted}${near ? `. Did you mean "${near}"?` : ''}` }];
  },
};
