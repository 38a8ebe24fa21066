/**
 * The kinds of egress destination, one row each, keyed by the field that makes a destination of
 * that kind. A destination has exactly one of these fields; one with two (`cidr` and
 * `namespace`) is refused rather than read as either, since a policy that silently meant
 * something else than what was written is the worst outcome here.
 *
 * Each row holds what a kind is known by: its fields and their checks, and how messages name
 * it. The type guards in types.ts (`isCidrDestination` and its twins), and through them the
 * plan (lib/policy/plan.ts), tell the kinds apart by the same key, so a kind can later become a
 * module of its own (parse and check, plan, describe) without changing what a destination is.
 */
import { z } from 'zod';
import { didYouMean } from './issues';
import { cidr, dnsLabel, fields, internetSized, isObject, labels, ports, problem, protocol, text } from './fields';
import { AllowListDestination, CidrDestination, EgressDestination, ServiceDestination } from './types';

/** What one kind of destination is known by. */
export interface DestinationKind<D extends EgressDestination> {
  /** The field whose presence makes a destination this kind. */
  readonly key: keyof D & string;
  /** Its required fields, as messages list them. */
  readonly form: string;
  /** Its fields and their checks; the destination's own key selects this schema. */
  readonly schema: z.ZodType<D>;
  /** The destination in a few words, for messages. */
  describe(d: D): string;
}

const description = text('a few words saying what the destination is').optional();

const cidrKind: DestinationKind<CidrDestination> = {
  key: 'cidr',
  form: '{ cidr, ports }',
  schema: fields('a cidr destination', {
    cidr,
    ports,
    protocol: protocol.optional(),
    description,
    internet: fields('internet egress', { reason: text('a sentence saying why this app needs the internet') }).optional(),
  }).superRefine((d, ctx) => {
    if (d.internet === undefined) internetSized(ctx, d.cidr, ['cidr']);
    else if (d.internet.reason.trim() === '') problem(ctx, d.internet.reason, 'is empty; accepted: a sentence saying why this app needs the internet', ['internet', 'reason']);
  }),
  describe: (d) => `block ${d.cidr}`,
};

const serviceKind: DestinationKind<ServiceDestination> = {
  key: 'namespace',
  form: '{ namespace, podLabels, ports }',
  schema: fields('an in-cluster destination', {
    namespace: dnsLabel('namespace name'),
    podLabels: labels(true),
    ports,
    protocol: protocol.optional(),
    description,
  }),
  describe: (d) => `pods ${d.namespace} {${Object.entries(d.podLabels).map(([k, v]) => `${k}=${v}`).join(', ')}}`,
};

const allowListKind: DestinationKind<AllowListDestination> = {
  key: 'allowList',
  form: '{ allowList, ports }',
  schema: fields('an allow-list destination', {
    allowList: text('the name of an allow-list declared in allowLists'),
    ports,
    protocol: protocol.optional(),
    description,
  }),
  describe: (d) => `allow-list ${d.allowList}`,
};

/** Every kind of destination, by the field that makes it that kind. */
export const DESTINATION_KINDS = {
  cidr: cidrKind,
  namespace: serviceKind,
  allowList: allowListKind,
} as const;

export type DestinationKindName = keyof typeof DESTINATION_KINDS;

const KIND_NAMES = Object.keys(DESTINATION_KINDS) as DestinationKindName[];
const FORMS = `${KIND_NAMES.slice(0, -1).map((k) => DESTINATION_KINDS[k].form).join(', ')} or ${DESTINATION_KINDS[KIND_NAMES[KIND_NAMES.length - 1]].form}`;

/** The kind of a valid destination. */
export function destinationKind(d: EgressDestination): DestinationKindName {
  return KIND_NAMES.find((k) => k in d)!;
}

/** The destination in a few words, for messages: `block 203.0.113.10/32`, `pods vector-db {app=qdrant}`. */
export function describeDestination(d: EgressDestination): string {
  const kind = DESTINATION_KINDS[destinationKind(d)] as DestinationKind<EgressDestination>;
  return kind.describe(d);
}

/** A destination: the kind its key names, checked by that kind's schema. */
export const destination = z.custom<EgressDestination>(() => true).superRefine((value, ctx) => {
  if (!isObject(value)) {
    problem(ctx, value, `is not a destination; accepted: ${FORMS}`);
    return;
  }
  const present = KIND_NAMES.filter((k) => k in value);
  if (present.length > 1) {
    const given = Object.fromEntries(present.map((k) => [k, value[k]]));
    problem(ctx, given, `is more than one kind of destination (it has ${present.join(' and ')}); accepted: exactly one of ${KIND_NAMES.join(', ')}: ${FORMS}`);
    return;
  }
  if (present.length === 0) {
    const near = Object.keys(value).map((k) => [k, didYouMean(k, KIND_NAMES)] as const).find(([, n]) => n !== undefined);
    problem(ctx, value, `is no kind of destination (it has none of ${KIND_NAMES.join(', ')}); accepted: ${FORMS}${near ? `. Did you mean "${near[1]}" for "${near[0]}"?` : ''}`);
    return;
  }
  const checked = DESTINATION_KINDS[present[0]].schema.safeParse(value, { reportInput: true });
  if (!checked.success) for (const issue of checked.error.issues) ctx.addIssue(issue as z.core.$ZodRawIssue);
});
