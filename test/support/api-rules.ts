/**
 * What the API server refuses beyond the schemas, restated on written objects (not on the
 * intent, which lib/intent/api-rules.ts checks): the property test that mutates intents asserts
 * that whatever the intent's checks accept, these accept too. Each rule names the validation it
 * restates (kubernetes pkg/apis/core/validation/validation.go, apimachinery
 * pkg/util/validation/validation.go, Calico's CRDs).
 */
import { formatCidr, parseCidr } from '../../lib/net';
import { parseQuantity } from '../../lib/quantity';
import type { K8sObject } from '../../lib/testing';

const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;

/** A label key: an optional DNS subdomain prefix of at most 253, a name of at most 63 (IsQualifiedName). */
function labelKeyOk(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  return name.length <= 63 && LABEL_NAME.test(name) && (prefix === undefined || (prefix.length <= 253 && DNS_1123_SUBDOMAIN.test(prefix)));
}

function labelProblems(where: string, labels: unknown): string[] {
  if (labels === undefined || labels === null) return [];
  return Object.entries(labels as Record<string, unknown>).flatMap(([k, v]) => [
    ...(labelKeyOk(k) ? [] : [`${where}: label key ${JSON.stringify(k)} is not a qualified name`]),
    ...(typeof v === 'string' && v.length <= 63 && LABEL_VALUE.test(v) ? [] : [`${where}: label value ${JSON.stringify(v)} of ${k} is not a label value`]),
  ]);
}

/** ValidateResourceRequirements: each request at most its limit; an extended resource (nvidia.com/gpu) requested exactly as limited, whole. */
function resourceProblems(where: string, resources: K8sObject | undefined): string[] {
  const requests: Record<string, string> = resources?.requests ?? {};
  const limits: Record<string, string> = resources?.limits ?? {};
  const problems: string[] = [];
  for (const [name, request] of Object.entries(requests)) {
    const limit = limits[name];
    const r = parseQuantity(String(request));
    const l = limit === undefined ? undefined : parseQuantity(String(limit));
    if (r === undefined || r < 0) problems.push(`${where}: requests.${name} ${request} is not a quantity of at least 0`);
    if (r !== undefined && l !== undefined && r > l) problems.push(`${where}: requests.${name} ${request} is more than its limit ${limit}`);
    if (name.includes('/') && !name.startsWith('kubernetes.io/') && (limit === undefined || r !== l || !Number.isInteger(r)))
      problems.push(`${where}: extended resource ${name} must be requested as limited, whole (${request}, ${limit})`);
  }
  return problems;
}

/** ValidatePodSpec, as far as the project writes pods: unique volume names and mount paths, env names, port names, probes, resources. */
function podProblems(where: string, pod: K8sObject): string[] {
  const problems: string[] = [];
  const volumes: string[] = (pod.volumes ?? []).map((v: K8sObject) => v.name);
  if (new Set(volumes).size !== volumes.length) problems.push(`${where}: volume names repeat (${volumes.join(', ')})`);
  for (const v of volumes) if (!(v.length <= 63 && DNS_1123_LABEL.test(v))) problems.push(`${where}: volume name ${v} is not a DNS-1123 label`);
  for (const c of pod.containers ?? []) {
    const at = `${where} container ${c.name}`;
    const mounts: string[] = (c.volumeMounts ?? []).map((m: K8sObject) => m.mountPath);
    if (new Set(mounts).size !== mounts.length) problems.push(`${at}: mount paths repeat (${mounts.join(', ')})`);
    for (const m of c.volumeMounts ?? []) if (!volumes.includes(m.name)) problems.push(`${at}: mounts ${m.name}, which is no volume`);
    for (const e of c.env ?? []) if (!ENV_NAME.test(e.name)) problems.push(`${at}: env name ${JSON.stringify(e.name)} is not a valid variable name`);
    const ports: K8sObject[] = c.ports ?? [];
    const names = ports.flatMap((p) => (p.name ? [p.name] : []));
    if (new Set(names).size !== names.length) problems.push(`${at}: port names repeat`);
    for (const n of names) if (!IANA_SVC_NAME.test(n) || !/[a-z]/.test(n)) problems.push(`${at}: port name ${n} is not an IANA service name`);
    const numbers = ports.map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`);
    if (new Set(numbers).size !== numbers.length) problems.push(`${at}: container ports repeat (${numbers.join(', ')})`);
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      const p = c[probe];
      if (!p) continue;
      for (const k of ['timeoutSeconds', 'periodSeconds', 'failureThreshold'])
        if (p[k] !== undefined && !(Number.isInteger(p[k]) && p[k] >= 1)) problems.push(`${at}: ${probe}.${k} ${p[k]} is not at least 1`);
      if (probe !== 'readinessProbe' && p.successThreshold !== undefined && p.successThreshold !== 1)
        problems.push(`${at}: ${probe}.successThreshold must be 1`);
    }
    problems.push(...resourceProblems(at, c.resources));
  }
  problems.push(...labelProblems(`${where} nodeSelector`, pod.nodeSelector));
  return problems;
}

/** The problems the API server would find in these objects beyond their schemas; empty when it accepts them all. */
export function apiServerProblems(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    const where = `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;
    const name: string = o.metadata?.name ?? '';
    const nameOk =
      o.kind === 'Service'
        ? DNS_1035.test(name) && name.length <= 63
        : o.kind === 'Namespace'
          ? DNS_1123_LABEL.test(name) && name.length <= 63
          : DNS_1123_SUBDOMAIN.test(name) && name.length <= 253;
    if (!nameOk) problems.push(`${where}: name is not valid for a ${o.kind}`);
    problems.push(...labelProblems(where, o.metadata?.labels));
    if (o.kind === 'Deployment') {
      problems.push(...labelProblems(`${where} pod template`, o.spec?.template?.metadata?.labels));
      problems.push(...podProblems(where, o.spec?.template?.spec ?? {}));
    }
    if (o.kind === 'Service') {
      const ports: K8sObject[] = o.spec?.ports ?? [];
      const keys = ports.map((p) => `${p.port}/${p.protocol ?? 'TCP'}`);
      if (new Set(keys).size !== keys.length) problems.push(`${where}: ports repeat`);
    }
    if (o.kind === 'GlobalNetworkSet' || o.kind === 'NetworkSet') {
      // nets is `x-kubernetes-list-type: set` in Calico's CRD: no duplicates, as blocks.
      const nets: string[] = (o.spec?.nets ?? []).map((n: string) => {
        const parsed = parseCidr(n);
        return 'cidr' in parsed ? formatCidr(parsed.cidr) : n;
      });
      if (new Set(nets).size !== nets.length) problems.push(`${where}: nets repeat a block (${nets.join(', ')})`);
    }
    if (o.kind === 'NetworkPolicy' && o.apiVersion === 'networking.k8s.io/v1') {
      for (const direction of ['ingress', 'egress'] as const)
        for (const rule of o.spec?.[direction] ?? [])
          for (const p of rule.ports ?? []) {
            if (typeof p.port === 'number' && (p.port < 1 || p.port > 65535)) problems.push(`${where}: port ${p.port} out of range`);
            if (p.endPort !== undefined && !(typeof p.port === 'number' && p.endPort >= p.port))
              problems.push(`${where}: endPort ${p.endPort} below port ${p.port}`);
          }
    }
  }
  return problems;
}
