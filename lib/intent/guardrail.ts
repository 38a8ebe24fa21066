/**
 * The cluster-wide guardrail: which kind of object writes it on a cluster, and whether the
 * cluster, as declared, serves that kind.
 *
 * Which release serves what (projectcalico/calico, libcalico-go `lib/backend/k8s`: Calico 3.29 to
 * 3.31 watch AdminNetworkPolicy, 3.30 and 3.31 BaselineAdminNetworkPolicy too; 3.32 watches
 * ClusterNetworkPolicy and no longer either v1alpha1 kind):
 *
 * | guardrail | served by |
 * |---|---|
 * | `calico` | Calico 3.29 and later (tiers in Calico Open Source) |
 * | `ClusterNetworkPolicy` | Calico 3.32 and later; Antrea 2.7, kube-network-policies, Amazon EKS, Cilium 1.20 behind a flag |
 * | `AdminNetworkPolicy` | Calico 3.29 to 3.31; Antrea, OVN-Kubernetes |
 */
import { IntentIssue, IssuePath, IssueScope } from './issues';
import { isCalicoApp } from './flavor';
import { GuardrailKind, PlatformIntent } from './types';
import { CLUSTER_POLICY_API_VERSION } from '../k8s';

/** What a `calicoVersion` accepts, for messages. */
export const CALICO_VERSION_ACCEPTED = 'a Calico release 3.29 or later, written "major.minor" or "major.minor.patch", e.g. "3.31" or "3.32.1"';

/** A Calico release: major and minor. */
interface CalicoRelease {
  readonly major: number;
  readonly minor: number;
}

function parseRelease(text: string): CalicoRelease | undefined {
  const m = /^v?([0-9]+)\.([0-9]+)(?:\.[0-9]+)?$/.exec(text);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** What is wrong with a `calicoVersion`, or undefined when it names a release 3.29 or later. */
export function calicoVersionProblem(text: string): string | undefined {
  const release = parseRelease(text);
  if (!release) return `is not a Calico release; accepted: ${CALICO_VERSION_ACCEPTED}`;
  if (release.major < 3 || (release.major === 3 && release.minor < 29)) {
    return `is older than Calico 3.29, the first release with tiers in Calico Open Source, which this project needs; accepted: ${CALICO_VERSION_ACCEPTED}`;
  }
  return undefined;
}

/** True from Calico 3.32: it serves ClusterNetworkPolicy, and no longer AdminNetworkPolicy. */
function servesClusterNetworkPolicy(release: CalicoRelease): boolean {
  return release.major > 3 || release.minor >= 32;
}

const KINDS: readonly GuardrailKind[] = ['calico', 'ClusterNetworkPolicy', 'AdminNetworkPolicy'];

/** The guardrail kind a raw value names, if it names one (the schema reports any other value). */
export function declaredGuardrail(value: unknown): GuardrailKind | undefined {
  return KINDS.find((k) => k === value);
}

/**
 * The guardrail an intent of one cluster writes: the declared kind, else the Calico
 * GlobalNetworkPolicy when an app uses the calico flavor (which writes the tier it lives in),
 * else ClusterNetworkPolicy where Calico's API is not served (`calicoInstalled: false`), else none.
 */
export function guardrailOf(intent: PlatformIntent): GuardrailKind | undefined {
  return intent.guardrail ?? (intent.apps.some(isCalicoApp) ? 'calico' : intent.calicoInstalled === false ? 'ClusterNetworkPolicy' : undefined);
}

/** What one cluster declares, with the field paths where each value was declared (a cluster's own, or the platform's). */
export interface GuardrailDeclaration {
  /** Who the issues are about: the platform, or a cluster. */
  readonly who: IssueScope;
  readonly guardrail?: { readonly value: GuardrailKind; readonly path: IssuePath };
  readonly calicoVersion?: { readonly value: string; readonly path: IssuePath };
  /** `calicoInstalled: false` where declared. */
  readonly withoutCalico?: { readonly path: IssuePath };
}

/**
 * The issues of a guardrail kind on a cluster: a kind its declared Calico release does not serve
 * (an object applied and never enforced), the Calico kind where Calico does not run, and a Calico
 * release declared for a cluster without Calico.
 */
export function guardrailIssues(d: GuardrailDeclaration): IntentIssue[] {
  const issues: IntentIssue[] = [];
  const error = (path: IssuePath, value: unknown, message: string) => issues.push({ severity: 'error', scope: d.who, path, value, code: 'guardrail', message });
  const release = d.calicoVersion && !calicoVersionProblem(d.calicoVersion.value) ? parseRelease(d.calicoVersion.value) : undefined;
  const kind = d.guardrail?.value;
  if (d.withoutCalico && d.calicoVersion) {
    error(
      d.calicoVersion.path,
      d.calicoVersion.value,
      `names a Calico release for a cluster declared without Calico (calicoInstalled: false); accepted: no calicoVersion there, or calicoInstalled left true`,
    );
  }
  if (kind === 'calico' && d.withoutCalico) {
    error(
      d.guardrail!.path,
      kind,
      `writes the guardrail as a Calico GlobalNetworkPolicy, and the cluster leaves out Calico (calicoInstalled: false), which would leave cloud metadata reachable there; accepted: "ClusterNetworkPolicy" (${CLUSTER_POLICY_API_VERSION.ClusterNetworkPolicy}) or "AdminNetworkPolicy" (v1alpha1), whichever the cluster's network plugin serves`,
    );
  }
  if (release && kind === 'AdminNetworkPolicy' && servesClusterNetworkPolicy(release)) {
    error(
      d.guardrail!.path,
      kind,
      `writes the guardrail as an AdminNetworkPolicy (${CLUSTER_POLICY_API_VERSION.AdminNetworkPolicy}), and the cluster runs Calico ${d.calicoVersion!.value}: Calico 3.32 removed AdminNetworkPolicy and BaselineAdminNetworkPolicy for ClusterNetworkPolicy (v1alpha2), so the guardrail would be applied and never enforced; accepted: "ClusterNetworkPolicy" or "calico" there, or a calicoVersion before 3.32`,
    );
  }
  if (release && kind === 'ClusterNetworkPolicy' && !servesClusterNetworkPolicy(release)) {
    error(
      d.guardrail!.path,
      kind,
      `writes the guardrail as a ClusterNetworkPolicy (${CLUSTER_POLICY_API_VERSION.ClusterNetworkPolicy}), and the cluster runs Calico ${d.calicoVersion!.value}, which does not serve it (Calico serves it from 3.32), so the guardrail would not be enforced; accepted: "AdminNetworkPolicy" (Calico 3.29 to 3.31) or "calico" there, or calicoVersion "3.32" or later once the cluster runs it`,
    );
  }
  return issues;
}
