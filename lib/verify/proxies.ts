/**
 * Egress proxies as the manifests describe them: a workload whose container runs Squid, and the
 * squid.conf it reads, found where Kubernetes would put it (the ConfigMap volume mounted at the
 * path of its `-f` option, or at Squid's default `/etc/squid/squid.conf`). The configuration is
 * read with lib/squid, for the subset whose meaning the verifier knows; a proxy whose
 * configuration is not among the manifests, or not of that subset, is kept with the reason, so
 * that answers by name through it say they cannot be given.
 */
import { posix } from 'path';
import { SquidConfig, SquidConfigError, parseSquidConfig } from '../squid';
import { Manifest, describeSource } from './manifests';
import { podTemplateOf } from '../k8s';

/** Where Squid reads its configuration when no `-f` says otherwise (squid(8)). */
const DEFAULT_CONFIG = '/etc/squid/squid.conf';

/** One proxy: the workload that runs it, and its configuration (or why it could not be read). */
export interface EgressProxy {
  /** The workload's endpoint id, `namespace/name`. */
  readonly endpoint: string;
  /** The container that runs Squid. */
  readonly container: string;
  /** Where its configuration comes from: `ConfigMap ns/name, key squid.conf`. */
  readonly source?: string;
  readonly config?: SquidConfig;
  /** Why the configuration could not be read, when it could not. */
  readonly problem?: string;
}

type Obj = Record<string, unknown>;

const record = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] => list(v).filter((x): x is string => typeof x === 'string');

/** The pod spec of a Pod or of a workload's template. */
function podSpec(m: Manifest): Obj | undefined {
  return record(podTemplateOf(m.object)?.spec);
}

/** Whether a container runs Squid: its command starts it, or (without a command) its image is a Squid image. */
function runsSquid(container: Obj): boolean {
  const command = strings(container.command);
  if (command.length > 0) return posix.basename(command[0]) === 'squid';
  const image = (typeof container.image === 'string' ? container.image : '').split('@')[0];
  const repository = image.replace(/:[^/:]*$/, '');
  return posix.basename(repository) === 'squid';
}

/** The configuration file of a Squid command line: the value of `-f`, or the default. */
function configPath(container: Obj): string {
  const argv = [...strings(container.command), ...strings(container.args)];
  const i = argv.indexOf('-f');
  return i >= 0 && argv[i + 1] ? argv[i + 1] : DEFAULT_CONFIG;
}

/** The ConfigMap and key a file of the container comes from, through its volume mounts. */
function configSource(spec: Obj, container: Obj, path: string): { configMap: string; key: string } | string {
  const mounts = list(container.volumeMounts)
    .map(record)
    .filter((x): x is Obj => x !== undefined);
  const mount = mounts
    .filter((m) => typeof m.mountPath === 'string' && (path === m.mountPath || path.startsWith(`${String(m.mountPath).replace(/\/$/, '')}/`)))
    .sort((a, b) => String(b.mountPath).length - String(a.mountPath).length)[0];
  if (!mount) return `no volume is mounted at ${path}`;
  const volume = list(spec.volumes)
    .map(record)
    .find((v) => v?.name === mount.name);
  const configMap = record(volume?.configMap);
  if (!configMap || typeof configMap.name !== 'string') return `${path} comes from volume ${String(mount.name)}, which is not a ConfigMap`;
  // A subPath mounts one key's file at mountPath itself; otherwise the file is named by its key, or by an item's path.
  const relative = typeof mount.subPath === 'string' && mount.subPath !== '' ? mount.subPath : posix.relative(String(mount.mountPath), path);
  const items = list(configMap.items)
    .map(record)
    .filter((x): x is Obj => x !== undefined);
  const key = items.length > 0 ? items.find((i) => i.path === relative)?.key : relative;
  if (typeof key !== 'string') return `${path} is no item of ConfigMap ${configMap.name}`;
  return { configMap: configMap.name, key };
}

/** The proxies among the workloads, with their configurations from the ConfigMaps. */
export function readProxies(workloads: readonly Manifest[], configMaps: readonly Manifest[]): EgressProxy[] {
  const proxies: EgressProxy[] = [];
  for (const m of workloads) {
    const spec = podSpec(m);
    if (!spec) continue;
    const namespace = m.object.metadata.namespace ?? 'default';
    for (const container of list(spec.containers).map(record)) {
      if (!container || !runsSquid(container)) continue;
      const endpoint = `${namespace}/${m.object.metadata.name}`;
      const name = typeof container.name === 'string' ? container.name : '';
      const path = configPath(container);
      const from = configSource(spec, container, path);
      if (typeof from === 'string') {
        proxies.push({ endpoint, container: name, problem: from });
        continue;
      }
      const source = `ConfigMap ${namespace}/${from.configMap}, key ${from.key}`;
      const cm = configMaps.find((c) => c.object.metadata.name === from.configMap && (c.object.metadata.namespace ?? 'default') === namespace);
      const text = record(cm?.object.data)?.[from.key];
      if (typeof text !== 'string') {
        proxies.push({ endpoint, container: name, source, problem: `${source} is not among the manifests` });
        continue;
      }
      try {
        proxies.push({ endpoint, container: name, source, config: parseSquidConfig(text) });
      } catch (e) {
        if (!(e instanceof SquidConfigError)) throw e;
        proxies.push({ endpoint, container: name, source, problem: `${source} (${describeSource(cm!.source)}), ${e.message}` });
      }
    }
  }
  return proxies;
}
