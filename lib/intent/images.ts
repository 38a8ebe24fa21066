/**
 * The images this project pins itself, in its presets (lib/presets), by a tag of a patch release:
 * each is known to run under the pod lib/workload writes (non-root numeric user, read-only root
 * filesystem, the writable paths its preset declares), so the intent's advice says nothing of
 * them. Sources are named in the presets.
 */
export const PROJECT_IMAGES = {
  /** vLLM's OpenAI-compatible server (CUDA, linux/amd64 and linux/arm64). */
  vllm: 'vllm/vllm-openai:v0.10.2',
  /** Text Embeddings Inference for the CPU (linux/amd64 only). */
  teiCpu: 'ghcr.io/huggingface/text-embeddings-inference:cpu-1.9.3',
  /** Text Embeddings Inference for CUDA GPUs (linux/amd64 only). */
  teiGpu: 'ghcr.io/huggingface/text-embeddings-inference:cuda-1.9.3',
} as const;

/** True for an image the project pins in a preset. */
export function isProjectImage(image: string): boolean {
  return (Object.values(PROJECT_IMAGES) as string[]).includes(image);
}

/**
 * The tag of an image reference when it names a minor release only (`1.9`, `v0.10`, `cpu-1.9`,
 * `cuda-12.4`), which its publisher moves to each patch release: the pod then runs whatever was
 * pushed last, on each node that pulls it. Undefined for a patch-pinned tag, a digest, or a tag
 * that is no version.
 */
export function minorOnlyTag(image: string): string | undefined {
  if (image.includes('@')) return undefined;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) return undefined;
  const tag = image.slice(colon + 1);
  return /(^|[-_])v?\d+\.\d+$/.test(tag) ? tag : undefined;
}
