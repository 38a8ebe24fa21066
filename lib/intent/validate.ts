import { cidrContains, parseCidr, parseIp, formatCidr, Cidr } from '../net';
import { METADATA_BLOCKS } from './metadata';
import {
  AiAppIntent, EgressDestination, Labels, PlatformIntent, PortSpec,
  isAllowListDestination, isCidrDestination, isServiceDestination,
} from './types';

/** One thing wrong with the intent: where, what was given, and what would be accepted. */
export interface IntentIssue {
  /** The app the field belongs to, or `platform` for shared settings. */
  readonly app: string;
  /** Full field path, e.g. `ai-service.egress[2].cidr`. */
  readonly path: string;
  readonly value: unknown;
  /** What is wrong and what is accepted. */
  readonly message: string;
}

/** Thrown with every issue of one run, so all of them can be fixed in one pass. */
export class IntentError extends Error {
  constructor(readonly issues: readonly IntentIssue[]) {
    super(formatIssues(issues));
    this.name = 'IntentError';
  }
}

/** One line per issue: `path: value — message`. */
export function formatIssues(issues: readonly IntentIssue[]): string {
  const lines = issues.map((i) => `  ${i.path}: ${JSON.stringify(i.value)} ${i.message}`);
  return `the declared intent has ${issues.length} problem${issues.length === 1 ? '' : 's'}; nothing was written:\n${lines.join('\n')}`;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUANTITY = /^([+-]?[0-9.]+)([eE][-+]?[0-9]+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
/** Blocks shorter than this are the internet in all but name. */
const SHORTEST_PREFIX_WITHOUT_REASON = 8;
/** Calico evaluates the `default` tier at this order; the AI tier must come first. */
export const DEFAULT_TIER_ORDER = 1_000_000;

/** Collects issues with their paths; `at` prefixes the path of a nested field. */
class Collector {
  constructor(private readonly app: string, private readonly prefix: string, readonly issues: IntentIssue[] = []) {}
  at(path: string): Collector {
    const joined = this.prefix ? `${this.prefix}${path.startsWith('[') ? '' : '.'}${path}` : path;
    return new Collector(this.app, joined, this.issues);
  }
  add(field: string, value: unknown, message: string): void {
    const path = field === '' ? this.prefix : this.at(field).prefix;
    this.issues.push({ app: this.app, path, value, message });
  }
}

function dnsLabel(c: Collector, field: string, value: unknown, what: string): void {
  if (typeof value !== 'string' || value.length > 63 || !DNS_LABEL.test(value)) {
    c.add(field, value, `is not a valid ${what}; accepted: a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`);
  }
}

function labels(c: Collector, field: string, value: Labels | undefined, required: boolean): void {
  if (value === undefined) {
    if (required) c.add(field, value, 'is missing; accepted: an object of label key/value pairs');
    return;
  }
  if (required && Object.keys(value).length === 0) {
    c.add(field, value, 'selects every pod of the namespace; accepted: at least one label, so the destination is a service and not a whole namespace');
  }
  for (const [key, v] of Object.entries(value)) {
    const slash = key.lastIndexOf('/');
    const name = slash < 0 ? key : key.slice(slash + 1);
    const prefix = slash < 0 ? '' : key.slice(0, slash);
    if (!LABEL_NAME.test(name) || name.length > 63 || (slash >= 0 && (!DNS_SUBDOMAIN.test(prefix) || prefix.length > 253))) {
      c.add(`${field}[${JSON.stringify(key)}]`, key, 'is not a valid label key; accepted: an optional DNS subdomain prefix and "/", then a name of at most 63 alphanumerics, "-", "_" or "."');
    }
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) {
      c.add(`${field}[${JSON.stringify(key)}]`, v, 'is not a valid label value; accepted: at most 63 alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric');
    }
  }
}

function port(c: Collector, field: string, value: unknown): boolean {
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 65535) {
    c.add(field, value, 'is not a port; accepted: a whole number from 1 to 65535');
    return false;
  }
  return true;
}

function ports(c: Collector, value: readonly PortSpec[] | undefined): void {
  if (!Array.isArray(value) || value.length === 0) {
    c.add('ports', value, 'is empty; accepted: at least one port (a number, or { from, to } for a range)');
    return;
  }
  value.forEach((p, i) => {
    if (typeof p === 'object' && p !== null) {
      const ok = port(c, `ports[${i}].from`, p.from) && port(c, `ports[${i}].to`, p.to);
      if (ok && p.to < p.from) c.add(`ports[${i}]`, p, `ends below its start; accepted: a range with to >= from, e.g. { from: ${p.to}, to: ${p.from} }`);
    } else {
      port(c, `ports[${i}]`, p);
    }
  });
}

function protocol(c: Collector, value: unknown): void {
  if (value !== undefined && !PROTOCOLS.includes(value as string)) {
    c.add('protocol', value, `is not a protocol; accepted: ${PROTOCOLS.join(', ')}`);
  }
}

/** Checks one external block: syntax, metadata, and the size that needs a written reason. */
function externalCidr(c: Collector, field: string, text: unknown, internetReason: string | undefined): Cidr | undefined {
  if (typeof text !== 'string') {
    c.add(field, text, 'is not a CIDR; accepted: a string such as "203.0.113.10/32" or "2001:db8::/64"');
    return undefined;
  }
  const parsed = parseCidr(text);
  if ('problem' in parsed) {
    const p = parsed.problem;
    if (p.kind === 'missing-mask') c.add(field, text, `has no mask; accepted: a CIDR with its prefix length. Did you mean "${p.suggestion}"?`);
    else if (p.kind === 'host-bits') c.add(field, text, `has host bits set; accepted: the network address of the block. Did you mean "${p.suggestion}"?`);
    else c.add(field, text, 'is not a CIDR; accepted: an IPv4 or IPv6 block such as "203.0.113.10/32" or "2001:db8::/64"');
    return undefined;
  }
  const block = parsed.cidr;
  const metadata = METADATA_BLOCKS.find((m) => cidrContains(m, block));
  if (metadata) {
    c.add(field, text, `is the cloud metadata address ${formatCidr(metadata)}, which is never reachable; accepted: any block that is not a metadata address`);
  } else if (block.prefix < SHORTEST_PREFIX_WITHOUT_REASON && internetReason === undefined) {
    c.add(field, text, `opens egress to the internet (a prefix shorter than /${SHORTEST_PREFIX_WITHOUT_REASON}); accepted: a narrower block, or this destination marked internet: { reason: '...' } with the written reason`);
  }
  return block;
}

function destination(c: Collector, d: EgressDestination, allowListNames: ReadonlySet<string>): void {
  if (d === null || typeof d !== 'object') {
    c.add('', d, 'is not a destination; accepted: { cidr, ports }, { namespace, podLabels, ports } or { allowList, ports }');
    return;
  }
  if (isCidrDestination(d)) {
    const reason = d.internet?.reason;
    if (d.internet !== undefined && (typeof reason !== 'string' || reason.trim() === '')) {
      c.add('internet.reason', reason, 'is empty; accepted: a sentence saying why this app needs the internet');
    }
    externalCidr(c, 'cidr', d.cidr, reason);
  } else if (isServiceDestination(d)) {
    dnsLabel(c, 'namespace', d.namespace, 'namespace name');
    labels(c, 'podLabels', d.podLabels, true);
  } else if (isAllowListDestination(d)) {
    if (!allowListNames.has(d.allowList)) {
      const known = [...allowListNames].sort();
      c.add('allowList', d.allowList, `names no declared allow-list; accepted: ${known.length ? known.map((n) => `"${n}"`).join(', ') : 'a name declared in allowLists (none is declared)'}`);
    }
  } else {
    c.add('', d, 'is not a destination; accepted: { cidr, ports }, { namespace, podLabels, ports } or { allowList, ports }');
    return;
  }
  ports(c, d.ports);
  protocol(c, d.protocol);
}

function quantity(c: Collector, field: string, value: unknown): void {
  if (typeof value !== 'string' || !QUANTITY.test(value)) {
    c.add(field, value, 'is not a Kubernetes quantity; accepted: e.g. "500m", "2", "8Gi"');
  }
}

function app(c: Collector, a: AiAppIntent, allowListNames: ReadonlySet<string>): void {
  dnsLabel(c, 'name', a.name, 'app name');
  dnsLabel(c, 'namespace', a.namespace, 'namespace name');
  if (typeof a.image !== 'string' || !/^[^\s:@]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/.test(a.image) || !/[:@]/.test(a.image.replace(/^[^/]*:[0-9]+\//, '')) || /:latest$/.test(a.image)) {
    c.add('image', a.image, 'is not pinned; accepted: an image with a fixed tag or digest, e.g. "vllm/vllm-openai:v0.11.0" (never "latest")');
  }
  port(c, 'port', a.port);
  if (a.replicas !== undefined && (!Number.isInteger(a.replicas) || a.replicas < 0)) c.add('replicas', a.replicas, 'is not a replica count; accepted: a whole number, 0 or more');
  if (a.gpus !== undefined && (!Number.isInteger(a.gpus) || a.gpus < 0)) c.add('gpus', a.gpus, 'is not a GPU count; accepted: a whole number, 0 or more');
  if (a.healthPath !== undefined && (typeof a.healthPath !== 'string' || !a.healthPath.startsWith('/'))) c.add('healthPath', a.healthPath, 'is not an HTTP path; accepted: a path starting with "/"');
  if (a.modelCachePath !== undefined && (typeof a.modelCachePath !== 'string' || !a.modelCachePath.startsWith('/') || a.modelCachePath === '/' || a.modelCachePath === '/tmp')) {
    c.add('modelCachePath', a.modelCachePath, 'is not a usable mount path; accepted: an absolute path other than "/" and "/tmp"');
  }
  if (a.modelCacheSize !== undefined) quantity(c, 'modelCacheSize', a.modelCacheSize);
  if (!a.resources) {
    c.add('resources', a.resources, 'is missing; accepted: { cpu: { request, limit }, memory: { request, limit } }');
  } else {
    for (const r of ['cpu', 'memory'] as const) {
      quantity(c, `resources.${r}.request`, a.resources[r]?.request);
      quantity(c, `resources.${r}.limit`, a.resources[r]?.limit);
    }
  }
  for (const key of Object.keys(a.env ?? {})) {
    if (!ENV_NAME.test(key)) c.add(`env[${JSON.stringify(key)}]`, key, 'is not an environment variable name; accepted: letters, digits, "_", "-" and ".", not starting with a digit');
  }
  if (a.flavor !== undefined && a.flavor !== 'kubernetes' && a.flavor !== 'calico') {
    c.add('flavor', a.flavor, 'is not a policy flavor; accepted: "kubernetes" or "calico"');
  }
  if (a.audit !== undefined && a.flavor !== 'calico') {
    c.add('audit', a.audit, 'is a Calico-only feature (Staged policies); accepted: audit on an app with flavor: "calico", or no audit for the kubernetes flavor');
  }
  if (!Array.isArray(a.egress)) {
    c.add('egress', a.egress, 'is missing; accepted: a list of destinations (it may be empty: DNS only)');
  } else {
    a.egress.forEach((d, i) => destination(c.at(`egress[${i}]`), d, allowListNames));
  }
  (a.ingress ?? []).forEach((client, i) => {
    const ci = c.at(`ingress[${i}]`);
    dnsLabel(ci, 'namespace', client?.namespace, 'namespace name');
    labels(ci, 'podLabels', client?.podLabels, false);
  });
  const dns = a.dns ?? {};
  (dns.nodeLocal ?? []).forEach((address, i) => {
    if (typeof address !== 'string' || !parseIp(address)) {
      c.add(`dns.nodeLocal[${i}]`, address, 'is not an IP address; accepted: the NodeLocal DNSCache address without a mask, e.g. "169.254.20.10"');
    }
  });
  if (dns.kubeDns === false && (dns.nodeLocal ?? []).length === 0) {
    c.add('dns', dns, 'leaves the app without DNS; accepted: kubeDns left on, or at least one nodeLocal address');
  }
}

/** Checks the whole intent; returns every issue found (empty when it can be rendered). */
export function validateIntent(intent: PlatformIntent): IntentIssue[] {
  const platform = new Collector('platform', '');
  const allowLists = intent.allowLists ?? [];
  const byName = new Map<string, string>();
  allowLists.forEach((list, i) => {
    const c = platform.at(`allowLists[${i}]`);
    dnsLabel(c, 'name', list.name, 'allow-list name');
    if (!Array.isArray(list.cidrs) || list.cidrs.length === 0) c.add('cidrs', list.cidrs, 'is empty; accepted: at least one CIDR');
    else list.cidrs.forEach((text, j) => externalCidr(c, `cidrs[${j}]`, text, undefined));
    const contents = [...(list.cidrs ?? [])].sort().join(',');
    const earlier = byName.get(list.name);
    if (earlier !== undefined && earlier !== contents) {
      c.add('name', list.name, 'is declared twice with different contents; accepted: one declaration per allow-list name');
    }
    byName.set(list.name, contents);
  });
  const tierOrder = intent.calico?.tierOrder;
  if (tierOrder !== undefined && (typeof tierOrder !== 'number' || !Number.isFinite(tierOrder) || tierOrder < 0 || tierOrder >= DEFAULT_TIER_ORDER)) {
    platform.add('calico.tierOrder', tierOrder, `would not run before the default tier; accepted: a number from 0 to less than ${DEFAULT_TIER_ORDER}`);
  }
  if (intent.calico?.tier !== undefined) {
    dnsLabel(platform, 'calico.tier', intent.calico.tier, 'tier name');
    if (intent.calico.tier === 'default') platform.add('calico.tier', 'default', 'is the tier where Kubernetes NetworkPolicies land, which app teams can reopen; accepted: a tier of its own, e.g. "ai-egress"');
  }
  const issues = [...platform.issues];
  const seen = new Set<string>();
  if (!Array.isArray(intent.apps) || intent.apps.length === 0) {
    issues.push({ app: 'platform', path: 'apps', value: intent.apps, message: 'is empty; accepted: at least one app' });
  } else {
    const names = new Set(byName.keys());
    const auditedIn = new Map<string, Set<boolean>>();
    intent.apps.forEach((a, i) => {
      const label = typeof a?.name === 'string' && a.name ? a.name : `apps[${i}]`;
      const c = new Collector(label, label);
      app(c, a, names);
      if (seen.has(label)) c.add('name', a.name, 'is declared twice; accepted: one app per name (apps in different namespaces still need different names)');
      seen.add(label);
      const audited = a?.flavor === 'calico' && (a.audit ?? intent.calico?.audit ?? false);
      auditedIn.set(a?.namespace, (auditedIn.get(a?.namespace) ?? new Set()).add(audited));
      issues.push(...c.issues);
    });
    // The namespace's default deny is enforced unless every app in it is previewed, so one
    // audited app beside enforced ones would be cut off instead of previewed.
    intent.apps.forEach((a) => {
      const audited = a?.flavor === 'calico' && (a.audit ?? intent.calico?.audit ?? false);
      if (audited && auditedIn.get(a.namespace)?.size === 2) {
        issues.push({ app: a.name, path: `${a.name}.audit`, value: true, message: `previews this app while other apps of namespace "${a.namespace}" are enforced, so the namespace's default deny would block it; accepted: audit on every app of the namespace, or on none` });
      }
    });
  }
  return issues;
}

/** Validates, throwing an IntentError with every issue when there is any. */
export function assertValidIntent(intent: PlatformIntent): void {
  const issues = validateIntent(intent);
  if (issues.length > 0) throw new IntentError(issues);
}

/** The metadata blocks that lie inside an allowed block, to be carved out of it. */
export function metadataInside(block: Cidr): Cidr[] {
  return METADATA_BLOCKS.filter((m) => cidrContains(block, m) && !cidrContains(m, block));
}
