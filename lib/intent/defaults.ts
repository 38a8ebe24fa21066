import { AiAppIntent, ComputeResources, Toleration } from './types';

/**
 * Requests and limits of an app that declares none: enough for a small web service, far too
 * little for a model server, which should declare its own. Memory request equals its limit, so
 * the pod is not evicted for using what it was promised. `npm run synth` prints where it applies.
 */
export const DEFAULT_RESOURCES: ComputeResources = {
  cpu: { request: '250m', limit: '1' },
  memory: { request: '512Mi', limit: '512Mi' },
};

/** Where the model cache is mounted when the app has one and `modelCachePath` is not given. */
export const DEFAULT_MODEL_CACHE_PATH = '/models';

/** Size limit of the model cache when `modelCacheSize` is not given. */
export const DEFAULT_MODEL_CACHE_SIZE = '20Gi';

/** Size limit of the writable `/tmp` when `tmpSize` is not given. */
export const DEFAULT_TMP_SIZE = '1Gi';

/** Size limit of the writable HOME when `homeSize` is not given. */
export const DEFAULT_HOME_SIZE = '1Gi';

/**
 * The name and home of the pod's user, set as `USER` and `HOME` unless the app's `env` sets them.
 * The container runs as a numeric user with no passwd entry, and Python's `getpass.getuser()`
 * reads `LOGNAME`, `USER`, `LNAME` and `USERNAME` before it falls back to the password database
 * (https://docs.python.org/3/library/getpass.html#getpass.getuser), where PyTorch's compile cache
 * raises `KeyError: 'getpwuid(): uid not found'` (https://github.com/pytorch/pytorch/issues/140765).
 * HOME is an emptyDir of its own: images such as vllm/vllm-openai have no USER line, so their
 * HOME is `/root`, which a non-root user cannot write.
 */
export const POD_USER = { name: 'ai', home: '/home/ai' } as const;

/**
 * `/dev/shm` of an app with GPUs when `shmSize` is not given: vLLM's Kubernetes guide mounts a
 * memory emptyDir of 2Gi there, "vLLM needs to access the host's shared memory for tensor
 * parallel inference" (https://docs.vllm.ai/en/latest/deployment/k8s.html).
 */
export const DEFAULT_GPU_SHM_SIZE = '2Gi';

/**
 * What a pod with GPUs tolerates when `tolerations` is not given: the `nvidia.com/gpu` taint,
 * whatever its value, which GKE puts on a GPU node pool added to a cluster with other pools
 * (https://cloud.google.com/kubernetes-engine/docs/how-to/gpus), and which EKS and Karpenter
 * users commonly put on theirs. AKS's examples use `sku=gpu` instead
 * (https://learn.microsoft.com/azure/aks/use-node-taints): declare that one yourself.
 */
export const GPU_TOLERATIONS: readonly Toleration[] = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];

/** The size of an app's `/dev/shm`, or undefined when it keeps the runtime's own. */
export function shmSizeOf(app: AiAppIntent): string | undefined {
  return app.shmSize ?? ((app.gpus ?? 0) > 0 ? DEFAULT_GPU_SHM_SIZE : undefined);
}

/** The taints an app's pods tolerate. */
export function tolerationsOf(app: AiAppIntent): readonly Toleration[] {
  return app.tolerations ?? ((app.gpus ?? 0) > 0 ? GPU_TOLERATIONS : []);
}

/**
 * Orders of the tiers Calico creates itself. Tiers run from the lowest order up, and an Allow or
 * Deny in a tier is final (https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy).
 * - `admin` (1,000): `adminnetworkpolicy` in Calico 3.29 to 3.31, where AdminNetworkPolicies
 *   land; `kube-admin` from 3.32, where ClusterNetworkPolicies of tier Admin land (3.32 no longer
 *   enforces AdminNetworkPolicy). Both have default action Pass.
 * - `default` (1,000,000, fixed): Kubernetes NetworkPolicies and Calico policies without a tier.
 * - `baseline` (10,000,000): `baselineadminnetworkpolicy` in 3.30 and 3.31, `kube-baseline` from
 *   3.32; reached only through a Pass out of `default`.
 * Sources: api/pkg/apis/projectcalico/v3/tier.go (KubeAdminTierOrder, DefaultTierOrder,
 * KubeBaselineTierOrder at v3.32.1; the adminnetworkpolicy tiers at v3.29.0 to v3.31.x) and the
 * Calico 3.32 release notes (calico#11144, calico#10810).
 */
export const CALICO_TIER_ORDERS = { admin: 1_000, default: 1_000_000, baseline: 10_000_000 } as const;

/**
 * Order of the AI egress tier when `calico.tierOrder` is not given: after the admin tier, so a
 * cluster admin's AdminNetworkPolicy or ClusterNetworkPolicy decides first, and before
 * `default`, so nothing an app team writes there reopens egress. Any order strictly between the
 * two does that; Calico recommends no number, this one leaves room on both sides.
 */
export const DEFAULT_AI_TIER_ORDER = 10_000;
