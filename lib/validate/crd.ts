import type { ErrorObject, ValidateFunction } from 'ajv';
import { SchemaCheck } from './types';
import { isDns1123Subdomain } from '../k8s';

/**
 * Custom resources, checked by validators that `npm run import` compiles from their CRDs'
 * `openAPIV3Schema` into `imports/` (see scripts/gen-validators.ts), so no CRD file is needed at
 * run time.
 *
 * The schema leaves `metadata` open (the API server checks ObjectMeta itself), so the name is
 * checked here: custom resource names are DNS-1123 subdomains. CEL rules
 * (`x-kubernetes-validations`) are evaluated only by the API server.
 */

/** One schema error as `path: what is wrong`. */
function formatSchemaError(e: ErrorObject): string {
  const path = e.instancePath || '/';
  if (e.keyword === 'enum') return `${path}: must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  if (e.keyword === 'additionalProperties') return `${path}: has the unknown field "${e.params.additionalProperty as string}"`;
  return `${path}: ${e.message ?? 'is invalid'}`;
}

/** A check of a custom resource against its CRD's compiled validator, and of its name. */
function crdCheck(validate: ValidateFunction): SchemaCheck {
  return (object) => {
    const problems = validate(object) ? [] : [...new Set((validate.errors ?? []).map(formatSchemaError))];
    const name = (object as { metadata?: { name?: unknown } } | null)?.metadata?.name;
    if (typeof name !== 'string' || !isDns1123Subdomain(name)) {
      problems.push(`/metadata/name: ${JSON.stringify(name)} is not a DNS-1123 subdomain`);
    }
    return problems;
  };
}

/** The validators of one generated module, keyed `apiVersion/kind`, and its cluster-scoped kinds. */
export function crdSchemas(generated: { readonly KINDS: readonly { kind: string; apiVersion: string; clusterScoped: boolean }[] }): {
  schemas: Readonly<Record<string, SchemaCheck>>;
  clusterScoped: readonly string[];
} {
  const validators = generated as unknown as Readonly<Record<string, ValidateFunction>>;
  return {
    schemas: Object.fromEntries(generated.KINDS.map(({ apiVersion, kind }) => [`${apiVersion}/${kind}`, crdCheck(validators[kind])])),
    clusterScoped: generated.KINDS.filter((k) => k.clusterScoped).map((k) => k.kind),
  };
}
