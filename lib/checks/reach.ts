/**
 * What the manifests let pods reach, read by the verifier (lib/verify) as a cluster would enforce
 * them: every namespace denies by default, DNS leaves only for kube-dns or addresses a policy
 * names, and cloud metadata is out of reach. Without an intent to compare with, each is stated of
 * what the manifests alone can tell.
 */
import { CREDENTIALS_REASON_ANNOTATION, DOMAIN, reasonFor } from '../conventions';
import {
  Cidr,
  Cloud,
  cidrContains,
  endpointsAt,
  formatCidr,
  formatIp,
  metadataBlocks,
  metadataNat64Blocks,
  metadataNat64Cidrs,
  podCredentialEndpoints,
} from '../net';
import {
  Cluster,
  Endpoint,
  Manifest,
  PolicyRef,
  PolicyView,
  ReachEntry,
  StagedEgress,
  decisionKey,
  describeDecision,
  describeDestination,
  describeProtocolPorts,
  describeUncertain,
  explainDirection,
  explainWhenStaged,
  isNamedPort,
  policyKindOf,
  query,
} from '../verify';
import { K8sObject } from './objects';
import { Protocol, KUBE_DNS } from '../k8s';

/** The label of the probe pods these checks add to the manifests; never on a real pod. */
const PROBE_LABEL = `${DOMAIN}/probe`;

/** The probes' names, and the namespace of the probe that stands for pods elsewhere. */
const PROBE = 'secure-ai-egress-probe';
const PEER = 'secure-ai-egress-probe-peer';
const ELSEWHERE = 'secure-ai-egress-probe';

const probe = (namespace: string, name: string): Manifest => ({
  object: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { [PROBE_LABEL]: name } },
    spec: { containers: [{ name: 'probe', image: 'probe' }] },
  },
  source: { file: '(probe pods of the checks)', document: 1 },
});

/**
 * Pods no policy names, in each namespace (two, so that one can ask the other) and in a
 * namespace of their own: what a namespace does with a pod none of its policies is about.
 */
export function probePods(namespaces: readonly string[]): Manifest[] {
  return [...namespaces.flatMap((ns) => [probe(ns, PROBE), probe(ns, PEER)]), probe(ELSEWHERE, PROBE)];
}

/** True for an endpoint that is one of the probe pods. */
export function isProbe(e: Endpoint): boolean {
  return e.labels.has(PROBE_LABEL);
}

/** A workload's egress in one view: as enforced (WorkloadEgress) or once the staged policies are (its whenStagedEnforced). */
type Reach = StagedEgress;

/** One thing wrong with what a workload, or a namespace's unnamed pods, may reach. */
export interface ReachProblem {
  readonly rule: 'namespace-default-deny' | 'dns-only-to-kube-dns' | 'metadata-denied';
  /** The workload (`namespace/name`), or for a namespace's probe the namespace. */
  readonly endpoint?: Endpoint;
  readonly namespace: string;
  readonly message: string;
  /** For a metadata address reached: the address, protocol and ports, so the same reach read twice (enforced, and once the staged policies are enforced) is told once. */
  readonly reached?: string;
}

/**
 * Allowed entries with one destination and one deciding rule, and what allowed them: `TCP 443,
 * UDP 53 to cidr 0.0.0.0/0, allowed by rule 2 of NetworkPolicy ai/p (tier t)`.
 */
function what(entries: readonly ReachEntry[]): string {
  const [e] = entries;
  return `${describeProtocolPorts(entries)} to ${describeDestination(e.to)}, ${e.decidedBy.reason === 'rule' ? 'allowed by ' : 'allowed: '}${describeDecision(e.decidedBy)}`;
}

/** Entries grouped by destination and deciding rule, in the order they come. */
function byDestination(entries: readonly ReachEntry[]): ReachEntry[][] {
  const groups = new Map<string, ReachEntry[]>();
  for (const e of entries) {
    const key = `${describeDestination(e.to)}\u0000${decisionKey(e.decidedBy)}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  return [...groups.values()];
}

const coversDns = (e: ReachEntry) => (e.protocol === 'UDP' || e.protocol === 'TCP') && !isNamedPort(e.ports) && e.ports.from <= 53 && 53 <= e.ports.to;

const isAddress = (c: Cidr) => c.prefix === (c.version === 4 ? 32 : 128);

/**
 * Whether an allowed entry that covers port 53 is DNS the manifests declare: to kube-dns (or any
 * class of pods a rule names by namespace and labels), or to single addresses a rule names
 * (NodeLocal DNSCache, the kube-dns ClusterIP, a resolver). A known pod is judged by the class of
 * pods that lets it in, which the report lists too.
 */
function declaredDns(e: ReachEntry): boolean {
  if (e.to.type === 'cidr') return isAddress(e.to.cidr);
  if (e.to.endpoint) return true;
  return e.to.namespace !== '*' && Object.keys(e.to.labels).length > 0;
}

/**
 * Port 53 (UDP or TCP) goes only to kube-dns, to other pods a rule names by namespace and labels,
 * or to single addresses a rule names: never to a block of addresses (where any resolver would
 * do, DNS tunnels included), pods of any namespace (a pod labelled `k8s-app: kube-dns` anywhere)
 * or every pod of a namespace.
 */
export function dnsProblems(egress: Reach, endpoint: Endpoint): ReachProblem[] {
  return byDestination(egress.allowed.filter((e) => coversDns(e) && !declaredDns(e))).map((group) => ({
    rule: 'dns-only-to-kube-dns',
    endpoint,
    namespace: endpoint.namespace.name,
    message: `${endpoint.id} may send DNS: ${what(group)}; DNS goes to kube-dns (${KUBE_DNS.namespace} {k8s-app=${KUBE_DNS.podLabels['k8s-app']}}) or to single addresses a rule names on port 53`,
  }));
}

/**
 * The policy object a rule of the verifier's answer belongs to, among the manifests the cluster was
 * built from. A namespaced policy written without `metadata.namespace` is the verifier's in
 * `default`, as the verifier reads it (`kubectl apply` puts it in the context's namespace, `default`
 * unless set); a cluster-wide one has no namespace on either side.
 */
function policyOf(manifests: readonly Manifest[], ref: PolicyRef): K8sObject | undefined {
  const namespace = ref.namespace ?? 'default';
  return manifests
    .map((m) => m.object as K8sObject)
    .find((o) => policyKindOf(o) === ref.kind && o.metadata.name === ref.name && (o.metadata.namespace ?? 'default') === namespace);
}

/**
 * No metadata or credential address of the cloud is reachable, on any port, except a pod
 * credential endpoint (EKS Pod Identity) that the deciding policy allows with its written reason
 * (the annotation `secure-ai-egress/credentials` names the address).
 */
export function metadataProblems(egress: Reach, endpoint: Endpoint, manifests: readonly Manifest[], cloud: Cloud, onceStagedEnforced: boolean): ReachProblem[] {
  const credentials = new Set(podCredentialEndpoints(cloud).flatMap((p) => p.cidrs));
  const problems: ReachProblem[] = [];
  // And each IPv4 address in its NAT64 form (RFC 6052), which a translator on the path sends to it;
  // never a credential endpoint, whose address is declared as written.
  const nat64 = new Set(metadataNat64Cidrs(cloud));
  for (const m of [...metadataBlocks(cloud), ...metadataNat64Blocks(cloud)]) {
    const address = formatCidr(m);
    const reaching = egress.allowed.filter((e) => {
      if (e.to.type !== 'cidr' || !cidrContains(e.to.cidr, m) || e.to.except.some((x) => cidrContains(x, m))) return false;
      const reason =
        e.decidedBy.reason === 'rule'
          ? reasonFor(policyOf(manifests, e.decidedBy.rule)?.metadata.annotations, CREDENTIALS_REASON_ANNOTATION, address)
          : undefined;
      return !(credentials.has(address) && reason !== undefined);
    });
    const names = `${endpointsAt(address)
      .filter((x) => cloud === 'any' || x.clouds.includes(cloud))
      .map((x) => x.what)
      .join(', ')}${nat64.has(address) ? ', through NAT64' : ''}`;
    for (const group of byDestination(reaching)) {
      problems.push({
        rule: 'metadata-denied',
        endpoint,
        namespace: endpoint.namespace.name,
        reached: `${address} ${what(group)}`,
        message: `${endpoint.id} may reach ${formatIp({ version: m.version, value: m.network })} (${names})${onceStagedEnforced ? ' once its staged policies are enforced' : ''}: ${what(group)}`,
      });
    }
  }
  return problems;
}

/** Ports on which the probes ask whether a pod of the namespace admits others. */
const INGRESS_PORTS: readonly [Protocol, number][] = [
  ['TCP', 80],
  ['TCP', 443],
  ['TCP', 8080],
  ['UDP', 53],
];

/**
 * The namespace denies by default: a pod of it that no policy names (a probe) is isolated for
 * egress and ingress, may send nothing but DNS as `dnsProblems` accepts it, and is refused by
 * another such pod of the namespace and by a pod elsewhere (asked on TCP 80, 443 and 8080 and UDP 53).
 * With view `staged`, as it would once the staged policies are enforced (`egress` then holds that
 * view's egress): audit mode stages a namespace's default deny.
 */
export function defaultDenyProblems(cluster: Cluster, egress: ReadonlyMap<string, Reach>, namespace: string, view: PolicyView = 'enforced'): ReachProblem[] {
  const id = `${namespace}/${PROBE}`;
  // probePods placed it, and every known endpoint has its egress in the report.
  const mine = egress.get(id)!;
  const problem = (message: string): ReachProblem => ({ rule: 'namespace-default-deny', namespace, message: `${namespace}: ${message}` });
  const problems: ReachProblem[] = [];
  if (!mine.isolated) problems.push(problem('no policy selects every pod of it for egress: a pod that no policy names may send anywhere'));
  else
    problems.push(
      ...byDestination(mine.allowed.filter((e) => !(coversDns(e) && declaredDns(e) && !isNamedPort(e.ports) && e.ports.from === 53 && e.ports.to === 53))).map(
        (group) => problem(`a pod that no policy names may send ${what(group)}`),
      ),
    );
  const probeEndpoint = cluster.endpoint(id)!;
  if (cluster.plans(probeEndpoint, 'ingress', view).length === 0)
    problems.push(problem('no policy selects every pod of it for ingress: anyone may connect to a pod that no policy names'));
  else {
    for (const from of [`${namespace}/${PEER}`, `${ELSEWHERE}/${PROBE}`]) {
      for (const [protocol, port] of INGRESS_PORTS) {
        const asked = query(cluster, from, id, port, protocol);
        const answer = asked.ingress;
        const inView = view === 'staged' && answer.whenStagedEnforced ? answer.whenStagedEnforced : answer;
        // Probes have no address: a rule that tests addresses is read as the verifier reads an unknown one, and said.
        const version = asked.otherIpVersion ? ` over IPv${asked.ipVersion}` : '';
        const why = [
          inView === answer ? explainDirection(answer) : explainWhenStaged(answer),
          ...(inView === answer ? describeUncertain(answer.uncertain) : []),
        ].join('; ');
        if (inView.allowed)
          problems.push(
            problem(
              `a pod that no policy names admits ${from === `${ELSEWHERE}/${PROBE}` ? 'pods of other namespaces' : 'pods of its namespace'} on ${protocol} ${port}${version}: ${why}`,
            ),
          );
      }
    }
  }
  return problems;
}
