/**
 * `npm run --silent verify -- migrate --manifests PATH [--calico-before VERSION]`
 *
 * Calico 3.32 removed AdminNetworkPolicy and BaselineAdminNetworkPolicy
 * (`policy.networking.k8s.io/v1alpha1`) for ClusterNetworkPolicy (`v1alpha2`): a cluster that
 * holds them loses them when it upgrades. This writes, for the v1alpha1 objects among the
 * manifests, the ClusterNetworkPolicies that do the same (lib/verify migrate.ts), as YAML to apply
 * before the upgrade, and says first, in comments, how reach compares: every workload's egress
 * and ingress with the v1alpha1 objects as the release before 3.32 enforces them, against the
 * same manifests with the ClusterNetworkPolicies in their place as 3.32 enforces them. Equal
 * reach reads `none`; a difference (Calico 3.29 to 3.31 read a named port as every port, 3.29
 * enforces no BaselineAdminNetworkPolicy) is listed, as `verify diff` lists it.
 */
import { stringify } from 'yaml';
import {
  buildCluster,
  CALICO_VERSION_ACCEPTED,
  calicoOption,
  clusterNetworkPolicyOf,
  isV1alpha1Kind,
  parseCalicoVersion,
  readingNotes,
  readManifestSet,
  servesClusterNetworkPolicy,
} from '../verify';
import { EXIT, UsageError, Command } from '../cli';
import { diffClusters, ReachDiff } from './diff';
import { formatDiff } from './diff-format';
import { CLUSTER_POLICY_API_VERSION } from '../k8s';

/** The release the manifests are compared on after the upgrade. */
const AFTER = parseCalicoVersion('3.32')!;

/** Only what widens or narrows: the same reach decided by the new objects' rules is no change here. */
function reachOnly(diff: ReachDiff): ReachDiff {
  const keep = (d: ReachDiff['workloads'][number]['egress']) => ({ changes: d.changes.filter((c) => c.change !== 'changed') });
  const workloads = diff.workloads
    .map((w) => ({ ...w, egress: keep(w.egress), ingress: keep(w.ingress) }))
    .filter((w) => w.egress.changes.length + w.ingress.changes.length > 0);
  return { ...diff, workloads };
}

/** The migrate command, added to the verifier's by scripts/verify.ts. */
export const migrateCommand: Command = {
  spec: {
    program: 'verify migrate',
    name: 'migrate',
    summary: 'the ClusterNetworkPolicies that replace AdminNetworkPolicy and BaselineAdminNetworkPolicy before Calico 3.32, and how reach compares',
    options: [
      {
        name: 'manifests',
        type: 'string',
        multiple: true,
        required: true,
        value: 'PATH',
        description: 'a manifest file or folder, read recursively (*.yaml, *.yml, *.json)',
      },
      {
        name: 'calico-before',
        type: 'string',
        value: 'VERSION',
        default: '3.31',
        description: 'the Calico release the cluster runs before the upgrade (3.29 to 3.31), whose reading of the v1alpha1 objects reach is compared with',
      },
    ],
  },
  run(values) {
    const before = calicoOption(values, 'calico-before') ?? parseCalicoVersion('3.31')!;
    if (servesClusterNetworkPolicy(before))
      throw new UsageError(`--calico-before must be a release before 3.32 (${CALICO_VERSION_ACCEPTED}), not ${before.text}`);
    const { manifests, skipped } = readManifestSet(values.manifests as string[]);
    const old = manifests.filter(isV1alpha1Kind);
    const paths = (values.manifests as string[]).join(', ');
    if (old.length === 0) {
      return { code: EXIT.answered, stdout: `# ${paths} hold no AdminNetworkPolicy or BaselineAdminNetworkPolicy: nothing to migrate.\n`, stderr: '' };
    }
    const replacements = old.map(clusterNetworkPolicyOf);
    const base = buildCluster(manifests, { calico: before }, skipped);
    const head = buildCluster([...manifests.filter((m) => !isV1alpha1Kind(m)), ...replacements], { calico: AFTER });
    const diff = reachOnly(
      diffClusters(base, head, { base: `the v1alpha1 objects on Calico ${before.text}`, head: 'these ClusterNetworkPolicies on Calico 3.32' }),
    );
    const header = [
      `The ${old.length} AdminNetworkPolicy and BaselineAdminNetworkPolicy objects of ${paths} (${CLUSTER_POLICY_API_VERSION.AdminNetworkPolicy}) as ClusterNetworkPolicies (v1alpha2).`,
      'Calico 3.32 removed the v1alpha1 kinds and enforces these instead: apply these before upgrading, then delete the v1alpha1 objects.',
      '',
      ...formatDiff(diff).trimEnd().split('\n'),
    ];
    const stdout = `${header.map((l) => (l ? `# ${l}` : '#')).join('\n')}\n${replacements.map((m) => `---\n${stringify(m.object)}`).join('')}`;
    return { code: EXIT.answered, stdout, stderr: readingNotes('verify migrate', [base]) };
  },
};
