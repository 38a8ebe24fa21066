import { crdSchemas } from './crd';
import { SchemaCheck } from './types';

/** The API group of Argo CD's kinds: objects of it are checked by the Argo CD validators. */
export const ARGOCD_GROUP = 'argoproj.io';

let loaded: Readonly<Record<string, SchemaCheck>> | undefined;

/**
 * Argo CD kinds (Application, ApplicationSet), keyed `apiVersion/kind`, checked by validators
 * that `npm run import` compiles from the Argo CD CRDs into `imports/argocd-validators.js` (see
 * crd.ts). The module is loaded the first time an Argo CD object is checked, so validating
 * `dist/`, which holds none, never loads it. Both kinds are namespaced.
 */
export function argoCdSchemas(): Readonly<Record<string, SchemaCheck>> {
  if (!loaded) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded the first time an Argo CD object is checked (see above); an import would load it with every validation.
    const generated = require('../../imports/argocd-validators') as typeof import('../../imports/argocd-validators');
    loaded = crdSchemas(generated).schemas;
  }
  return loaded;
}
