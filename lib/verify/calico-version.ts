/**
 * A Calico release, as a cluster declares it: which tiers and kinds it serves depends on it
 * (admin-tiers.ts), and the catalog of a cluster holds it (catalog.ts).
 */

/** A Calico release, as a cluster declares it: `3.31`, `3.32.1`. */
export interface CalicoVersion {
  readonly major: number;
  readonly minor: number;
  /** As written. */
  readonly text: string;
}

/** The first Calico release the verifier knows (the first with tiers in Calico Open Source and AdminNetworkPolicy). */
const FIRST_KNOWN_MINOR = 29;

/**
 * Reads a Calico release (`3.31`, `3.32.1`, `v3.30.0`); undefined when it is not one, or older than
 * 3.29. The message of the error a caller makes says what is accepted: CALICO_VERSION_ACCEPTED.
 */
export function parseCalicoVersion(text: string): CalicoVersion | undefined {
  const m = /^v?([0-9]+)\.([0-9]+)(?:\.[0-9]+)?$/.exec(text.trim());
  if (!m) return undefined;
  const version = { major: Number(m[1]), minor: Number(m[2]), text };
  return version.major > 3 || (version.major === 3 && version.minor >= FIRST_KNOWN_MINOR) ? version : undefined;
}

/** What a Calico release option accepts, for messages. */
export const CALICO_VERSION_ACCEPTED = 'a Calico release 3.29 or later, written major.minor or major.minor.patch (3.31, 3.32.1)';

/** True from Calico 3.32, which serves ClusterNetworkPolicy and no longer AdminNetworkPolicy. */
export function servesClusterNetworkPolicy(v: CalicoVersion): boolean {
  return v.major > 3 || v.minor >= 32;
}
