import { App, YamlOutputType } from 'cdk8s';
import { IntentIssue, PlatformIntent } from '../intent';
import { DeferredPlatformProps, SecureAiPlatform, SecureAiPlatformProps } from '../platform';

export { DeferredChart } from '../platform';

/**
 * The cdk8s App of any declared intent: validated first (an IntentError lists every problem and
 * no chart is made), then one chart per file of `outdir`, in apply order (see SecureAiPlatform).
 * Synthesize it with `synthesize()` from lib/synth, or `app.synth()`.
 */
export function buildApp(outdir: string, intent: PlatformIntent): App {
  return newApp(outdir, intent, false);
}

/**
 * The same App, but each namespace's charts are made only when `synthesize()` of lib/synth
 * writes them, and let go once written (DeferredPlatformProps in lib/platform): what `npm run
 * synth` and the benchmark write, holding one namespace's constructs at a time. cdk8s's
 * `app.synth()` refuses it; the files are the bytes `buildApp` gives.
 */
export function buildDeferredApp(outdir: string, intent: PlatformIntent): App {
  return newApp(outdir, intent, true);
}

function newApp(outdir: string, intent: PlatformIntent, deferCharts: boolean): App {
  // `cdk8s synth` asks an app to write construct-metadata.json beside its manifests when
  // validation plugins run (CDK8S_RECORD_CONSTRUCT_METADATA). Not into dist/: it must equal a
  // fresh `npm run synth`, and Argo CD would read the .json file as a manifest.
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART, recordConstructMetadata: false });
  // lib/synth validates every object of the files it writes, so the construct's own check would repeat it.
  const props: SecureAiPlatformProps = { intent, validateSchemas: false, printWarnings: false };
  const deferred: DeferredPlatformProps = { intent, validateSchemas: false, printWarnings: false, deferCharts: true };
  new SecureAiPlatform(app, PLATFORM_ID, deferCharts ? deferred : props);
  return app;
}

/** The id of the platform in the App. */
const PLATFORM_ID = 'platform';

/**
 * What the check of the intent found worth a look but not wrong, made once when the App was built
 * (SecureAiPlatform.warnings): what a synthesis of the App prints, without checking the intent again.
 */
export function intentWarnings(app: App): readonly IntentIssue[] {
  return (app.node.findChild(PLATFORM_ID) as SecureAiPlatform).warnings;
}
