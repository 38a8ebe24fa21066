import type { ErrorObject, ValidateFunction } from 'ajv';
import * as generated from '../../imports/calico-validators';
import { SchemaCheck } from './types';

/**
 * Calico `projectcalico.org/v3` kinds, checked by validators that `npm run import` compiles from
 * the CRDs' `openAPIV3Schema` into `imports/calico-validators.js` (see scripts/gen-validators.ts),
 * so no CRD file is needed at run time.
 *
 * The schema leaves `metadata` open (the API server checks ObjectMeta itself), so the name is
 * checked here: custom resource names are DNS-1123 subdomains. CEL rules
 * (`x-kubernetes-validations`) are evaluated only by the API server.
 */

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const VALIDATORS = generated as unknown as Readonly<Record<string, ValidateFunction>>;

/** One schema error as `path: what is wrong`. */
function formatSchemaError(e: ErrorObject): string {
  const path = e.instancePath || '/';
  if (e.keyword === 'enum') return `${path}: must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  if (e.keyword === 'additionalProperties') return `${path}: has the unknown field "${e.params.additionalProperty as string}"`;
  return `${path}: ${e.message ?? 'is invalid'}`;
}

function calicoCheck(validate: ValidateFunction): SchemaCheck {
  return (object) => {
    const problems = validate(object) ? [] : [...new Set((validate.errors ?? []).map(formatSchemaError))];
    const name = (object as { metadata?: { name?: unknown } } | null)?.metadata?.name;
    if (typeof name !== 'string' || name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
      problems.push(`/metadata/name: ${JSON.stringify(name)} is not a DNS-1123 subdomain`);
    }
    return problems;
  };
}

/** Calico kinds this project may render, keyed `apiVersion/kind` like KUBERNETES_SCHEMAS. */
export const CALICO_SCHEMAS: Readonly<Record<string, SchemaCheck>> = Object.fromEntries(
  generated.KINDS.map(({ apiVersion, kind }) => [`${apiVersion}/${kind}`, calicoCheck(VALIDATORS[kind])]),
);

/** The Calico kinds whose CRD is cluster-scoped (Tier, GlobalNetworkPolicy, GlobalNetworkSet, ...). */
export const CALICO_CLUSTER_SCOPED: readonly string[] = generated.KINDS.filter((k) => k.clusterScoped).map((k) => k.kind);
