/**
 * What the Kubernetes API server (and Calico's) refuses beyond the schemas, for the objects the
 * project writes from an app and an allow-list, checked on the intent so that the message names
 * the field the user wrote instead of an object the user never saw. Each rule names the
 * validation it restates; `test/support/api-rules.ts` restates them again on the written objects,
 * for the property test that mutates intents (test/api-rules.property.test.ts).
 *
 * Also here, what would be accepted and then fail on the cluster: a GPU server at the default
 * memory, a port written twice, a name whose ServiceAccount label Calico leaves off.
 */
import { parseQuantity } from '../quantity';
import { DEFAULT_RESOURCES, shmSizeOf } from './defaults';
import { isCredentialsDestination } from './destinations';
import { IntentIssue, IssuePath, appScope } from './issues';
import { AiAppIntent, PortSpec } from './types';
import { CALICO_LABEL } from '../k8s';

type Issue = Pick<IntentIssue, 'value' | 'message'> & { readonly field: IssuePath };

/**
 * Requests above limits: "must be less than or equal to <resource> limit of <limit>"
 * (kubernetes pkg/apis/core/validation/validation.go, ValidateResourceRequirements), for CPU and
 * memory; ephemeral storage and GPUs are written equal.
 */
function requestsWithinLimits(app: AiAppIntent): Issue[] {
  if (app.resources === undefined) return [];
  return (['cpu', 'memory'] as const).flatMap((resource) => {
    const { request, limit } = app.resources![resource];
    const r = parseQuantity(request);
    const l = parseQuantity(limit);
    if (r === undefined || l === undefined || r <= l) return [];
    return [
      {
        field: ['resources', resource, 'request'],
        value: request,
        message: `is more than the ${resource} limit ${limit}, which the API server refuses ("must be less than or equal to ${resource} limit", ValidateResourceRequirements); accepted: a request at most ${limit}, or a higher limit`,
      },
    ];
  });
}

/**
 * The app's Service is named after it, and a Service name is a DNS-1035 label: it starts with a
 * letter (ValidateServiceName is apimachinery's NameIsDNS1035Label), where an app name, a DNS-1123
 * label, may start with a digit.
 */
function serviceName(app: AiAppIntent): Issue[] {
  if (/^[a-z]/.test(app.name)) return [];
  return [
    {
      field: ['name'],
      value: app.name,
      message:
        'starts with a digit, and names the app\'s Service, whose name the API server requires to start with a letter (a DNS-1035 label, ValidateServiceName); accepted: a name starting with a lower-case letter, e.g. "app-' +
        app.name +
        '"',
    },
  ];
}

/**
 * Calico labels a pod with its ServiceAccount (`projectcalico.org/serviceaccount`) only when the
 * name is under 63 characters ("For backwards compatibility, include the label if less than 63
 * characters", libcalico-go lib/backend/k8s/conversion/workload_endpoint_default.go,
 * podToWorkloadEndpoint). The metadata guardrail exempts an app's pods from the deny of its
 * credentials endpoint by that label (lib/policy/calico.ts, appEndpoints), so for a name of 63
 * characters the exemption selects nothing and the credential calls are denied.
 */
function serviceAccountLabel(app: AiAppIntent): Issue[] {
  if (app.name.length < 63 || !app.egress.some(isCredentialsDestination)) return [];
  return [
    {
      field: ['name'],
      value: app.name,
      message: `is 63 characters, and Calico labels a pod with its ServiceAccount (${CALICO_LABEL.serviceAccount}, which the guardrail's exemption for the credentials endpoint selects) only for names under 63 characters, so the credential calls would be denied; accepted: a name of at most 62 characters`,
    },
  ];
}

/**
 * An app with GPUs at the default memory (DEFAULT_RESOURCES, 512Mi) cannot load a model, and its
 * 2Gi `/dev/shm` alone is more than that limit: refused, not warned, since the pod would be
 * OOM-killed in a loop.
 */
function gpuMemory(app: AiAppIntent): Issue[] {
  if ((app.gpus ?? 0) === 0 || app.resources !== undefined) return [];
  const shm = shmSizeOf(app);
  return [
    {
      field: ['resources'],
      value: undefined,
      message: `is missing on an app with ${app.gpus} GPU${app.gpus === 1 ? '' : 's'}: the default memory (${DEFAULT_RESOURCES.memory.limit}) holds no model${shm ? ` and less than its ${shm} of /dev/shm, which is memory` : ''}, so the server would be OOM-killed at every start; accepted: resources with the memory the model needs, e.g. { cpu: { request: "2", limit: "4" }, memory: { request: "16Gi", limit: "16Gi" } }`,
    },
  ];
}

/** The ports a spec stands for, as a range. */
const rangeOf = (p: PortSpec) => (typeof p === 'number' ? { from: p, to: p } : p);

/**
 * A port (or range) listed twice, or inside another of the same destination: the API server
 * accepts it and the policy then holds the same port twice, which says something the user did
 * not mean to say; refused, naming the one it repeats.
 */
function portsRepeated(app: AiAppIntent): Issue[] {
  return app.egress.flatMap((d, i) =>
    d.ports.flatMap((p, j) => {
      const r = rangeOf(p);
      const within = (a: { from: number; to: number }, b: { from: number; to: number }) => b.from <= a.from && a.to <= b.to;
      // The first port that holds this one: an equal one before it, or a larger one anywhere.
      const k = d.ports.findIndex((q, k) => k !== j && within(r, rangeOf(q)) && (k < j || !within(rangeOf(q), r)));
      if (k < 0) return [];
      return [
        {
          field: ['egress', i, 'ports', j],
          value: p,
          message: `is already allowed by ports[${k}] (${JSON.stringify(d.ports[k])}); accepted: each port once`,
        },
      ];
    }),
  );
}

/** What the API server would refuse, or what would fail on the cluster, of one app whose own fields are valid. */
export function apiRuleIssues(app: AiAppIntent): IntentIssue[] {
  return [...requestsWithinLimits(app), ...serviceName(app), ...serviceAccountLabel(app), ...gpuMemory(app), ...portsRepeated(app)].map((i) => ({
    severity: 'error',
    scope: appScope(app.name),
    path: [app.name, ...i.field],
    value: i.value,
    code: 'api-rule',
    message: i.message,
  }));
}
