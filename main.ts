import { PlatformIntent } from './lib/intent';
import { HUGGING_FACE_HUB, tei, vllm } from './lib/presets';
import { runAsCdk8sApp } from './lib/synth';

/**
 * The declared intent: which AI apps run, and the only places each may send data. This file is
 * yours: replace the apps with your own. docs/declaring-apps.md says how to change each
 * field, and what to run then (npm run synth, npm run snapshots, npm test).
 */
export const intent: PlatformIntent = {
  apps: [
    {
      name: 'ai-service',
      namespace: 'ai-application',
      // vLLM's OpenAI-compatible server on one GPU (lib/presets: image, args, port, probes,
      // writable paths, shared memory, telemetry off). Weights come from the allow-listed
      // registry mirror, never from the public hub.
      ...vllm({ model: 'Qwen/Qwen2.5-1.5B-Instruct', gpus: 1, env: { HF_ENDPOINT: 'https://203.0.113.10' } }),
      resources: {
        cpu: { request: '2', limit: '4' },
        memory: { request: '16Gi', limit: '16Gi' },
      },
      modelCacheSize: '40Gi',
      // Calico: a tier before the default one, so no NetworkPolicy written later can reopen egress.
      flavor: 'calico',
      egress: [
        { description: 'model registry mirror', allowList: 'model-registry', ports: [443], protocol: 'TCP' },
        { description: 'object storage', cidr: '198.51.100.0/24', ports: [443], protocol: 'TCP' },
        // vector-db is not one of this intent's namespaces: nothing here confines what Qdrant sends
        // (its snapshot recovery fetches any URL it is given). Say who does, or declare it as an app.
        {
          description: 'vector database',
          namespace: 'vector-db',
          podLabels: { app: 'qdrant' },
          ports: [6333],
          protocol: 'TCP',
          ungoverned: { reason: 'Qdrant is run by the data team, whose own policies confine its egress; replace this with your own' },
        },
        { description: 'embedding service', namespace: 'ai-embeddings', podLabels: { 'app.kubernetes.io/name': 'embeddings' }, ports: [8080], protocol: 'TCP' },
      ],
      ingress: [{ namespace: 'ai-gateway' }],
    },
    {
      name: 'embeddings',
      namespace: 'ai-embeddings',
      // Text Embeddings Inference on the CPU, listening on 8080; weights from the Hugging Face Hub,
      // by name: its policy lets it reach the egress proxy alone (on a port of its own), and the
      // proxy lets through the Hub's names on 443 and nothing else (docs/hostnames.md).
      ...tei({ model: 'BAAI/bge-small-en-v1.5', hub: HUGGING_FACE_HUB }),
      resources: {
        cpu: { request: '1', limit: '2' },
        memory: { request: '2Gi', limit: '2Gi' },
      },
      modelCacheSize: '5Gi',
      // Portable NetworkPolicy; Calico's guardrail still denies it cloud metadata.
      flavor: 'kubernetes',
      ingress: [{ namespace: 'ai-application', podLabels: { 'app.kubernetes.io/name': 'ai-service' } }],
    },
  ],
  allowLists: [{ name: 'model-registry', cidrs: ['203.0.113.10/32'], description: 'model registry mirror (Hugging Face compatible)' }],
  // Whose instance metadata and credential endpoints are denied: 'any' (every provider's) until
  // you name yours ('aws', 'gcp', 'azure', ...), which narrows the list to its endpoints.
  cloud: 'any',
  // The cluster's Service range (here kubeadm's default; yours: the range kube-dns's ClusterIP is
  // in, kubectl -n kube-system get svc kube-dns). The resolver of cluster names takes a fixed
  // address in it, and internet-sized blocks carve it out, as they carve out the pod and node
  // ranges (by default the whole private address space; declare podCidrs and nodeCidrs to narrow).
  clusterNetwork: { serviceCidrs: ['10.96.0.0/12'] },
  calico: {
    // Who may write the ai-egress tier and its policies: here Argo CD's application controller,
    // which syncs dist/. dist/ binds them, and only them, to a ClusterRole for the tier.
    owners: { serviceAccounts: ['argocd/argocd-application-controller'] },
  },
  // Where Argo CD reads this repository: npm run synth writes an Application for dist/ into
  // deploy/argocd/ (docs/clusters-and-argocd.md, "Argo CD"). Put your repository's URL here.
  argocd: { repoURL: 'https://git.example.com/platform/secure-ai-egress.git' },
};

// npm run synth and cdk8s synth (see cdk8s.yaml) read `intent` from this file. Run directly
// (`npx tsx main.ts`), it synthesizes into dist/ as the app of cdk8s synth does.
if (require.main === module) runAsCdk8sApp(intent);
