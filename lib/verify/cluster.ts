/**
 * The cluster a set of manifests describes: endpoints, tiers, policies, and for each endpoint
 * and direction the tiers and policies that apply to it, in evaluation order.
 */

import { parseIp } from '../net';
import { ClusterNote, clusterPolicyTiers, compileClusterPolicy, orderNotes } from './admin-tiers';
import { compileCalicoPolicy, compileNetworkSet, compileTier } from './calico';
import { Catalog, VerifyOptions } from './catalog';
import { ContainerPort, Endpoint, endpointRef, makeEndpoint, NetworkSet } from './endpoints';
import { autoHostEndpoints, compileHostEndpoint, ProfileSources, readAutoHostEndpoints, readProfileLabels } from './host-endpoints';
import { compileKubernetesPolicy } from './kubernetes';
import { LabelMap } from './labels';
import { describeSource, Fields, Manifest, ManifestError, SkippedFile } from './manifests';
import { EgressProxy, readProxies } from './proxies';
import { compareTiers, comparePolicies, DEFAULT_TIER, Direction, enforcedIdentity, Policy, PolicyKind, Tier, TierPlan } from './policy';
import {
  isProtocol,
  Protocol,
  isWorkloadKind,
  podTemplatePath,
  WorkloadKind,
  ClusterPolicyKind,
  isClusterPolicyKind,
  isCalicoPolicyKind,
  NETWORK_POLICY_API_GROUP,
  formatObjectRef,
  objectRefOf,
  protocolsText,
} from '../k8s';
import { Flavor } from '../conventions';

const CALICO_OTHER_KINDS: ReadonlySet<string> = new Set([
  'Tier',
  'NetworkSet',
  'GlobalNetworkSet',
  'HostEndpoint',
  'Profile',
  'KubeControllersConfiguration',
  'StagedKubernetesNetworkPolicy',
]);

function group(apiVersion: unknown): string {
  const text = typeof apiVersion === 'string' ? apiVersion : '';
  return text.includes('/') ? text.slice(0, text.indexOf('/')) : '';
}

/** Manifests grouped by what they are; objects of other kinds are left out. */
interface Grouped {
  readonly namespaces: Manifest[];
  readonly serviceAccounts: Manifest[];
  readonly workloads: Manifest[];
  readonly networkSets: Manifest[];
  /** HostEndpoints, the Profiles they may name, Nodes and the KubeControllersConfiguration that may make host endpoints of them. */
  readonly hostEndpoints: Manifest[];
  readonly profiles: Manifest[];
  readonly nodes: Manifest[];
  readonly kubeControllers: Manifest[];
  readonly tiers: Manifest[];
  readonly policies: { readonly manifest: Manifest; readonly kind: PolicyKind; readonly flavor: Flavor | 'network-policy-api' }[];
  /** Where egress proxies read their configuration. */
  readonly configMaps: Manifest[];
}

function groupManifests(manifests: readonly Manifest[]): Grouped {
  const out: Grouped = {
    namespaces: [],
    serviceAccounts: [],
    workloads: [],
    networkSets: [],
    hostEndpoints: [],
    profiles: [],
    nodes: [],
    kubeControllers: [],
    tiers: [],
    policies: [],
    configMaps: [],
  };
  const seen = new Map<string, Manifest>();
  for (const m of manifests) {
    const { kind, metadata, apiVersion } = m.object;
    const g = group(apiVersion);
    const calico = g === 'projectcalico.org';
    const clusterPolicy = g === NETWORK_POLICY_API_GROUP && isClusterPolicyKind(kind);
    const relevant =
      clusterPolicy ||
      ((kind === 'Namespace' || kind === 'ServiceAccount' || kind === 'Pod' || kind === 'Node' || kind === 'ConfigMap') && g === '') ||
      isWorkloadKind(kind) ||
      (kind === 'NetworkPolicy' && g === 'networking.k8s.io') ||
      (calico && (isCalicoPolicyKind(kind) || CALICO_OTHER_KINDS.has(kind)));
    if (!relevant) continue;
    const key = `${g}/${kind}/${metadata.namespace ?? ''}/${metadata.name}`;
    const before = seen.get(key);
    if (before) {
      if (JSON.stringify(before.object) === JSON.stringify(m.object)) continue;
      throw new ManifestError(m.source, undefined, `is also defined, differently, in ${describeSource(before.source)}`, objectRefOf(m.object));
    }
    seen.set(key, m);
    if (kind === 'Namespace') out.namespaces.push(m);
    else if (kind === 'ConfigMap') out.configMaps.push(m);
    else if (kind === 'ServiceAccount') out.serviceAccounts.push(m);
    else if (isWorkloadKind(kind)) out.workloads.push(m);
    else if (kind === 'NetworkSet' || kind === 'GlobalNetworkSet') out.networkSets.push(m);
    else if (kind === 'HostEndpoint') out.hostEndpoints.push(m);
    else if (kind === 'Profile') out.profiles.push(m);
    else if (kind === 'Node') out.nodes.push(m);
    else if (kind === 'KubeControllersConfiguration') out.kubeControllers.push(m);
    else if (kind === 'Tier') out.tiers.push(m);
    else if (clusterPolicy) out.policies.push({ manifest: m, kind, flavor: 'network-policy-api' });
    else if (kind === 'NetworkPolicy' && !calico) out.policies.push({ manifest: m, kind: 'KubernetesNetworkPolicy', flavor: 'kubernetes' });
    else if (kind === 'StagedKubernetesNetworkPolicy') out.policies.push({ manifest: m, kind, flavor: 'kubernetes' });
    else out.policies.push({ manifest: m, kind: kind as PolicyKind, flavor: 'calico' });
  }
  return out;
}

function readEndpoint(m: Manifest, catalog: Catalog): Endpoint {
  const { kind, metadata } = m.object;
  const namespace = metadata.namespace ?? 'default';
  const f = new Fields(m.source, { kind, namespace, name: metadata.name });
  // Each step of the path to the pod template is read as a mapping, and missing is named by its field.
  const path = podTemplatePath(kind as WorkloadKind);
  const templateField = path.join('.');
  let template: Record<string, unknown> = m.object;
  for (let i = 0; i < path.length; i++) {
    const field = path.slice(0, i + 1).join('.');
    template = f.record(template[path[i]], field) ?? f.fail(field, 'is missing');
  }
  const podMeta = kind === 'Pod' ? metadata : f.record(template.metadata, `${templateField}.metadata`);
  const podSpec = f.record(template.spec, templateField ? `${templateField}.spec` : 'spec');
  const at = (field: string): string => (templateField ? `${templateField}.${field}` : field);
  const serviceAccount =
    f.string(podSpec?.serviceAccountName, at('spec.serviceAccountName')) || f.string(podSpec?.serviceAccount, at('spec.serviceAccount')) || 'default';
  const ports: ContainerPort[] = [];
  (f.list(podSpec?.containers, at('spec.containers')) ?? []).forEach((c, i) => {
    const container = f.record(c, at(`spec.containers[${i}]`)) ?? {};
    (f.list(container.ports, at(`spec.containers[${i}].ports`)) ?? []).forEach((p, j) => {
      const field = at(`spec.containers[${i}].ports[${j}]`);
      const port = f.record(p, field) ?? {};
      const number = f.number(port.containerPort, `${field}.containerPort`) ?? f.fail(`${field}.containerPort`, 'is missing');
      const protocol = f.string(port.protocol, `${field}.protocol`) ?? 'TCP';
      if (!isProtocol(protocol)) f.fail(`${field}.protocol`, `must be ${protocolsText()}, not ${JSON.stringify(protocol)}`);
      ports.push({ name: f.string(port.name, `${field}.name`), port: number, protocol: protocol as Protocol });
    });
  });
  const status = kind === 'Pod' ? f.record(m.object.status, 'status') : undefined;
  const ipTexts = new Set<string>();
  const podIP = f.string(status?.podIP, 'status.podIP');
  if (podIP) ipTexts.add(podIP);
  (f.list(status?.podIPs, 'status.podIPs') ?? []).forEach((p, i) => {
    const ip = f.string(f.record(p, `status.podIPs[${i}]`)?.ip, `status.podIPs[${i}].ip`);
    if (ip) ipTexts.add(ip);
  });
  const ips = [...ipTexts].map((text) => parseIp(text) ?? f.fail('status.podIP', `${JSON.stringify(text)} is not an IP address`));
  const unique = ips.filter((ip, i) => ips.findIndex((o) => o.version === ip.version && o.value === ip.value) === i);
  return makeEndpoint({
    name: metadata.name,
    kind: kind as WorkloadKind,
    namespace: catalog.namespace(namespace),
    labels: f.labels(podMeta?.labels, templateField ? `${templateField}.metadata.labels` : 'metadata.labels'),
    serviceAccount,
    serviceAccountLabels: catalog.serviceAccountLabels(namespace, serviceAccount),
    ips: unique,
    ports,
    source: m.source,
  });
}

/** The policies and plans of one endpoint for both directions, and the staged policies that concern it. */
interface EndpointPolicies {
  readonly ingress: TierPlan[];
  readonly egress: TierPlan[];
  /** The enforced policies that apply, per direction, unordered. */
  readonly enforced: { readonly ingress: readonly Policy[]; readonly egress: readonly Policy[] };
  /** Staged policies that concern the endpoint: Set ones that select it, and the staged twins of enforced policies that select it. */
  readonly staged: readonly Policy[];
  /** The staged Set policies that select it. */
  readonly selecting: readonly Policy[];
  /** The plans when the staged policies are enforced; made when first asked. */
  whenStaged?: { readonly ingress: TierPlan[]; readonly egress: TierPlan[] };
}

/** Which policies an answer is computed with: those enforced now, or those that would be once the staged policies are enforced. */
export type PolicyView = 'enforced' | 'staged';

/**
 * A cluster as its manifests describe it, ready to answer reachability questions.
 *
 * Staged policies (Calico's StagedNetworkPolicy, StagedGlobalNetworkPolicy and
 * StagedKubernetesNetworkPolicy) enforce nothing: every answer is about the enforced policies.
 * The verifier also answers for the "staged" view, what would hold once the staged policies are
 * enforced: each with `stagedAction: Set` (the default) takes the place of the enforced policy of
 * the same kind, namespace and name, if there is one, and is evaluated like it; one with
 * `stagedAction: Delete` removes that policy (projectcalico.org/v3 `StagedAction`, and
 * libcalico-go's staged update processors, which hand Felix a staged Set policy converted to its
 * enforced form and drop a Delete).
 */
export class Cluster {
  /** Tiers by name, including the implicit `default` tier. */
  readonly tiers: ReadonlyMap<string, Tier>;
  /** Enforced policies. */
  readonly policies: readonly Policy[];
  /** Staged policies: read, reported, never enforced. */
  readonly staged: readonly Policy[];
  private readonly byEndpoint = new Map<Endpoint, EndpointPolicies>();
  private readonly byId: ReadonlyMap<string, Endpoint>;
  /** Staged policies by the enforced policy each would replace. */
  private readonly twins: ReadonlyMap<string, Policy>;

  constructor(
    readonly catalog: Catalog,
    tiers: readonly Tier[],
    policies: readonly Policy[],
    /** Files read that held no Kubernetes object. */
    readonly skipped: readonly SkippedFile[] = [],
    /** The egress proxies the workloads run, with their configurations (proxies.ts). */
    readonly proxies: readonly EgressProxy[] = [],
    /** What the verifier says about objects besides its answers: fields it does not model, objects the cluster does not enforce. */
    readonly notes: readonly ClusterNote[] = [],
    /**
     * The objects read, of every kind, that the reports reading more than policies and pods look
     * up (manifest-index.ts: dns.ts reads the pod specs of workloads, ConfigMaps and annotations;
     * relays.ts annotations). buildCluster passes every object it read, the workloads and
     * ConfigMaps whole and the others by apiVersion, kind and metadata (keptOfManifest): their
     * bodies are compiled, and nothing reads them again.
     */
    readonly manifests: readonly Manifest[] = [],
  ) {
    const tierMap = new Map<string, Tier>([[DEFAULT_TIER.name, DEFAULT_TIER]]);
    for (const t of tiers) tierMap.set(t.name, t);
    this.tiers = tierMap;
    this.policies = policies.filter((p) => !p.staged);
    this.staged = policies.filter((p) => p.staged);
    this.byId = new Map(catalog.endpoints.map((ep) => [ep.id, ep]));
    const found = new Map<Endpoint, { ingress: Policy[]; egress: Policy[]; staged: Policy[] }>();
    for (const ep of catalog.endpoints) found.set(ep, { ingress: [], egress: [], staged: [] });
    for (const policy of policies) {
      if (policy.stagedAction === 'Delete') continue;
      const { namespace, label } = policy.hint;
      for (const ep of catalog.candidates(namespace === undefined ? undefined : [namespace], label)) {
        if (!policy.selects(ep)) continue;
        const lists = found.get(ep)!;
        if (policy.staged) lists.staged.push(policy);
        else {
          if (policy.types.ingress) lists.ingress.push(policy);
          if (policy.types.egress) lists.egress.push(policy);
        }
      }
    }
    this.twins = new Map(this.staged.map((p) => [enforcedIdentity(p.ref), p]));
    for (const [ep, lists] of found) this.byEndpoint.set(ep, this.endpointPolicies(lists));
  }

  /** The plans of an endpoint from the policies that select it, with the staged twins of the enforced ones. */
  private endpointPolicies(lists: { ingress: Policy[]; egress: Policy[]; staged: Policy[] }): EndpointPolicies {
    const selecting = [...lists.staged];
    if (this.twins.size > 0) {
      for (const p of new Set([...lists.ingress, ...lists.egress])) {
        const twin = this.twins.get(enforcedIdentity(p.ref));
        if (twin && !lists.staged.includes(twin)) lists.staged.push(twin);
      }
    }
    return {
      ingress: this.plan(lists.ingress, 'ingress'),
      egress: this.plan(lists.egress, 'egress'),
      enforced: { ingress: lists.ingress, egress: lists.egress },
      staged: lists.staged,
      selecting,
    };
  }

  /**
   * The policies of an endpoint: one of the manifests', or a pod they do not hold (a
   * representative pod, or one a flow log names), whose policies are found when first asked.
   */
  private policiesOf(endpoint: Endpoint): EndpointPolicies | undefined {
    const known = this.byEndpoint.get(endpoint);
    if (known || this.byId.get(endpoint.id) === endpoint) return known;
    const lists = { ingress: [] as Policy[], egress: [] as Policy[], staged: [] as Policy[] };
    for (const policy of [...this.policies, ...this.staged]) {
      if (policy.stagedAction === 'Delete' || !policy.selects(endpoint)) continue;
      if (policy.staged) lists.staged.push(policy);
      else {
        if (policy.types.ingress) lists.ingress.push(policy);
        if (policy.types.egress) lists.egress.push(policy);
      }
    }
    const made = this.endpointPolicies(lists);
    this.byEndpoint.set(endpoint, made);
    return made;
  }

  /** Known endpoints, sorted by id. */
  get endpoints(): readonly Endpoint[] {
    return this.catalog.endpoints;
  }

  /** A known endpoint by `namespace/name`. */
  endpoint(id: string): Endpoint | undefined {
    return this.byId.get(id);
  }

  /**
   * The tiers and policies that apply to an endpoint in one direction, in evaluation order: those
   * enforced now, or (view `staged`) those that would once the staged policies are enforced. An
   * endpoint the manifests do not hold (a pod a flow log names) gets the policies that select it.
   */
  plans(endpoint: Endpoint, direction: Direction, view: PolicyView = 'enforced'): readonly TierPlan[] {
    const e = this.policiesOf(endpoint);
    if (!e) return [];
    if (view === 'enforced' || e.staged.length === 0) return e[direction];
    e.whenStaged ??= this.stagedPlans(e);
    return e.whenStaged[direction];
  }

  /** Staged policies that concern an endpoint (for the direction, when given): its view `staged` differs from the enforced one only through them. */
  stagedFor(endpoint: Endpoint, direction?: Direction): readonly Policy[] {
    const e = this.policiesOf(endpoint);
    if (!e) return [];
    if (!direction) return e.staged;
    return e.staged.filter(
      (p) => (e.selecting.includes(p) && p.types[direction]) || e.enforced[direction].some((x) => enforcedIdentity(x.ref) === enforcedIdentity(p.ref)),
    );
  }

  private stagedPlans(e: EndpointPolicies): { ingress: TierPlan[]; egress: TierPlan[] } {
    const replaced = new Set(e.staged.map((p) => enforcedIdentity(p.ref)));
    const view = (direction: Direction): TierPlan[] => {
      const kept = e.enforced[direction].filter((p) => !replaced.has(enforcedIdentity(p.ref)));
      const added = e.selecting.filter((p) => p.types[direction]);
      return this.plan([...kept, ...added], direction);
    };
    return { ingress: view('ingress'), egress: view('egress') };
  }

  private plan(policies: readonly Policy[], direction: Direction): TierPlan[] {
    const byTier = new Map<string, Policy[]>();
    for (const p of policies) {
      const list = byTier.get(p.ref.tier);
      if (list) list.push(p);
      else byTier.set(p.ref.tier, [p]);
    }
    return [...byTier]
      .map(([name, list]) => ({
        tier: this.tiers.get(name)!,
        policies: list.sort(comparePolicies).map((policy) => ({ policy, rules: policy.rules[direction] })),
      }))
      .sort((a, b) => compareTiers(a.tier, b.tier));
  }
}

/**
 * The host endpoints of the manifests, and those calico-kube-controllers makes of their Nodes
 * when the KubeControllersConfiguration `default` turns that on (see host-endpoints.ts).
 */
function hostEndpointsOf(grouped: Grouped, catalog: Catalog): NetworkSet[] {
  const sources: ProfileSources = {
    declared: new Map(grouped.profiles.map((m) => [m.object.metadata.name, readProfileLabels(m)])),
    namespace: (name) => catalog.namespace(name),
    serviceAccountLabels: (namespace, name) => catalog.serviceAccountLabels(namespace, name),
  };
  const declared = grouped.hostEndpoints.map((m) => compileHostEndpoint(m, sources));
  const config = grouped.kubeControllers.find((m) => m.object.metadata.name === 'default');
  const auto = config && readAutoHostEndpoints(config);
  return auto ? [...declared, ...grouped.nodes.flatMap((n) => autoHostEndpoints(n, auto))] : declared;
}

/**
 * What a cluster keeps of a manifest it has compiled: workloads (their pod specs) and ConfigMaps
 * whole, as dns.ts reads them; of every other kind its apiVersion, kind and metadata (dns.ts and
 * relays.ts read the annotations of policies). A policy's body is compiled into its rules, and
 * the spec of a 10,000-app platform's policies is a quarter of what the verifier would keep.
 */
function keptOfManifest(m: Manifest): Manifest {
  const { apiVersion, kind, metadata } = m.object;
  if (kind === 'ConfigMap' || isWorkloadKind(kind)) return m;
  return { object: { ...(apiVersion === undefined ? {} : { apiVersion }), kind, metadata }, source: m.source };
}

/** Builds the cluster the manifests describe. Throws ManifestError on the first invalid object. */
export function buildCluster(manifests: readonly Manifest[], options: VerifyOptions = {}, skipped: readonly SkippedFile[] = []): Cluster {
  const grouped = groupManifests(manifests);
  const labelsOf = (m: Manifest, namespace?: string): LabelMap =>
    new Fields(m.source, { kind: m.object.kind, ...(namespace === undefined ? {} : { namespace }), name: m.object.metadata.name }).labels(
      m.object.metadata.labels,
      'metadata.labels',
    );
  const namespaces = new Map<string, LabelMap>(grouped.namespaces.map((m) => [m.object.metadata.name, labelsOf(m)]));
  const serviceAccounts = new Map<string, LabelMap>(
    grouped.serviceAccounts.map((m) => {
      const namespace = m.object.metadata.namespace ?? 'default';
      return [`${namespace}/${m.object.metadata.name}`, labelsOf(m, namespace)];
    }),
  );
  const catalog = new Catalog({
    options,
    namespaces,
    serviceAccounts,
    endpoints: (c) => {
      const byId = new Map<string, Endpoint>();
      return grouped.workloads.map((m) => {
        const ep = readEndpoint(m, c);
        const other = byId.get(ep.id);
        if (other)
          throw new ManifestError(
            m.source,
            'metadata.name',
            `has the same name as ${formatObjectRef(endpointRef(other))} (${describeSource(other.source!)}); endpoint names must be unique`,
            endpointRef(ep),
          );
        byId.set(ep.id, ep);
        return ep;
      });
    },
    networkSets: (c): NetworkSet[] => [
      ...grouped.networkSets.map((m) =>
        compileNetworkSet(m, m.object.kind === 'NetworkSet' ? c.namespace(m.object.metadata.namespace ?? 'default') : undefined),
      ),
      ...hostEndpointsOf(grouped, c),
    ],
  });
  // The tiers of the network-policy-api's kinds exist without a Tier object; one in the manifests (a dump of Calico's own) takes their place.
  const tiers = [...clusterPolicyTiers(options.calico), ...grouped.tiers.map(compileTier)];
  const tierNames = new Set([DEFAULT_TIER.name, ...tiers.map((t) => t.name)]);
  const notes: ClusterNote[] = [];
  const policies = grouped.policies.flatMap(({ manifest, kind, flavor }) => {
    if (flavor === 'network-policy-api') return compileClusterPolicy(manifest, kind as ClusterPolicyKind, catalog, options.calico, notes) ?? [];
    const policy = flavor === 'kubernetes' ? compileKubernetesPolicy(manifest, kind, catalog) : compileCalicoPolicy(manifest, kind, catalog);
    if (!tierNames.has(policy.ref.tier)) {
      throw new ManifestError(
        manifest.source,
        'spec.tier',
        `tier ${JSON.stringify(policy.ref.tier)} is not among the manifests; add its Tier (policies cannot exist in a tier that does not)`,
      );
    }
    return policy;
  });
  return new Cluster(
    catalog,
    tiers,
    policies,
    skipped,
    readProxies(grouped.workloads, grouped.configMaps),
    [...notes, ...orderNotes(policies, catalog.endpoints)],
    manifests.map(keptOfManifest),
  );
}
