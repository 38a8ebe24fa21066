import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { SchemaCheck } from './types';

interface Model { validate(): void }
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

/** Kinds of the core Kubernetes API that this project renders, keyed `apiVersion/kind`. */
export const KUBERNETES_SCHEMAS: Readonly<Record<string, SchemaCheck>> = {
  'v1/Namespace': modelCheck(Namespace),
  'v1/Service': modelCheck(Service),
  'v1/ServiceAccount': modelCheck(ServiceAccount),
  'apps/v1/Deployment': modelCheck(Deployment),
  'networking.k8s.io/v1/NetworkPolicy': modelCheck(NetworkPolicy),
  'rbac.authorization.k8s.io/v1/ClusterRole': modelCheck(ClusterRole),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': modelCheck(ClusterRoleBinding),
};
