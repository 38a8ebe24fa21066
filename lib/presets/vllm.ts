/**
 * vLLM's OpenAI-compatible server (https://docs.vllm.ai), as the official image runs it.
 * Sources are named beside each value; "vllm" below is github.com/vllm-project/vllm.
 */
import { PROJECT_IMAGES } from '../intent';
import { PresetOptions, ServerPreset, TELEMETRY_OFF, checkOptions, hubFields } from './preset';

/** The image when none is given: the official one (CUDA; a CPU-only node needs an image of its own). */
const VLLM_IMAGE = PROJECT_IMAGES.vllm;

/**
 * Probe timing: vLLM's `/health` (vllm/entrypoints/openai/api_server.py `health`) awaits the
 * engine client's `check_health()` on the API server's event loop, which under load also
 * tokenizes, detokenizes and streams every request, so an answer may take seconds though the
 * engine is fine. 10 s for an answer, and six failed liveness probes (two minutes) before a
 * restart, which would cost the whole model load again; our figures.
 */
const VLLM_PROBES = { timeoutSeconds: 10, livenessFailureThreshold: 6 } as const;

/** `--port` default of vLLM's server (vllm/entrypoints/openai/cli_args.py, FrontendArgs.port). */
const VLLM_PORT = 8000;

/**
 * vLLM serves Prometheus metrics at `/metrics` on its API port (vllm/entrypoints/openai/api_server.py,
 * mount_metrics): scrapers are admitted there, which also lets them call the API.
 */
const VLLM_METRICS = { port: VLLM_PORT } as const;

/** Where weights are downloaded: HF_HOME, whose hub cache is `$HF_HOME/hub` (huggingface_hub constants.py). */
const VLLM_MODEL_CACHE = '/models';

/** Options of the vLLM preset. */
export interface VllmOptions extends PresetOptions {
  /** GPUs; more than one shards the model across them (`--tensor-parallel-size`). @default 1 */
  readonly gpus?: number;
}

/**
 * vLLM's OpenAI-compatible server for a model, on `gpus` GPUs:
 * - args `<model> --host :: --port 8000` after the image's entrypoint, `vllm serve` (vllm
 *   docker/Dockerfile, `ENTRYPOINT ["vllm", "serve"]` of the vllm-openai target): `vllm serve`
 *   takes the model as its positional `model_tag` and warns that `--model` is deprecated there
 *   (vllm/entrypoints/cli/serve.py). An image whose entrypoint is the older
 *   `python3 -m vllm.entrypoints.openai.api_server` needs `--model`: pass its args yourself. With
 *   `--host ::` vLLM binds an AF_INET6 socket itself (api_server.py create_server_socket) without
 *   IPV6_V6ONLY, so it answers on IPv6 and IPv4; without it, IPv4 only.
 * - `--tensor-parallel-size <gpus>` for more than one GPU.
 * - health on `/health`, which answers 200 once the engine is up and 503 when it died
 *   (vllm/entrypoints/openai/api_server.py); the socket is bound before the model loads, so the
 *   startup probe is what waits (docs/deployment/k8s.md, "Troubleshooting").
 * - `VLLM_NO_USAGE_STATS=1` and `DO_NOT_TRACK=1`: vLLM otherwise reports usage to
 *   stats.vllm.ai at start and every 10 minutes (docs/usage/usage_stats.md), which the egress
 *   policy blocks and logs. vllm/envs.py compares both with `== "1"`: "true" does not work.
 * - HF_HOME on the model cache (`/models`): the image has no USER line, so its own HOME is /root.
 * - `/dev/shm` of 2Gi in memory, as vLLM's Kubernetes guide mounts it: "vLLM needs to access the
 *   host's shared memory for tensor parallel inference" (docs/deployment/k8s.md).
 * - HOME of 4Gi: vLLM keeps its torch.compile cache under VLLM_CACHE_ROOT, `~/.cache/vllm`
 *   (vllm/envs.py); /tmp of 2Gi for its IPC sockets (VLLM_RPC_BASE_PATH, `tempfile.gettempdir()`)
 *   and PyTorch Inductor's default cache, `/tmp/torchinductor_<user>` (pytorch/pytorch#140765).
 *   Both sizes are our margin, not upstream figures.
 * - the model hub (`hub`): vLLM downloads weights with huggingface_hub, whose HTTP session is
 *   requests' (`huggingface_hub/utils/_http.py`, get_session), and Xet-stored files with hf_xet,
 *   a reqwest client; requests sends HTTPS through `HTTPS_PROXY` and leaves out `NO_PROXY`
 *   (requests `sessions.py`, trust_env, and `utils.py`, get_environ_proxies), and reqwest reads the
 *   same variables by default ("System proxies are enabled by default", reqwest's docs, Proxies),
 *   so the proxy variables of an app with host names carry its downloads. Without a hub
 *   reachable, HF_HUB_OFFLINE=1 keeps it from trying (huggingface_hub and, through it,
 *   transformers read it).
 */
export function vllm(options: VllmOptions): ServerPreset {
  checkOptions('vllm', options);
  const gpus = options.gpus ?? 1;
  // The official image is built for CUDA (docker/Dockerfile); without a GPU it cannot start. A CPU
  // build of vLLM is an image of its own (docker/Dockerfile.cpu), which is then named here.
  if (gpus === 0 && options.image === undefined) {
    throw new Error(
      `vllm({ gpus }): 0 asks for no GPU, and the default image ${VLLM_IMAGE} is built for CUDA GPUs only; accepted: gpus of 1 or more, or gpus: 0 with the image of a CPU build of vLLM (its docker/Dockerfile.cpu) as image`,
    );
  }
  const hub = hubFields(options);
  return {
    image: options.image ?? VLLM_IMAGE,
    args: [options.model, '--host', '::', '--port', String(VLLM_PORT), ...(gpus > 1 ? ['--tensor-parallel-size', String(gpus)] : []), ...(options.args ?? [])],
    port: VLLM_PORT,
    healthPath: '/health',
    gpus,
    env: { HF_HOME: VLLM_MODEL_CACHE, VLLM_NO_USAGE_STATS: '1', ...TELEMETRY_OFF, ...hub.env, ...options.env },
    egress: hub.egress,
    modelCachePath: VLLM_MODEL_CACHE,
    probes: VLLM_PROBES,
    metrics: VLLM_METRICS,
    ...(options.nodeSelector ? { nodeSelector: options.nodeSelector } : {}),
    shmSize: '2Gi',
    tmpSize: '2Gi',
    homeSize: '4Gi',
  };
}
