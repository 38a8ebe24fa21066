import { dnsLabel, fields, labels, ports, protocol, text } from '../fields';
import type { Labels } from '../types';
import { DestinationBase, DestinationKind } from './kind';

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
  peer: (d) => ({ kind: 'pods', namespace: d.namespace, podLabels: d.podLabels }),
};
