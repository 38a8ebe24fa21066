import { z } from 'zod';
import type { Cidr, Cloud, SharedRangeSource } from '../../net';
import type { AllowList, PortSpec, Protocol } from '../values';
import type { DestinationPeer } from '../plan-types';

/** What every destination has, whatever its kind. */
export interface DestinationBase {
  /** Ports allowed there; never empty. */
  readonly ports: readonly PortSpec[];
  /** The protocol of `ports`. @default 'TCP' */
  readonly protocol?: Protocol;
  /** What this destination is, for readers of the policy. @default none */
  readonly description?: string;
}

/** A problem with one field of a destination that only the whole intent shows. */
export interface DestinationProblem {
  /** The field, under the destination: `allowList`. */
  readonly field: string;
  /** The entry of the field, when it is a list (`hosts[1]`). @default the field itself */
  readonly index?: number;
  readonly value: unknown;
  readonly message: string;
}

/** What the rest of the intent declares, as the checks of one destination need it. */
export interface Declared {
  /** The names of the declared allow-lists, sorted, each once. */
  readonly allowLists: readonly string[];
  /** The platform's cloud, whose metadata and credential endpoints are never reachable. */
  readonly cloud: Cloud;
  /** The namespaces this intent governs (writes, with a default deny): those of its apps, and the resolver's. */
  readonly governed: readonly string[];
  /** The published shared ranges of the clouds and CDNs (lib/net, SHARED_RANGE_SOURCES). */
  readonly sharedRanges: readonly SharedRangeSource[];
  /** The cluster's DNS domain (`dnsResolver.clusterDomain`, else `cluster.local`), whose names are the cluster's own. */
  readonly clusterDomain: string;
}

/** What the rest of the intent declares, as a destination's peer needs it. */
export interface PeerContext {
  /** The declared allow-lists, to expand. */
  readonly allowLists: readonly AllowList[];
  /** The platform's cloud, whose pod credential endpoints an app may declare. */
  readonly cloud: Cloud;
  /** What every allowed block carves out when it contains it (lib/intent, `intentCarvedBlocks`). */
  readonly carved: readonly Cidr[];
  /** The apps the intent declares, by name and namespace: a destination that names one's pods is that app. @default none */
  readonly apps?: readonly { readonly name: string; readonly namespace: string }[];
}

/**
 * What a kind's schema is asked: to check a value as its destination, zod's `safeParse`, whose
 * result still ties the schema's output to `D`. Typed by this one method rather than as
 * `z.ZodType<D>`: relating a schema to the whole ZodType class made TypeScript measure the
 * variance of zod's generic classes (ZodOptional, ZodPipe, ZodUnion and the others its methods
 * return), about an eighth of the project's type-check, for no check this method does not make.
 */
interface DestinationSchema<D> {
  safeParse(value: unknown, params?: z.core.ParseContext<z.core.$ZodIssue>): z.ZodSafeParseResult<D>;
}

/**
 * One kind of egress destination, in one module: its fields and their checks, what it lets the
 * app reach, and how messages name it. The kinds are listed in `index.ts`.
 */
export interface DestinationKind<D extends DestinationBase> {
  /** The field whose presence makes a destination this kind. */
  readonly key: keyof D & string;
  /** Its required fields, as messages list them. */
  readonly form: string;
  /** Its fields and their checks; the destination's own key selects this schema. */
  readonly schema: DestinationSchema<D>;
  /** The destination in a few words, for messages. */
  describe(d: D): string;
  /** What a valid destination lets the app reach (its ports aside), given the declared allow-lists and cloud. */
  peer(d: D, context: PeerContext): DestinationPeer;
  /** Checks of a destination whose own fields are valid against the rest of the intent. */
  check?(d: D, declared: Declared): DestinationProblem[];
  /**
   * Whether the destination lets the app reach a host name on a port (undefined: any port), for
   * the check of the endpoints in an app's environment (env-endpoints.ts). Addresses and cluster
   * names are answered from the peer; a kind that allows host names answers for them here, with
   * its own rule for names (exact, or wildcards). Left out: it covers no host name.
   */
  coversHost?(d: D, host: string, port: number | undefined): boolean;
}
