/**
 * The reason annotations: the written reasons for what an app's policy allows that needs one,
 * kept on the policy that allows it. The renderers write them (lib/policy); the checks and the
 * verifier read them from any manifests (lib/checks, lib/verify). This module is the one that
 * writes and reads their text.
 *
 * One line per destination: what it is about (its blocks, or its pods), `: `, and the reason.
 *
 *     0.0.0.0/0: calls a public model API
 *     169.254.170.23/32, fd00:ec2::23/128: reads weights from S3
 *     pods vector-db {app=qdrant,tier=db}: the vector store's relay
 */
import { DOMAIN } from './domain';

/** The written reasons for internet egress, by block. */
export const INTERNET_REASON_ANNOTATION = `${DOMAIN}/internet-egress`;

/** The written reasons for an app's access to a pod credential endpoint (EKS Pod Identity), by block. */
export const CREDENTIALS_REASON_ANNOTATION = `${DOMAIN}/credentials`;

/** The written reason for an app's DNS to resolvers of names outside the cluster, about `PUBLIC_NAMES_SUBJECT`. */
export const PUBLIC_DNS_REASON_ANNOTATION = `${DOMAIN}/public-dns`;

/** The written reasons for destinations inside published shared ranges of clouds and CDNs, by block. */
export const SHARED_RANGE_REASON_ANNOTATION = `${DOMAIN}/shared-range`;

/** The written reasons for in-cluster destinations in namespaces the intent does not govern, by pods (`podsSubject`). */
export const UNGOVERNED_REASON_ANNOTATION = `${DOMAIN}/ungoverned-relay`;

/** What the reason of the public-dns annotation is about. */
export const PUBLIC_NAMES_SUBJECT = 'names outside the cluster';

/** One line of a reason annotation: what it is about (blocks as CIDR text, or pods as `podsSubject` writes them) and why. */
export interface WrittenReason {
  readonly about: readonly string[];
  readonly why: string;
}

/** Pods of a namespace with labels, as a reason names them: `pods vector-db {app=qdrant,tier=db}` (the verifier's words for such a destination). */
export function podsSubject(namespace: string, labels: Readonly<Record<string, string>>): string {
  return `pods ${namespace} {${Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',')}}`;
}

/** The text of an annotation: a line per reason. */
export function formatReasons(reasons: readonly WrittenReason[]): string {
  return reasons.map((r) => `${r.about.join(', ')}: ${r.why}`).join('\n');
}

/** The reasons of an annotation's text; a line without `: ` is about nothing. Text that is not a string holds none. */
function parseReasons(text: unknown): WrittenReason[] {
  if (typeof text !== 'string') return [];
  return text.split('\n').map((line) => {
    // What a line is about never holds `: ` (an IPv6 block holds `:` alone), so the first one ends it.
    const at = line.indexOf(': ');
    return at < 0 ? { about: [], why: line } : { about: line.slice(0, at).split(', '), why: line.slice(at + 2) };
  });
}

/** The reason an object's annotations give for one subject (a block, pods), or undefined when they give none. */
export function reasonFor(annotations: unknown, annotation: string, subject: string): string | undefined {
  const text = typeof annotations === 'object' && annotations !== null ? (annotations as Record<string, unknown>)[annotation] : undefined;
  return parseReasons(text).find((r) => r.about.includes(subject))?.why;
}
