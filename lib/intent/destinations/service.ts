import { APP_NAME_LABEL, serviceAccountName } from '../../conventions';
import { dnsLabel, fields, labels, ports, problem, protocol, text } from '../fields';
import type { Labels } from '../values';
import { DestinationBase, DestinationKind } from './kind';
import type { PolicyPeer } from '../plan-types';

/** Pods inside the cluster: a namespace and the labels of the pods in it. */
export interface ServiceDestination extends DestinationBase {
  /** The namespace's name (matched through `kubernetes.io/metadata.name`). */
  readonly namespace: string;
  /** Labels the destination pods carry; at least one, so it is a service and not a whole namespace. */
  readonly podLabels: Labels;
  /**
   * Required when the namespace is one this intent does not govern (no app of it runs there): its
   * pods have whatever egress others gave them, and may relay what the app sends (a database
   * that fetches a URL on request). Shown as an ungoverned relay by the verifier and the report.
   */
  readonly ungoverned?: UngovernedRelay;
}

/** Why an app may send to pods that this intent does not confine. */
export interface UngovernedRelay {
  /** A sentence saying why, and who confines those pods instead; kept on the app's policy. */
  readonly reason: string;
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
    ungoverned: fields('an ungoverned relay', { reason: text('a sentence saying why, and who confines those pods instead') }).optional(),
  }).superRefine((d, ctx) => {
    if (d.ungoverned !== undefined && d.ungoverned.reason.trim() === '')
      problem(ctx, d.ungoverned.reason, 'is empty; accepted: a sentence saying why, and who confines those pods instead', ['ungoverned', 'reason']);
  }),
  describe: (d) =>
    `pods ${d.namespace} {${Object.entries(d.podLabels)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}}`,
  peer: (d, { apps }) => ({ ...podsPeer(d.namespace, d.podLabels, apps), ...(d.ungoverned ? { ungovernedReason: d.ungoverned.reason } : {}) }),
  check: (d, { governed }) => {
    const owned = governed.includes(d.namespace);
    if (!owned && d.ungoverned === undefined) {
      return [
        {
          field: 'namespace',
          value: d.namespace,
          message: `is a namespace this intent does not govern (no app of it runs there, so dist/ writes no default deny and no policy for it): its pods may send anywhere, and relay what this app sends them; accepted: the namespace of an app declared here (${governed.length > 5 ? `${governed.slice(0, 5).join(', ')} and ${governed.length - 5} more` : governed.join(', ')}), or ungoverned: { reason: '...' } on this destination, saying who confines those pods`,
        },
      ];
    }
    if (owned && d.ungoverned !== undefined) {
      return [
        {
          field: 'ungoverned',
          value: d.ungoverned,
          message: `marks a namespace this intent governs (${d.namespace}) as ungoverned; accepted: no ungoverned field`,
        },
      ];
    }
    return [];
  },
};

/**
 * Pods of a namespace with labels; when the labels name an app the intent declares there (its
 * `app.kubernetes.io/name`), that app's ServiceAccount too.
 */
export function podsPeer(namespace: string, podLabels: Labels, apps: readonly { readonly name: string; readonly namespace: string }[] = []): PolicyPeer {
  const named = podLabels[APP_NAME_LABEL];
  const app = named === undefined ? undefined : apps.find((a) => a.namespace === namespace && a.name === named);
  return { kind: 'pods', namespace, podLabels, ...(app ? { serviceAccount: serviceAccountName(app.name) } : {}) };
}
