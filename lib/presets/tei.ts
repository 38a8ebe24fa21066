/**
 * Hugging Face Text Embeddings Inference (TEI), as its images run it. Sources are named beside
 * each value; "tei" below is github.com/huggingface/text-embeddings-inference at v1.9.3.
 */
import { PresetOptions, ServerPreset, TELEMETRY_OFF, checkOptions, hubFields } from './preset';

/**
 * Images when none is given: the CPU build, or for GPUs the `cuda-` build the README's quick
 * tour runs. The README's "Docker Images" table lists one image per GPU architecture
 * (`turing-1.9`, `1.9` for A100, `86-1.9` for A10, `89-1.9`, `hopper-1.9`); pass the one of your
 * nodes as `image` to skip the generic build.
 */
const TEI_IMAGES = {
  cpu: 'ghcr.io/huggingface/text-embeddings-inference:cpu-1.9',
  gpu: 'ghcr.io/huggingface/text-embeddings-inference:cuda-1.9',
} as const;

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
  };
}
