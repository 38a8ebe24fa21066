/**
 * Pod Security Standards `restricted`: the namespace admits only restricted pods (Pod Security
 * Admission labels), and every pod template of the manifests is one.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 * https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces
 */
import { K8sObject, fields, list } from './objects';
import { podTemplateOf, POD_SECURITY_MODES, podSecurityLabel } from '../k8s';

/**
 * The violations of the `restricted` profile by a pod spec: one line each, empty when the pod
 * would be admitted.
 */
export function restrictedViolations(podSpec: unknown): string[] {
  const problems: string[] = [];
  const pod = fields(podSpec);
  const podSc = fields(pod.securityContext);
  const containers = [...list(pod.initContainers), ...list(pod.containers)].map(fields);
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) problems.push('host namespaces are shared');
  for (const v of list(pod.volumes).map(fields)) {
    const allowed = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
    const types = Object.keys(v).filter((k) => k !== 'name');
    if (!types.every((t) => allowed.includes(t))) problems.push(`volume ${String(v.name)} has a restricted type ${types.join(',')}`);
  }
  for (const c of containers) {
    const sc = fields(c.securityContext);
    const name = String(c.name);
    if (sc.privileged) problems.push(`${name}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${name}: allowPrivilegeEscalation is not false`);
    if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) problems.push(`${name}: runAsNonRoot is not true`);
    if ((sc.runAsUser ?? podSc.runAsUser) === 0) problems.push(`${name}: runs as user 0`);
    const seccomp = fields(sc.seccompProfile).type ?? fields(podSc.seccompProfile).type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${name}: seccompProfile is ${String(seccomp)}`);
    const caps = fields(sc.capabilities);
    if (!list(caps.drop).includes('ALL')) problems.push(`${name}: capabilities do not drop ALL`);
    if (list(caps.add).some((cap) => cap !== 'NET_BIND_SERVICE')) problems.push(`${name}: adds capabilities ${list(caps.add).join(',')}`);
    for (const p of list(c.ports).map(fields)) if (p.hostPort) problems.push(`${name}: hostPort ${JSON.stringify(p.hostPort)}`);
  }
  return problems;
}

/** The pod spec of a Pod or of a workload's pod template, or undefined for any other object. */
export function podSpecOf(o: K8sObject): unknown {
  return podTemplateOf(o)?.spec;
}

/** The namespace (a Namespace object among `objects`) enforces, audits and warns on Pod Security Standards `restricted`. */
export function namespacePodSecurityProblems(objects: readonly K8sObject[], namespace: string): string[] {
  const labels = objects.find((o) => o.kind === 'Namespace' && o.apiVersion === 'v1' && o.metadata.name === namespace)?.metadata.labels ?? {};
  return POD_SECURITY_MODES.filter((mode) => labels[podSecurityLabel(mode)] !== 'restricted').map(
    (mode) => `${namespace}: ${podSecurityLabel(mode)} is ${labels[podSecurityLabel(mode)]}, not restricted`,
  );
}
