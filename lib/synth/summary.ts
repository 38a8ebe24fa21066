import { AiAppIntent, EPHEMERAL_STORAGE_WARNING, PlatformIntent, appliedDefaults, ephemeralStorage, modelCacheOf, resolverDefault } from '../intent';

/**
 * The defaults the apps rely on, where they are worth seeing (resources not declared, probes without
 * a health path), and the resolver's address when a default Service range placed it.
 */
export function formatDefaults(intent: PlatformIntent): string {
  const resolver = resolverDefault(intent);
  const lines = [
    ...(resolver !== undefined ? [`  dnsResolver.clusterIp: ${resolver}`] : []),
    ...intent.apps.flatMap((a: AiAppIntent) => appliedDefaults(a)).map((d) => `  ${d.app}.${d.field}: ${d.value}`),
  ];
  return lines.length ? `defaults applied (declare the field to choose otherwise):\n${lines.join('\n')}\n` : '';
}

/**
 * The node disk each app's pod requests (`ephemeral-storage`: its emptyDirs and room for logs),
 * one line per app, so that a model cache too large for the node pool's disks is seen before the
 * pod stays Pending. Above EPHEMERAL_STORAGE_WARNING the intent's advice also warns.
 */
export function formatStorage(intent: PlatformIntent): string {
  const lines = intent.apps.map((a: AiAppIntent) => {
    const cache = modelCacheOf(a);
    const what =
      cache === undefined
        ? 'no model cache'
        : cache.kind === 'emptyDir'
          ? `model cache ${cache.size} in an emptyDir`
          : `model cache on claim ${cache.claimName}`;
    return `  ${a.name}: ${ephemeralStorage(a)} (${what})`;
  });
  return `ephemeral storage per pod (node disk; warned above ${EPHEMERAL_STORAGE_WARNING}):\n${lines.join('\n')}\n`;
}
