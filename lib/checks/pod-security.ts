/**
 * Pod Security Standards `restricted`: the namespace admits only restricted pods (Pod Security
 * Admission labels), and every pod template of the manifests is one.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 * https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces
 */
import { K8sObject, list } from './objects';

/**
 * The violations of the `restricted` profile by a pod spec: one line each, empty when the pod
 * would be admitted.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function restrictedViolations(pod: any): string[] {
  const problems: string[] = [];
  const podSc = pod?.securityContext ?? {};
  const containers = [...list(pod?.initContainers), ...list(pod?.containers)];
  if (pod?.hostNetwork || pod?.hostPID || pod?.hostIPC) problems.push('host namespaces are shared');
  for (const v of list(pod?.volumes)) {
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
    if (!list(caps.drop).includes('ALL')) problems.push(`${name}: capabilities do not drop ALL`);
    if (list(caps.add).some((cap) => cap !== 'NET_BIND_SERVICE')) problems.push(`${name}: adds capabilities ${caps.add}`);
    for (const p of list(c.ports)) if (p.hostPort) problems.push(`${name}: hostPort ${p.hostPort}`);
  }
  return problems;
}

/** The pod spec of a Pod or of a workload's pod template, or undefined for any other object. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function podSpecOf(o: K8sObject): any {
  switch (o.kind) {
    case 'Pod': return o.spec;
    case 'Deployment': case 'StatefulSet': case 'DaemonSet': case 'ReplicaSet': case 'Job': return o.spec?.template?.spec;
    case 'CronJob': return o.spec?.jobTemplate?.spec?.template?.spec;
    default: return undefined;
  }
}

/** The namespace (a Namespace object among `objects`) enforces, audits and warns on Pod Security Standards `restricted`. */
export function namespacePodSecurityProblems(objects: readonly K8sObject[], namespace: string): string[] {
  const labels = objects.find((o) => o.kind === 'Namespace' && o.apiVersion === 'v1' && o.metadata.name === namespace)?.metadata.labels ?? {};
  return ['enforce', 'audit', 'warn']
    .filter((mode) => labels[`pod-security.kubernetes.io/${mode}`] !== 'restricted')
    .map((mode) => `${namespace}: pod-security.kubernetes.io/${mode} is ${labels[`pod-security.kubernetes.io/${mode}`]}, not restricted`);
}
