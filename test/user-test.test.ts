/**
 * main.test.ts states what holds of dist/ for whatever main.ts declares. These tests show that
 * it does hold for intents other than the shipped one, and that each of its checks fails on a
 * dist/ edited by hand beyond what the intent declares.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildApp } from '../lib/app';
import { synthesize } from '../lib/synth';
import { parseYamlDocuments } from '../lib/yaml';
import { blockProblems } from '../lib/checks';
import { PlatformIntent } from '../lib/intent';
import { FIXTURE_CLUSTERS, audit, aws, gpu, shipped } from './fixtures/intents';
import {
  allProblems,
  findingsOf,
  egressProblems,
  externalDnsProblems,
  gpuProblems,
  guardrailProblems,
  ingressProblems,
  K8sObject,
  logProblems,
  metadataReached,
  podSecurityProblems,
  readSynthesized,
  serviceAccountProblems,
  stagedDefaultDenyProblems,
  stagedViewProblems,
  startOrderProblems,
  startupProblems,
  storageProblems,
  Synthesized,
  tierOwnerProblems,
  tierProblems,
  userProblems,
} from '../lib/testing';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Each intent's synthesis, once: the tests that edit it by hand start from a copy. */
const pristine = new Map<PlatformIntent, string>();

/** Synthesizes an intent into a scratch folder, lets `change` edit its files by hand, and reads it back. */
function synthesized(
  intent: PlatformIntent,
  change: (edit: (file: string, fn: (objects: K8sObject[]) => void) => void) => void = () => undefined,
): Synthesized {
  let source = pristine.get(intent);
  if (source === undefined) {
    source = mkdtempSync(join(tmpdir(), 'user-test-pristine-'));
    dirs.push(source);
    synthesize(buildApp(source, intent));
    pristine.set(intent, source);
  }
  const dir = mkdtempSync(join(tmpdir(), 'user-test-'));
  dirs.push(dir);
  cpSync(source, dir, { recursive: true });
  // Read with the project's reader (js-yaml, ten times faster than the yaml library), written back
  // as JSON, which is YAML (YAML 1.2, chapter 1.3) and which main.test.ts's checks read as they read dist/.
  change((file, fn) => {
    const parsed = parseYamlDocuments(readFileSync(join(dir, file), 'utf8'));
    if ('error' in parsed) throw new Error(`${file}: ${parsed.error.reason}`);
    const objects = parsed.docs as K8sObject[];
    fn(objects);
    writeFileSync(join(dir, file), objects.map((o) => JSON.stringify(o)).join('\n---\n'));
  });
  return readSynthesized(intent, dir);
}

const named = <T extends K8sObject>(objects: T[], name: string): T => objects.find((o) => o.metadata.name === name)!;
const app = (intent: PlatformIntent, name: string) => intent.apps.find((a) => a.name === name)!;

// Each fixture as main.test.ts reads it: itself, or with clusters each cluster's folder of dist/.
describe.each(Object.entries(FIXTURE_CLUSTERS))('main.test.ts holds for the fixture intent %s', (_, intent) => {
  const s = synthesized(intent);

  it('asks about every app, every client it declares, and kube-dns', () => {
    const clients = intent.apps.flatMap((a) => a.ingress ?? []);
    expect(s.probes.length).toBeGreaterThanOrEqual(2 + clients.length);
  });

  it('finds nothing wrong', () => {
    expect(allProblems(s)).toEqual([]);
  });
});

describe('each check of main.test.ts fails on a dist/ widened by hand', () => {
  it('notices egress added to a Kubernetes policy, and the block it opens without a reason or a metadata carve-out', () => {
    const s = synthesized(shipped, (edit) =>
      edit('10-policies-ai-embeddings.k8s.yaml', (objects) => {
        named(objects, 'embeddings-egress').spec.egress.push({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }] });
      }),
    );
    expect(egressProblems(s, app(shipped, 'embeddings'))).toEqual([expect.stringMatching(/^added: TCP 443 cidr 0\.0\.0\.0\/0/)]);
    expect(
      blockProblems(
        s.manifests.map((m) => m.object),
        s.intent.cloud,
      ).map((p) => p.message),
    ).toEqual([
      ...['100.100.100.200', '168.63.129.16', '169.254.0.23', '169.254.42.42', '169.254.169.252', '169.254.169.254', '169.254.170.2', '169.254.170.23'].map(
        (address) => `NetworkPolicy ai-embeddings/embeddings-egress allows 0.0.0.0/0 without carving out ${address}`,
      ),
      'NetworkPolicy ai-embeddings/embeddings-egress allows 0.0.0.0/0 without a written reason (secure-ai-egress/internet-egress)',
    ]);
  });

  it('notices DNS to kube-dns added for an app that declares no public names: it could resolve any name', () => {
    const s = synthesized(shipped, (edit) =>
      edit('10-policies-ai-application.k8s.yaml', (objects) => {
        const egress = named(objects, 'ai-egress.ai-service').spec.egress;
        egress.unshift({
          action: 'Allow',
          protocol: 'UDP',
          destination: { selector: "k8s-app == 'kube-dns'", namespaceSelector: "kubernetes.io/metadata.name == 'kube-system'", ports: [53] },
        });
      }),
    );
    // The class of the kube-dns pods, and the probe pod that stands for one of them.
    expect(externalDnsProblems(s, app(shipped, 'ai-service'))).toEqual([
      'ai-application/ai-service can resolve names outside the cluster through pods kube-system {k8s-app=kube-dns} (kube-dns, which forwards every name outside the cluster domain upstream)',
      expect.stringMatching(
        /^ai-application\/ai-service can resolve names outside the cluster through pod kube-system\/probe-\d+ \(no resolver configuration of it is in the manifests/,
      ),
    ]);
  });

  it('notices a resolver whose Corefile forwards every name', () => {
    const s = synthesized(shipped, (edit) =>
      edit('05-dns-resolver.k8s.yaml', (objects) => {
        const configMap = objects.find((o) => o.kind === 'ConfigMap')!;
        configMap.data.Corefile = '.:53 {\n    forward . /etc/resolv.conf\n}\n';
      }),
    );
    expect(externalDnsProblems(s, app(shipped, 'ai-service'))).toEqual([
      expect.stringMatching(
        /^ai-application\/ai-service can resolve names outside the cluster through pods ai-dns \{app\.kubernetes\.io\/name=dns-resolver\} \(its Corefile forwards \. to \/etc\/resolv\.conf\)/,
      ),
      expect.stringMatching(/through pod ai-dns\/dns-resolver \(its Corefile forwards \. to \/etc\/resolv\.conf\)$/),
    ]);
  });

  it('notices a Calico rule that allows a block holding cloud metadata without carving it out', () => {
    const s = synthesized(shipped, (edit) =>
      edit('10-policies-ai-application.k8s.yaml', (objects) => {
        const egress = named(objects, 'ai-egress.ai-service').spec.egress;
        egress.splice(egress.length - 2, 0, { action: 'Allow', protocol: 'TCP', destination: { nets: ['169.254.0.0/16'], ports: [80] } });
      }),
    );
    expect(
      blockProblems(
        s.manifests.map((m) => m.object),
        s.intent.cloud,
      ).map((p) => p.message),
    ).toEqual(
      ['169.254.0.23', '169.254.42.42', '169.254.169.252', '169.254.169.254', '169.254.170.2', '169.254.170.23'].map(
        (address) => `NetworkPolicy ai-application/ai-egress.ai-service allows 169.254.0.0/16 without carving out ${address}`,
      ),
    );
    expect(egressProblems(s, app(shipped, 'ai-service'))).toEqual([
      expect.stringMatching(/^added: TCP 80 cidr 169\.254\.0\.0\/16 except 169\.254\.0\.23\/32, 169\.254\.42\.42\/32, 169\.254\.169\.252\/32/),
    ]);
  });

  it('notices a staged policy that deletes an enforced one, which the previewed cluster reads as enforced beside it and the staged view as gone', () => {
    const s = synthesized(shipped, (edit) =>
      edit('10-policies-ai-application.k8s.yaml', (objects) => {
        const own = named(objects, 'ai-egress.ai-service');
        objects.push({ ...own, kind: 'StagedNetworkPolicy', spec: { ...own.spec, stagedAction: 'Delete' } });
      }),
    );
    expect(stagedViewProblems(s, app(shipped, 'ai-service'))).toContainEqual(
      expect.stringMatching(/^ai-application\/ai-service egress: the previewed cluster allows TCP 443 cidr 203\.0\.113\.10\/32, the staged view does not$/),
    );
  });

  it("notices a guardrail ClusterNetworkPolicy that takes every namespace, and one whose deny lost an address, which only the namespaces' own policies then deny", () => {
    const managed = FIXTURE_CLUSTERS['guardrails, cluster managed'];
    const s = synthesized(managed, (edit) =>
      edit('03-cluster-guardrail.k8s.yaml', (objects) => {
        const deny = named(objects, 'ai-egress.deny-cloud-metadata').spec;
        deny.subject = { namespaces: {} };
        deny.egress[0].to[0].networks = deny.egress[0].to[0].networks.filter((n: string) => n !== '169.254.169.254/32');
      }),
    );
    const problems = guardrailProblems(s);
    expect(problems).toContainEqual(
      expect.stringMatching(
        /^ai-search\/search -> 169\.254\.169\.254 TCP 80 is denied by .*namespace-defaults.*, not by the guardrail, ClusterNetworkPolicy ai-egress\.deny-cloud-metadata$/,
      ),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(
        /^secure-ai-egress-probe\/probe-\d+, in a namespace the intent does not own, is taken by ClusterNetworkPolicy ai-egress\.deny-cloud-metadata \(egress\)$/,
      ),
    );
    expect(metadataReached(s, app(managed, 'search'))).toEqual([]);
  });

  it("notices a guardrail AdminNetworkPolicy whose deny lost an address: with the namespaces' policies deleted, metadata is reachable", () => {
    const previous = FIXTURE_CLUSTERS['guardrails, cluster previous'];
    const s = synthesized(previous, (edit) =>
      edit('03-cluster-guardrail.k8s.yaml', (objects) => {
        const deny = named(objects, 'ai-egress.deny-cloud-metadata').spec;
        deny.egress[0].to[0].networks = deny.egress[0].to[0].networks.filter((n: string) => n !== '169.254.169.254/32');
      }),
    );
    expect(guardrailProblems(s)).toContainEqual(
      "ai-search/search may reach 169.254.169.254 TCP 80 once its namespace's policies are deleted: the guardrail does not hold alone",
    );
  });

  it('notices a tier moved before the admin tier, and one that allows what it leaves undecided', () => {
    const s = synthesized(shipped, (edit) =>
      edit('01-calico-tier.k8s.yaml', (objects) => {
        named(objects, 'ai-egress').spec = { order: 100, defaultAction: 'Pass' };
      }),
    );
    expect(tierProblems(s)).toEqual([
      'Tier ai-egress has order 100, not after the admin tier (1000) and before default (1000000)',
      'Tier ai-egress has defaultAction Pass, not Deny',
    ]);
  });

  it('notices a per-app Calico policy that selects by labels alone, which a relabelled pod then shares', () => {
    const s = synthesized(shipped, (edit) =>
      edit('10-policies-ai-application.k8s.yaml', (objects) => {
        delete named(objects, 'ai-egress.ai-service').spec.serviceAccountSelector;
      }),
    );
    const problems = serviceAccountProblems(s, app(shipped, 'ai-service'));
    expect(problems[0]).toBe(
      'NetworkPolicy ai-application/ai-egress.ai-service selects the pods of ai-application/ai-service with serviceAccountSelector undefined, not "projectcalico.org/name == \'ai-service\'"',
    );
    expect(problems.slice(1)).toContainEqual(
      expect.stringMatching(
        /^ai-application\/impostor-ai-service, with the labels of ai-application\/ai-service and the default ServiceAccount, may reach .*203\.0\.113\.10/,
      ),
    );
  });

  it('notices a Log rule that logs what is then allowed, one on ingress, and an egress Deny left unlogged', () => {
    const s = synthesized(shipped, (edit) =>
      edit('10-policies-ai-application.k8s.yaml', (objects) => {
        const own = named(objects, 'ai-egress.ai-service').spec;
        own.egress.splice(own.egress.length - 2, 1);
        own.ingress.unshift({ action: 'Log' });
      }),
    );
    expect(logProblems(s)).toEqual([
      expect.stringMatching(/^NetworkPolicy ai-application\/ai-egress\.ai-service egress\[\d+\] denies without logging although calico\.log is denied-egress$/),
      'NetworkPolicy ai-application/ai-egress.ai-service ingress[0] logs what the next rule does not deny',
      'NetworkPolicy ai-application/ai-egress.ai-service ingress[0] logs although calico.log is denied-egress',
    ]);
  });

  it('notices a tier owner binding that names someone else, a role that reaches past the tier, and an owner who may not patch', () => {
    const s = synthesized(aws, (edit) =>
      edit('00-cluster.k8s.yaml', (objects) => {
        const binding = objects.find((o) => o.kind === 'ClusterRoleBinding')!;
        binding.subjects.push({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'app-team' });
        const role = objects.find((o) => o.kind === 'ClusterRole')!;
        const tiered = role.rules.find((r: K8sObject) => r.resources.includes('tier.networkpolicies'));
        delete tiered.resourceNames;
        tiered.verbs = tiered.verbs.filter((v: string) => v !== 'patch');
      }),
    );
    expect(tierOwnerProblems(s)).toEqual([
      'ClusterRoleBinding ai-guard-tier-owner binds Group app-team, whom the intent does not name as a tier owner',
      'ClusterRole ai-guard-tier-owner grants tier.networkpolicies, tier.globalnetworkpolicies, tier.stagednetworkpolicies, tier.stagedglobalnetworkpolicies beyond tier ai-guard: resourceNames undefined',
      ...['User alice@example.com', 'Group platform-security', 'ServiceAccount argocd/argocd-application-controller'].map(
        (owner) =>
          `${owner} may not ${['networkpolicies', 'globalnetworkpolicies', 'stagednetworkpolicies', 'stagedglobalnetworkpolicies']
            .map((k) => `patch tier.${k}/ai-guard.*`)
            .join(', ')}`,
      ),
    ]);
  });

  it("notices an owner who may not write the allow-lists' GlobalNetworkSets, and a role that grants sets dist/ does not hold", () => {
    const s = synthesized(shipped, (edit) =>
      edit('00-cluster.k8s.yaml', (objects) => {
        const role = objects.find((o) => o.kind === 'ClusterRole')!;
        const named = role.rules.find((r: K8sObject) => r.resources.includes('globalnetworksets') && r.resourceNames);
        named.verbs = named.verbs.filter((v: string) => v !== 'patch');
        named.resourceNames.push('everything');
      }),
    );
    expect(tierOwnerProblems(s)).toEqual([
      'ServiceAccount argocd/argocd-application-controller may not patch globalnetworksets/model-registry',
      'ClusterRole ai-egress-tier-owner grants GlobalNetworkSets that dist/ does not hold: everything',
    ]);
    const withoutSets = synthesized(aws, (edit) =>
      edit('00-cluster.k8s.yaml', (objects) => {
        objects.find((o) => o.kind === 'ClusterRole')!.rules.push({ apiGroups: ['projectcalico.org'], resources: ['globalnetworksets'], verbs: ['create'] });
      }),
    );
    expect(tierOwnerProblems(withoutSets)).toEqual(['ClusterRole ai-guard-tier-owner grants GlobalNetworkSets that dist/ does not hold: any']);
  });

  it('notices an ingress opened to every namespace', () => {
    const s = synthesized(shipped, (edit) =>
      edit('10-policies-ai-embeddings.k8s.yaml', (objects) => {
        named(objects, 'embeddings-ingress').spec.ingress[0].from = [{ namespaceSelector: {} }];
      }),
    );
    expect(ingressProblems(s, app(shipped, 'embeddings'))).toContainEqual(
      expect.stringMatching(/^secure-ai-egress-probe\/probe-\d+ -> ai-embeddings\/embeddings TCP 8080: admitted, declared refused$/),
    );
  });

  it("notices a workload applied before its namespace's default deny, by file name (kubectl apply -f) and by sync wave (Argo CD)", () => {
    const byFile = synthesized(shipped, (edit) => {
      let deny: K8sObject | undefined;
      edit('10-policies-ai-embeddings.k8s.yaml', (objects) => {
        deny = objects.splice(
          objects.findIndex((o) => o.metadata.name === 'default-deny-all'),
          1,
        )[0];
      });
      edit('20-workloads-ai-embeddings.k8s.yaml', (objects) => {
        objects.push(deny!);
      });
    });
    expect(startOrderProblems(byFile)).toEqual([
      "Deployment ai-embeddings/embeddings (20-workloads-ai-embeddings.k8s.yaml, document 2) comes before its namespace's default deny in kubectl apply -f order (files by name, then documents): its pods may start unconfined",
    ]);
    const byWave = synthesized(shipped, (edit) =>
      edit('20-workloads-ai-embeddings.k8s.yaml', (objects) => {
        objects.find((o) => o.kind === 'Deployment')!.metadata.annotations!['argocd.argoproj.io/sync-wave'] = '-5';
      }),
    );
    expect(startOrderProblems(byWave)).toEqual([
      "Deployment ai-embeddings/embeddings is in sync wave -5, not after its namespace's default deny (wave -5): Argo CD applies a wave whole before it waits for health, so its pods may start unconfined",
    ]);
    const none = synthesized(shipped, (edit) =>
      edit('10-policies-ai-embeddings.k8s.yaml', (objects) => {
        objects.splice(
          objects.findIndex((o) => o.metadata.name === 'default-deny-all'),
          1,
        );
      }),
    );
    expect(startOrderProblems(none)).toEqual(['Deployment ai-embeddings/embeddings runs pods in namespace ai-embeddings, which has no default deny']);
  });

  it('notices a namespace without its default deny, and one without Pod Security restricted', () => {
    const s = synthesized(shipped, (edit) => {
      edit('10-policies-ai-embeddings.k8s.yaml', (objects) =>
        objects.splice(
          objects.findIndex((o) => o.metadata.name === 'default-deny-all'),
          1,
        ),
      );
      edit('00-cluster.k8s.yaml', (objects) => {
        named(objects, 'ai-application').metadata.labels!['pod-security.kubernetes.io/enforce'] = 'baseline';
      });
    });
    // The Calico tier still denies what no policy of it passes; without it, nothing does.
    expect(findingsOf(s, 'namespace-default-deny', 'ai-embeddings')).toEqual([]);
    expect(findingsOf(s, 'namespace-default-deny', 'ai-embeddings', 'namespaced policies alone')).toEqual([
      'ai-embeddings: no policy selects every pod of it for egress: a pod that no policy names may send anywhere',
      'ai-embeddings: no policy selects every pod of it for ingress: anyone may connect to a pod that no policy names',
    ]);
    expect(podSecurityProblems(s, 'ai-application')).toEqual(['ai-application: pod-security.kubernetes.io/enforce is baseline, not restricted']);
  });

  it('notices cloud metadata reachable once the guardrail is gone and an app may send anywhere', () => {
    const s = synthesized(shipped, (edit) => {
      edit('02-calico-global-policies.k8s.yaml', (objects) =>
        objects.splice(
          objects.findIndex((o) => o.metadata.name === 'ai-egress.deny-cloud-metadata'),
          1,
        ),
      );
      edit('10-policies-ai-embeddings.k8s.yaml', (objects) => {
        named(objects, 'embeddings-egress').spec.egress.push({});
      });
    });
    expect(metadataReached(s, app(shipped, 'embeddings'))).toContainEqual('ai-embeddings/embeddings may reach 169.254.169.254 TCP 80');
    expect(metadataReached(s, app(shipped, 'ai-service'))).toEqual([]);
  });

  it("notices a pod credential endpoint allowed on a port not declared (by the app's policy and the guardrail both), and one allowed without its written reason", () => {
    const s = synthesized(aws, (edit) => {
      edit('10-policies-ai-data.k8s.yaml', (objects) => {
        const rule = named(objects, 'ai-guard.ingest').spec.egress.find((r: K8sObject) => r.destination?.nets?.[0] === '169.254.170.23/32');
        rule.destination.ports = [80, 443];
      });
      edit('10-policies-ai-index.k8s.yaml', (objects) => {
        delete named(objects, 'indexer-egress').metadata.annotations!['secure-ai-egress/credentials'];
      });
      edit('02-calico-global-policies.k8s.yaml', (objects) => {
        const guardrail = named(objects, 'ai-guard.deny-cloud-metadata').spec;
        guardrail.egress = guardrail.egress.filter((r: K8sObject) => !r.source?.selector?.includes("== 'ingest'"));
      });
    });
    expect(metadataReached(s, app(aws, 'ingest'))).toEqual([
      'ai-data/ingest may reach 169.254.170.23 TCP 443',
      'ai-data/ingest may reach 169.254.170.23 TCP 443 (previewed)',
    ]);
    expect(
      blockProblems(
        s.manifests.map((m) => m.object),
        s.intent.cloud,
      ).map((p) => p.message),
    ).toEqual([
      'NetworkPolicy ai-index/indexer-egress allows the metadata block 169.254.170.23/32 without a written reason (secure-ai-egress/credentials)',
      'NetworkPolicy ai-index/indexer-egress allows the metadata block fd00:ec2::23/128 without a written reason (secure-ai-egress/credentials)',
    ]);
  });

  it('notices an AWS credential endpoint reachable with cloud aws, once the guardrail spares every pod', () => {
    const s = synthesized(aws, (edit) => {
      edit('02-calico-global-policies.k8s.yaml', (objects) => {
        for (const rule of named(objects, 'ai-guard.deny-cloud-metadata').spec.egress) rule.source = { notSelector: 'all()' };
      });
      edit('02-calico-global-policies.k8s.yaml', (objects) => {
        const pass = named(objects, 'ai-guard.indexer');
        pass.spec.egress = [{ action: 'Allow', destination: { nets: ['169.254.170.2/32'] } }, ...pass.spec.egress];
      });
    });
    expect(metadataReached(s, app(aws, 'indexer'))).toContainEqual('ai-index/indexer may reach 169.254.170.2 TCP 80');
  });

  it('notices DNS allowed to any resolver', () => {
    const s = synthesized(shipped, (edit) =>
      edit('10-policies-ai-embeddings.k8s.yaml', (objects) => {
        named(objects, 'embeddings-egress').spec.egress.push({ ports: [{ port: 53, protocol: 'UDP' }] });
      }),
    );
    expect(findingsOf(s, 'dns-only-to-kube-dns', 'ai-embeddings/embeddings')).toContainEqual(
      expect.stringMatching(
        /^ai-embeddings\/embeddings may send DNS: UDP 53 to cidr 0\.0\.0\.0\/0 except .*, allowed by rule 2 of Kubernetes NetworkPolicy ai-embeddings\/embeddings-egress/,
      ),
    );
  });

  it("notices a previewed namespace's default deny enforced, which denies its audited apps everything, and an enforced namespace's staged, which leaves it open", () => {
    const previewed = synthesized(audit, (edit) =>
      edit('10-policies-ai-preview.k8s.yaml', (objects) => {
        const deny = named(objects, 'default-deny-all');
        Object.assign(deny, { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } });
      }),
    );
    expect(stagedDefaultDenyProblems(previewed)).toEqual([
      'namespace ai-preview: every app in it is in audit mode (chat, summarizer), and its default deny is enforced, not staged only: enforced, it denies them everything while their own policies are only staged',
    ]);
    const enforced = synthesized(shipped, (edit) =>
      edit('10-policies-ai-application.k8s.yaml', (objects) => {
        const deny = named(objects, 'default-deny-all');
        Object.assign(deny, { apiVersion: 'projectcalico.org/v3', kind: 'StagedKubernetesNetworkPolicy', spec: { ...deny.spec, stagedAction: 'Set' } });
      }),
    );
    expect(stagedDefaultDenyProblems(enforced)).toEqual([
      'namespace ai-application: its default deny is staged only, not enforced alone, and not every app in it is in audit mode (enforced: ai-service): a pod no policy names there may send anywhere',
    ]);
    expect(stagedDefaultDenyProblems(synthesized(audit))).toEqual([]);
  });

  it('notices a Staged policy of audit mode that previews more than the intent declares', () => {
    const s = synthesized(audit, (edit) =>
      edit('10-policies-ai-preview.k8s.yaml', (objects) => {
        named(objects, 'ai-egress.summarizer').spec.egress.unshift({ action: 'Allow', protocol: 'TCP', destination: { ports: [5432] } });
      }),
    );
    expect(egressProblems(s, app(audit, 'summarizer')).length).toBeGreaterThan(0);
    expect(egressProblems(s, app(audit, 'chat'))).toEqual([]);
  });
});

describe('each check of a pod that starts fails on a Deployment edited by hand', () => {
  const deployment = (objects: K8sObject[], name: string) =>
    named(
      objects.filter((o) => o.kind === 'Deployment'),
      name,
    );
  const pod = (objects: K8sObject[], name: string) => deployment(objects, name).spec.template.spec;

  it('notices a container without a startup probe, one whose budget is too short, and a progress deadline that ends first', () => {
    const s = synthesized(shipped, (edit) => {
      edit('20-workloads-ai-embeddings.k8s.yaml', (objects) => {
        delete pod(objects, 'embeddings').containers[0].startupProbe;
      });
      edit('20-workloads-ai-application.k8s.yaml', (objects) => {
        pod(objects, 'ai-service').containers[0].startupProbe.failureThreshold = 30;
        deployment(objects, 'ai-service').spec.progressDeadlineSeconds = 600;
      });
    });
    expect(startupProblems(s, app(shipped, 'embeddings'))).toEqual(['ai-embeddings/embeddings: container server has no startupProbe']);
    expect(startupProblems(s, app(shipped, 'ai-service'))).toEqual([
      'ai-application/ai-service: container server may take 300 s to start, not the 600 s it needs',
      'ai-application/ai-service: progressDeadlineSeconds 600 ends before the 600 s startup budget',
    ]);
  });

  it('notices a container without USER, and one whose HOME is on the read-only root', () => {
    const s = synthesized(shipped, (edit) =>
      edit('20-workloads-ai-application.k8s.yaml', (objects) => {
        const container = pod(objects, 'ai-service').containers[0];
        container.env = container.env
          .filter((e: { name: string }) => e.name !== 'USER')
          .map((e: { name: string; value: string }) => (e.name === 'HOME' ? { ...e, value: '/root' } : e));
      }),
    );
    expect(userProblems(s, app(shipped, 'ai-service'))).toEqual([
      'ai-application/ai-service: container server has no USER',
      'ai-application/ai-service: container server has HOME /root outside its writable volumes (/tmp, /home/ai, /models)',
    ]);
  });

  it('notices a GPU pod without /dev/shm, without its toleration, or with another GPU count', () => {
    const s = synthesized(gpu, (edit) =>
      edit('20-workloads-ai-gpu.k8s.yaml', (objects) => {
        const small = pod(objects, 'llm-small');
        delete small.tolerations;
        small.volumes = small.volumes.filter((v: { name: string }) => v.name !== 'shm');
        pod(objects, 'llm-large').containers[0].resources.limits['nvidia.com/gpu'] = '1';
      }),
    );
    expect(gpuProblems(s, app(gpu, 'llm-small'))).toEqual([
      'ai-gpu/llm-small: has GPUs but no sized memory emptyDir at /dev/shm',
      'ai-gpu/llm-small: has GPUs but does not tolerate the nvidia.com/gpu:NoSchedule taint',
    ]);
    expect(gpuProblems(s, app(gpu, 'llm-large'))).toEqual(['ai-gpu/llm-large: container server limits 1 nvidia.com/gpu, not 2']);
  });

  it('notices an emptyDir without a size limit, and ephemeral storage that does not cover the disk volumes', () => {
    const s = synthesized(shipped, (edit) =>
      edit('20-workloads-ai-embeddings.k8s.yaml', (objects) => {
        const spec = pod(objects, 'embeddings');
        spec.containers[0].resources.limits['ephemeral-storage'] = '5Gi';
        spec.volumes.push({ name: 'scratch', emptyDir: {} });
      }),
    );
    expect(storageProblems(s, app(shipped, 'embeddings'))).toEqual([
      'ai-embeddings/embeddings: emptyDir scratch has no sizeLimit',
      'ai-embeddings/embeddings: ephemeral-storage limits 5Gi do not cover its disk emptyDirs, 7Gi',
    ]);
  });
});
