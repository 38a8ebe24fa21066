import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { EGRESS_PROXY_NAME, SyncWave, appLabels, appSelector, serviceAccountName, syncWave } from '../conventions';
import {
  AiAppIntent,
  AppPlan,
  EGRESS_PROXY_PORTS,
  EgressProxyRoute,
  EgressProxySettings,
  hostNames,
  isHostsDestination,
  planBlock,
  PlannedRule,
} from '../intent';
import { Cidr, formatCidr, nonPublicBlocks } from '../net';
import { CalicoAppPolicy, CalicoSettings, KubernetesAppPolicies, NamespaceDefaultDeny } from '../policy';
import { ProxiedApp, SHUTDOWN_SECONDS, squidConf } from './squid-conf';
import { KUBE_DNS } from '../k8s';

/**
 * The image: Canonical's Squid for Ubuntu 24.04 LTS, `ubuntu/squid` on Docker Hub
 * (https://hub.docker.com/r/ubuntu/squid), pinned to the multi-platform index digest of its
 * `6.6-24.04_beta` tag (Canonical publishes this image under channel tags only, which move: the
 * digest is what pins). The tag names the channel; the Squid inside is Ubuntu 24.04's package,
 * 6.13, which Ubuntu's security team maintains in `main` for the release's five years of standard
 * support (https://documentation.ubuntu.com/security/docs/security-updates), while upstream Squid 6
 * has reached its end of life. Upstream's maintained line, 7, is Ubuntu 26.04's (`7.2-26.04`
 * tags): every directive of squid-conf.ts means the same there (release-7.sgml.in), so moving
 * is a change of this line. Before a deployment, confirm the digest with
 * `docker buildx imagetools inspect ubuntu/squid:6.6-24.04_beta`.
 */
const SQUID_IMAGE = 'ubuntu/squid:6.6-24.04_beta@sha256:6a097f68bae708cedbabd6188d68c7e2e7a38cedd05a176e1cc0ba29e3bbe029';

/**
 * The user and group the proxy runs as: `proxy`, 13:13 in Debian's and Ubuntu's fixed list of
 * system users (base-passwd, passwd.master), which Squid's packages default to
 * (`--with-default-user=proxy`). Started as that user, Squid changes no identity
 * (src/tools.cc, leave_suid: "if (geteuid() != 0) return").
 */
const SQUID_USER = { user: 13, group: 13 } as const;

/** Where the ConfigMap is mounted, and the file Squid reads. */
const CONFIG_DIR = '/etc/squid-egress';
const CONFIG_FILE = 'squid.conf';

/** The annotation on the pod template that holds the configuration's SHA-256: a new configuration rolls the pods, since Squid reads its file once, at start. */
const CONFIG_SHA_ANNOTATION = 'secure-ai-egress/squid-conf-sha256';

/**
 * What the proxy's policies allow it to reach besides DNS: public addresses (every address but the
 * non-public blocks and the cloud's metadata addresses, which Squid also refuses by name), on the
 * ports the apps declare with their names. `denied` are the blocks carved out.
 */
function publicBlocks(denied: readonly string[], carvedOut: readonly Cidr[]) {
  return ([4, 6] as const).map((version) => {
    const all = planBlock(version === 4 ? '0.0.0.0/0' : '::/0', carvedOut);
    const carved = nonPublicBlocks([...denied, ...all.except])
      .filter((b) => b.version === version)
      .map(formatCidr);
    return { cidr: `${version === 4 ? '0.0.0.0' : '::'}/0`, version, except: carved } as const;
  });
}

/** The declared ports of every app's names, merged, as planned ports. */
function declaredPorts(apps: readonly ProxiedApp[]): PlannedRule['ports'] {
  const spans = apps
    .flatMap((a) => a.destinations.flatMap((d) => d.ports))
    .map((p) => (typeof p === 'number' ? { from: p, to: p } : { from: p.from, to: p.to }))
    .sort((a, b) => a.from - b.from);
  const merged: { from: number; to: number }[] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s.from <= last.to + 1) last.to = Math.max(last.to, s.to);
    else merged.push({ ...s });
  }
  return merged.map((s) => ({ protocol: 'TCP' as const, ...s }));
}

/**
 * The blocks after the lookup of a declared name that the proxy refuses: the non-public blocks of
 * lib/net, and what every allowed block carves out (lib/intent `intentCarvedBlocks`): link-local
 * addresses, the cloud's metadata addresses, and the cluster's own pod, Service and node ranges
 * (declared, or the cloud's defaults; a GKE Service range is public address space).
 */
function deniedAfterLookup(carved: readonly Cidr[]): string[] {
  return nonPublicBlocks(carved.map(formatCidr)).map(formatCidr);
}

export interface EgressProxyProps {
  readonly settings: EgressProxySettings;
  /** The apps with hostname destinations and their ports of the proxy (egressProxyRoutes in lib/intent). */
  readonly routes: readonly EgressProxyRoute[];
  readonly apps: readonly AiAppIntent[];
  /** What every allowed block carves out (lib/intent `intentCarvedBlocks`): the proxy refuses those addresses too. */
  readonly carved: readonly Cidr[];
  /** With the calico flavor's settings, the proxy's policy is a Calico policy in the tier; without, Kubernetes NetworkPolicies. */
  readonly calico?: CalicoSettings;
}

/**
 * The egress proxy: its namespace's default deny and its own policies first (nothing reaches it but
 * the apps, each on its own port; it reaches DNS and public addresses on the declared ports), then
 * its ServiceAccount, its configuration, its Deployment (two replicas or more, spread across
 * nodes, Pod Security `restricted`), its Service and its PodDisruptionBudget.
 */
export class EgressProxy extends Construct {
  /** The squid.conf it runs. */
  readonly config: string;

  constructor(scope: Construct, id: string, props: EgressProxyProps) {
    super(scope, id);
    const { namespace, replicas } = props.settings;
    const byId = new Map(props.apps.map((a) => [`${a.namespace}/${a.name}`, a]));
    const proxied: ProxiedApp[] = props.routes.map((route) => {
      const app = byId.get(`${route.appNamespace}/${route.app}`)!;
      return {
        route,
        destinations: app.egress.flatMap((d, index) => (isHostsDestination(d) ? [{ index, names: hostNames(d), ports: d.ports }] : [])),
      };
    });
    const denied = deniedAfterLookup(props.carved);
    this.config = squidConf(proxied, denied, EGRESS_PROXY_PORTS.probe);

    new NamespaceDefaultDeny(this, 'default-deny', { namespace });
    const plan: AppPlan = {
      name: EGRESS_PROXY_NAME,
      namespace,
      egress: [
        {
          peers: [{ kind: 'pods', ...KUBE_DNS, ungovernedReason: "the cluster's DNS: the proxy resolves the host names the apps declare" }],
          ports: [
            { protocol: 'UDP', from: 53, to: 53 },
            { protocol: 'TCP', from: 53, to: 53 },
          ],
          description: 'DNS (kube-dns): the proxy resolves the declared names',
        },
        {
          peers: [
            {
              kind: 'nets',
              blocks: publicBlocks(denied, props.carved),
              internetReason:
                'the egress proxy connects to the host names the apps declare, at whatever public address they resolve to; it refuses every other name, and names that resolve to an address that is not public',
            },
          ],
          ports: declaredPorts(proxied),
          description: 'public addresses, on the ports declared with host names',
        },
      ],
      ingress: props.routes.map((r) => ({
        peers: [{ kind: 'pods', namespace: r.appNamespace, podLabels: appSelector(r.app), serviceAccount: serviceAccountName(r.app) }],
        ports: [{ protocol: 'TCP', from: r.port, to: r.port }],
        description: `${r.appNamespace}/${r.app}, on its own port`,
      })),
    };
    if (props.calico) new CalicoAppPolicy(this, 'policy', { plan, settings: props.calico, staged: false });
    else new KubernetesAppPolicies(this, 'policy', { plan });

    const labels = appLabels(EGRESS_PROXY_NAME);
    const metadata = { name: EGRESS_PROXY_NAME, namespace, labels, annotations: syncWave(SyncWave.platformService) };
    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { ...metadata, name: serviceAccountName(EGRESS_PROXY_NAME) },
      automountServiceAccountToken: false,
    });
    new k8s.KubeConfigMap(this, 'ConfigMap', { metadata, data: { [CONFIG_FILE]: this.config } });

    const probe = (periodSeconds: number, failureThreshold = 3): k8s.Probe => ({
      tcpSocket: { port: k8s.IntOrString.fromNumber(EGRESS_PROXY_PORTS.probe) },
      periodSeconds,
      failureThreshold,
    });
    const q = (v: string) => k8s.Quantity.fromString(v);
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata,
      spec: {
        replicas,
        selector: { matchLabels: appSelector(EGRESS_PROXY_NAME) },
        // A new configuration starts new pods before old ones stop: the apps are never without a proxy.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: {
            labels,
            annotations: { [CONFIG_SHA_ANNOTATION]: createHash('sha256').update(this.config).digest('hex') },
          },
          spec: {
            serviceAccountName: serviceAccountName(EGRESS_PROXY_NAME),
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: SQUID_USER.user,
              runAsGroup: SQUID_USER.group,
              fsGroup: SQUID_USER.group,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            // One pod per node where there are nodes enough: a node's loss leaves the other replicas.
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'kubernetes.io/hostname',
                whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: { matchLabels: appSelector(EGRESS_PROXY_NAME) },
              },
              {
                maxSkew: 1,
                topologyKey: 'topology.kubernetes.io/zone',
                whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: { matchLabels: appSelector(EGRESS_PROXY_NAME) },
              },
            ],
            terminationGracePeriodSeconds: SHUTDOWN_SECONDS + 15,
            containers: [
              {
                name: 'squid',
                image: SQUID_IMAGE,
                imagePullPolicy: 'IfNotPresent',
                // -N: in the foreground, one process, no daemon (squid(8)); the image's own entrypoint is replaced.
                command: ['/usr/sbin/squid', '-N', '-f', `${CONFIG_DIR}/${CONFIG_FILE}`],
                ports: [{ name: 'probe', containerPort: EGRESS_PROXY_PORTS.probe, protocol: 'TCP' }],
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: SQUID_USER.user,
                  runAsGroup: SQUID_USER.group,
                  readOnlyRootFilesystem: true,
                  allowPrivilegeEscalation: false,
                  privileged: false,
                  capabilities: { drop: ['ALL'] },
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                // Squid listens once its configuration is read; until then, and when it stops, the port refuses.
                startupProbe: probe(2, 30),
                readinessProbe: probe(10),
                livenessProbe: probe(20),
                resources: {
                  requests: { cpu: q('100m'), memory: q('256Mi'), 'ephemeral-storage': q('256Mi') },
                  limits: { cpu: q('1'), memory: q('256Mi'), 'ephemeral-storage': q('256Mi') },
                },
                volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: EGRESS_PROXY_NAME } }],
          },
        },
      },
    });
    new k8s.KubeService(this, 'Service', {
      metadata,
      spec: {
        selector: appSelector(EGRESS_PROXY_NAME),
        ports: props.routes.map((r) => ({ name: `app-${r.port}`, port: r.port, targetPort: k8s.IntOrString.fromNumber(r.port), protocol: 'TCP' })),
      },
    });
    new k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
      metadata,
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: appSelector(EGRESS_PROXY_NAME) } },
    });
  }
}
