/**
 * The Argo CD manifests that apply `dist/` (written to `deploy/argocd/`, outside `dist/`, so an
 * Application never manages itself): an Application per cluster, or one for `dist/` without
 * clusters, in `applications/`, and with clusters an ApplicationSet that maps each cluster to its
 * folder with a list generator. Both come from the intent's `argocd` settings; apply the
 * Applications or the ApplicationSet, not both (they would claim the same Application names).
 *
 * Built with the constructs `cdk8s import` generated from the Argo CD 3.6 CRDs (imports/), and
 * validated against the same CRDs' schemas (lib/validate) wherever `dist/` is.
 *
 * Sync choices, from Argo CD's documentation (docs/user-guide/sync-options.md, auto_sync.md,
 * docs/operator-manual/applicationset/Application-Deletion.md at v3.6.0):
 * - The order of the apply is dist/'s sync waves; nothing here adds to it.
 * - `automated` with `prune`, `selfHeal`, and `allowEmpty: false` (unless `argocd.automated` is
 *   false): what dist/ no longer holds is deleted, a policy edited in the cluster is put back, and
 *   an emptied folder is never synced ("automated sync with prune have a protection ... when
 *   there are no target resources"). `enabled` is left out: "Setting the
 *   `spec.syncPolicy.automated.enabled` flag to null will be treated as if automated sync is
 *   enabled", and Argo CD releases before the field keep working.
 * - No `PruneLast=true` on the Application: it would move every prune to one last wave
 *   (gitops-engine pkg/sync/sync_context.go, getSyncTasks: "for pruneLast tasks, modify the wave
 *   to sync phase last wave of tasks + 1"), a removed app's Deployment with its policies. The
 *   objects that confine carry it themselves (lib/conventions, `pruneLast`), the tier included, so
 *   that a renamed tier's policies or a guardrail of another kind go only once their successors
 *   are in force; every other prune keeps gitops-engine's reverse of the sync waves (Argo CD 2.11
 *   or later, gitops-engine commit 5fd9f44). `sync-order.ts` models that order, for the tests
 *   that replay a sync.
 * - No `CreateNamespace=true`: the Namespaces, with their Pod Security labels, are in dist/.
 * - `ServerSideApply=true` only with `argocd.serverSideApply`: server-side apply of a Calico
 *   policy that does not exist yet fails with NotFound through the Calico API server of 3.32.0
 *   (fixed in 3.32.1, projectcalico/calico#12906).
 * - A retry that outlasts a slow start: the Calico API server of a fresh cluster may not serve
 *   `projectcalico.org/v3` for minutes (it waits for calico-node and the operator), and Argo CD
 *   attempts an automated sync once per commit: after a failed attempt it logs "Skipping
 *   auto-sync: failed previous sync attempt to <sha>" until the next commit, self-heal or not
 *   (controller/appcontroller.go, autoSync). So the retry must cover the slow start: 10 attempts,
 *   10 s doubling up to 5 m, about 30 minutes in all.
 * - The ApplicationSet sets `preserveResourcesOnDeletion`: deleting it, or dropping a cluster from
 *   the intent, deletes that cluster's Application but not its policies, which would reopen egress.
 *   The Applications carry no `resources-finalizer.argocd.argoproj.io` for the same reason.
 */
import { App, Chart, YamlOutputType } from 'cdk8s';
import { Application, ApplicationSpecSyncPolicy } from '../../imports/argocd-application-argoproj.io';
import { ApplicationSet } from '../../imports/argocd-applicationset-argoproj.io';
import { ArgoCdDestination, ArgoCdSettings, DEFAULT_ARGOCD_NAME, DEFAULT_ARGOCD_NAMESPACE, PlatformIntent, declaresClusters } from '../intent';

export { syncRun } from './sync-order';
export type { SyncMoment } from './sync-order';

/** What `argocd` settings leave out. */
const ARGOCD_DEFAULTS = {
  targetRevision: 'HEAD',
  project: 'default',
  namespace: DEFAULT_ARGOCD_NAMESPACE,
  name: DEFAULT_ARGOCD_NAME,
  /** The cluster Argo CD runs in. */
  destination: { server: 'https://kubernetes.default.svc' },
  automated: true,
  serverSideApply: false,
} as const;

/** The folder of `deploy/argocd/` that holds the Applications. */
const APPLICATIONS_FOLDER = 'applications';

/** The retry of every sync: 10, 20, 40, 80, 160 s, then 5 m five times, about 30 minutes before Argo CD gives up. */
const RETRY = { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } };

/** One Application to write: which folder of the repository it applies, and where. */
interface ArgoCdTarget {
  /** The Application's name. */
  readonly name: string;
  /** The cluster's name, when the intent declares clusters. */
  readonly cluster?: string;
  /** The folder in the repository, e.g. `dist` or `dist/prod-eu`. */
  readonly path: string;
  readonly destination: ArgoCdDestination;
}

/** The Applications of an intent with `argocd` settings: one for `dist/`, or one per cluster, in declaration order. */
function argoCdTargets(intent: PlatformIntent, distPath: string): ArgoCdTarget[] {
  const settings = intent.argocd;
  if (!settings) return [];
  const name = settings.name ?? ARGOCD_DEFAULTS.name;
  if (!declaresClusters(intent)) return [{ name, path: distPath, destination: settings.destination ?? ARGOCD_DEFAULTS.destination }];
  return (intent.clusters ?? []).map((c) => ({
    name: `${name}-${c.name}`,
    cluster: c.name,
    path: `${distPath}/${c.name}`,
    destination: c.argocd?.destination ?? { name: c.name },
  }));
}

/** The sync policy of every Application, generated or not. */
function syncPolicy(settings: ArgoCdSettings): ApplicationSpecSyncPolicy {
  return {
    ...((settings.automated ?? ARGOCD_DEFAULTS.automated) ? { automated: { prune: true, selfHeal: true, allowEmpty: false } } : {}),
    ...((settings.serverSideApply ?? ARGOCD_DEFAULTS.serverSideApply) ? { syncOptions: ['ServerSideApply=true'] } : {}),
    retry: RETRY,
  };
}

/**
 * The cdk8s Apps of the Argo CD manifests of an intent with `argocd` settings, to synthesize into
 * `outdir` (deploy/argocd/): the Applications into `applications/`, one file each, and with
 * clusters the ApplicationSet into `applicationset.k8s.yaml`. `distPath` is the folder of dist/
 * in the repository, e.g. `dist`. The intent must be valid (checkIntent); none without settings.
 */
export function buildArgoCdApps(outdir: string, intent: PlatformIntent, distPath: string): App[] {
  const settings = intent.argocd;
  if (!settings) return [];
  const project = settings.project ?? ARGOCD_DEFAULTS.project;
  const namespace = settings.namespace ?? ARGOCD_DEFAULTS.namespace;
  const source = { repoUrl: settings.repoURL, targetRevision: settings.targetRevision ?? ARGOCD_DEFAULTS.targetRevision };
  const chart = (app: App, id: string) => new Chart(app, id, { disableResourceNameHashes: true });

  const applications = new App({ outdir: `${outdir}/${APPLICATIONS_FOLDER}`, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  for (const target of argoCdTargets(intent, distPath)) {
    new Application(chart(applications, target.name), 'application', {
      metadata: { name: target.name, namespace },
      spec: { project, source: { ...source, path: target.path }, destination: target.destination, syncPolicy: syncPolicy(settings) },
    });
  }
  if (!declaresClusters(intent)) return [applications];

  const set = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  const name = settings.name ?? ARGOCD_DEFAULTS.name;
  new ApplicationSet(chart(set, 'applicationset'), 'applicationset', {
    metadata: { name, namespace },
    spec: {
      // Go templates, failing on a key an element lacks, as Argo CD's documentation recommends.
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      // Both keys in every element, one of them empty: Argo CD takes an empty server or name as
      // not given (util/argo/argo.go, GetDestinationServer).
      generators: [
        {
          list: {
            elements: argoCdTargets(intent, distPath).map((t) => ({
              cluster: t.cluster,
              path: t.path,
              destinationServer: t.destination.server ?? '',
              destinationName: t.destination.name ?? '',
            })),
          },
        },
      ],
      syncPolicy: { preserveResourcesOnDeletion: true },
      template: {
        metadata: { name: `${name}-{{.cluster}}` },
        spec: {
          project,
          source: { ...source, path: '{{.path}}' },
          destination: { server: '{{.destinationServer}}', name: '{{.destinationName}}' },
          syncPolicy: syncPolicy(settings),
        },
      },
    },
  });
  return [applications, set];
}
