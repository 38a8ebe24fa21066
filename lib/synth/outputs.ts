import { basename, dirname, join } from 'path';
import { buildDeferredApp, intentWarnings } from '../app';
import { IntentError, IntentIssue, PlatformIntent, checkIntent, clusterIntents, declaresClusters } from '../intent';
import { Output } from './safe';
import { synthesize } from './synthesize';

/** Where `npm run synth` writes the Argo CD manifests for a `dist` folder: `deploy/argocd/` beside it. */
export function deployDirOf(dist: string): string {
  return join(dirname(dist), 'deploy', 'argocd');
}

/**
 * Writes the manifests of an intent into a staging folder for `dist/`: the files of one cluster
 * without clusters, as they always were; with clusters, a folder per cluster, each synthesized
 * from that cluster's intent (clusterIntents), after the whole intent's checks passed. Each
 * namespace's charts are made as they are written, and let go once written (`buildDeferredApp`):
 * the bytes of `buildApp`, holding one namespace's constructs at a time. What the benchmark's
 * synthesis runs too.
 *
 * Returns the warnings of the intent's check, made once: the platform's own (without clusters),
 * or the whole intent's (with clusters, each issue naming the clusters where it arises).
 * @public bench/phases.ts loads it with require, in the phase that measures it.
 */
export function writeDist(staging: string, intent: PlatformIntent): readonly IntentIssue[] {
  if (!declaresClusters(intent)) {
    const app = buildDeferredApp(staging, intent);
    synthesize(app);
    return intentWarnings(app);
  }
  const issues = checkIntent(intent);
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) throw new IntentError(errors);
  for (const { cluster, intent: one } of clusterIntents(intent)) synthesize(buildDeferredApp(join(staging, cluster!), one));
  return issues.filter((i) => i.severity === 'warning');
}

/**
 * What `npm run synth` writes, all or nothing (safeWrite): `dist`, and with `deploy` the Argo CD
 * manifests there (deploy/argocd/), whose Applications read `dist` from the repository at its
 * name (`dist`, `dist/<cluster>`). Without `argocd` settings the intent wants no Argo CD
 * manifests, and a `deploy` left from earlier settings is removed with the rest of the write.
 */
export function platformOutputs(intent: PlatformIntent, dist: string, deploy?: string, checked?: (warnings: readonly IntentIssue[]) => void): Output[] {
  const outputs: Output[] = [
    {
      dir: dist,
      write: (staging) => {
        const warnings = writeDist(staging, intent);
        checked?.(warnings);
      },
    },
  ];
  if (deploy === undefined) return outputs;
  const write =
    intent.argocd === undefined
      ? undefined
      : (staging: string) => {
          // Loaded only for an intent with argocd settings: the Argo CD imports are 1.8 MB of JavaScript.
          // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
          const { buildArgoCdApps } = require('../argocd') as typeof import('../argocd');
          for (const app of buildArgoCdApps(staging, intent, basename(dist))) synthesize(app);
        };
  return [...outputs, { dir: deploy, write }];
}
