/**
 * Synthetic platform intents for benchmarks: N AI apps with M egress destinations each.
 *
 * The mix is what a platform repository holds: external IPv4 and IPv6 blocks (some with port
 * ranges, some UDP, a few containing the metadata addresses that must be carved out), in-cluster
 * peers (other generated apps, which then let their callers in, and shared services), and shared
 * allow-lists; with `hostnames`, half of each app's destinations are host names instead. Every app also accepts the `ai-gateway` namespace. Half the apps use
 * the `kubernetes` flavor and half `calico`. The same options always give the same intent, and it
 * always passes `validateIntent`.
 */
import { AiAppIntent, AllowList, EgressDestination, Flavor, IngressClient, PlatformIntent, PortSpec, Protocol, isServiceDestination } from '../lib/intent';

/** What to generate. */
export interface GenerateOptions {
  /** Number of apps. */
  readonly apps: number;
  /** Egress destinations per app. */
  readonly destinations: number;
  /** @default 1 */
  readonly seed?: number;
  /** Apps per namespace, as teams group them. @default 10 */
  readonly appsPerNamespace?: number;
  /** Half of each app's destinations (rounded down) are host names through the egress proxy, the rest the usual mix. @default false */
  readonly hostnames?: boolean;
}

/** Shares of each destination kind, in percent; they add up to 100. */
export const DESTINATION_MIX = {
  ipv4: 30,
  ipv4PortRange: 10,
  ipv6: 15,
  inCluster: 25,
  allowList: 20,
} as const;

/** mulberry32: a small, fast, seeded generator; good enough to spread test data. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = seeded(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(percent: number): boolean {
    return this.next() * 100 < percent;
  }
}

const KINDS = [
  { kind: 'llm', image: 'vllm/vllm-openai:v0.10.2', port: 8000, gpus: 1 },
  { kind: 'embed', image: 'ghcr.io/huggingface/text-embeddings-inference:cpu-1.8', port: 8080, gpus: 0 },
  { kind: 'rag', image: 'ghcr.io/example/rag-pipeline:1.4.2', port: 8000, gpus: 0 },
  { kind: 'rerank', image: 'ghcr.io/huggingface/text-embeddings-inference:cpu-1.8', port: 8080, gpus: 0 },
  { kind: 'notebook', image: 'quay.io/jupyter/pytorch-notebook:2025-06-02', port: 8888, gpus: 1 },
] as const;

const SHARED_SERVICES = [
  { namespace: 'vector-db', podLabels: { app: 'qdrant' }, port: 6333 },
  { namespace: 'vector-db', podLabels: { app: 'weaviate' }, port: 8080 },
  { namespace: 'feature-store', podLabels: { 'app.kubernetes.io/name': 'feast' }, port: 6566 },
  { namespace: 'observability', podLabels: { 'app.kubernetes.io/name': 'otel-collector' }, port: 4317 },
] as const;

/** Blocks that contain a metadata address, so the renderers must carve it out. */
const CONTAINS_METADATA = ['169.254.0.0/16', 'fd00:ec2::/32'];

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** A random IPv4 block from /8 to /32 with its host bits cleared, away from 169.254/16. */
function ipv4Block(r: Random): string {
  const prefix = r.pick([8, 12, 16, 20, 24, 24, 28, 32, 32]);
  let first = r.int(1, 223);
  if (first === 169 || first === 127) first = 100;
  const address = ((first << 24) | (r.int(0, 255) << 16) | (r.int(0, 255) << 8) | r.int(0, 255)) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const net = (address & mask) >>> 0;
  return `${net >>> 24}.${(net >>> 16) & 255}.${(net >>> 8) & 255}.${net & 255}/${prefix}`;
}

/** A random block inside the documentation prefix 2001:db8::/32, /48 to /128, host bits clear. */
function ipv6Block(r: Random): string {
  const prefix = r.pick([48, 56, 64, 64, 96, 128]);
  const groups = [0x2001, 0x0db8];
  for (let i = 2; i < 8; i++) groups.push(r.int(0, 0xffff));
  for (let bit = prefix; bit < 128; bit++) groups[bit >> 4] &= ~(1 << (15 - (bit & 15)));
  return `${groups.map((g) => g.toString(16)).join(':')}/${prefix}`;
}

function ports(r: Random, range: boolean): PortSpec[] {
  if (range) {
    const from = r.int(1024, 60000);
    return [{ from, to: from + r.int(1, 500) }];
  }
  const count = r.int(1, 3);
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(r.pick([443, 443, 80, 8443, 9000, 5432, 6379, r.int(1024, 65535)]));
  return [...chosen];
}

function protocol(r: Random): Protocol {
  return r.chance(85) ? 'TCP' : 'UDP';
}

/** Generates a valid platform intent; the same options give the same intent. */
export function generateIntent(options: GenerateOptions): PlatformIntent {
  const { apps: count, destinations } = options;
  if (!Number.isInteger(count) || count < 1) throw new Error(`apps: ${count} is not a count; accepted: a whole number, 1 or more`);
  if (!Number.isInteger(destinations) || destinations < 0) throw new Error(`destinations: ${destinations} is not a count; accepted: a whole number, 0 or more`);
  const r = new Random(options.seed ?? 1);
  const perNamespace = options.appsPerNamespace ?? 10;
  const width = String(count).length;

  const allowLists: AllowList[] = [];
  for (let i = 0; i < Math.max(3, Math.ceil(count / 20)); i++) {
    const cidrs = new Set<string>();
    const size = r.int(1, 4);
    while (cidrs.size < size) cidrs.add(r.chance(70) ? ipv4Block(r) : ipv6Block(r));
    allowLists.push({ name: `allow-list-${pad(i, 3)}`, cidrs: [...cidrs], description: `shared allow-list ${i}` });
  }

  const identities = Array.from({ length: count }, (_, i) => {
    const kind = KINDS[i % KINDS.length];
    return { ...kind, name: `${kind.kind}-${pad(i, width)}`, namespace: `ai-team-${pad(Math.floor(i / perNamespace), width)}` };
  });

  const destination = (self: number): EgressDestination => {
    const roll = r.int(0, 99);
    let edge = DESTINATION_MIX.ipv4;
    if (roll < edge) {
      const cidr = r.chance(3) ? CONTAINS_METADATA[0] : ipv4Block(r);
      return { cidr, ports: ports(r, false), protocol: protocol(r), description: 'external IPv4 block' };
    }
    if (roll < (edge += DESTINATION_MIX.ipv4PortRange)) {
      return { cidr: ipv4Block(r), ports: ports(r, true), protocol: protocol(r), description: 'external IPv4 port range' };
    }
    if (roll < (edge += DESTINATION_MIX.ipv6)) {
      const cidr = r.chance(3) ? CONTAINS_METADATA[1] : ipv6Block(r);
      return { cidr, ports: ports(r, r.chance(20)), protocol: protocol(r), description: 'external IPv6 block' };
    }
    if (roll < edge + DESTINATION_MIX.inCluster) {
      if (count > 1 && r.chance(60)) {
        let peer = r.int(0, count - 1);
        if (peer === self) peer = (peer + 1) % count;
        const p = identities[peer];
        return { namespace: p.namespace, podLabels: { 'app.kubernetes.io/name': p.name }, ports: [p.port], description: `app ${p.name}` };
      }
      const s = r.pick(SHARED_SERVICES);
      return {
        namespace: s.namespace,
        podLabels: { ...s.podLabels },
        ports: [s.port],
        description: `${s.namespace} service`,
        ungoverned: { reason: `${s.namespace} is run by another team, whose policies confine it` },
      };
    }
    return { allowList: r.pick(allowLists).name, ports: [443], protocol: 'TCP', description: 'shared allow-list' };
  };

  /** Names of services on the internet, one to three per destination, some of them a wildcard one label down. */
  const hosts = (): EgressDestination => {
    const names = new Set<string>();
    const count = r.int(1, 3);
    while (names.size < count) names.add(r.chance(15) ? `*.cdn-${r.int(0, 99)}.example.net` : `api-${r.int(0, 199)}.vendor-${r.int(0, 49)}.example.com`);
    return { hosts: [...names], ports: r.chance(80) ? [443] : [443, 8443], description: 'service on the internet, by name' };
  };
  const byName = options.hostnames ? Math.floor(destinations / 2) : 0;
  const egress = identities.map((_, i) => Array.from({ length: destinations }, (__, k) => (k < byName ? hosts() : destination(i))));
  // An app called by other generated apps lets exactly those callers in, so pod-to-pod reach
  // (both the sender's egress and the receiver's ingress) is part of what the verifier checks.
  const byId = new Map(identities.map((p, i) => [`${p.namespace}/${p.name}`, i]));
  const callers = identities.map(() => new Map<string, IngressClient>());
  egress.forEach((list, i) => {
    const caller = identities[i];
    for (const d of list) {
      const callee = isServiceDestination(d) ? byId.get(`${d.namespace}/${d.podLabels['app.kubernetes.io/name']}`) : undefined;
      if (callee !== undefined) callers[callee].set(caller.name, { namespace: caller.namespace, podLabels: { 'app.kubernetes.io/name': caller.name } });
    }
  });

  const apps: AiAppIntent[] = identities.map((id, i) => {
    const flavor: Flavor = i % 2 === 0 ? 'kubernetes' : 'calico';
    return {
      name: id.name,
      namespace: id.namespace,
      image: id.image,
      args: ['--port', String(id.port)],
      port: id.port,
      healthPath: '/health',
      replicas: r.int(1, 3),
      gpus: id.gpus,
      resources: {
        cpu: { request: '1', limit: '2' },
        memory: { request: '4Gi', limit: '4Gi' },
      },
      env: { HOME: '/tmp', HF_HOME: '/models' },
      modelCachePath: '/models',
      modelCacheSize: '20Gi',
      flavor,
      egress: egress[i],
      ingress: [{ namespace: 'ai-gateway' }, ...callers[i].values()],
    };
  });

  return { apps, allowLists };
}
