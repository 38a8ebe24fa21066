/**
 * The Pod Security Standards `restricted` profile, as checks on a pod spec.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 * Returns one line per violation; empty when the pod would be admitted.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function restrictedViolations(pod: any): string[] {
  const problems: string[] = [];
  const podSc = pod.securityContext ?? {};
  const containers = [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) problems.push('host namespaces are shared');
  for (const v of pod.volumes ?? []) {
    const allowed = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
    const types = Object.keys(v).filter((k) => k !== 'name');
    if (!types.every((t) => allowed.includes(t))) problems.push(`volume ${v.name} has a restricted type ${types}`);
  }
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    const name = c.name;
    if (sc.privileged) problems.push(`${name}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${name}: allowPrivilegeEscalation is not false`);
    if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) problems.push(`${name}: runAsNonRoot is not true`);
    if ((sc.runAsUser ?? podSc.runAsUser) === 0) problems.push(`${name}: runs as user 0`);
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${name}: seccompProfile is ${seccomp}`);
    const caps = sc.capabilities ?? {};
    if (!(caps.drop ?? []).includes('ALL')) problems.push(`${name}: capabilities do not drop ALL`);
    if ((caps.add ?? []).some((cap: string) => cap !== 'NET_BIND_SERVICE')) problems.push(`${name}: adds capabilities ${caps.add}`);
    for (const p of c.ports ?? []) if (p.hostPort) problems.push(`${name}: hostPort ${p.hostPort}`);
  }
  return problems;
}
