/**
 * The kinds of egress destination, one module each (parse and check, what it lets the app
 * reach, how messages name it), listed once below by the field that makes a destination of that
 * kind. A destination has exactly one of these fields; one with two (`cidr` and `namespace`) is
 * refused rather than read as either, since a policy that silently meant something else than
 * what was written is the worst outcome here.
 *
 * A new kind is a module like `cidr.ts` and one line in DESTINATION_KINDS; the plan and the
 * renderers read its peer, never the destination. The test oracle (lib/testing/oracle.ts)
 * reads destinations on its own, on purpose: it is an independent second reading.
 */
import { z } from 'zod';
import { didYouMean } from '../issues';
import { isObject, problem } from '../fields';
import { allowListKind } from './allow-list';
import { cidrKind } from './cidr';
import { credentialsKind } from './credentials';
import { hostsKind } from './hosts';
import { Declared, DestinationKind, DestinationProblem, PeerContext } from './kind';
import { DestinationPeer } from '../plan-types';
import { serviceKind } from './service';

export type { Declared, DestinationProblem, PeerContext } from './kind';
export { isAllowListDestination } from './allow-list';
export { isCidrDestination } from './cidr';
export type { SharedRange } from './cidr';
export { isCredentialsDestination } from './credentials';
export { hostNames, isHostsDestination } from './hosts';
export type { HostName, HostsDestination } from './hosts';
export { isServiceDestination, podsPeer } from './service';
export type { UngovernedRelay } from './service';

/** Every kind of destination, by the field that makes it that kind. */
const DESTINATION_KINDS = {
  cidr: cidrKind,
  namespace: serviceKind,
  allowList: allowListKind,
  credentials: credentialsKind,
  hosts: hostsKind,
} as const;

type DestinationKindName = keyof typeof DESTINATION_KINDS;

/** A destination of any kind. */
type DestinationOf<K> = K extends DestinationKind<infer D> ? D : never;

/**
 * One place an app may send traffic to. Its kind is the one of the DESTINATION_KINDS keys
 * (`cidr`, `namespace`, `allowList`, `credentials`, `hosts`) it has: exactly one.
 */
export type EgressDestination = DestinationOf<(typeof DESTINATION_KINDS)[DestinationKindName]>;

const KIND_NAMES = Object.keys(DESTINATION_KINDS) as DestinationKindName[];
const FORMS = `${KIND_NAMES.slice(0, -1)
  .map((k) => DESTINATION_KINDS[k].form)
  .join(', ')} or ${DESTINATION_KINDS[KIND_NAMES[KIND_NAMES.length - 1]].form}`;

/** The kind of a valid destination. */
function destinationKind(d: EgressDestination): DestinationKindName {
  return KIND_NAMES.find((k) => k in d)!;
}

function kindOf(d: EgressDestination): DestinationKind<EgressDestination> {
  return DESTINATION_KINDS[destinationKind(d)] as DestinationKind<EgressDestination>;
}

/** The destination in a few words, for messages: `block 203.0.113.10/32`, `pods vector-db {app=qdrant}`. */
export function describeDestination(d: EgressDestination): string {
  return kindOf(d).describe(d);
}

/** What a valid destination lets the app reach, its ports aside (see lib/policy/plan.ts). */
export function destinationPeer(d: EgressDestination, context: PeerContext): DestinationPeer {
  return kindOf(d).peer(d, context);
}

/** Whether a valid destination lets the app reach a host name on a port: its kind's answer (kind.ts, coversHost), else no. */
export function destinationCoversHost(d: EgressDestination, host: string, port: number | undefined): boolean {
  return kindOf(d).coversHost?.(d, host, port) ?? false;
}

/** Problems of a destination whose own fields are valid that only the rest of the intent shows. */
export function checkDestination(d: EgressDestination, declared: Declared): DestinationProblem[] {
  return kindOf(d).check?.(d, declared) ?? [];
}

/** A destination: the kind its key names, checked by that kind's schema. */
export const destination = z
  .custom<EgressDestination>(() => true)
  .superRefine((value, ctx) => {
    if (!isObject(value)) {
      problem(ctx, value, `is not a destination; accepted: ${FORMS}`);
      return;
    }
    const present = KIND_NAMES.filter((k) => k in value);
    if (present.length > 1) {
      const given = Object.fromEntries(present.map((k) => [k, value[k]]));
      problem(
        ctx,
        given,
        `is more than one kind of destination (it has ${present.join(' and ')}); accepted: exactly one of ${KIND_NAMES.join(', ')}: ${FORMS}`,
      );
      return;
    }
    if (present.length === 0) {
      const near = Object.keys(value)
        .map((k) => [k, didYouMean(k, KIND_NAMES)] as const)
        .find(([, n]) => n !== undefined);
      problem(
        ctx,
        value,
        `is no kind of destination (it has none of ${KIND_NAMES.join(', ')}); accepted: ${FORMS}${near ? `. Did you mean "${near[1]}" for "${near[0]}"?` : ''}`,
      );
      return;
    }
    const checked = DESTINATION_KINDS[present[0]].schema.safeParse(value, { reportInput: true });
    if (!checked.success) for (const issue of checked.error.issues) ctx.addIssue(issue as z.core.$ZodRawIssue);
  });
