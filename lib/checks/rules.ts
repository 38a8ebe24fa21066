/**
 * The rules the checks report, each with what it states, what to do about a violation and how:
 * the words the cdk8s validation report prints under each rule.
 */
import { KUBE_DNS, podSecurityLabel } from '../k8s';

export const RULE_NAMES = [
  'manifests-readable',
  'schema',
  'namespace-default-deny',
  'dns-only-to-kube-dns',
  'metadata-denied',
  'metadata-carved-out',
  'internet-block-reason',
  'pod-security-restricted',
] as const;

export type RuleName = (typeof RULE_NAMES)[number];

export interface Rule {
  /** What holds when the rule is kept, in one sentence. */
  readonly states: string;
  readonly recommendation: string;
  readonly fix: string;
}

export const RULES: Readonly<Record<RuleName, Rule>> = {
  'manifests-readable': {
    states: 'every manifest is YAML the verifier can read, and every policy one it understands',
    recommendation: 'Fix the manifest named in the message: until it can be read, no egress rule below could be checked.',
    fix: 'Correct the field the message names (its file, document and field path), then synthesize again.',
  },
  schema: {
    states: "every object passes its schema: the Kubernetes OpenAPI schema, Calico's CRD schemas (and Argo CD's, where lib/validate knows them)",
    recommendation: 'An object the API server refuses is never applied: `kubectl apply` stops at it, and Argo CD reports the sync failed.',
    fix: 'Correct the field at the path the message names; the schema says what it accepts.',
  },
  'namespace-default-deny': {
    states: 'every namespace denies ingress and egress by default: a pod that no policy names may send nothing but DNS and is refused by others',
    recommendation: 'Without a default deny, any pod started in the namespace (or an app pod whose labels change) may send data anywhere.',
    fix: 'Add a NetworkPolicy that selects every pod (podSelector: {}) with policyTypes [Ingress, Egress] and no rules, or exempt the namespace (property exemptNamespaces).',
  },
  'dns-only-to-kube-dns': {
    states:
      'port 53 is allowed only to kube-dns, to pods a rule names by namespace and labels, or to single addresses a rule names (NodeLocal DNSCache, the kube-dns ClusterIP)',
    recommendation: 'DNS to a block of addresses lets a pod use any resolver there, and DNS tunnels carry data out through them.',
    fix: `Allow UDP and TCP 53 to the kube-dns pods (namespace ${KUBE_DNS.namespace}, ${Object.entries(KUBE_DNS.podLabels)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')}) or to resolver addresses as /32 or /128, and leave port 53 out of wider rules.`,
  },
  'metadata-denied': {
    states: 'no workload can reach a cloud metadata or credential endpoint, except a pod credential endpoint its policy allows with a written reason',
    recommendation: "Instance metadata services hand out the node's cloud credentials: an AI pod that reaches them can act as the node.",
    fix: 'Carve the address out of the allowed block (ipBlock.except, Calico notNets) or deny it before the allow; a pod credential endpoint (EKS Pod Identity) needs the annotation secure-ai-egress/credentials naming it with the reason.',
  },
  'metadata-carved-out': {
    states: "every allowed block that contains a metadata address carves it out, in every policy, so the deny holds without Calico's guardrail",
    recommendation: 'A Kubernetes NetworkPolicy that allows a block holding 169.254.169.254 opens it on any cluster without a deny in front of it.',
    fix: 'Add the metadata addresses inside the block to ipBlock.except (Calico: notNets).',
  },
  'internet-block-reason': {
    states: 'no allowed block is shorter than /8 unless the policy carries the written reason for it',
    recommendation: 'A block shorter than /8 is most of the internet: an exfiltration path unless someone decided it and said why.',
    fix: 'Narrow the block, or annotate the policy with secure-ai-egress/internet-egress: "<block>: <reason>".',
  },
  'pod-security-restricted': {
    states: 'every namespace enforces, audits and warns on Pod Security Standards restricted, and every pod template passes it',
    recommendation: 'A namespace that admits privileged or root pods lets one of them leave the network policy behind (host network, capabilities).',
    fix: `Label the Namespace ${podSecurityLabel('enforce')}, audit and warn: restricted, and give every container runAsNonRoot, no privilege escalation, RuntimeDefault seccomp and drop: [ALL].`,
  },
};
