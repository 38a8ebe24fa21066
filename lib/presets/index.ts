/**
 * Presets for the model servers this field runs: each fills the image, arguments, port, health
 * path, writable paths, shared memory and telemetry settings of an app, from the server's own
 * sources. Spread one into an app in main.ts: `{ name, namespace, ...vllm({ model }), egress }`.
 */
export { TELEMETRY_OFF } from './preset';
export type { PresetOptions, ServerPreset } from './preset';
export { VLLM_IMAGE, VLLM_MODEL_CACHE, VLLM_PORT, vllm } from './vllm';
export type { VllmOptions } from './vllm';
export { TEI_IMAGES, TEI_MODEL_CACHE, TEI_PORT, tei } from './tei';
