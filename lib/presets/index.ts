/**
 * Presets for the model servers this field runs: each fills the image, arguments, port, health
 * path, writable paths, shared memory and telemetry settings of an app, from the server's own
 * sources. Spread one into an app in main.ts: `{ name, namespace, ...vllm({ model }), egress }`.
 */
export { TELEMETRY_OFF } from './preset';
export type { PresetOptions, ServerPreset } from './preset';
export { vllm } from './vllm';
export type { VllmOptions } from './vllm';
export { tei } from './tei';
export { ANTHROPIC_API, HUGGING_FACE_HUB, NVIDIA_NGC, OPENAI_API, PYPI, awsS3, azureBlobStorage, googleCloudStorage } from './hosts';
