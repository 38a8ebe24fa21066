import { AiAppIntent, IntentIssue, PlatformIntent, appliedDefaults, formatIssue, resolverDefault } from '../intent';

/** At most this many paths are named on one line of a warning shared by several fields. */
const PATHS_PER_LINE = 5;

/**
 * Warnings, one line each; the same warning (same value and message) on several fields is one
 * line naming them all, so a hundred apps of one image give one line, not a hundred.
 */
export function formatWarnings(warnings: readonly IntentIssue[]): string {
  if (warnings.length === 0) return '';
  const groups = new Map<string, IntentIssue[]>();
  for (const w of warnings) {
    const key = `${JSON.stringify(w.value)}\u0000${w.message}`;
    groups.set(key, [...(groups.get(key) ?? []), w]);
  }
  const lines = [...groups.values()].map((group) => {
    const paths = group.map((w) => w.path);
    const named = paths.length > PATHS_PER_LINE ? `${paths.slice(0, PATHS_PER_LINE).join(', ')} and ${paths.length - PATHS_PER_LINE} more` : paths.join(', ');
    return `  ${formatIssue({ ...group[0], path: named })}`;
  });
  return `${warnings.length} warning${warnings.length === 1 ? '' : 's'} (not errors: synthesis goes on):\n${lines.join('\n')}\n`;
}

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
