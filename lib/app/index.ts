import { App, YamlOutputType } from 'cdk8s';
import { PlatformIntent } from '../intent';
import { SecureAiPlatform } from '../platform';

/**
 * The cdk8s App of any declared intent: validated first (an IntentError lists every problem and
 * no chart is made), then one chart per file of `outdir`, in apply order (see SecureAiPlatform).
 * Synthesize it with `synthesize()` from lib/synth, or `app.synth()`.
 */
export function buildApp(outdir: string, intent: PlatformIntent): App {
  // `cdk8s synth` asks an app to write construct-metadata.json beside its manifests when
  // validation plugins run (CDK8S_RECORD_CONSTRUCT_METADATA). Not into dist/: it must equal a
  // fresh `npm run synth`, and Argo CD would read the .json file as a manifest.
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART, recordConstructMetadata: false });
  // lib/synth validates every object of the files it writes, so the construct's own check would repeat it.
  new SecureAiPlatform(app, 'platform', { intent, validateSchemas: false, printWarnings: false });
  return app;
}
