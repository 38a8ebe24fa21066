import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { SchemaCheck } from './types';
import { NETWORKING_API_VERSION, isDns1123Subdomain } from '../k8s';

interface Model {
  validate(): void;
}
type ModelClass = new (data: never) => Model;

/** Checks against the Kubernetes OpenAPI schema through kubernetes-models; returns the errors as `path: message`. */
function modelCheck(model: ModelClass): SchemaCheck {
  return (object) => {
    try {
      new model(object as never).validate();
      return [];
    } catch (err) {
      const errors = (err as { errors?: { instancePath: string; message?: string }[] }).errors;
      if (!errors) return [String((err as Error).message)];
      return errors.map((e) => `${e.instancePath || '/'}: ${e.message ?? 'is invalid'}`);
    }
  };
}

/** Kinds of the Kubernetes API that this project renders, keyed `apiVersion/kind`. */
export const KUBERNETES_SCHEMAS: Readonly<Record<string, SchemaCheck>> = {
  'v1/Namespace': modelCheck(Namespace),
  'v1/Service': modelCheck(Service),
  'v1/ServiceAccount': modelCheck(ServiceAccount),
  'apps/v1/Deployment': modelCheck(Deployment),
  [`${NETWORKING_API_VERSION}/NetworkPolicy`]: modelCheck(NetworkPolicy),
  'rbac.authorization.k8s.io/v1/ClusterRole': modelCheck(ClusterRole),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': modelCheck(ClusterRoleBinding),
};

/** `v1`, `v1beta1`: the version part of an API version. */
const VERSION = /^v[0-9]+(?:(?:alpha|beta)[0-9]+)?$/;

/** `v1`, `apps/v1`, `networking.k8s.io/v1beta1`: the form of a built-in API version (its group a DNS subdomain), before it names a module. */
function isApiVersion(apiVersion: string): boolean {
  const parts = apiVersion.split('/');
  if (parts.length > 2) return false;
  const [group, version] = parts.length === 2 ? parts : [undefined, parts[0]];
  return (group === undefined || isDns1123Subdomain(group)) && VERSION.test(version);
}
const KIND = /^[A-Z][A-Za-z0-9]*$/;

const builtins = new Map<string, SchemaCheck | undefined>();

/**
 * Any other kind of the built-in Kubernetes API (ConfigMap, StatefulSet, Ingress, ...), checked
 * against the OpenAPI schema kubernetes-models ships for it, so that the manifests of any cdk8s
 * app can be checked and not only what this project renders. Undefined for kinds it does not
 * know (custom resources of other projects).
 */
export function builtinKubernetesSchema(apiVersion: unknown, kind: unknown): SchemaCheck | undefined {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !isApiVersion(apiVersion) || !KIND.test(kind)) return undefined;
  const key = `${apiVersion}/${kind}`;
  if (!builtins.has(key)) {
    let check: SchemaCheck | undefined;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module path is built from a checked apiVersion and kind (kubernetes-models exports one module per kind), and only the kinds checked are loaded.
      const model = (require(`kubernetes-models/${key}`) as Record<string, (ModelClass & { apiVersion?: string; kind?: string }) | undefined>)[kind];
      if (model?.apiVersion === apiVersion && model.kind === kind) check = modelCheck(model);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw err;
    }
    builtins.set(key, check);
  }
  return builtins.get(key);
}
