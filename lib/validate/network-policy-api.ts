import * as generated from '../../imports/npapi-validators';
import { crdSchemas } from './crd';
import { SchemaCheck } from './types';

/**
 * The network-policy-api's cluster-wide kinds (`policy.networking.k8s.io`): ClusterNetworkPolicy
 * (v1alpha2) and AdminNetworkPolicy and BaselineAdminNetworkPolicy (v1alpha1), checked by
 * validators that `npm run import` compiles from the standard channel's CRDs into
 * `imports/npapi-validators.js` (see crd.ts). The CEL rules of those CRDs (a BaselineAdminNetworkPolicy
 * named `default`, a port range's start below its end, CIDRs) are the API server's to check.
 */
const npapi = crdSchemas(generated);

/** The network-policy-api kinds, keyed `apiVersion/kind` like KUBERNETES_SCHEMAS. */
export const NETWORK_POLICY_API_SCHEMAS: Readonly<Record<string, SchemaCheck>> = npapi.schemas;

/** All three are cluster-scoped. */
export const NETWORK_POLICY_API_CLUSTER_SCOPED: readonly string[] = npapi.clusterScoped;
