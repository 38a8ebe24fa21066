import { AiAppIntent, EgressDestination, didYouMean } from '../intent';

/**
 * The fields a server preset fills in an app: spread it into the app (`...vllm({ model })`) and
 * declare the rest (name, namespace, resources, egress). It is plain intent data, checked with the
 * rest of the app when synthesized; a field written after the spread replaces the preset's.
 */
export type ServerPreset = Required<Pick<AiAppIntent, 'image' | 'args' | 'port' | 'healthPath' | 'gpus' | 'env' | 'modelCachePath' | 'probes' | 'egress'>> &
  Pick<AiAppIntent, 'shmSize' | 'tmpSize' | 'homeSize' | 'nodeSelector' | 'metrics'>;

/** What every preset takes. */
export interface PresetOptions {
  /** The model: a Hugging Face model id (`Qwen/Qwen2.5-1.5B-Instruct`), or a path in the model cache. */
  readonly model: string;
  /** Number of `nvidia.com/gpu`. @default the preset's: 1 for vLLM, 0 (the CPU image) for TEI */
  readonly gpus?: number;
  /** The image, pinned by tag or digest. @default the preset's */
  readonly image?: string;
  /** More arguments for the server, after the preset's. @default none */
  readonly args?: readonly string[];
  /**
   * More environment, laid over the preset's: a variable of the preset can be changed here, and
   * none is lost, as it would be to an `env` written after the spread.
   * @default none: the preset's environment
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * The model hub's host names, reached through the egress proxy on 443, e.g. HUGGING_FACE_HUB
   * (lib/presets). Without it, and without an `HF_ENDPOINT` mirror in `env`, no hub is reachable
   * and the preset sets the offline switch (see OFFLINE). @default none
   */
  readonly hub?: readonly string[];
  /**
   * The app's other destinations, after the hub's: the preset's `egress` holds both, so that the
   * hub is not lost to an `egress` written after the spread. @default none
   */
  readonly egress?: readonly EgressDestination[];
  /**
   * Node labels the pods must be scheduled on, laid over the preset's own (TEI's architecture):
   * a `nodeSelector` written after the spread would replace the preset's instead.
   * @default none: the preset's own
   */
  readonly nodeSelector?: Readonly<Record<string, string>>;
}

/**
 * Telemetry off, for every server: Hugging Face's hub client sends none with
 * `HF_HUB_DISABLE_TELEMETRY` or `DO_NOT_TRACK` true ("1", "ON", "YES" or "TRUE";
 * huggingface_hub `constants.py`, docs/source/en/package_reference/environment_variables.md).
 * "1" everywhere, since vLLM accepts nothing else (see vllm.ts).
 */
export const TELEMETRY_OFF = { DO_NOT_TRACK: '1', HF_HUB_DISABLE_TELEMETRY: '1' } as const;

/**
 * The hub client's offline switch: with `HF_HUB_OFFLINE` true it makes no request to the hub and
 * reads the local cache only (huggingface_hub constants.py, HF_HUB_OFFLINE; "1" is true).
 */
const OFFLINE = { HF_HUB_OFFLINE: '1' } as const;

/**
 * What a preset adds for its model hub: the hub's names as the first destination, or, when no
 * hub is reachable (no `hub`, no `HF_ENDPOINT` mirror), the offline switch.
 */
export function hubFields(options: PresetOptions): { egress: EgressDestination[]; env: Record<string, string> } {
  const reachable = options.hub !== undefined || options.env?.HF_ENDPOINT !== undefined;
  return {
    egress: [...(options.hub ? [{ description: 'model hub', hosts: [...options.hub], ports: [443] }] : []), ...(options.egress ?? [])],
    env: reachable ? {} : { ...OFFLINE },
  };
}

/**
 * Checks what a preset was given, so that a typo fails where it was made, with what is accepted:
 * main.ts is run without type-checking. Throws an Error naming the preset and the option.
 */
export function checkOptions(preset: string, options: PresetOptions): void {
  const fail = (option: string, value: unknown, problem: string) => {
    throw new Error(`${preset}({ ${option} }): ${JSON.stringify(value) ?? 'undefined'} ${problem}`);
  };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(
      `${preset}(): ${JSON.stringify(options) ?? 'undefined'} is not a set of options; accepted: an object such as { model: "Qwen/Qwen2.5-1.5B-Instruct" }`,
    );
  }
  if (typeof options.model !== 'string' || options.model.trim() === '' || /\s/.test(options.model)) {
    fail('model', options.model, 'is not a model; accepted: a Hugging Face model id such as "Qwen/Qwen2.5-1.5B-Instruct", or a path in the model cache');
  }
  if (options.gpus !== undefined && (!Number.isInteger(options.gpus) || options.gpus < 0))
    fail('gpus', options.gpus, 'is not a GPU count; accepted: a whole number, 0 or more');
  if (options.args !== undefined && (!Array.isArray(options.args) || options.args.some((a) => typeof a !== 'string'))) {
    fail('args', options.args, 'is not a list of arguments; accepted: a list of strings, e.g. ["--max-model-len", "8192"]');
  }
  if (options.env !== undefined && (typeof options.env !== 'object' || options.env === null || Array.isArray(options.env))) {
    fail('env', options.env, 'is not a set of environment variables; accepted: an object of NAME: "value" pairs');
  }
  if (options.hub !== undefined && (!Array.isArray(options.hub) || options.hub.length === 0 || options.hub.some((h) => typeof h !== 'string'))) {
    fail('hub', options.hub, 'is not a list of host names; accepted: a list such as HUGGING_FACE_HUB (lib/presets)');
  }
  if (options.egress !== undefined && !Array.isArray(options.egress)) fail('egress', options.egress, 'is not a list of destinations');
  if (
    options.nodeSelector !== undefined &&
    (typeof options.nodeSelector !== 'object' || options.nodeSelector === null || Array.isArray(options.nodeSelector))
  ) {
    fail(
      'nodeSelector',
      options.nodeSelector,
      'is not a set of node labels; accepted: an object of label: "value" pairs, e.g. { "cloud.google.com/gke-nodepool": "gpu" }',
    );
  }
  const known = ['model', 'gpus', 'image', 'args', 'env', 'nodeSelector', 'hub', 'egress'];
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = didYouMean(key, known);
    fail(
      key,
      (options as unknown as Record<string, unknown>)[key],
      `is not an option of ${preset}; accepted: ${known.join(', ')}${near ? `. Did you mean "${near}"?` : ''}`,
    );
  }
}
