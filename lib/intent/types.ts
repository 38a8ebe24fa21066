/**
 * The declared intent: what an AI app is and where it may send data.
 *
 * Plain, typed, readonly data with no cdk8s inside, so it can be written by hand in `main.ts`,
 * generated (benchmarks, property tests) and validated before anything is rendered. The types
 * are checked by `tsc`; the same shape is checked again at run time (`schema.ts`), since
 * `npm run synth` and `cdk8s synth` run `main.ts` without type-checking it.
 */
import type { Cloud } from '../net';
import type { EgressDestination } from './destinations';
import type { AllowList, Labels } from './values';

export type { Cloud } from '../net';
export type { AllowList, Labels, PortSpec, Protocol } from './values';

/** Which policy objects an app's egress is rendered as. */
import type { Flavor } from '../conventions';
export type { Flavor };

/**
 * One place an app may send traffic to: a CIDR block, pods of the cluster, a shared allow-list,
 * a pod credential endpoint or host names through the egress proxy, each kind a module of
 * `destinations/`.
 */
export type { EgressDestination } from './destinations';

/** Pods allowed to call the app on its service port. */
export interface IngressClient {
  /** The namespace's name. */
  readonly namespace: string;
  /** Only pods with these labels. @default every pod of the namespace */
  readonly podLabels?: Labels;
}

/**
 * How the app resolves names. By default it asks the project's resolver of cluster names
 * (`dnsResolver`), which answers the cluster's own names and refuses every other: a lookup is a
 * message to whoever serves the name asked, so a resolver that forwards any name carries data out.
 * An app that must resolve names outside the cluster declares it, with a reason; it then asks
 * kube-dns (and NodeLocal DNSCache where declared), which forwards every name upstream.
 */
export interface DnsIntent {
  /**
   * Resolve names outside the cluster: the pods keep the cluster's DNS (`dnsPolicy: ClusterFirst`)
   * and may send DNS to kube-dns. The reason is kept on the app's policy and shown by the verifier.
   * @default none: cluster names only, through the project's resolver
   */
  readonly publicNames?: PublicNames;
  /** With `publicNames` only: DNS to the kube-dns pods (kube-system, `k8s-app: kube-dns`, UDP and TCP 53). @default true */
  readonly kubeDns?: boolean;
  /** With `publicNames` only: NodeLocal DNSCache link-local addresses, e.g. `169.254.20.10`. Needs `kubeDnsClusterIp`. @default none: no DNS to a node-local cache */
  readonly nodeLocal?: readonly string[];
  /**
   * With `publicNames` and `nodeLocal` only: the ClusterIP of the kube-dns Service (`kubectl -n
   * kube-system get svc kube-dns`): with kube-proxy in iptables mode, NodeLocal DNSCache also
   * listens on it, in the host network, and pods keep sending DNS there, so a selector on the
   * kube-dns pods no longer matches. Allowed as an address block on UDP and TCP 53.
   * @default none (required with `nodeLocal`)
   */
  readonly kubeDnsClusterIp?: string;
}

/** Why an app needs names outside the cluster. */
export interface PublicNames {
  /** A sentence saying why; kept on the app's policy as the annotation `secure-ai-egress/public-dns`. */
  readonly reason: string;
}

/**
 * The resolver of cluster names the project runs for the AI apps: CoreDNS, which forwards the
 * cluster's domain to kube-dns and refuses every other name. Its Service has a fixed ClusterIP,
 * which the apps' pods name in their `dnsConfig`.
 */
export interface DnsResolverOptions {
  /** The namespace it runs in, created and owned by this project. @default 'ai-dns' */
  readonly namespace?: string;
  /** The cluster's DNS domain, the one zone it forwards (the kubelet's `clusterDomain`). @default 'cluster.local' */
  readonly clusterDomain?: string;
  /**
   * Its ClusterIP, in the cluster's Service range. @default the 53rd address of the first Service
   * range (`clusterNetwork.serviceCidrs`, or its cloud's default), inside the band Kubernetes leaves
   * to fixed ClusterIPs (KEP-3070)
   */
  readonly clusterIp?: string;
  /**
   * NodeLocal DNSCache link-local addresses, where the cluster has it: the resolver asks kube-dns
   * through the node's cache, so it may send DNS there (only names of the cluster domain reach it).
   * Needs `kubeDnsClusterIp`.
   * @default none: the resolver asks kube-dns directly
   */
  readonly nodeLocal?: readonly string[];
  /** With `nodeLocal`: the kube-dns ClusterIP, where the cache also answers (see DnsIntent.kubeDnsClusterIp). @default none (required with `nodeLocal`) */
  readonly kubeDnsClusterIp?: string;
}

/**
 * The cluster's own address ranges. None of them is the internet: every allowed block that
 * contains one carves it out, and the resolver's ClusterIP is placed in the Service range. What is
 * left out is the cloud's default (lib/net, CLUSTER_RANGE_DEFAULTS): for pods and nodes the private
 * address space (10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12, 192.168.0.0/16, fc00::/7); for Services
 * the managed Kubernetes's default range of the cloud, kubeadm's 10.96.0.0/12 elsewhere.
 */
export interface ClusterNetwork {
  /** Where pods get their addresses, e.g. `['10.244.0.0/16']` (Calico's IP pools: `kubectl get ippools`). @default the cloud's default (CLUSTER_RANGE_DEFAULTS) */
  readonly podCidrs?: readonly string[];
  /** The Service range, `--service-cluster-ip-range` of the API server, e.g. `['10.96.0.0/12']`; the first is the primary family. @default the cloud's default (CLUSTER_RANGE_DEFAULTS) */
  readonly serviceCidrs?: readonly string[];
  /** Where nodes get their addresses (the VPC's subnets), e.g. `['10.0.0.0/16']`. @default the cloud's default (CLUSTER_RANGE_DEFAULTS) */
  readonly nodeCidrs?: readonly string[];
}

/** CPU and memory, as Kubernetes quantities. */
export interface ComputeResources {
  readonly cpu: { readonly request: string; readonly limit: string };
  readonly memory: { readonly request: string; readonly limit: string };
}

/**
 * A taint the app's pods tolerate, as in the Pod API
 * (https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/).
 */
export interface Toleration {
  /** The taint's key; empty with `operator: 'Exists'` tolerates every taint. @default empty */
  readonly key?: string;
  /** How the taint's value is matched: `Equal` to `value`, or any value (`Exists`). @default 'Equal' */
  readonly operator?: 'Exists' | 'Equal';
  /** The taint's value, for `operator: 'Equal'`. @default empty */
  readonly value?: string;
  /** The taint effect tolerated. @default every effect */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  /** How long a `NoExecute` taint is tolerated before the pod is evicted. @default forever */
  readonly tolerationSeconds?: number;
}

/** Where an app's model cache comes from, other than an emptyDir. */
export interface ModelCacheSource {
  /** A PersistentVolumeClaim of the app's namespace (created outside this project), mounted writable at `modelCachePath`. */
  readonly claimName: string;
}

/** How long a probe may take, and how many failed liveness probes restart the container. */
export interface ProbeTiming {
  /** Seconds a readiness or liveness probe may take before it counts as failed. @default 5 */
  readonly timeoutSeconds?: number;
  /** Failed liveness probes in a row (20 s apart) before the kubelet restarts the container. @default 3 */
  readonly livenessFailureThreshold?: number;
}

/** Where an app serves its metrics, and who scrapes them. */
export interface AppMetrics {
  /** The port the server serves `/metrics` on. @default the app's `port` */
  readonly port?: number;
  /** The pods that scrape it (a monitoring namespace, its Prometheus pods). @default the platform's `metrics.scrapers` */
  readonly scrapers?: readonly IngressClient[];
}

/** The scrapers of every app that serves metrics, unless it names its own. */
export interface PlatformMetrics {
  /** E.g. `[{ namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' } }]`. */
  readonly scrapers: readonly IngressClient[];
}

/** An AI workload and the network reach it is allowed. */
export interface AiAppIntent {
  /** DNS-1123 label; names the Deployment, Service, ServiceAccount and policies. */
  readonly name: string;
  /** DNS-1123 label; the namespace is created and owned by this project. */
  readonly namespace: string;
  /** Container image with a pinned tag or digest (never `latest`). */
  readonly image: string;
  /** Arguments for the container's entrypoint. @default none: the image's own command */
  readonly args?: readonly string[];
  /** Port the server listens on; the Service exposes the same port. */
  readonly port: number;
  /**
   * HTTP path answering readiness and liveness probes (a GET that returns 2xx or 3xx).
   * @default none: the probes open a TCP connection to `port`
   */
  readonly healthPath?: string;
  /**
   * How long the server may take to start (download and load the model, warm up) before the
   * kubelet restarts it, in seconds: the budget of the startup probe. Readiness and liveness are
   * probed only once it has succeeded.
   * @default DEFAULT_STARTUP_SECONDS: 600 for an app with GPUs, 300 otherwise
   */
  readonly startupSeconds?: number;
  /** How many pods run the app. @default 1 */
  readonly replicas?: number;
  /** CPU and memory requests and limits of the server's container. @default DEFAULT_RESOURCES: requests 250m CPU and 512Mi memory, limits 1 CPU and 512Mi memory */
  readonly resources?: ComputeResources;
  /** Number of `nvidia.com/gpu` to request and limit. @default 0 */
  readonly gpus?: number;
  /**
   * Size of `/dev/shm`, a memory-backed emptyDir (it counts against the memory limit). PyTorch
   * shares tensors between processes through it.
   * @default DEFAULT_GPU_SHM_SIZE ('2Gi') for an app with GPUs; none otherwise (the runtime's own 64Mi)
   */
  readonly shmSize?: string;
  /** RuntimeClass of the pods, e.g. `nvidia` where the NVIDIA GPU Operator created it; a missing one rejects the pod. @default none: the node's default runtime */
  readonly runtimeClassName?: string;
  /** Taints the pods tolerate; replaces the default. @default GPU_TOLERATIONS (the `nvidia.com/gpu` taint) for an app with GPUs; none otherwise */
  readonly tolerations?: readonly Toleration[];
  /** Node labels the pods must be scheduled on. @default none */
  readonly nodeSelector?: Labels;
  /**
   * Environment of the server. `USER` and `HOME` are set unless given here (HOME must then be a
   * writable path). A variable that holds an endpoint (`*_ENDPOINT`, `*_URL`, `*_URI`, `*_HOST`,
   * `*_ADDR`, `*_ADDRESS`, the proxy variables) must point where `egress` allows, on every cluster.
   * @default none besides `USER` and `HOME`
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Variables of `env` whose endpoint the app deliberately does not reach from here, each with the
   * reason (a URL it only prints, an endpoint used elsewhere): left out of the check that every
   * endpoint of `env` is declared egress. @default none
   */
  readonly envExceptions?: Readonly<Record<string, string>>;
  /**
   * Where the model cache is mounted. Declaring it (or `modelCacheSize`, or `modelCache`) gives the
   * app a model cache; the presets declare one.
   * @default '/models' when the app has a model cache; none otherwise
   */
  readonly modelCachePath?: string;
  /**
   * Size limit of the model cache when it is an emptyDir, which counts as the pod's ephemeral
   * storage and must fit the node's disk; the startup budget grows with it.
   * @default '20Gi' when the app has a model cache in an emptyDir
   */
  readonly modelCacheSize?: string;
  /**
   * Where the model cache comes from instead of an emptyDir: a PersistentVolumeClaim of the app's
   * namespace, mounted writable (weights downloaded once survive restarts, and take no node disk).
   * @default an emptyDir of `modelCacheSize`
   */
  readonly modelCache?: ModelCacheSource;
  /** Probe timing, which the presets set from their servers' health handlers. @default DEFAULT_PROBES */
  readonly probes?: ProbeTiming;
  /** Size limit of the writable `/tmp` emptyDir. @default '1Gi' */
  readonly tmpSize?: string;
  /** Size limit of the writable emptyDir at `HOME_PATH` (`/home/ai`), where servers keep caches and settings. @default '1Gi' */
  readonly homeSize?: string;
  /** Which policies enforce the app's reach: Kubernetes NetworkPolicies, or Calico's in a tier of their own. @default 'kubernetes' */
  readonly flavor?: Flavor;
  /** Calico only: render this app's policies as Staged kinds (audit mode), to see what they would deny before enforcing. @default the platform's `calico.audit` */
  readonly audit?: boolean;
  /** The only places the app may send to, besides DNS; may be empty (DNS only). */
  readonly egress: readonly EgressDestination[];
  /** Who may call the app on `port` (TCP). @default nobody */
  readonly ingress?: readonly IngressClient[];
  /**
   * The app serves Prometheus metrics, which its scrapers may then read: on `metrics.port`, a
   * container port of its own when it is not `port`, admitted from `metrics.scrapers` (or the
   * platform's `metrics.scrapers`) over TCP. The presets declare where their server serves them.
   * @default not scraped
   */
  readonly metrics?: AppMetrics;
  /** How the app resolves names (see DnsIntent). @default cluster names only, through the project's resolver */
  readonly dns?: DnsIntent;
}

/**
 * Which denied packets Calico's Log rules write to the node's kernel log (`calico-packet: ...`),
 * where anyone who can read node logs sees them, and which a port scan can flood:
 * - `denied-egress`: what the AI pods tried to send and were denied (metadata included): the
 *   attempts to exfiltrate, worth an alert.
 * - `denied`: that, and connections to the AI pods that were refused, in both directions.
 * - `none`: no Log rules; flow logs (where the Calico edition has them) still record denials.
 */
export type CalicoLog = 'denied-egress' | 'denied' | 'none';

/**
 * Who may write the Calico tier and its policies: Kubernetes users, groups and ServiceAccounts,
 * as RBAC subjects. dist/ binds them, and only them, to a ClusterRole for the tier (Calico's
 * "Configure RBAC for tiered policies"); RBAC only adds, so whoever holds `*` (cluster-admin,
 * Argo CD's default controller role) can still write it.
 */
export interface TierOwners {
  /** User names as the API server authenticates them, e.g. `alice@example.com`. @default none */
  readonly users?: readonly string[];
  /** Group names, e.g. `platform-security`. @default none */
  readonly groups?: readonly string[];
  /**
   * ServiceAccounts as `namespace/name`, e.g. `argocd/argocd-application-controller` (the user
   * `system:serviceaccount:argocd:argocd-application-controller`).
   * @default none
   */
  readonly serviceAccounts?: readonly string[];
}

/** Calico settings shared by every app of the `calico` flavor. */
export interface CalicoOptions {
  /** Name of the tier for AI egress. @default 'ai-egress' */
  readonly tier?: string;
  /**
   * Tier order: after Calico's admin tier (order 1000, where cluster admins' AdminNetworkPolicies or
   * ClusterNetworkPolicies decide first) and before the `default` tier (order 1000000, where
   * Kubernetes NetworkPolicies live). @default DEFAULT_AI_TIER_ORDER (10000)
   */
  readonly tierOrder?: number;
  /** Audit mode: render Staged* kinds instead, to see what would be denied. @default false */
  readonly audit?: boolean;
  /** What the Log rules log. @default 'denied-egress' */
  readonly log?: CalicoLog;
  /** Who may write the tier and its policies (RBAC in dist/). @default nobody besides cluster admins */
  readonly owners?: TierOwners;
}

/**
 * How the cluster-wide guardrail is written: cloud metadata denied to every pod of the namespaces
 * the intent owns (the Namespaces it writes, by their `secure-ai-egress/governed` label).
 * - `calico`: a GlobalNetworkPolicy in the project's Calico tier (written with the tier).
 * - `ClusterNetworkPolicy`: the network-policy-api's `policy.networking.k8s.io/v1alpha2`, served by
 *   Calico 3.32 and later, Antrea 2.7, kube-network-policies, Amazon EKS and Cilium 1.20 (behind a
 *   flag): the metadata deny in its Admin tier, and the namespaces' default deny of egress and of
 *   other pods' ingress in its Baseline tier, below every NetworkPolicy.
 * - `AdminNetworkPolicy`: its `v1alpha1` predecessor, served by Calico 3.29 to 3.31, Antrea and
 *   OVN-Kubernetes: the metadata deny (no BaselineAdminNetworkPolicy: the API allows one per
 *   cluster, which is the cluster admins' to write).
 */
export type GuardrailKind = 'calico' | 'ClusterNetworkPolicy' | 'AdminNetworkPolicy';

/**
 * Where Argo CD applies a folder of `dist/`: a cluster registered in Argo CD, by the URL of its
 * API server or by its name in Argo CD, one of the two
 * (https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#clusters).
 */
export interface ArgoCdDestination {
  /** The API server's URL, e.g. `https://kubernetes.default.svc` (the cluster Argo CD runs in). @default none: give this or `name` */
  readonly server?: string;
  /** The cluster's name in Argo CD, e.g. `prod-eu`. @default none: give this or `server` */
  readonly name?: string;
}

/**
 * How the Argo CD manifests in `deploy/argocd/` find this repository and apply `dist/`. Without
 * it, no Argo CD manifests are written.
 */
export interface ArgoCdSettings {
  /** The repository Argo CD reads `dist/` from, e.g. `https://github.com/example/platform.git`. */
  readonly repoURL: string;
  /** The branch, tag or commit to apply. @default 'HEAD' (the repository's default branch) */
  readonly targetRevision?: string;
  /** The Argo CD project of the Applications. @default 'default' */
  readonly project?: string;
  /** The namespace Argo CD runs in, where the Applications and the ApplicationSet live. @default 'argocd' */
  readonly namespace?: string;
  /** The Application's name; with clusters, `<name>-<cluster>` per cluster and the ApplicationSet's name. @default 'secure-ai-egress' */
  readonly name?: string;
  /** Where the Application applies `dist/`; only without clusters (each cluster names its own). @default { server: 'https://kubernetes.default.svc' } */
  readonly destination?: ArgoCdDestination;
  /**
   * Sync automatically, pruning what `dist/` no longer holds and reverting changes made in the
   * cluster (self-heal), never to an empty folder; false: sync by hand. @default true
   */
  readonly automated?: boolean;
  /** Apply with server-side apply (`ServerSideApply=true`): needs Calico 3.32.1 or later for Calico policies. @default false */
  readonly serverSideApply?: boolean;
}

/**
 * One cluster the intent is rolled out to, with what differs there; anything it leaves out is
 * the platform's. It gets `dist/<name>/`, synthesized, validated and verified on its own.
 */
export interface ClusterIntent {
  /** DNS-1123 label; names its folder `dist/<name>/` and its Argo CD Application. */
  readonly name: string;
  /** The names of the apps that run there. @default every app */
  readonly apps?: readonly string[];
  /**
   * Allow-lists with this cluster's contents: each replaces the platform's allow-list of the same
   * name there (or declares one the platform leaves out). @default the platform's
   */
  readonly allowLists?: readonly AllowList[];
  /** The cloud this cluster runs in, whose metadata and credential endpoints are denied there. @default the platform's `cloud` */
  readonly cloud?: Cloud;
  /**
   * Whether Calico serves its own API there: `projectcalico.org/v3` (tiers, Calico network
   * policies and sets), from Calico 3.29 on, through the Calico API server or, from 3.32, as v3
   * CRDs. The managed Calico of AKS and GKE enforces Kubernetes NetworkPolicy only and serves no
   * such API: declare `false` there. An app of the calico flavor is refused on a cluster without
   * it (docs/calico.md, "Preflight", says how to tell). @default true
   */
  readonly calicoInstalled?: boolean;
  /**
   * The Calico release the cluster runs (`'3.31'`, `'3.32.1'`), which decides the guardrail kinds it
   * serves: ClusterNetworkPolicy from 3.32, AdminNetworkPolicy before (3.32 removed it). Not with
   * `calicoInstalled: false`. @default the platform's `calicoVersion`, none on a cluster without Calico
   */
  readonly calicoVersion?: string;
  /**
   * How the cluster-wide guardrail is written there. @default the platform's `guardrail`; on a
   * cluster with `calicoInstalled: false`, 'ClusterNetworkPolicy'
   */
  readonly guardrail?: GuardrailKind;
  /**
   * The kube-dns ClusterIP of this cluster, where NodeLocal DNSCache is used (`dnsResolver.nodeLocal`,
   * `dns.nodeLocal` of apps with public names): it replaces their `kubeDnsClusterIp` there. @default each one's own
   */
  readonly kubeDnsClusterIp?: string;
  /** This cluster's own address ranges; each one given replaces the platform's. @default the platform's `clusterNetwork` */
  readonly clusterNetwork?: ClusterNetwork;
  /** The resolver's ClusterIP on this cluster. @default placed in this cluster's Service range */
  readonly dnsResolverClusterIp?: string;
  /** Argo CD settings of this cluster. @default the platform's `argocd`, applied to the cluster of this name */
  readonly argocd?: {
    /** Where Argo CD applies `dist/<name>/`. @default { name: <the cluster's name> }, a cluster registered in Argo CD under that name */
    readonly destination?: ArgoCdDestination;
  };
}

/**
 * The egress proxy that carries the apps' hostname destinations (`{ hosts, ports }`): a Squid
 * Deployment of its own, in a namespace of its own, written whenever some app declares names.
 */
export interface EgressProxyOptions {
  /** Its namespace, owned by this project like the apps' (no app may run there). @default 'ai-egress-proxy' */
  readonly namespace?: string;
  /** Its replicas, spread across nodes, at least 2: every app's names go through it. @default 2 */
  readonly replicas?: number;
}

/** Everything `main.ts` declares. */
export interface PlatformIntent {
  readonly apps: readonly AiAppIntent[];
  /** Named lists of external networks that apps' egress names (`{ allowList: name }`). @default none */
  readonly allowLists?: readonly AllowList[];
  /**
   * The cloud the cluster runs in: its instance metadata and credential endpoints (lib/net,
   * METADATA_ENDPOINTS) are refused as destinations, carved out of every allowed block and, with
   * the calico flavor, denied to every protected pod. `any` denies those of every cloud the table
   * knows. @default 'any'
   */
  readonly cloud?: Cloud;
  /**
   * Whether Calico serves its own API (`projectcalico.org/v3`, Calico 3.29 or later) where `dist/`
   * is applied, or, with clusters, on each cluster that declares nothing of its own (see
   * ClusterIntent.calicoInstalled): an app of the calico flavor is refused where it does not.
   * @default true
   */
  readonly calicoInstalled?: boolean;
  /** Who scrapes the metrics of the apps that serve them (`metrics` on an app, which the presets declare). @default nobody */
  readonly metrics?: PlatformMetrics;
  /** Settings of the Calico tier shared by every app of the `calico` flavor. @default tier 'ai-egress' at order 10000, enforced, logging denied egress */
  readonly calico?: CalicoOptions;
  /** The cluster's own address ranges (pods, Services, nodes). @default the cloud's defaults (see ClusterNetwork) */
  readonly clusterNetwork?: ClusterNetwork;
  /** The resolver of cluster names the AI apps use. @default namespace 'ai-dns', domain 'cluster.local', its address in the Service range */
  readonly dnsResolver?: DnsResolverOptions;
  /**
   * How the cluster-wide guardrail (cloud metadata denied to the pods of the intent's namespaces)
   * is written. @default 'calico' when an app uses the calico flavor; otherwise none (every allowed
   * block still carves the metadata addresses out)
   */
  readonly guardrail?: GuardrailKind;
  /**
   * The Calico release the cluster runs (`'3.31'`, `'3.32.1'`), when it runs Calico: a guardrail
   * kind that release does not serve is refused. @default undeclared: nothing is refused for it
   */
  readonly calicoVersion?: string;
  /**
   * The clusters the intent is rolled out to, each with what differs there. Without clusters,
   * `dist/` holds one cluster's files; with them, `dist/<cluster>/` per cluster. @default none
   */
  readonly clusters?: readonly ClusterIntent[];
  /** How Argo CD applies `dist/` (the manifests in `deploy/argocd/`). @default none: no Argo CD manifests */
  readonly argocd?: ArgoCdSettings;
  /** The egress proxy of hostname destinations. @default { namespace: 'ai-egress-proxy', replicas: 2 } */
  readonly egressProxy?: EgressProxyOptions;
}
