/**
 * Namespaces that Kubernetes and Calico own. A project that creates a namespace, labels it for
 * Pod Security `restricted`, gives it a default deny and denies its undeclared pods must never be
 * handed one of these: kube-system holds kube-dns and the node agents (privileged, host network),
 * `default` holds whatever anyone put there, and Calico's hold the policy engine itself.
 */

/**
 * The namespaces Kubernetes creates ("Kubernetes starts with four initial namespaces: default,
 * kube-node-lease, kube-public, kube-system"), and the prefix it reserves ("Avoid creating
 * namespaces with the prefix kube-, since it is reserved for Kubernetes system namespaces"):
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/
 */
const KUBERNETES_NAMESPACES: readonly string[] = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];
const KUBERNETES_PREFIX = 'kube-';

/**
 * Calico's own, as the Tigera operator installs it: calico-system (calico-node, Typha, the kube
 * controllers), calico-apiserver, and tigera-operator
 * (https://docs.tigera.io/calico/latest/getting-started/kubernetes/quickstart).
 */
const CALICO_NAMESPACES: readonly string[] = ['calico-system', 'calico-apiserver', 'tigera-operator'];

/** Who owns a namespace that an app, the resolver or the proxy may not take over, in words; undefined for any other. */
export function reservedNamespace(name: string): string | undefined {
  if (KUBERNETES_NAMESPACES.includes(name)) return 'a namespace of Kubernetes itself';
  if (name.startsWith(KUBERNETES_PREFIX)) return `named with the ${KUBERNETES_PREFIX} prefix, reserved by Kubernetes for its own namespaces`;
  if (CALICO_NAMESPACES.includes(name)) return 'a namespace of Calico itself';
  return undefined;
}
