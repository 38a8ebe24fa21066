import { Construct } from 'constructs';
import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  AiAppIntent,
  DEFAULT_RESOURCES,
  ResolverSettings,
  Scrape,
  ephemeralStorage,
  modelCacheOf,
  probeTimingOf,
  tolerationsOf,
  usesResolver,
  writableVolumes,
} from '../intent';
import { GOVERNED_NAMESPACE_LABEL, RUN_AS, SyncWave, appLabels, appSelector, serviceAccountName, syncWave } from '../conventions';
import { STARTUP_PERIOD_SECONDS, environment, progressDeadlineSeconds, rolloutOf, startupFailureThreshold } from './pod';
import { POD_SECURITY_MODES, podSecurityLabel, podSecurityVersionLabel } from '../k8s';

export * from './pod';
export * from './corefile';
export * from './dns-resolver';

/** Pod Security Admission labels for the `restricted` profile, enforced, audited and warned. */
function restrictedNamespaceLabels(): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const mode of POD_SECURITY_MODES) {
    labels[podSecurityLabel(mode)] = 'restricted';
    labels[podSecurityVersionLabel(mode)] = 'latest';
  }
  return labels;
}

export interface RestrictedNamespaceProps {
  /** The namespace's name. */
  readonly name: string;
}

/**
 * A namespace owned by this project, labelled for Pod Security Admission `restricted`, and with
 * `secure-ai-egress/governed: "true"`, by which the guardrail, the tier's closing Deny and the
 * admission policy select it.
 */
export class RestrictedNamespace extends Construct {
  constructor(scope: Construct, id: string, props: RestrictedNamespaceProps) {
    super(scope, id);
    new kplus.Namespace(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: { ...restrictedNamespaceLabels(), 'app.kubernetes.io/managed-by': 'cdk8s', [GOVERNED_NAMESPACE_LABEL]: 'true' },
        annotations: syncWave(SyncWave.namespace),
      },
    });
  }
}

/**
 * Writes the emptyDir of the volume at `index` of a Deployment's pod (its size limit, and its
 * medium), after testing that the volume there is `name`: if the volumes ever come in another
 * order, applying the patch fails (and synthesis with it) instead of sizing another volume.
 */
export function emptyDirPatch(index: number, name: string, emptyDir: { sizeLimit: kplus.k8s.Quantity; medium?: 'Memory' }): JsonPatch[] {
  return [JsonPatch.test(`/spec/template/spec/volumes/${index}/name`, name), JsonPatch.add(`/spec/template/spec/volumes/${index}/emptyDir`, emptyDir)];
}

/**
 * The AI workload itself: a ServiceAccount without a token, a Deployment whose pods pass Pod
 * Security Standards `restricted`, and a Service on the container port.
 *
 * The root filesystem is read-only; the server gets sized emptyDirs for `/tmp`, HOME and its
 * model cache (and `/dev/shm` in memory where it needs one), and requests the disk they take.
 * It may take its startup budget to come up before readiness and liveness are probed.
 * Selectors use `app.kubernetes.io/name`, never generated hashes, so the NetworkPolicies can
 * select the same pods by a readable label.
 */
export interface AiWorkloadOptions {
  /** The resolver of cluster names, which the pods name as their only nameserver unless the app declares public names. @default none: refused for an app without public names */
  readonly resolver?: ResolverSettings;
  /** How the app is scraped (scrapeOf, lib/intent): a metrics port other than the app's is a container port of its own, `metrics`. @default not scraped */
  readonly scrape?: Scrape;
  /**
   * Variables the platform sets beside the app's own: the egress proxy's HTTPS_PROXY, HTTP_PROXY
   * and NO_PROXY, for an app with host names (proxyEnvironment in lib/intent). @default none
   */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * How a pod resolves through the resolver of cluster names: `dnsPolicy: None` and a `dnsConfig`
 * with the resolver's ClusterIP as its only nameserver, and the search domains and `ndots` that
 * kube-dns would have given it (the kubelet's ClusterFirst: `<namespace>.svc.<domain>`,
 * `svc.<domain>`, `<domain>`, then the node's own, and `options ndots:5`;
 * kubernetes/kubernetes pkg/kubelet/network/dns/dns.go, generateSearchesForDNSClusterFirst and
 * ndotsDNSOption). The node's own search domains are left out: names under them are outside the
 * cluster, which the resolver refuses anyway.
 * https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-dns-config
 */
function resolverDnsConfig(namespace: string, resolver: ResolverSettings) {
  const domain = resolver.clusterDomain;
  return {
    dnsPolicy: 'None' as const,
    dnsConfig: {
      nameservers: [resolver.clusterIp],
      searches: [`${namespace}.svc.${domain}`, `svc.${domain}`, domain],
      options: [{ name: 'ndots', value: '5' }],
    },
  };
}

export class AiWorkload extends Construct {
  constructor(scope: Construct, id: string, app: AiAppIntent, options: AiWorkloadOptions = {}) {
    super(scope, id);
    const labels = appLabels(app.name);
    const metadata = (extra: Record<string, string> = {}) => ({
      name: app.name,
      namespace: app.namespace,
      labels,
      annotations: { ...syncWave(SyncWave.workload), ...extra },
    });

    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { ...metadata(), name: serviceAccountName(app.name) },
      automountToken: false,
    });

    const rollout = rolloutOf(app);
    const deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: metadata(),
      replicas: app.replicas ?? 1,
      ...(rollout
        ? {
            strategy: kplus.DeploymentStrategy.rollingUpdate({
              maxSurge: kplus.PercentOrAbsolute.absolute(rollout.maxSurge),
              maxUnavailable: kplus.PercentOrAbsolute.absolute(rollout.maxUnavailable),
            }),
          }
        : {}),
      progressDeadline: Duration.seconds(progressDeadlineSeconds(app)),
      select: false,
      podMetadata: { labels },
      serviceAccount,
      automountServiceAccountToken: false,
      securityContext: { ensureNonRoot: true, user: RUN_AS.user, group: RUN_AS.group, fsGroup: RUN_AS.fsGroup },
    });
    deployment.select(kplus.LabelSelector.of({ labels: appSelector(app.name) }));

    // Without a health path nothing is guessed: the probes check that the port accepts a connection.
    // https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#define-a-tcp-liveness-probe
    const timing = probeTimingOf(app);
    const probe = (options: kplus.ProbeOptions) =>
      app.healthPath === undefined
        ? kplus.Probe.fromTcpSocket({ port: app.port, ...options })
        : kplus.Probe.fromHttpGet(app.healthPath, { port: app.port, ...options });
    const container = deployment.addContainer({
      name: 'server',
      image: app.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      args: app.args ? [...app.args] : undefined,
      ports: [
        { number: app.port, name: 'http', protocol: kplus.Protocol.TCP },
        ...(options.scrape !== undefined && options.scrape.port !== app.port
          ? [{ number: options.scrape.port, name: 'metrics', protocol: kplus.Protocol.TCP }]
          : []),
      ],
      envVariables: Object.fromEntries(Object.entries({ ...environment(app), ...options.env }).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
      securityContext: {
        ensureNonRoot: true,
        user: RUN_AS.user,
        group: RUN_AS.group,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
      },
      // "All other probes are disabled if a startup probe is provided, until it succeeds"
      // (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-probes), so
      // a server loading its model is neither killed by liveness nor counted unready too early.
      // Readiness and liveness wait timeoutSeconds for an answer (the kubelet's default, 1 s, fails
      // a model server busy with a batch), and liveness restarts the container only after
      // livenessFailureThreshold failures in a row: the presets set both from their servers.
      startup: probe({
        periodSeconds: Duration.seconds(STARTUP_PERIOD_SECONDS),
        failureThreshold: startupFailureThreshold(app),
        timeoutSeconds: Duration.seconds(timing.timeoutSeconds),
      }),
      readiness: probe({ periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(timing.timeoutSeconds) }),
      liveness: probe({
        periodSeconds: Duration.seconds(20),
        timeoutSeconds: Duration.seconds(timing.timeoutSeconds),
        failureThreshold: timing.livenessFailureThreshold,
      }),
    });
    const volumes = writableVolumes(app);
    for (const v of volumes) {
      container.mount(v.path, kplus.Volume.fromEmptyDir(this, `Volume-${v.name}`, v.name, v.memory ? { medium: kplus.EmptyDirMedium.MEMORY } : {}));
    }
    // A model cache from a claim is a volume like the others, after the emptyDirs.
    const cache = modelCacheOf(app);
    if (cache?.kind === 'claim') {
      const claim = kplus.PersistentVolumeClaim.fromClaimName(this, 'ModelCacheClaim', cache.claimName);
      container.mount(cache.path, kplus.Volume.fromPersistentVolumeClaim(this, 'Volume-model-cache', claim, { name: 'model-cache' }));
    }
    // The pod's volumes are its container's mounts, in mount order (cdk8s-plus-27 Pod._toPodSpec).
    const podVolumes = [...new Set(container.mounts.map((m) => m.volume.name))];

    // cdk8s-plus-27 has no seccompProfile, no "ALL" capability, no GPU or ephemeral-storage
    // resources, no nodeSelector, no runtimeClassName and typed quantities only; the intent
    // carries Kubernetes quantities as written, so these go in as patches.
    // The typed serializer of cdk8s-plus-27 runs after patches, so quantities go in as Quantity.
    const q = (value: string) => kplus.k8s.Quantity.fromString(value);
    const resources = app.resources ?? DEFAULT_RESOURCES;
    const gpu = app.gpus ? { 'nvidia.com/gpu': q(String(app.gpus)) } : {};
    const storage = { 'ephemeral-storage': q(ephemeralStorage(app)) };
    const tolerations = tolerationsOf(app);
    const pod = ApiObject.of(deployment);
    pod.addJsonPatch(
      // cdk8s-plus labels pods with a hashed address; selectors here use readable labels only.
      JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'),
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }),
      JsonPatch.add('/spec/template/spec/containers/0/resources', {
        requests: { cpu: q(resources.cpu.request), memory: q(resources.memory.request), ...storage, ...gpu },
        limits: { cpu: q(resources.cpu.limit), memory: q(resources.memory.limit), ...storage, ...gpu },
      }),
      ...volumes.flatMap((v) =>
        emptyDirPatch(podVolumes.indexOf(v.name), v.name, { sizeLimit: q(v.size), ...(v.memory ? { medium: 'Memory' as const } : {}) }),
      ),
      ...(tolerations.length > 0 ? [JsonPatch.add('/spec/template/spec/tolerations', tolerations)] : []),
      ...(app.nodeSelector ? [JsonPatch.add('/spec/template/spec/nodeSelector', app.nodeSelector)] : []),
      // Opt-in only: a pod naming a RuntimeClass the cluster does not have is rejected, and managed
      // GPU node pools run GPU containers without one (https://kubernetes.io/docs/concepts/containers/runtime-class/).
      ...(app.runtimeClassName ? [JsonPatch.add('/spec/template/spec/runtimeClassName', app.runtimeClassName)] : []),
      ...dnsPatches(app, options.resolver),
    );

    const service = new kplus.Service(this, 'Service', {
      metadata: metadata(),
      ports: [{ name: 'http', port: app.port, targetPort: app.port, protocol: kplus.Protocol.TCP }],
    });
    for (const [key, value] of Object.entries(appSelector(app.name))) service.selectLabel(key, value);
  }
}

/** The pod's DNS: the resolver of cluster names, unless the app declares public names (then the cluster's DNS, ClusterFirst). */
function dnsPatches(app: AiAppIntent, resolver: ResolverSettings | undefined): JsonPatch[] {
  if (!usesResolver(app)) return [];
  if (!resolver) {
    throw new Error(
      `${app.namespace}/${app.name} resolves through the resolver of cluster names, and none was given; accepted: new AiWorkload(scope, id, app, { resolver: resolverSettings(intent) }) (lib/intent), or dns: { publicNames: { reason } } on an app that resolves names outside the cluster`,
    );
  }
  const { dnsPolicy, dnsConfig } = resolverDnsConfig(app.namespace, resolver);
  return [JsonPatch.add('/spec/template/spec/dnsPolicy', dnsPolicy), JsonPatch.add('/spec/template/spec/dnsConfig', dnsConfig)];
}
