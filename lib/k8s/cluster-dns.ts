/**
 * The cluster's DNS as Kubernetes sets it up by default.
 * https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/
 */

/** The kubelet's default `clusterDomain`. */
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/**
 * kube-dns: the cluster's DNS add-on (CoreDNS, under its historic name), in `kube-system`, its pods
 * labelled `k8s-app: kube-dns`
 * (https://kubernetes.io/docs/tasks/administer-cluster/dns-debugging-resolution/).
 */
export const KUBE_DNS = { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } } as const;
