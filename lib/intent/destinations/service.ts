import { APP_NAME_LABEL, serviceAccountName } from '../../conventions';
import { dnsLabel, fields, labels, ports, protocol, text } from '../fields';
import type { Labels } from '../types';
import { DestinationBase, DestinationKind } from './kind';
import type { Peer } from './peer';

/** Pods inside the cluster: a namespace and the labels of the pods in it. */
export interface ServiceDestination extends DestinationBase {
  /** The namespace's name (matched through `kubernetes.io/metadata.name`). */
  readonly namespace: string;
  /** Labels the destination pods carry; at least one, so it is a service and not a whole namespace. */
  readonly podLabels: Labels;
}

export function isServiceDestination(d: DestinationBase): d is ServiceDestination {
  return 'namespace' in d;
}

/** `{ namespace, podLabels, ports }`: the pods of a service in the cluster. */
export const serviceKind: DestinationKind<ServiceDestination> = {
  key: 'namespace',
  form: '{ namespace, podLabels, ports }',
  schema: fields('an in-cluster destination', {
    namespace: dnsLabel('namespace name'),
    podLabels: labels(true),
    ports,
    protocol: protocol.optional(),
    description: text('a few words saying what the destination is').optional(),
  }),
  describe: (d) =>
    `pods ${d.namespace} {${Object.entries(d.podLabels)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}}`,
  peer: (d, { apps }) => podsPeer(d.namespace, d.podLabels, apps),
};

/**
 * Pods of a namespace with labels; when the labels name an app the intent declares there (its
 * `app.kubernetes.io/name`), that app's ServiceAccount too.
 */
export function podsPeer(namespace: string, podLabels: Labels, apps: readonly { readonly name: string; readonly namespace: string }[] = []): Peer {
  const named = podLabels[APP_NAME_LABEL];
  const app = named === undefined ? undefined : apps.find((a) => a.namespace === namespace && a.name === named);
  return { kind: 'pods', namespace, podLabels, ...(app ? { serviceAccount: serviceAccountName(app.name) } : {}) };
}
