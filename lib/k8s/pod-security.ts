/**
 * Pod Security Admission's namespace labels: a mode, the level it applies, and the version of the
 * level. https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces
 */

/** The modes: rejected, recorded in the audit log, or warned about. */
export const POD_SECURITY_MODES = ['enforce', 'audit', 'warn'] as const;

/** One of `POD_SECURITY_MODES`. */
type PodSecurityMode = (typeof POD_SECURITY_MODES)[number];

/** The label holding a mode's level: `pod-security.kubernetes.io/enforce`. */
export function podSecurityLabel(mode: PodSecurityMode): string {
  return `pod-security.kubernetes.io/${mode}`;
}

/** The label holding the version of a mode's level: `pod-security.kubernetes.io/enforce-version`. */
export function podSecurityVersionLabel(mode: PodSecurityMode): string {
  return `${podSecurityLabel(mode)}-version`;
}
