/**
 * The protocols a Kubernetes port names: a NetworkPolicy port, a container port, a Service port
 * (core/v1 `Protocol`: "TCP", "UDP" or "SCTP",
 * https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/network-policy-v1/ and
 * k8s.io/api/core/v1 types.go). Calico rules may name others (ICMP, ...), which carry no ports.
 */

/** The protocols, in the order reports list them. */
export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

/** A transport protocol a port can be named for. */
export type Protocol = (typeof PROTOCOLS)[number];

/** True for TCP, UDP and SCTP. */
export function isProtocol(value: unknown): value is Protocol {
  return (PROTOCOLS as readonly unknown[]).includes(value);
}

/** The IANA protocol numbers of the three (https://www.iana.org/assignments/protocol-numbers), as Calico rules may write them. */
export const PROTOCOL_NUMBERS: Readonly<Record<number, Protocol>> = { 6: 'TCP', 17: 'UDP', 132: 'SCTP' };

/** The protocols as a text names them: `TCP, UDP or SCTP` (`and` when all are meant). */
export function protocolsText(conjunction: 'or' | 'and' = 'or'): string {
  return `${PROTOCOLS.slice(0, -1).join(', ')} ${conjunction} ${PROTOCOLS[PROTOCOLS.length - 1]}`;
}
