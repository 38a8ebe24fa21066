/**
 * Every check of the manifests of a cdk8s app, without its intent: schemas, the namespace's
 * default deny, DNS, cloud metadata, internet-sized blocks and Pod Security. What the cdk8s
 * validation plugin reports, and what any test may ask of manifests.
 */
import { Cloud } from '../net';
import { validateObject, hasSchema } from '../validate';
import { Endpoint, Manifest, ManifestError, buildCluster, describeSource, egressReport, endpointRef } from '../verify';
import { blockProblems } from './blocks';
import { FoundObject, K8sObject, isStaged, refOf } from './objects';
import { namespacePodSecurityProblems, podSpecOf, restrictedViolations } from './pod-security';
import { ReachProblem, defaultDenyProblems, dnsProblems, isProbe, metadataProblems, probePods } from './reach';
import { RuleName } from './rules';
import { isWorkloadKind, formatObjectRef, NETWORKING_API_VERSION } from '../k8s';

export interface CheckOptions {
  /**
   * Whose metadata and credential endpoints must be out of reach (lib/net/metadata.ts).
   * @default 'any': every cloud's
   */
  readonly cloud?: Cloud;
  /**
   * Namespaces not checked for default deny, DNS, metadata, blocks or Pod Security (their
   * objects are still checked against their schemas), e.g. a namespace of another team's chart.
   * @default none
   */
  readonly exemptNamespaces?: readonly string[];
}

/** One thing wrong, about one object. */
export interface Finding {
  readonly rule: RuleName;
  readonly object: FoundObject;
  readonly message: string;
}

/** What was checked, for the report's summary. */
interface CheckSummary {
  readonly objects: number;
  /** Objects checked against a schema. */
  readonly schemaChecked: number;
  /** `apiVersion/kind` of the objects no schema is known for (custom resources of other projects), each once. */
  readonly withoutSchema: readonly string[];
  /** The namespaces checked for default deny and Pod Security, in name order. */
  readonly namespaces: readonly string[];
  /** The workloads (Pods and pod templates) whose reach was checked. */
  readonly workloads: number;
  /** Namespaces whose default deny is staged only (audit mode): checked as it will be once the staged policies are enforced. */
  readonly stagedOnly: readonly string[];
  readonly cloud: Cloud;
  readonly exemptNamespaces: readonly string[];
}

export interface CheckResult {
  readonly findings: readonly Finding[];
  readonly summary: CheckSummary;
}

/** The namespace an object lives in, as the verifier places it (`default` when a namespaced workload names none). */
function namespaceOf(o: K8sObject): string | undefined {
  if (o.kind === 'Namespace' && o.apiVersion === 'v1') return o.metadata.name;
  return o.metadata.namespace ?? (isWorkloadKind(o.kind) ? 'default' : undefined);
}

/** Checks a set of manifests; never throws for what they hold: what cannot be read is a finding. */
export function checkManifests(manifests: readonly Manifest[], options: CheckOptions = {}): CheckResult {
  const cloud = options.cloud ?? 'any';
  const exempt = new Set(options.exemptNamespaces ?? []);
  const findings: Finding[] = [];
  const objects = manifests.map((m) => m.object as K8sObject);
  const refs = new Map(manifests.map((m) => [m.object as K8sObject, refOf(m)]));
  const checked = (o: K8sObject) => {
    const ns = namespaceOf(o);
    return ns === undefined || !exempt.has(ns);
  };

  const seen = new Map<string, Manifest>();
  for (const m of manifests) {
    const { apiVersion, kind, metadata } = m.object;
    const key = `${String(apiVersion)}/${kind}/${metadata.namespace ?? ''}/${metadata.name}`;
    const first = seen.get(key);
    if (!first) seen.set(key, m);
    else {
      findings.push({
        rule: 'manifests-readable',
        object: refOf(m),
        message: `${formatObjectRef(refOf(m))} is written twice, in ${describeSource(first.source)} and ${describeSource(m.source)}: a cluster keeps the one applied last, and these checks cannot tell which (manifests of several clusters are checked apart, each folder its own: property clusterPerFolder)`,
      });
    }
  }

  let schemaChecked = 0;
  const withoutSchema = new Set<string>();
  for (const m of manifests) {
    if (!hasSchema(m.object)) {
      withoutSchema.add(`${String(m.object.apiVersion)}/${m.object.kind}`);
      continue;
    }
    schemaChecked += 1;
    for (const problem of validateObject(m.object)) findings.push({ rule: 'schema', object: refOf(m), message: `${formatObjectRef(refOf(m))}: ${problem}` });
  }

  for (const p of blockProblems(objects.filter(checked), cloud)) findings.push({ rule: p.rule, object: refs.get(p.block.policy)!, message: p.message });

  const workloads = manifests.filter((m) => isWorkloadKind(m.object.kind) && checked(m.object as K8sObject));
  const namespaces = [...new Set(objects.filter((o) => (o.kind === 'Namespace' && o.apiVersion === 'v1') || isWorkloadKind(o.kind)).map(namespaceOf))]
    .filter((ns): ns is string => ns !== undefined && !exempt.has(ns))
    .sort();
  const namespaceRef = (ns: string): FoundObject => {
    // Its Namespace object, or else the first object in it: every checked namespace has one or the other.
    const where =
      manifests.find((m) => m.object.kind === 'Namespace' && m.object.apiVersion === 'v1' && m.object.metadata.name === ns) ??
      manifests.find((m) => namespaceOf(m.object as K8sObject) === ns)!;
    return { kind: 'Namespace', name: ns, source: where.source };
  };
  for (const ns of namespaces) {
    const declared = objects.some((o) => o.kind === 'Namespace' && o.apiVersion === 'v1' && o.metadata.name === ns);
    const problems = declared
      ? namespacePodSecurityProblems(objects, ns)
      : [`${ns}: holds workloads, but no Namespace object of the manifests says it admits only restricted pods`];
    for (const message of problems) findings.push({ rule: 'pod-security-restricted', object: namespaceRef(ns), message });
  }
  for (const m of workloads) {
    for (const v of restrictedViolations(podSpecOf(m.object as K8sObject)))
      findings.push({ rule: 'pod-security-restricted', object: refOf(m), message: `${formatObjectRef(refOf(m))}: ${v}` });
  }

  const stagedOnly = namespaces.filter(
    (ns) =>
      objects.some((o) => isStaged(o) && o.kind === 'StagedKubernetesNetworkPolicy' && o.metadata.namespace === ns) &&
      !objects.some((o) => o.apiVersion === NETWORKING_API_VERSION && o.kind === 'NetworkPolicy' && o.metadata.namespace === ns),
  );
  let reachedWorkloads = 0;
  try {
    const probes = probePods(namespaces);
    const read = [...manifests, ...probes];
    const cluster = buildCluster(read);
    // Two views of one cluster: what is enforced now, and what would be once the staged policies
    // are enforced (the verifier's staged view: a Set policy in place of its enforced twin, a
    // Delete one removing it). The namespace's default deny and DNS are asked of the second,
    // since audit mode stages them; metadata of both.
    const enforced = new Map(egressReport(cluster).workloads.map((w) => [w.endpoint, w] as const));
    const staged = new Map([...enforced].map(([id, w]) => [id, w.whenStagedEnforced ?? w] as const));
    const reachChecked = (e: Endpoint) => !isProbe(e) && !exempt.has(e.namespace.name);
    const endpoints = cluster.endpoints.filter(reachChecked);
    reachedWorkloads = endpoints.length;
    const problems: ReachProblem[] = [
      ...namespaces.flatMap((ns) => defaultDenyProblems(cluster, staged, ns, 'staged')),
      ...endpoints.flatMap((e) => dnsProblems(staged.get(e.id)!, e)),
    ];
    const metadata = new Map<string, ReachProblem>();
    for (const [reports, onceStagedEnforced] of [
      [enforced, false],
      [staged, true],
    ] as const) {
      for (const e of endpoints) {
        for (const p of metadataProblems(reports.get(e.id)!, e, read, cloud, onceStagedEnforced)) {
          const key = `${e.id} ${p.reached}`;
          if (!metadata.has(key)) metadata.set(key, p);
        }
      }
    }
    problems.push(...metadata.values());
    const workloadRef = (e: Endpoint): FoundObject => ({ ...endpointRef(e), ...(e.source ? { source: e.source } : {}) });
    for (const p of problems) findings.push({ rule: p.rule, object: p.endpoint ? workloadRef(p.endpoint) : namespaceRef(p.namespace), message: p.message });
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    findings.push({ rule: 'manifests-readable', object: unreadable(err), message: err.message });
  }

  return {
    findings,
    summary: {
      objects: manifests.length,
      schemaChecked,
      withoutSchema: [...withoutSchema].sort(),
      namespaces,
      workloads: reachedWorkloads,
      stagedOnly,
      cloud,
      exemptNamespaces: [...exempt].sort(),
    },
  };
}

/** The object a ManifestError is about, or its file. */
function unreadable(err: ManifestError): FoundObject {
  const source = 'document' in err.source ? err.source : undefined;
  return { ...(err.object ?? { kind: 'file', name: err.source.file }), ...(source ? { source } : {}) };
}
