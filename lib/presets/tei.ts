/**
 * Hugging Face Text Embeddings Inference (TEI), as its images run it. Sources are named beside
 * each value; "tei" below is github.com/huggingface/text-embeddings-inference at v1.9.3.
 */
import { PROJECT_IMAGES } from '../intent';
import { PresetOptions, ServerPreset, TELEMETRY_OFF, checkOptions, hubFields } from './preset';

/**
 * Images when none is given: the CPU build, or for GPUs the `cuda-` build the README's quick
 * tour runs, each at the patch release: TEI's release workflow pushes `<prefix>{{version}}`
 * (`cpu-1.9.3`) and `<prefix>{{major}}.{{minor}}` (`cpu-1.9`, which moves to every patch) for
 * each release tag (tei .github/workflows/build.yaml, docker/metadata-action `type=semver`). The
 * README's "Docker Images" table lists one image per GPU architecture (`turing-1.9`, `1.9` for
 * A100, `86-1.9` for A10, `89-1.9`, `hopper-1.9`); pass the one of your nodes, at its patch
 * release, as `image` to skip the generic build.
 */
const TEI_IMAGES = { cpu: PROJECT_IMAGES.teiCpu, gpu: PROJECT_IMAGES.teiGpu } as const;

/**
 * TEI's images are built for one architecture: the same workflow builds with
 * `platforms: "linux/amd64"`, so an arm64 node (Graviton, Ampere) pulls no image it can run
 * ("exec format error"). The pods select amd64 nodes by the well-known label the kubelet sets
 * (https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-arch).
 */
const TEI_NODE_SELECTOR = { 'kubernetes.io/arch': 'amd64' } as const;

/**
 * Probe timing: TEI's `/health` answers only once a health command has gone through the backend
 * (router/src/http/server.rs `health` calls `Infer::health`, which asks `Backend::health`,
 * core/src/infer.rs and backends/src/lib.rs), on the same channel as the batches of embeddings,
 * so under load it waits for the batch ahead of it. 10 s for an answer and six failed liveness
 * probes (two minutes) before a restart keep a busy server from being killed; our figures.
 */
const TEI_PROBES = { timeoutSeconds: 10, livenessFailureThreshold: 6 } as const;

/**
 * TEI serves Prometheus metrics on a port of its own, `--prometheus-port`, 9000 by default
 * (router/src/main.rs), not on its API port: the preset declares it, and the pods of the
 * platform's (or the app's) `metrics.scrapers` are admitted there.
 */
const TEI_METRICS_PORT = 9000;

/**
 * The port: the images set `ENV PORT=80` (tei Dockerfile, Dockerfile-cuda), which a non-root
 * user without capabilities cannot bind where the runtime keeps the privileged ports, so the
 * preset passes `--port 8080`.
 */
const TEI_PORT = 8080;

/** The hub cache the images use: `ENV HUGGINGFACE_HUB_CACHE=/data` (tei Dockerfile), as in the README's `-v $volume:/data`. */
const TEI_MODEL_CACHE = '/data';

/**
 * TEI serving a model (`--model-id`), on the CPU unless `gpus` is given:
 * - `--hostname ::`: the listen address is read from `--hostname` or the `HOSTNAME` variable
 *   (router/src/main.rs), which the container runtime sets to the pod's name; TEI cannot parse
 *   that as an address, warns "Invalid hostname, defaulting to 0.0.0.0" (router/src/lib.rs) and
 *   listens on IPv4 only. `::` listens on IPv6 and IPv4.
 * - `--port 8080` (see TEI_PORT), and `--json-output`, which the images' `CMD` passes and the
 *   pod's args replace.
 * - health on `/health`: 200 once the model is loaded, 503 when unhealthy (router/src/http/server.rs).
 * - `HUGGINGFACE_HUB_CACHE=/data` on the model cache; `/tmp` stays writable for its default
 *   `--uds-path` (/tmp/text-embeddings-inference-server, docs/source/en/cli_arguments.md).
 * - telemetry: TEI sends none of its own (only OpenTelemetry traces, to an `--otlp-endpoint`
 *   when one is given); `HF_HUB_DISABLE_TELEMETRY=1` and `DO_NOT_TRACK=1` are set all the same.
 * - amd64 nodes only (TEI_NODE_SELECTOR), with `nodeSelector` laid over it; probe timing from
 *   TEI_PROBES.
 * - the model hub (`hub`): TEI downloads with the hf-hub crate's tokio API
 *   (router/src/lib.rs, `ApiBuilder::from_env()`), whose client is reqwest's
 *   (hf-hub src/api/tokio.rs, ApiBuilder::build: `Client::builder()...build()`), and reqwest
 *   sends through `HTTPS_PROXY` and leaves out `NO_PROXY` by default ("System proxies are
 *   enabled by default", reqwest's docs, Proxies): the proxy variables of an app with host names
 *   carry its downloads. TEI 1.9.3 has no offline switch of its own: it downloads whenever
 *   `--model-id` is not a folder (router/src/lib.rs). Without a hub reachable, HF_HUB_OFFLINE=1 is
 *   set for the hub clients that read it, and the model must be a path in the model cache.
 */
export function tei(options: PresetOptions): ServerPreset {
  checkOptions('tei', options);
  const gpus = options.gpus ?? 0;
  const hub = hubFields(options);
  return {
    image: options.image ?? (gpus > 0 ? TEI_IMAGES.gpu : TEI_IMAGES.cpu),
    args: ['--model-id', options.model, '--hostname', '::', '--port', String(TEI_PORT), '--json-output', ...(options.args ?? [])],
    port: TEI_PORT,
    healthPath: '/health',
    gpus,
    env: { HUGGINGFACE_HUB_CACHE: TEI_MODEL_CACHE, ...TELEMETRY_OFF, ...hub.env, ...options.env },
    egress: hub.egress,
    modelCachePath: TEI_MODEL_CACHE,
    probes: TEI_PROBES,
    metrics: { port: TEI_METRICS_PORT },
    nodeSelector: { ...TEI_NODE_SELECTOR, ...options.nodeSelector },
  };
}
