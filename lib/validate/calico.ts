import * as generated from '../../imports/calico-validators';
import { crdSchemas } from './crd';
import { SchemaCheck } from './types';

/**
 * Calico `projectcalico.org/v3` kinds, checked by validators that `npm run import` compiles from
 * the CRDs into `imports/calico-validators.js` (see crd.ts).
 */
const calico = crdSchemas(generated);

/** Calico kinds this project may render, keyed `apiVersion/kind` like KUBERNETES_SCHEMAS. */
export const CALICO_SCHEMAS: Readonly<Record<string, SchemaCheck>> = calico.schemas;

/** The Calico kinds whose CRD is cluster-scoped (Tier, GlobalNetworkPolicy, GlobalNetworkSet, ...). */
export const CALICO_CLUSTER_SCOPED: readonly string[] = calico.clusterScoped;
