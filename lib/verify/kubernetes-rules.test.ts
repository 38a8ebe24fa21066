import { ask, brief, readCluster, namespace, networkPolicy, pod } from '../../test/support/verify-builders';
import { workloadEgress } from './egress';

// A NetworkPolicy rule as the verifier evaluates it (kubernetes.ts, KubeRule): which ports and
// peers it matches, and which destinations the egress listing finds for it.
const egressOnly = (spec: Record<string, unknown>): Record<string, unknown> => ({ policyTypes: ['Egress'], ...spec });
const base = [
  namespace('ai', { team: 'ml' }),
  namespace('vector-db', { team: 'data' }),
  pod('ai', 'rag', { app: 'rag' }),
  pod(
    'vector-db',
    'qdrant',
    { app: 'qdrant' },
    {
      ports: [
        { name: 'http', containerPort: 6333 },
        { name: 'grpc', containerPort: 6334 },
        { name: 'dns', containerPort: 5353, protocol: 'UDP' },
      ],
    },
  ),
  pod('vector-db', 'cache', { app: 'cache' }),
];
const ragEgress = (...egress: Record<string, unknown>[]) =>
  readCluster([...base, networkPolicy('ai', 'p', egressOnly({ podSelector: { matchLabels: { app: 'rag' } }, egress }))]);
const listing = (...egress: Record<string, unknown>[]) => {
  const c = ragEgress(...egress);
  return brief(workloadEgress(c, c.endpoint('ai/rag')!).allowed);
};

describe('a NetworkPolicy rule port', () => {
  it('by name matches only the port of that name and protocol on the destination pod', () => {
    const c = ragEgress({ ports: [{ port: 'http' }] });
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 6333).allowed).toBe(true);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 6334).allowed).toBe(false);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 5353, 'UDP').allowed).toBe(false);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 'http').allowed).toBe(true);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 'grpc').allowed).toBe(false);
  });

  it('by name needs the pod port to have the rule protocol too', () => {
    const c = ragEgress({ ports: [{ port: 'dns', protocol: 'TCP' }] });
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 5353, 'TCP').allowed).toBe(false);
    expect(ask(c, 'ai/rag', 'vector-db/qdrant', 5353, 'UDP').allowed).toBe(false);
  });

  it('with a protocol and no port matches every port of that protocol only', () => {
    const c = ragEgress({ ports: [{ protocol: 'UDP' }] });
    expect(ask(c, 'ai/rag', '203.0.113.10', 53, 'UDP').allowed).toBe(true);
    expect(ask(c, 'ai/rag', '203.0.113.10', 65535, 'UDP').allowed).toBe(true);
    expect(ask(c, 'ai/rag', '203.0.113.10', 53, 'TCP').allowed).toBe(false);
  });
});

describe('the egress listing of a NetworkPolicy rule', () => {
  it('to an empty podSelector lists every pod of the policy namespace', () => {
    expect(listing({ to: [{ podSelector: {} }], ports: [{ port: 80 }] })).toEqual(['ai{} TCP 80']);
  });

  it('to a namespaceSelector and a podSelector lists the pods of the matching namespaces by their labels, and the pod that is there', () => {
    expect(
      listing({ to: [{ namespaceSelector: { matchLabels: { team: 'data' } }, podSelector: { matchLabels: { app: 'qdrant' } } }], ports: [{ port: 6333 }] }),
    ).toEqual(['vector-db{"app":"qdrant"} TCP 6333', 'vector-db{"app":"qdrant"}=vector-db/qdrant TCP 6333']);
  });

  it('to an ipBlock lists the block without its exceptions', () => {
    expect(listing({ to: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }], ports: [{ port: 443 }] })).toEqual([
      '203.0.113.0/25 TCP 443',
    ]);
  });

  it('to pods of a namespace that has none lists the pods it would reach, by their labels', () => {
    const rule = {
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
    };
    expect(listing({ ...rule, ports: [{ port: 53, protocol: 'UDP' }] })).toEqual(['kube-system{"k8s-app":"kube-dns"} UDP 53']);
  });

  it('to a namespaceSelector no namespace matches yet lists the pods of a namespace that comes to match', () => {
    expect(listing({ to: [{ namespaceSelector: { matchLabels: { team: 'nobody' } } }], ports: [{ port: 80 }] })).toEqual(['*{} TCP 80']);
  });
});

describe('a StagedKubernetesNetworkPolicy', () => {
  it('is read like a NetworkPolicy but enforces nothing', () => {
    const staged = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'StagedKubernetesNetworkPolicy',
      metadata: { name: 'deny', namespace: 'ai' },
      spec: egressOnly({ podSelector: {} }),
    };
    const c = readCluster([...base, staged]);
    expect(ask(c, 'ai/rag', '203.0.113.10', 443).allowed).toBe(true);
    const enforced = readCluster([...base, networkPolicy('ai', 'deny', egressOnly({ podSelector: {} }))]);
    expect(ask(enforced, 'ai/rag', '203.0.113.10', 443).allowed).toBe(false);
  });
});
