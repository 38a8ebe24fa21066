import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { DNS_RESOLVER_NAME, SyncWave, appLabels, appSelector, serviceAccountName, syncWave } from '../conventions';
import { ResolverSettings } from '../intent';
import { RESOLVER_PROBE_PORTS, resolverCorefile } from './corefile';

/**
 * CoreDNS, pinned by tag and digest: the image Kubernetes itself ships for kubeadm 1.34
 * (`registry.k8s.io/coredns/coredns`, CoreDNSVersion v1.12.1 in cmd/kubeadm/app/constants). The
 * digest is the one public configurations pin for this tag (found by searching public
 * repositories); this build machine reaches no container registry, so check it once where one is
 * reached: `crane digest registry.k8s.io/coredns/coredns:v1.12.1`.
 */
const RESOLVER_IMAGE = 'registry.k8s.io/coredns/coredns:v1.12.1@sha256:e8c262566636e6bc340ece6473b0eed193cad045384401529721ddbe6463d31c';

/**
 * The user CoreDNS's image runs as: distroless `nonroot`, 65532. Its Dockerfile says `USER
 * nonroot:nonroot` at v1.12.1 (`USER 65532:65532` only from v1.14.7), a name the kubelet cannot
 * check against `runAsNonRoot`, so the pod names the number itself.
 */
const RESOLVER_USER = 65532;

/** Where the ConfigMap's Corefile is mounted, and the flag that points CoreDNS there. */
const COREFILE_DIR = '/etc/coredns';

/** Requests and limits of kubeadm's CoreDNS (cmd/kubeadm/app/phases/addons/dns/manifests.go): 100m CPU, 70Mi memory, at most 170Mi. */
const RESOURCES = {
  requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('70Mi') },
  limits: { memory: k8s.Quantity.fromString('170Mi') },
};

export interface DnsResolverProps {
  readonly settings: ResolverSettings;
}

/**
 * The resolver of cluster names: a ServiceAccount without a token (CoreDNS here needs no API
 * access: it forwards to kube-dns instead of reading Services), its Corefile in a ConfigMap, two
 * replicas spread over nodes and zones with a PodDisruptionBudget that keeps one, and a Service at
 * the fixed ClusterIP the AI apps' pods name as their nameserver.
 *
 * The pods pass Pod Security `restricted` and bind port 53 without any capability: the pod sets
 * `net.ipv4.ip_unprivileged_port_start` to 53 in its own network namespace, a sysctl Kubernetes
 * counts as safe (allowed by default since 1.22) and Pod Security allows at every level
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/, "Sysctls"). The image's
 * file capability `cap_net_bind_service` does not help: `allowPrivilegeEscalation: false` sets
 * no_new_privs, under which execve grants no file capabilities.
 */
export class DnsResolver extends Construct {
  constructor(scope: Construct, id: string, props: DnsResolverProps) {
    super(scope, id);
    const { settings } = props;
    const labels = appLabels(DNS_RESOLVER_NAME);
    const metadata = { name: DNS_RESOLVER_NAME, namespace: settings.namespace, labels, annotations: syncWave(SyncWave.platformService) };

    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { ...metadata, name: serviceAccountName(DNS_RESOLVER_NAME) },
      automountServiceAccountToken: false,
    });
    new k8s.KubeConfigMap(this, 'Corefile', { metadata, data: { Corefile: resolverCorefile(settings.clusterDomain) } });

    const probe = (path: string, port: number, periodSeconds: number) => ({
      httpGet: { path, port: k8s.IntOrString.fromNumber(port), scheme: 'HTTP' },
      periodSeconds,
      timeoutSeconds: 5,
      failureThreshold: 3,
    });
    const spread = (topologyKey: string) => ({
      maxSkew: 1,
      topologyKey,
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: appSelector(DNS_RESOLVER_NAME) },
    });
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata,
      spec: {
        replicas: 2,
        selector: { matchLabels: appSelector(DNS_RESOLVER_NAME) },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1), maxSurge: k8s.IntOrString.fromString('25%') } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: serviceAccountName(DNS_RESOLVER_NAME),
            automountServiceAccountToken: false,
            // Its own lookups (the cluster domain, forwarded) go to the cluster's DNS: kube-dns.
            dnsPolicy: 'ClusterFirst',
            securityContext: {
              runAsNonRoot: true,
              runAsUser: RESOLVER_USER,
              runAsGroup: RESOLVER_USER,
              fsGroup: RESOLVER_USER,
              seccompProfile: { type: 'RuntimeDefault' },
              sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '53' }],
            },
            topologySpreadConstraints: [spread('kubernetes.io/hostname'), spread('topology.kubernetes.io/zone')],
            containers: [
              {
                name: 'coredns',
                image: RESOLVER_IMAGE,
                imagePullPolicy: 'IfNotPresent',
                args: ['-conf', `${COREFILE_DIR}/Corefile`],
                ports: [
                  { name: 'dns', containerPort: 53, protocol: 'UDP' },
                  { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
                  { name: 'health', containerPort: RESOLVER_PROBE_PORTS.health, protocol: 'TCP' },
                  { name: 'ready', containerPort: RESOLVER_PROBE_PORTS.ready, protocol: 'TCP' },
                ],
                resources: RESOURCES,
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: RESOLVER_USER,
                  runAsGroup: RESOLVER_USER,
                  allowPrivilegeEscalation: false,
                  privileged: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                volumeMounts: [{ name: 'corefile', mountPath: COREFILE_DIR, readOnly: true }],
                livenessProbe: { ...probe('/health', RESOLVER_PROBE_PORTS.health, 10), initialDelaySeconds: 60, failureThreshold: 5 },
                readinessProbe: probe('/ready', RESOLVER_PROBE_PORTS.ready, 10),
              },
            ],
            volumes: [{ name: 'corefile', configMap: { name: DNS_RESOLVER_NAME, items: [{ key: 'Corefile', path: 'Corefile' }] } }],
          },
        },
      },
    });
    new k8s.KubeService(this, 'Service', {
      metadata,
      spec: {
        clusterIp: settings.clusterIp,
        selector: appSelector(DNS_RESOLVER_NAME),
        ports: [
          { name: 'dns', port: 53, targetPort: k8s.IntOrString.fromNumber(53), protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, targetPort: k8s.IntOrString.fromNumber(53), protocol: 'TCP' },
        ],
      },
    });
    new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata,
      spec: { minAvailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: appSelector(DNS_RESOLVER_NAME) } },
    });
  }
}
