/**
 * The intent's shape and values at run time, as zod schemas: the same fields as types.ts (the
 * assertions at the end keep the two from drifting apart), checked with the messages of
 * fields.ts. Cross-field and cross-app checks live in validate.ts and consistency.ts.
 */
import { z } from 'zod';
import { formatCidr, formatIp, parseCidr, parseIp } from '../net';
import { destination } from './destinations';
import { CALICO_VERSION_ACCEPTED, calicoVersionProblem } from './guardrail';
import { CALICO_TIER_ORDERS, DEFAULT_AI_TIER_ORDER, POD_USER } from './defaults';
import { writablePaths } from './storage';
import {
  count,
  cidr,
  cloud,
  dnsLabel,
  ownedNamespace,
  serviceAccountRef,
  dnsSubdomain,
  env,
  fields,
  flag,
  image,
  internetSized,
  ipAddress,
  labelKey,
  labels,
  labelValue,
  port,
  problem,
  quantity,
  says,
  size,
  text,
} from './fields';
import {
  AiAppIntent,
  AllowList,
  AppMetrics,
  ArgoCdDestination,
  ArgoCdSettings,
  CalicoOptions,
  ClusterIntent,
  ComputeResources,
  ClusterNetwork,
  DnsIntent,
  DnsResolverOptions,
  EgressProxyOptions,
  IngressClient,
  ModelCacheSource,
  PlatformIntent,
  PlatformMetrics,
  ProbeTiming,
  TierOwners,
  Toleration,
} from './types';
import { FLAVORS } from '../conventions';
import { CLUSTER_POLICY_API_VERSION, KUBE_DNS } from '../k8s';

const TIER_ORDER_ACCEPTED = `a number greater than ${CALICO_TIER_ORDERS.admin} (Calico's admin tier) and less than ${CALICO_TIER_ORDERS.default} (the default tier), e.g. ${DEFAULT_AI_TIER_ORDER}`;

const requestAndLimit = (what: string) => fields(`${what} resources`, { request: quantity, limit: quantity });

const resources = fields('resources', { cpu: requestAndLimit('cpu'), memory: requestAndLimit('memory') });

const ingressClient = fields('an ingress client', {
  namespace: dnsLabel('namespace name'),
  podLabels: labels(false).optional(),
});

/** How to find the kube-dns ClusterIP, for messages. */
const KUBE_DNS_CLUSTER_IP_HINT = `the ClusterIP of the kube-dns Service, from kubectl -n ${KUBE_DNS.namespace} get svc kube-dns (e.g. "10.96.0.10")`;

/** Why an app needs names outside the cluster: a sentence. */
const publicNames = fields('public names', { reason: text('a sentence saying why this app resolves names outside the cluster') }).superRefine((value, ctx) => {
  if (typeof value.reason === 'string' && value.reason.trim() === '')
    problem(ctx, value.reason, 'is empty; accepted: a sentence saying why this app resolves names outside the cluster', ['reason']);
});

const nodeLocalAddresses = z
  .array(ipAddress('the NodeLocal DNSCache address without a mask, e.g. "169.254.20.10"'), says('is not a list of addresses', 'e.g. ["169.254.20.10"]'))
  .readonly();

/**
 * NodeLocal DNSCache needs the kube-dns ClusterIP as well, and the ClusterIP is used only with it:
 * https://github.com/kubernetes/kubernetes/blob/master/cluster/addons/dns/nodelocaldns/README.md
 * ("Network policy and DNS connectivity": node-local-dns pods run with hostNetwork, so "use an
 * ipBlock rule instead" with "<well-known clusterIP for DNS>/32"), and
 * https://kubernetes.io/docs/tasks/administer-cluster/nodelocaldns/ (with kube-proxy in iptables
 * mode "node-local-dns pods listen on both the kube-dns service IP as well as
 * <node-local-address>, so pods can lookup DNS records using either IP address").
 */
function nodeLocalPair(value: { readonly nodeLocal?: readonly string[]; readonly kubeDnsClusterIp?: string }, ctx: Parameters<typeof problem>[0]): void {
  const nodeLocal = (value.nodeLocal ?? []).length > 0;
  // Written as the nets of one Calico rule, a list the CRD holds without duplicates ("must NOT have
  // duplicate items"), so an address given twice is refused here, where it was written.
  const key = (a: string) => {
    const ip = parseIp(a);
    return ip === undefined ? undefined : formatIp(ip);
  };
  (value.nodeLocal ?? []).forEach((address, i, all) => {
    const first = all.findIndex((a) => key(a) !== undefined && key(a) === key(address));
    if (first !== i && key(address) !== undefined)
      problem(ctx, address, `is the address of nodeLocal[${first}] again; accepted: each address once`, ['nodeLocal', i]);
  });
  if (nodeLocal && value.kubeDnsClusterIp === undefined) {
    problem(
      ctx,
      undefined,
      `is missing, and NodeLocal DNSCache needs it: with kube-proxy in iptables mode the cache also answers on the kube-dns ClusterIP, in the host network, where a selector on the kube-dns pods does not match, so DNS sent there would be denied; accepted: ${KUBE_DNS_CLUSTER_IP_HINT}`,
      ['kubeDnsClusterIp'],
    );
  }
  if (!nodeLocal && value.kubeDnsClusterIp !== undefined) {
    problem(
      ctx,
      value.kubeDnsClusterIp,
      'is used only with NodeLocal DNSCache: without it, kube-proxy translates the ClusterIP to the kube-dns pods before policy applies, and a rule on the kube-dns pods already allows those; accepted: no kubeDnsClusterIp, or nodeLocal addresses as well',
      ['kubeDnsClusterIp'],
    );
  }
}

const dns = fields('dns settings', {
  publicNames: publicNames.optional(),
  kubeDns: flag.optional(),
  nodeLocal: nodeLocalAddresses.optional(),
  kubeDnsClusterIp: ipAddress(KUBE_DNS_CLUSTER_IP_HINT).optional(),
}).superRefine((value, ctx) => {
  if (value.publicNames === undefined) {
    for (const field of ['kubeDns', 'nodeLocal', 'kubeDnsClusterIp'] as const) {
      if (value[field] === undefined) continue;
      problem(
        ctx,
        value[field],
        `says how the app reaches kube-dns, which forwards every name upstream, and this app resolves through the project's resolver of cluster names only; accepted: no ${field} (NodeLocal DNSCache of the cluster goes in dnsResolver: { nodeLocal, kubeDnsClusterIp }), or publicNames: { reason: '...' } beside it, for an app that must resolve names outside the cluster`,
        [field],
      );
    }
    return;
  }
  const nodeLocal = (value.nodeLocal ?? []).length > 0;
  if (value.kubeDns === false && !nodeLocal) {
    problem(ctx, value, 'leaves the app without DNS; accepted: kubeDns left on, or at least one nodeLocal address');
  }
  nodeLocalPair(value, ctx);
});

const dnsResolver = fields('dns resolver settings', {
  namespace: ownedNamespace().optional(),
  clusterDomain: dnsSubdomain('cluster domain').optional(),
  clusterIp: ipAddress('an address in the cluster\'s Service range, e.g. "10.96.0.53"').optional(),
  nodeLocal: nodeLocalAddresses.optional(),
  kubeDnsClusterIp: ipAddress(KUBE_DNS_CLUSTER_IP_HINT).optional(),
}).superRefine((value, ctx) => nodeLocalPair(value, ctx));

/**
 * A toleration, with the checks the API server makes
 * (kubernetes/kubernetes pkg/apis/core/validation/validation.go, ValidateTolerations): an empty
 * key needs `Exists`, `Exists` takes no value, `tolerationSeconds` only on `NoExecute`.
 */
const toleration = fields('a toleration', {
  key: labelKey.optional(),
  operator: z.enum(['Exists', 'Equal'], says('is not a toleration operator', '"Exists" or "Equal"')).optional(),
  value: labelValue.optional(),
  effect: z
    .enum(
      ['NoSchedule', 'PreferNoSchedule', 'NoExecute'],
      says('is not a taint effect', '"NoSchedule", "PreferNoSchedule" or "NoExecute" (or none, for every effect)'),
    )
    .optional(),
  tolerationSeconds: count('number of seconds').optional(),
}).superRefine((t, ctx) => {
  if (!t.key && t.operator !== 'Exists')
    problem(ctx, t, 'tolerates no key with operator Equal; accepted: a key, or operator: "Exists" to tolerate every taint', ['operator']);
  if (t.operator === 'Exists' && t.value)
    problem(ctx, t.value, 'is a value with operator Exists, which matches any value; accepted: no value, or operator: "Equal"', ['value']);
  if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute')
    problem(ctx, t.tolerationSeconds, 'applies only to the NoExecute effect; accepted: effect: "NoExecute", or no tolerationSeconds', ['tolerationSeconds']);
});

/** Where the model cache comes from: a PersistentVolumeClaim by name (a DNS-1123 subdomain, ValidatePersistentVolumeClaimName in pkg/apis/core/validation). */
const modelCache = fields('a model cache source', { claimName: dnsSubdomain('PersistentVolumeClaim name') });

/** Probe timing: a timeout of 1 to 60 s, and 1 to 30 failed liveness probes. */
const probes = fields('probe timing', {
  timeoutSeconds: z
    .number(says('is not a number of seconds', 'a whole number from 1 to 60'))
    .superRefine((value, ctx) => {
      if (!Number.isInteger(value) || value < 1 || value > 60)
        problem(ctx, value, 'is not a probe timeout; accepted: a whole number of seconds from 1 to 60, e.g. 10');
    })
    .optional(),
  livenessFailureThreshold: z
    .number(says('is not a count', 'a whole number from 1 to 30'))
    .superRefine((value, ctx) => {
      if (!Number.isInteger(value) || value < 1 || value > 30)
        problem(ctx, value, 'is not a number of failed liveness probes; accepted: a whole number from 1 to 30, e.g. 6 (two minutes, 20 s apart)');
    })
    .optional(),
});

const list = <T extends z.ZodType>(item: T, accepted: string) => z.array(item, says('is not a list', accepted)).readonly();

const scrapers = list(
  ingressClient,
  'a list of scrapers, e.g. [{ namespace: "monitoring", podLabels: { "app.kubernetes.io/name": "prometheus" } }]',
).superRefine((value, ctx) => {
  if (value.length === 0) problem(ctx, value, 'is empty; accepted: at least one scraper, or no scrapers field');
});

/** Where an app serves metrics, and who scrapes them. */
const appMetrics = fields('metrics settings', { port: port.optional(), scrapers: scrapers.optional() });

/** The platform's scrapers. */
const platformMetrics = fields('metrics settings of the platform', { scrapers });

/** Lowest and highest startup budget: one probe period, and a day. */
const STARTUP_SECONDS = { min: 10, max: 86_400 } as const;

/** Writable paths whose mount a model cache would collide with. */
const RESERVED_PATHS = ['/', '/tmp', POD_USER.home, '/dev/shm'];

/** `path` is `root` or lies below it. */
const under = (path: string, root: string) => path === root || path.startsWith(root.endsWith('/') ? root : `${root}/`);

const cidrList = (example: string) =>
  list(cidr, `a list of CIDRs, e.g. ["${example}"]`).superRefine((value, ctx) => {
    if (value.length === 0) problem(ctx, value, `is empty; accepted: at least one CIDR, e.g. ["${example}"], or no field (then the cloud's default)`);
  });

/** The cluster's own ranges; any left out is the cloud's default. */
const clusterNetwork = fields('cluster network ranges', {
  podCidrs: cidrList('10.244.0.0/16').optional(),
  serviceCidrs: cidrList('10.96.0.0/12').optional(),
  nodeCidrs: cidrList('10.0.0.0/16').optional(),
});

/** One app. Its `audit` needs the calico flavor; the rest of the cross-field checks are in validate.ts. */
export const appSchema = fields('an app', {
  name: dnsLabel('app name'),
  namespace: ownedNamespace(),
  image,
  args: list(text('a string (quote numbers: "8000")'), 'a list of strings').optional(),
  port,
  healthPath: text('a path starting with "/"')
    .superRefine((value, ctx) => {
      if (!value.startsWith('/')) problem(ctx, value, 'is not an HTTP path; accepted: a path starting with "/"');
    })
    .optional(),
  startupSeconds: z
    .number(says('is not a number of seconds', `a whole number from ${STARTUP_SECONDS.min} to ${STARTUP_SECONDS.max}`))
    .superRefine((value, ctx) => {
      if (!Number.isInteger(value) || value < STARTUP_SECONDS.min || value > STARTUP_SECONDS.max) {
        problem(
          ctx,
          value,
          `is not a startup budget; accepted: a whole number of seconds from ${STARTUP_SECONDS.min} (one probe period) to ${STARTUP_SECONDS.max} (a day), e.g. 900 for 15 minutes`,
        );
      }
    })
    .optional(),
  replicas: count('replica count').optional(),
  resources: resources.optional(),
  gpus: count('GPU count').optional(),
  shmSize: size.optional(),
  runtimeClassName: dnsSubdomain('RuntimeClass name').optional(),
  tolerations: list(toleration, 'a list of tolerations, e.g. [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]').optional(),
  nodeSelector: labels(false).optional(),
  env: env.optional(),
  envExceptions: z
    .record(
      z.string(),
      text('a sentence saying why the app never calls this endpoint from here'),
      says('is not a set of exceptions', 'an object of VARIABLE: "why the app never calls it from here" pairs'),
    )
    .readonly()
    .optional(),
  modelCachePath: text('an absolute path other than "/", "/tmp", "/dev/shm" and HOME')
    .superRefine((value, ctx) => {
      if (!value.startsWith('/') || RESERVED_PATHS.includes(value)) {
        problem(ctx, value, `is not a usable mount path; accepted: an absolute path other than ${RESERVED_PATHS.map((p) => `"${p}"`).join(', ')}`);
      }
    })
    .optional(),
  modelCacheSize: size.optional(),
  modelCache: modelCache.optional(),
  probes: probes.optional(),
  tmpSize: size.optional(),
  homeSize: size.optional(),
  flavor: z.enum(FLAVORS, says('is not a policy flavor', '"kubernetes" or "calico"')).optional(),
  audit: flag.optional(),
  egress: list(destination, 'a list of destinations (it may be empty: DNS only)'),
  ingress: list(ingressClient, 'a list of clients, e.g. [{ namespace: "ai-gateway" }]').optional(),
  dns: dns.optional(),
  metrics: appMetrics.optional(),
}).superRefine((app, ctx) => {
  if (app.audit !== undefined && app.flavor !== 'calico') {
    problem(
      ctx,
      app.audit,
      'is a Calico-only feature (Staged policies); accepted: audit on an app with flavor: "calico", or no audit for the kubernetes flavor',
      ['audit'],
    );
  }
  const { USER: user, HOME: home } = app.env ?? {};
  if (user === '')
    problem(
      ctx,
      user,
      `is empty, so getpass.getuser() falls back to the password database, which has no entry for the pod's user; accepted: a name, or no USER (then "${POD_USER.name}")`,
      ['env', 'USER'],
    );
  if (app.modelCache !== undefined && app.modelCacheSize !== undefined) {
    problem(
      ctx,
      app.modelCacheSize,
      'is the size of a model cache in an emptyDir, and modelCache names another source, whose size is its own; accepted: modelCacheSize or modelCache, not both',
      ['modelCacheSize'],
    );
  }
  const writable = writablePaths(app);
  if (home !== undefined && !writable.some((root) => under(home, root))) {
    problem(
      ctx,
      home,
      `is not writable: the root filesystem is read-only; accepted: a path at or below ${writable.map((p) => `"${p}"`).join(', ')} (the writable emptyDirs), or no HOME (then "${POD_USER.home}")`,
      ['env', 'HOME'],
    );
  }
});

/** A shared allow-list: a name and blocks, none of them internet-sized (those need a reason, on a destination). */
export const allowListSchema = fields('an allow-list', {
  name: dnsLabel('allow-list name'),
  cidrs: list(cidr, 'a list of CIDRs').superRefine((value, ctx) => {
    if (value.length === 0) problem(ctx, value, 'is empty; accepted: at least one CIDR');
  }),
  description: text('a few words saying what the allow-list is').optional(),
  shared: fields('a shared range', { reason: text('a sentence saying why addresses and not a name or a private endpoint') }).optional(),
}).superRefine((value, ctx) => {
  value.cidrs.forEach((c, i) => internetSized(ctx, c, ['cidrs', i]));
  // Its GlobalNetworkSet's nets are a set (`x-kubernetes-list-type: set` in Calico's CRD), which
  // the API server refuses with a duplicate ("Duplicate value"), naming an object the user never
  // wrote: a block written twice, or written twice otherwise (`2001:db8::/32`, `2001:0db8::/32`).
  const seen = new Map<string, number>();
  value.cidrs.forEach((text, i) => {
    const parsed = parseCidr(text);
    if (!('cidr' in parsed)) return;
    const key = formatCidr(parsed.cidr);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else
      problem(
        ctx,
        text,
        `is the block of cidrs[${first}] (${JSON.stringify(value.cidrs[first])}) again, and the allow-list's GlobalNetworkSet holds its blocks as a set, which the API server refuses with a duplicate; accepted: each block once`,
        ['cidrs', i],
      );
  });
  if (value.shared !== undefined && value.shared.reason.trim() === '')
    problem(ctx, value.shared.reason, 'is empty; accepted: a sentence saying why addresses and not a name or a private endpoint', ['shared', 'reason']);
});

const subjectName = (what: string) =>
  z.string(says(`is not a ${what}`, `a ${what}, e.g. "platform-security"`)).superRefine((value, ctx) => {
    if (value.trim() === '') problem(ctx, value, `is empty; accepted: a ${what}`);
  });

const tierOwners = fields('tier owners', {
  users: list(subjectName('user name'), 'a list of user names, e.g. ["alice@example.com"]').optional(),
  groups: list(subjectName('group name'), 'a list of group names, e.g. ["platform-security"]').optional(),
  serviceAccounts: list(serviceAccountRef, 'a list of ServiceAccounts as "namespace/name", e.g. ["argocd/argocd-application-controller"]').optional(),
}).superRefine((value, ctx) => {
  // A field that is not one of these is reported on its own, with the one it may have meant.
  const misspelled = Object.keys(value).some((k) => !['users', 'groups', 'serviceAccounts'].includes(k));
  if (!misspelled && [value.users, value.groups, value.serviceAccounts].every((l) => (l ?? []).length === 0)) {
    problem(
      ctx,
      value,
      'names nobody; accepted: at least one of users, groups, serviceAccounts, e.g. { serviceAccounts: ["argocd/argocd-application-controller"] }',
    );
  }
});

const calico = fields('calico settings', {
  tier: dnsLabel('tier name')
    .superRefine((value, ctx) => {
      if (value === 'default')
        problem(ctx, value, 'is the tier where Kubernetes NetworkPolicies land, which app teams can reopen; accepted: a tier of its own, e.g. "ai-egress"');
    })
    .optional(),
  tierOrder: z
    .number(says('is not a tier order', TIER_ORDER_ACCEPTED))
    .superRefine((value, ctx) => {
      if (!Number.isFinite(value) || value <= CALICO_TIER_ORDERS.admin) {
        problem(
          ctx,
          value,
          `would run before Calico's admin tier (order ${CALICO_TIER_ORDERS.admin}: adminnetworkpolicy in Calico 3.29 to 3.31, kube-admin from 3.32; at an equal order tiers run by name), and an Allow in this tier is final, so a cluster admin's AdminNetworkPolicy or ClusterNetworkPolicy could no longer deny what it allows; accepted: ${TIER_ORDER_ACCEPTED}`,
        );
      } else if (value >= CALICO_TIER_ORDERS.default) {
        problem(
          ctx,
          value,
          `would not run before the default tier (order ${CALICO_TIER_ORDERS.default}), where Kubernetes NetworkPolicies live, so an app team's policy could reopen egress; accepted: ${TIER_ORDER_ACCEPTED}`,
        );
      }
    })
    .optional(),
  audit: flag.optional(),
  owners: tierOwners.optional(),
  log: z
    .enum(
      ['denied-egress', 'denied', 'none'],
      says('is not a logging choice', '"denied-egress" (what AI pods tried to send and were denied), "denied" (both directions) or "none"'),
    )
    .optional(),
});

const SERVER_ACCEPTED = 'the URL of the cluster\'s API server, e.g. "https://kubernetes.default.svc" (the cluster Argo CD runs in)';

/** Where Argo CD applies a folder: exactly one of a server URL and a cluster name. */
const argoCdDestination = fields('an Argo CD destination', {
  server: z
    .string(says('is not a URL', SERVER_ACCEPTED))
    .superRefine((value, ctx) => {
      if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(value)) problem(ctx, value, `is not a URL; accepted: ${SERVER_ACCEPTED}`);
    })
    .optional(),
  name: z
    .string(says('is not a cluster name', 'the cluster\'s name in Argo CD, e.g. "prod-eu"'))
    .superRefine((value, ctx) => {
      if (value.trim() === '') problem(ctx, value, 'is empty; accepted: the cluster\'s name in Argo CD, e.g. "prod-eu"');
    })
    .optional(),
}).superRefine((value, ctx) => {
  const misspelled = Object.keys(value).some((k) => !['server', 'name'].includes(k));
  // Argo CD refuses both ("application destination can't have both name and server defined",
  // util/argo/argo.go GetDestinationServer) and neither.
  if (value.server !== undefined && value.name !== undefined)
    problem(ctx, value, 'names the cluster twice; accepted: one of server and name, e.g. { name: "prod-eu" }');
  else if (!misspelled && value.server === undefined && value.name === undefined)
    problem(ctx, value, 'names no cluster; accepted: { server: "https://..." } or { name: "..." }');
});

const REPO_ACCEPTED = 'the Git repository Argo CD reads, e.g. "https://github.com/example/platform.git" or "git@github.com:example/platform.git"';
const noSpaces = (what: string, example: string) =>
  z.string(says(`is not ${what}`, `${what}, e.g. ${example}`)).superRefine((value, ctx) => {
    if (value === '' || /\s/.test(value)) problem(ctx, value, `is not ${what}; accepted: ${what} without spaces, e.g. ${example}`);
  });

/** How the Argo CD manifests find the repository and apply dist/. */
const argocd = fields('argocd settings', {
  repoURL: z.string(says('is not a repository URL', REPO_ACCEPTED)).superRefine((value, ctx) => {
    if (!/^((https?|ssh|git):\/\/\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\S+)$/.test(value))
      problem(ctx, value, `is not a repository URL; accepted: ${REPO_ACCEPTED}`);
  }),
  targetRevision: noSpaces('a branch, tag or commit', '"main", "v1.2.0" or "HEAD"').optional(),
  project: dnsSubdomain('Argo CD project name').optional(),
  namespace: dnsLabel('namespace name').optional(),
  name: dnsLabel('Application name').optional(),
  destination: argoCdDestination.optional(),
  automated: flag.optional(),
  serverSideApply: flag.optional(),
});

/** The guardrail kinds (types.ts GuardrailKind). */
const guardrail = z.enum(
  ['calico', 'ClusterNetworkPolicy', 'AdminNetworkPolicy'],
  says(
    'is not a guardrail kind',
    `"calico" (Calico's own objects), "ClusterNetworkPolicy" (${CLUSTER_POLICY_API_VERSION.ClusterNetworkPolicy}) or "AdminNetworkPolicy" (v1alpha1)`,
  ),
);

const calicoVersion = z.string(says('is not a Calico release', CALICO_VERSION_ACCEPTED)).superRefine((value, ctx) => {
  const problemText = calicoVersionProblem(value);
  if (problemText) problem(ctx, value, problemText);
});

/** One cluster: what differs there. Whether its apps and allow-lists exist is checked against the platform (validate.ts). */
export const clusterSchema = fields('a cluster', {
  name: dnsLabel('cluster name'),
  apps: list(dnsLabel('app name'), 'a list of the names of apps declared in apps, e.g. ["ai-service"]')
    .superRefine((value, ctx) => {
      if (value.length === 0) problem(ctx, value, 'is empty; accepted: at least one app name, or no apps field (then every app runs there)');
    })
    .optional(),
  allowLists: list(allowListSchema, 'a list of { name, cidrs }').optional(),
  cloud: cloud.optional(),
  calicoInstalled: flag.optional(),
  calicoVersion: calicoVersion.optional(),
  guardrail: guardrail.optional(),
  kubeDnsClusterIp: ipAddress(KUBE_DNS_CLUSTER_IP_HINT).optional(),
  clusterNetwork: clusterNetwork.optional(),
  dnsResolverClusterIp: ipAddress('an address in this cluster\'s Service range, e.g. "10.96.0.53"').optional(),
  argocd: fields('argocd settings of a cluster', { destination: argoCdDestination.optional() }).optional(),
});

/** The egress proxy's settings. */
const egressProxy = fields('egress proxy settings', {
  namespace: ownedNamespace().optional(),
  replicas: z
    .number(says('is not a replica count', 'a whole number, 2 or more'))
    .superRefine((value, ctx) => {
      if (!Number.isInteger(value) || value < 2)
        problem(
          ctx,
          value,
          "leaves every app's hostname destinations without a proxy whenever one pod is down (a node drained, a rollout); accepted: a whole number, 2 or more",
        );
    })
    .optional(),
});

/**
 * The platform around the apps. Apps, allow-lists and clusters are checked one by one
 * (appSchema, allowListSchema, clusterSchema), so that one's problems never hide another's.
 */
export const platformSchema = fields('a platform intent', {
  apps: z.array(z.unknown(), says('is not a list of apps', 'a list of at least one app')).superRefine((value, ctx) => {
    if (value.length === 0) problem(ctx, value, 'is empty; accepted: at least one app');
  }),
  allowLists: z.array(z.unknown(), says('is not a list of allow-lists', 'a list of { name, cidrs }')).optional(),
  cloud: cloud.optional(),
  calicoInstalled: flag.optional(),
  metrics: platformMetrics.optional(),
  calico: calico.optional(),
  clusterNetwork: clusterNetwork.optional(),
  dnsResolver: dnsResolver.optional(),
  guardrail: guardrail.optional(),
  calicoVersion: calicoVersion.optional(),
  clusters: z
    .array(z.unknown(), says('is not a list of clusters', 'a list of clusters, e.g. [{ name: "prod-eu" }]'))
    .superRefine((value, ctx) => {
      if (value.length === 0) problem(ctx, value, 'is empty; accepted: at least one cluster, or no clusters field (dist/ then holds the files of one cluster)');
    })
    .optional(),
  argocd: argocd.optional(),
  egressProxy: egressProxy.optional(),
});

/** True when A and B are the same type, readonly modifiers included. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** The platform's input with its apps, allow-lists and clusters as the checked types (the schema takes them as unknown). */
type WithApps<T> = {
  [K in keyof T]: K extends 'apps'
    ? readonly AiAppIntent[]
    : K extends 'allowLists'
      ? readonly AllowList[] | undefined
      : K extends 'clusters'
        ? readonly ClusterIntent[] | undefined
        : T[K];
};

/** Compiles only when the schemas take exactly what the types declare. */
const SCHEMAS_MATCH_TYPES: [
  Same<z.input<typeof appSchema>, AiAppIntent>,
  Same<z.input<typeof allowListSchema>, AllowList>,
  Same<z.input<typeof calico>, CalicoOptions>,
  Same<z.input<typeof resources>, ComputeResources>,
  Same<z.input<typeof ingressClient>, IngressClient>,
  Same<z.input<typeof dns>, DnsIntent>,
  Same<z.input<typeof dnsResolver>, DnsResolverOptions>,
  Same<z.input<typeof clusterNetwork>, ClusterNetwork>,
  Same<z.input<typeof toleration>, Toleration>,
  Same<z.input<typeof probes>, ProbeTiming>,
  Same<z.input<typeof modelCache>, ModelCacheSource>,
  Same<z.input<typeof appMetrics>, AppMetrics>,
  Same<z.input<typeof platformMetrics>, PlatformMetrics>,
  Same<z.input<typeof tierOwners>, TierOwners>,
  Same<z.input<typeof argoCdDestination>, ArgoCdDestination>,
  Same<z.input<typeof argocd>, ArgoCdSettings>,
  Same<z.input<typeof clusterSchema>, ClusterIntent>,
  Same<z.input<typeof egressProxy>, EgressProxyOptions>,
  Same<WithApps<z.input<typeof platformSchema>>, PlatformIntent>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];
void SCHEMAS_MATCH_TYPES; // checked when compiled; nothing reads it
