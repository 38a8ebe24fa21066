/**
 * The values that the intent's types (types.ts), the kinds of destination (destinations/) and
 * the plan's types (plan-types.ts) share: protocols, ports, labels and allow-lists. Their own
 * module, so that types.ts, which lists the kinds of destination, and the kinds, which use these
 * values, import each other in one direction only.
 */

/** Transport protocols a NetworkPolicy port can name. */
export type { Protocol } from '../k8s';

/** A single port, or an inclusive range `{ from, to }`. */
export type PortSpec = number | { readonly from: number; readonly to: number };

/** Label key/value pairs, all of which must match. */
export type Labels = Readonly<Record<string, string>>;

/** A named list of external networks that several apps may share. */
export interface AllowList {
  /** DNS-1123 label; names the Calico GlobalNetworkSet. */
  readonly name: string;
  readonly cidrs: readonly string[];
  /** What the networks are, for people: kept on the GlobalNetworkSet and in the reports. @default none */
  readonly description?: string;
  /**
   * Required when a block of the list lies inside a published range of a cloud or CDN, shared by
   * its customers: why addresses, and not the hostname proxy or a private endpoint.
   * @default none (refused when a block lies in a shared range)
   */
  readonly shared?: { readonly reason: string };
}
