/**
 * Which workloads can resolve names outside the cluster: a DNS lookup is a message to whoever
 * serves the name asked, so a workload that may send DNS to a resolver of any name can send data
 * out in the names it asks (`<chunk>.attacker.example`), whatever its other egress.
 *
 * Read from the manifests alone: every peer a workload's egress allows on port 53 (UDP or TCP) is
 * a DNS server it may ask. A server answers cluster names only when it is a known pod of the
 * manifests running CoreDNS with a Corefile (from a ConfigMap it mounts) that refuses or answers
 * itself every zone outside the cluster domain, and sends the cluster domain on only to its own
 * pod's nameserver under `dnsPolicy: ClusterFirst` (kube-dns, authoritative for that domain).
 * Every other peer on port 53 (kube-dns, whose Corefile forwards the rest upstream; an address
 * block; pods the manifests do not run) may resolve any name.
 *
 * Also reported: the nameservers the pods are configured with (`dnsPolicy`, `dnsConfig`), and the
 * written reason, where a policy of the workload carries one (`secure-ai-egress/public-dns`).
 */
import { Cluster } from './cluster';
import { resolverZones, ZoneBehaviour } from './corefile';
import { egressOf } from './egress';
import { Endpoint } from './endpoints';
import { manifestIndex } from './manifest-index';
import { Manifest } from './manifests';
import { isNamedPort } from './ports';
import { describeDestination } from './words';
import { Destination } from './workload';
import { podTemplateOf, DEFAULT_CLUSTER_DOMAIN, KUBE_DNS } from '../k8s';
import { PUBLIC_DNS_REASON_ANNOTATION, PUBLIC_NAMES_SUBJECT, reasonFor } from '../conventions';

/** One DNS server a workload may ask, and whether it answers names outside the cluster. */
interface DnsServer {
  readonly to: Destination;
  /** `cluster-names`: it refuses (or answers itself) every name outside the cluster domain. */
  readonly answers: 'cluster-names' | 'any-name';
  /** Why, in a few words. */
  readonly why: string;
}

/** The DNS of one workload. */
export interface WorkloadDns {
  readonly endpoint: string;
  /** True when some server it may ask on port 53 may resolve names outside the cluster. */
  readonly resolvesOutside: boolean;
  readonly servers: readonly DnsServer[];
  /** Its pods' `dnsPolicy` (`ClusterFirst` when not given), and `dnsConfig.nameservers`. */
  readonly dnsPolicy: string;
  readonly nameservers: readonly string[];
  /** The written reason for names outside the cluster, when a policy that selects it carries one. */
  readonly reason?: string;
  /** Set when the workload is itself a DNS server the manifests configure (CoreDNS with a Corefile): what it answers, and why. */
  readonly serves?: { readonly answers: DnsServer['answers']; readonly why: string };
}

export interface DnsReport {
  readonly clusterDomain: string;
  readonly workloads: readonly WorkloadDns[];
}

export interface DnsOptions {
  /** The cluster's DNS domain. @default 'cluster.local' */
  readonly clusterDomain?: string;
}

type Fields = Record<string, unknown>;
const record = (v: unknown): Fields | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Fields) : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The manifest of a known endpoint (a Pod, or the workload whose template it is). */
function manifestOf(cluster: Cluster, endpoint: Endpoint): Manifest | undefined {
  return manifestIndex(cluster).find({ kind: endpoint.kind, namespace: endpoint.namespace.name, name: endpoint.name });
}

/** The pod spec of a workload manifest (a Pod's spec, or its template's, a CronJob's job template's). */
function podSpecOf(m: Manifest): Fields | undefined {
  return record(podTemplateOf(m.object)?.spec);
}

/**
 * The Corefile a CoreDNS container of the pod reads: the file its `-conf` names (CoreDNS's default
 * is `Corefile` in its working directory, `/`), from the ConfigMap volume mounted over it.
 */
function corefileOf(cluster: Cluster, namespace: string, pod: Fields): string | undefined {
  const volumes = list(pod.volumes).map(record);
  for (const c of list(pod.containers).map(record)) {
    const args = [...list(c?.command), ...list(c?.args)].map(str);
    const at = args.indexOf('-conf');
    const file = at >= 0 ? args[at + 1] : str(c?.image)?.includes('coredns') ? '/Corefile' : undefined;
    if (file === undefined) continue;
    for (const mount of list(c?.volumeMounts).map(record)) {
      const dir = str(mount?.mountPath)?.replace(/\/$/, '');
      if (dir === undefined || !file.startsWith(`${dir}/`)) continue;
      const path = file.slice(dir.length + 1);
      const configMap = record(volumes.find((v) => v?.name === mount?.name)?.configMap);
      const name = str(configMap?.name);
      if (!name) continue;
      const items = list(configMap?.items).map(record);
      const key = items.length ? str(items.find((item) => item?.path === path)?.key) : path;
      const source = manifestIndex(cluster).find({ kind: 'ConfigMap', namespace, name });
      const text = key === undefined ? undefined : str(record(record(source?.object)?.data)?.[key]);
      if (text !== undefined) return text;
    }
  }
  return undefined;
}

/** Whether a zone (`a.b.`) is the cluster domain or lies under it. */
function inDomain(zone: string, domain: string): boolean {
  const d = `${domain.toLowerCase().replace(/\.$/, '')}.`;
  return zone === d || zone.endsWith(`.${d}`);
}

/** What a known endpoint answers on port 53, from its Corefile. */
function judgeEndpoint(cluster: Cluster, endpoint: Endpoint, domain: string): { answers: DnsServer['answers']; why: string } {
  const manifest = manifestOf(cluster, endpoint);
  const pod = manifest && podSpecOf(manifest);
  const corefile = pod && corefileOf(cluster, endpoint.namespace.name, pod);
  if (!pod || corefile === undefined) return { answers: 'any-name', why: 'no resolver configuration of it is in the manifests: it may resolve any name' };
  let zones: ZoneBehaviour[];
  try {
    zones = resolverZones(corefile);
  } catch (e) {
    return { answers: 'any-name', why: `its Corefile cannot be judged (${(e as Error).message}): it may resolve any name` };
  }
  const clusterFirst = (str(pod.dnsPolicy) ?? 'ClusterFirst') === 'ClusterFirst' && pod.hostNetwork !== true;
  const leaks = zones.filter((z) => {
    if (z.does !== 'forwarded') return false;
    if (!inDomain(z.zone, domain)) return true;
    return !(clusterFirst && z.to.length > 0 && z.to.every((t) => t === '/etc/resolv.conf'));
  });
  if (leaks.length > 0) {
    return { answers: 'any-name', why: `its Corefile forwards ${leaks.map((z) => `${z.zone} to ${z.to.join(', ')}`).join('; ')}` };
  }
  const refused = zones.filter((z) => z.does === 'refused').map((z) => z.zone);
  return {
    answers: 'cluster-names',
    why: `its Corefile sends on only ${domain} (to kube-dns)${refused.length ? ` and refuses ${refused.join(', ')}` : ''}`,
  };
}

/** Whether a known endpoint belongs to a class of pods a rule names (namespace, labels; `*` any value). */
function inClass(endpoint: Endpoint, to: Extract<Destination, { type: 'pods' }>): boolean {
  if (to.namespace !== '*' && to.namespace !== endpoint.namespace.name) return false;
  return Object.entries(to.labels).every(([k, v]) => endpoint.labels.has(k) && (v === '*' || endpoint.labels.get(k) === v));
}

function judge(cluster: Cluster, to: Destination, domain: string): DnsServer {
  if (to.type === 'cidr') return { to, answers: 'any-name', why: 'addresses: whatever answers there may resolve any name' };
  if (to.endpoint) {
    const endpoint = cluster.endpoint(to.endpoint.id);
    return { to, ...(endpoint ? judgeEndpoint(cluster, endpoint, domain) : { answers: 'any-name', why: 'not a known pod' }) };
  }
  if (to.namespace === KUBE_DNS.namespace && to.labels['k8s-app'] === KUBE_DNS.podLabels['k8s-app']) {
    return { to, answers: 'any-name', why: 'kube-dns, which forwards every name outside the cluster domain upstream' };
  }
  // The known endpoints of the class, found through the catalog's index (by namespace, and by one label the class fixes) in the catalog's order.
  const fixed = Object.entries(to.labels).find(([, v]) => v !== '*');
  const members =
    to.namespace === '*' ? [] : cluster.catalog.candidates([to.namespace], fixed && { key: fixed[0], values: [fixed[1]] }).filter((e) => inClass(e, to));
  if (members.length === 0) return { to, answers: 'any-name', why: 'pods the manifests do not run: they may resolve any name' };
  const judged = members.map((m) => judgeEndpoint(cluster, m, domain));
  const open = judged.find((j) => j.answers === 'any-name');
  if (open) return { to, answers: 'any-name', why: open.why };
  return { to, answers: 'cluster-names', why: `the replicas of ${members.map((m) => m.id).join(', ')}: ${judged[0].why}` };
}

/** The written reason for names outside the cluster, from the policies that select the endpoint for egress (each found by its kind, namespace and name). */
function reasonOf(cluster: Cluster, endpoint: Endpoint): string | undefined {
  const refs = cluster.plans(endpoint, 'egress').flatMap((t) => t.policies.map((p) => p.policy.ref));
  const reasons = refs.flatMap((ref) => {
    const why = reasonFor(manifestIndex(cluster).policy(ref)?.object.metadata.annotations, PUBLIC_DNS_REASON_ANNOTATION, PUBLIC_NAMES_SUBJECT);
    return why ? [why] : [];
  });
  return reasons.length ? [...new Set(reasons)].join('\n') : undefined;
}

/** The DNS of one known endpoint. */
export function workloadDns(cluster: Cluster, endpoint: Endpoint, options: DnsOptions = {}): WorkloadDns {
  const domain = options.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
  const egress = egressOf(cluster, endpoint);
  const onDns = egress.allowed.filter((e) => (e.protocol === 'UDP' || e.protocol === 'TCP') && !isNamedPort(e.ports) && e.ports.from <= 53 && 53 <= e.ports.to);
  const seen = new Set<string>();
  const servers = onDns
    .filter((e) => {
      const key = describeDestination(e.to);
      return !seen.has(key) && seen.add(key);
    })
    .map((e) => judge(cluster, e.to, domain));
  const manifest = manifestOf(cluster, endpoint);
  const pod = manifest ? podSpecOf(manifest) : undefined;
  const reason = reasonOf(cluster, endpoint);
  const serves = pod && corefileOf(cluster, endpoint.namespace.name, pod) !== undefined ? judgeEndpoint(cluster, endpoint, domain) : undefined;
  return {
    endpoint: endpoint.id,
    resolvesOutside: servers.some((s) => s.answers === 'any-name'),
    servers,
    dnsPolicy: str(pod?.dnsPolicy) ?? 'ClusterFirst',
    nameservers: list(record(pod?.dnsConfig)?.nameservers).flatMap((n) => (typeof n === 'string' ? [n] : [])),
    ...(reason !== undefined ? { reason } : {}),
    ...(serves !== undefined ? { serves } : {}),
  };
}

/** The DNS of every known endpoint, sorted by endpoint. */
export function dnsReport(cluster: Cluster, options: DnsOptions = {}): DnsReport {
  return {
    clusterDomain: options.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
    workloads: [...cluster.endpoints].sort((a, b) => a.id.localeCompare(b.id)).map((e) => workloadDns(cluster, e, options)),
  };
}
