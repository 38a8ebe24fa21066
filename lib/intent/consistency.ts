/**
 * Callers and callees declared in one intent must agree, since a connection between two pods
 * needs both the sender's egress and the receiver's ingress
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/: "both the egress
 * policy on the source pod and the ingress policy on the destination pod need to allow the
 * connection"). Every namespace the intent declares an app in gets a default deny, so a pod
 * there admits only what its own policies allow.
 *
 * - A destination that names pods of a declared app (its namespace, and labels its pods carry,
 *   see `appLabels`) on the port the app serves needs that app's `ingress` to admit the caller:
 *   otherwise it is an error, with the missing ingress entry proposed.
 * - Labels, in a namespace the intent owns, that match none of its apps, and ports the callee
 *   does not serve, are warnings: nothing here admits them, though a policy written outside
 *   this intent might.
 */
import { APP_NAME_LABEL, appLabels } from '../conventions';
import { describeDestination, isServiceDestination } from './destinations';
import { didYouMean, IntentIssue, IssuePath, appScope, formatPath } from './issues';
import { AiAppIntent, IngressClient, Labels, PortSpec } from './types';

/** Every label of the selector is on the pod, with the same value. */
function selects(selector: Labels, pod: Labels): boolean {
  return Object.entries(selector).every(([k, v]) => pod[k] === v);
}

function admits(client: IngressClient, caller: AiAppIntent): boolean {
  return client.namespace === caller.namespace && selects(client.podLabels ?? {}, appLabels(caller.name));
}

function covers(spec: PortSpec, port: number): boolean {
  return typeof spec === 'number' ? spec === port : spec.from <= port && port <= spec.to;
}

function formatPorts(ports: readonly PortSpec[]): string {
  return ports.map((p) => (typeof p === 'number' ? String(p) : `${p.from}-${p.to}`)).join(', ');
}

/** The TypeScript a user would add: `{ namespace: 'a', podLabels: { 'app.kubernetes.io/name': 'b' } }`. */
function ingressEntry(caller: AiAppIntent): string {
  return `{ namespace: '${caller.namespace}', podLabels: { '${APP_NAME_LABEL}': '${caller.name}' } }`;
}

/** Labels that name no declared app of an owned namespace, with the app name they were closest to. */
function noAppMatches(where: IssuePath, app: string, labels: Labels, namespace: string, declared: readonly AiAppIntent[], what: string): IntentIssue {
  const names = declared.map((a) => a.name);
  const given = labels[APP_NAME_LABEL];
  const near = given === undefined ? undefined : didYouMean(given, names);
  return {
    severity: 'warning',
    scope: appScope(app),
    path: where,
    value: labels,
    code: 'no-app-matches',
    message: `match${Object.keys(labels).length === 1 ? 'es' : ''} no app this intent declares in namespace "${namespace}" (${names.join(', ')}); ${what}, since the namespace's default deny blocks pods nothing admits; accepted: the labels of a declared app, e.g. { '${APP_NAME_LABEL}': '${near ?? names[0]}' }${near ? `. Did you mean "${near}"?` : ''}`,
  };
}

/** Errors and warnings about callers and callees of the same intent (apps whose own fields are valid). */
export function consistencyIssues(apps: readonly AiAppIntent[]): IntentIssue[] {
  const byNamespace = new Map<string, AiAppIntent[]>();
  for (const a of apps) byNamespace.set(a.namespace, [...(byNamespace.get(a.namespace) ?? []), a]);
  const issues: IntentIssue[] = [];
  for (const caller of apps) {
    caller.egress.forEach((d, i) => {
      if (!isServiceDestination(d)) return;
      const { namespace, podLabels, ports, protocol = 'TCP' } = d;
      const owned = byNamespace.get(namespace);
      if (!owned) return;
      const where: IssuePath = [caller.name, 'egress', i];
      const callees = owned.filter((callee) => selects(podLabels, appLabels(callee.name)));
      if (callees.length === 0) {
        issues.push(
          noAppMatches(
            [...where, 'podLabels'],
            caller.name,
            podLabels,
            namespace,
            owned,
            'this egress reaches no pod unless something outside this intent runs there and admits it',
          ),
        );
        return;
      }
      for (const callee of callees) {
        const served = protocol === 'TCP' && ports.some((p) => covers(p, callee.port));
        const onlyServed = (p: PortSpec) => (typeof p === 'number' ? p === callee.port : p.from === callee.port && p.to === callee.port);
        const unserved = protocol === 'TCP' ? ports.filter((p) => !onlyServed(p)) : ports;
        if (unserved.length > 0) {
          issues.push({
            severity: 'warning',
            scope: appScope(caller.name),
            path: [...where, protocol === 'TCP' ? 'ports' : 'protocol'],
            value: protocol === 'TCP' ? ports : protocol,
            code: 'port-not-served',
            message: `names ${protocol} ${formatPorts(unserved)} on ${callee.name}, which serves TCP ${callee.port} only; its ingress admits nothing else, so that traffic is blocked; accepted: ports: [${callee.port}] with protocol TCP`,
          });
        }
        if (served && !(callee.ingress ?? []).some((client) => admits(client, caller))) {
          issues.push({
            severity: 'error',
            scope: appScope(callee.name),
            path: [callee.name, 'ingress'],
            value: callee.ingress ?? [],
            code: 'not-admitted',
            message: `does not admit ${caller.namespace}/${caller.name}, whose ${formatPath(where)} sends to ${describeDestination(d)} on TCP ${callee.port}, so the connection would be denied; accepted: add ${ingressEntry(caller)} to ${callee.name}.ingress, or remove ${formatPath(where)}`,
          });
        }
      }
    });
    (caller.ingress ?? []).forEach((client, i) => {
      const owned = byNamespace.get(client.namespace);
      const labels = client.podLabels ?? {};
      if (!owned || Object.keys(labels).length === 0 || owned.some((a) => selects(labels, appLabels(a.name)))) return;
      issues.push(
        noAppMatches(
          [caller.name, 'ingress', i, 'podLabels'],
          caller.name,
          labels,
          client.namespace,
          owned,
          'this ingress admits no pod unless something outside this intent runs there',
        ),
      );
    });
  }
  return issues;
}
