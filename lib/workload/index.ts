import { Construct } from 'constructs';
import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { AiAppIntent, DEFAULT_MODEL_CACHE_PATH, DEFAULT_MODEL_CACHE_SIZE, DEFAULT_RESOURCES } from '../intent';
import { RUN_AS, SyncWave, appLabels, appSelector, syncWave } from '../platform/conventions';


/** Pod Security Admission labels for the `restricted` profile, enforced, audited and warned. */
export function restrictedNamespaceLabels(): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const mode of ['enforce', 'audit', 'warn']) {
    labels[`pod-security.kubernetes.io/${mode}`] = 'restricted';
    labels[`pod-security.kubernetes.io/${mode}-version`] = 'latest';
  }
  return labels;
}

/** A namespace owned by this project, labelled for Pod Security Admission `restricted`. */
export class RestrictedNamespace extends Construct {
  constructor(scope: Construct, id: string, name: string) {
    super(scope, id);
    new kplus.Namespace(this, 'Resource', {
      metadata: {
        name,
        labels: { ...restrictedNamespaceLabels(), 'app.kubernetes.io/managed-by': 'cdk8s' },
        annotations: syncWave(SyncWave.namespace),
      },
    });
  }
}

/**
 * Sets the size limit of the emptyDir volume at `index` of a Deployment's pod, after testing
 * that the volume there is `name`: if the volumes ever come in another order, applying the
 * patch fails (and synthesis with it) instead of sizing another volume.
 */
export function emptyDirSizeLimit(index: number, name: string, sizeLimit: kplus.k8s.Quantity): JsonPatch[] {
  return [
    JsonPatch.test(`/spec/template/spec/volumes/${index}/name`, name),
    JsonPatch.add(`/spec/template/spec/volumes/${index}/emptyDir`, { sizeLimit }),
  ];
}

/**
 * The AI workload itself: a ServiceAccount without a token, a Deployment whose pods pass Pod
 * Security Standards `restricted`, and a Service on the container port.
 *
 * The root filesystem is read-only; a model server gets writable emptyDirs for `/tmp` and for
 * its model cache. Selectors use `app.kubernetes.io/name`, never generated hashes, so the
 * NetworkPolicies can select the same pods by a readable label.
 */
export class AiWorkload extends Construct {
  constructor(scope: Construct, id: string, app: AiAppIntent) {
    super(scope, id);
    const labels = appLabels(app.name);
    const metadata = (extra: Record<string, string> = {}) => ({
      name: app.name,
      namespace: app.namespace,
      labels,
      annotations: { ...syncWave(SyncWave.workload), ...extra },
    });

    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: metadata(),
      automountToken: false,
    });

    const deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: metadata(),
      replicas: app.replicas ?? 1,
      select: false,
      podMetadata: { labels },
      serviceAccount,
      automountServiceAccountToken: false,
      securityContext: { ensureNonRoot: true, user: RUN_AS.user, group: RUN_AS.group, fsGroup: RUN_AS.fsGroup },
    });
    deployment.select(kplus.LabelSelector.of({ labels: appSelector(app.name) }));

    // Without a health path nothing is guessed: the probes check that the port accepts a connection.
    // https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#define-a-tcp-liveness-probe
    const probe = (options: kplus.ProbeOptions) => (app.healthPath === undefined
      ? kplus.Probe.fromTcpSocket({ port: app.port, ...options })
      : kplus.Probe.fromHttpGet(app.healthPath, { port: app.port, ...options }));
    const container = deployment.addContainer({
      name: 'server',
      image: app.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      args: app.args ? [...app.args] : undefined,
      ports: [{ number: app.port, name: 'http', protocol: kplus.Protocol.TCP }],
      envVariables: Object.fromEntries(Object.entries(app.env ?? {}).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
      securityContext: {
        ensureNonRoot: true,
        user: RUN_AS.user,
        group: RUN_AS.group,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
      },
      readiness: probe({}),
      liveness: probe({ initialDelaySeconds: Duration.seconds(30), periodSeconds: Duration.seconds(20) }),
    });
    container.mount('/tmp', kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp', { sizeLimit: Size.gibibytes(1) }));
    const modelCache = kplus.Volume.fromEmptyDir(this, 'ModelCache', 'model-cache');
    container.mount(app.modelCachePath ?? DEFAULT_MODEL_CACHE_PATH, modelCache);
    // The pod's volumes are its container's mounts, in mount order (cdk8s-plus-27 Pod._toPodSpec).
    const cacheIndex = [...new Set(container.mounts.map((m) => m.volume.name))].indexOf(modelCache.name);

    // cdk8s-plus-27 has no seccompProfile, no "ALL" capability, no GPU resources and typed quantities only; the
    // intent carries Kubernetes quantities as written, so these go in as patches.
    // The typed serializer of cdk8s-plus-27 runs after patches, so quantities go in as Quantity.
    const q = kplus.k8s.Quantity.fromString;
    const resources = app.resources ?? DEFAULT_RESOURCES;
    const gpu = app.gpus ? { 'nvidia.com/gpu': q(String(app.gpus)) } : {};
    const pod = ApiObject.of(deployment);
    pod.addJsonPatch(
      // cdk8s-plus labels pods with a hashed address; selectors here use readable labels only.
      JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'),
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }),
      JsonPatch.add('/spec/template/spec/containers/0/resources', {
        requests: { cpu: q(resources.cpu.request), memory: q(resources.memory.request), ...gpu },
        limits: { cpu: q(resources.cpu.limit), memory: q(resources.memory.limit), ...gpu },
      }),
      ...emptyDirSizeLimit(cacheIndex, modelCache.name, q(app.modelCacheSize ?? DEFAULT_MODEL_CACHE_SIZE)),
    );

    const service = new kplus.Service(this, 'Service', {
      metadata: metadata(),
      ports: [{ name: 'http', port: app.port, targetPort: app.port, protocol: kplus.Protocol.TCP }],
    });
    for (const [key, value] of Object.entries(appSelector(app.name))) service.selectLabel(key, value);
  }
}
