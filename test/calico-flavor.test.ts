import { CALICO_TIER_ORDERS, DEFAULT_AI_TIER_ORDER, PlatformIntent } from '../lib/intent';
import { METADATA_CIDRS, cidr, cidrContains, metadataCidrs, metadataNat64Cidrs } from '../lib/net';
import { ChartName, PROTECTED_LABEL, SyncWave } from '../lib/conventions';
import { shipped } from './fixtures/intents';
import { clusterOf, K8sObject, ManifestDocument, ofKind, readManifests } from '../lib/testing';
import { sampleIntent } from './support/sample-intent';
import { synthesized } from './support/synth';

const CALICO = 'projectcalico.org/v3';
const POLICY_KINDS = ['NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy'];
const DECISIONS = ['Allow', 'Deny', 'Pass'];

type Rule = { action: string; protocol?: string; ipVersion?: number; source?: any; destination?: any; [key: string]: any };

const calicoPolicies = (manifests: readonly ManifestDocument[]) =>
  manifests.map((m) => m.object).filter((o) => o.apiVersion === CALICO && POLICY_KINDS.includes(o.kind));
const rulesOf = (policy: K8sObject): Rule[] => [...(policy.spec.ingress ?? []), ...(policy.spec.egress ?? [])];

/** The labels a selector of this project asks for, its `key == 'value'` terms, without the terms that say it wants pods (`projectcalico.org/...`). */
function askedLabels(selector: string): Record<string, string> {
  return Object.fromEntries(
    selector
      .split(' && ')
      .map((t) => /^(\S+) == '([^']*)'$/.exec(t)!.slice(1))
      .filter(([k]) => !k.startsWith('projectcalico.org/')),
  );
}

/** The IP version of every CIDR in a rule's nets and notNets, on both sides. */
function versionsOf(rule: Rule): Set<number> {
  const nets: string[] = [rule.source, rule.destination].flatMap((e) => [...(e?.nets ?? []), ...(e?.notNets ?? [])]);
  return new Set(nets.map((n) => cidr(n).version));
}

const dist = synthesized(shipped, readManifests);
const tierName = ofKind(dist, 'Tier')[0]?.metadata.name;

/** An app that exercises both IP versions, metadata carve-outs, ranges, allow-lists and NodeLocal DNS. */
const dualStack = (flavor: 'calico' | 'kubernetes'): PlatformIntent =>
  sampleIntent(
    {
      flavor,
      dns: { publicNames: { reason: 'resolves the hosted model API by name' }, nodeLocal: ['169.254.20.10', 'fd00::10'], kubeDnsClusterIp: 'fd00:10:96::a' },
      egress: [
        { description: 'public model API', cidr: '0.0.0.0/0', ports: [443], internet: { reason: 'calls a hosted model API' } },
        { description: 'public model API (IPv6)', cidr: '::/0', ports: [443], internet: { reason: 'calls a hosted model API' } },
        { description: 'mirrors', allowList: 'mirrors', ports: [443, { from: 8000, to: 8100 }] },
        { description: 'telemetry', allowList: 'telemetry', ports: [4317], protocol: 'UDP' },
        {
          description: 'vector database',
          namespace: 'vector-db',
          podLabels: { app: 'qdrant', tier: 'db' },
          ports: [6333, 6334],
          ungoverned: { reason: 'run by the data team' },
        },
      ],
      ingress: [{ namespace: 'ai-gateway', podLabels: { app: 'gateway' } }, { namespace: 'batch' }],
    },
    {
      allowLists: [
        { name: 'mirrors', cidrs: ['169.254.0.0/16', '2001:db8::/32', 'fd00::/8'] },
        { name: 'telemetry', cidrs: ['198.51.100.0/24', '2001:db8:1::/48'] },
      ],
      clusterNetwork: { podCidrs: ['10.244.0.0/16', 'fd00:10:244::/56'], serviceCidrs: ['10.96.0.0/12', 'fd00:10:96::/108'], nodeCidrs: ['10.0.0.0/16'] },
    },
  );

describe('the Calico tier', () => {
  it('runs after the admin tier, where cluster admins decide first, and before the default tier, where Kubernetes NetworkPolicies live, and denies what it leaves undecided', () => {
    const tiers = ofKind(dist, 'Tier');
    expect(tiers).toHaveLength(1);
    expect(tiers[0].spec.order).toBe(DEFAULT_AI_TIER_ORDER);
    expect(tiers[0].spec.order).toBeGreaterThan(CALICO_TIER_ORDERS.admin);
    expect(tiers[0].spec.order).toBeLessThan(CALICO_TIER_ORDERS.default);
    expect(tiers[0].spec.defaultAction).toBe('Deny');
    for (const policy of calicoPolicies(dist)) expect(policy.spec.tier).toBe(tierName);
  });

  it('takes the declared order', () => {
    expect(ofKind(synthesized({ ...shipped, calico: { tierOrder: 1001 } }, readManifests), 'Tier')[0].spec.order).toBe(1001);
  });

  it('gives every policy a name prefixed with its tier, which Calico 3.29 through 3.32 all accept', () => {
    const names = calicoPolicies(dist).map((p) => p.metadata.name);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name.startsWith(`${tierName}.`)).toBe(true);
  });
});

describe('in the tier, every workload of the namespaces it governs', () => {
  const policies = calicoPolicies(dist);
  const workloads = ofKind(dist, 'Deployment');
  const cluster = clusterOf(dist.map((m) => m.object));

  /** Policies of the tier that select the pods of a Deployment for egress, in Calico's order, as the verifier reads them. */
  const policiesFor = (deployment: K8sObject) =>
    cluster
      .plans(cluster.endpoint(`${deployment.metadata.namespace}/${deployment.metadata.name}`)!, 'egress')
      .filter((t) => t.tier.name === tierName)
      .flatMap((t) => t.policies.map((p) => policies.find((o) => o.metadata.name === p.policy.ref.name && o.metadata.namespace === p.policy.ref.namespace)!));

  it('is one of the apps of the intent, or the resolver of cluster names, its pods labelled protected', () => {
    expect(workloads.map((d) => d.metadata.name).sort()).toEqual([...shipped.apps.map((a) => a.name), 'dns-resolver'].sort());
    for (const d of workloads) expect(d.spec.template.metadata.labels[PROTECTED_LABEL]).toBe('true');
  });

  it.each(shipped.apps.map((a) => [a.name, a.flavor ?? 'kubernetes']))(
    '%s (%s flavor) meets the metadata Deny as the first rule that decides its egress',
    (name) => {
      const deployment = workloads.find((d) => d.metadata.name === name)!;
      const egress = policiesFor(deployment).flatMap((p) => (p.spec.types.includes('Egress') ? p.spec.egress : []) as Rule[]);
      const denied = [...METADATA_CIDRS, ...metadataNat64Cidrs('any')];
      const firstDecisions = egress.filter((r) => DECISIONS.includes(r.action)).slice(0, denied.length);
      expect(firstDecisions).toEqual(denied.map((net) => expect.objectContaining({ action: 'Deny', destination: { nets: [net] } })));
      const logs = egress.slice(0, 2 * denied.length);
      expect(logs.map((r) => `${r.action} ${r.destination?.nets}`)).toEqual(denied.flatMap((net) => [`Log ${net}`, `Deny ${net}`]));
    },
  );

  it('selects the pods of the guardrail by the label of their Namespace, which only this project writes, and not by a label a pod sets', () => {
    const guardrail = policies.find((p) => p.metadata.name === `${tierName}.deny-cloud-metadata`)!;
    expect(guardrail.spec.namespaceSelector).toBe("secure-ai-egress/governed == 'true'");
    expect(guardrail.spec.selector).toBe('all()');
    for (const ns of ofKind(dist, 'Namespace')) expect(ns.metadata.labels?.['secure-ai-egress/governed']).toBe('true');
  });

  it.each([
    ['aws', 5, 3],
    ['gcp', 3, 2],
    ['azure', 2, 2],
    ['alibaba', 1, 1],
    ['scaleway', 2, 1],
    ['akamai', 3, 1],
    ['tencent', 1, 1],
    ['any', 15, 8],
  ] as const)(
    "denies, with cloud %s, exactly that cloud's %s metadata and credential addresses and the NAT64 forms of its %s IPv4 ones, each named in its rule",
    (cloud, count, nat64) => {
      const guardrail = calicoPolicies(synthesized({ ...shipped, cloud, clusterNetwork: { serviceCidrs: ['10.96.0.0/12'] } }, readManifests)).find(
        (p) => p.metadata.name === 'ai-egress.deny-cloud-metadata',
      )!;
      const denies = (guardrail.spec.egress as Rule[]).filter((r) => r.action === 'Deny');
      expect(denies.map((r) => r.destination.nets[0])).toEqual([...metadataCidrs(cloud), ...metadataNat64Cidrs(cloud)]);
      expect(denies).toHaveLength(count + nat64);
      expect(denies.slice(count).every((r) => cidrContains(cidr('64:ff9b::/96'), cidr(r.destination.nets[0])))).toBe(true);
      if (cloud === 'aws') {
        expect(denies.map((r) => r.metadata.annotations['secure-ai-egress/description'])).toEqual([
          'deny egress to cloud metadata 169.254.169.254/32 (aws-imds)',
          'deny egress to cloud metadata 169.254.170.2/32 (ecs-task-credentials)',
          'deny egress to cloud metadata 169.254.170.23/32 (eks-pod-identity)',
          'deny egress to cloud metadata fd00:ec2::23/128 (eks-pod-identity)',
          'deny egress to cloud metadata fd00:ec2::254/128 (aws-imds)',
          // RFC 6052: 64:ff9b:: and the IPv4 address in the last 32 bits.
          'deny egress to cloud metadata 64:ff9b::a9fe:a9fe/128 through NAT64 (aws-imds)',
          'deny egress to cloud metadata 64:ff9b::a9fe:aa02/128 through NAT64 (ecs-task-credentials)',
          'deny egress to cloud metadata 64:ff9b::a9fe:aa17/128 through NAT64 (eks-pod-identity)',
        ]);
      }
    },
  );

  it.each(shipped.apps.map((a) => [a.name, a.flavor ?? 'kubernetes']))("%s (%s flavor) never falls through to the tier's default Deny", (name, flavor) => {
    const deployment = workloads.find((d) => d.metadata.name === name)!;
    const selecting = policiesFor(deployment);
    const last = selecting[selecting.length - 1];
    // Its own policy in the tier, `<tier>.<app>`, ends both directions in a rule that matches everything:
    // a calico-flavor app's in a Deny; a kubernetes-flavor app's in a Pass, so that its Kubernetes
    // NetworkPolicies in the default tier decide. The closing Deny after it is never reached.
    const own = selecting.find((p) => p.kind === 'NetworkPolicy')!;
    expect(own.metadata.name).toBe(`${tierName}.${name}`);
    expect(selecting.indexOf(own)).toBe(selecting.length - 2);
    const action = flavor === 'calico' ? 'Deny' : 'Pass';
    for (const direction of ['egress', 'ingress'] as const) {
      const closing: Rule = own.spec[direction][own.spec[direction].length - 1];
      expect(closing).toEqual(expect.objectContaining({ action }));
      expect(Object.keys(closing).sort()).toEqual(['action', 'metadata']);
    }
    expect(last.metadata.name).toBe(`${tierName}.deny-undeclared-pods`);
    expect(last.spec.egress[last.spec.egress.length - 1]).toEqual(expect.objectContaining({ action: 'Deny' }));
  });
});

describe('per-app Calico policies', () => {
  // Each calico-flavor app's own policy; a kubernetes-flavor app's, all Pass, is asserted above.
  const perApp = (manifests: readonly ManifestDocument[]) =>
    calicoPolicies(manifests).filter((p) => p.metadata.namespace !== undefined && !p.spec.egress.every((r: Rule) => r.action === 'Pass'));

  it.each([
    ['the shipped scenario', dist],
    ['a dual-stack app', synthesized(dualStack('calico'), readManifests)],
  ])('in %s end with a Deny matching everything in both directions, logged for egress only by default', (_, manifests) => {
    const policies = perApp(manifests);
    expect(policies.length).toBeGreaterThan(0);
    for (const policy of policies) {
      expect(policy.spec.types).toEqual(['Ingress', 'Egress']);
      const closing = (rules: Rule[]) => rules.filter((r) => r.action !== 'Allow').map(({ metadata, ...match }) => match);
      expect(closing(policy.spec.egress)).toEqual([{ action: 'Log' }, { action: 'Deny' }]);
      expect(closing(policy.spec.ingress)).toEqual([{ action: 'Deny' }]);
      expect(policy.spec.egress.slice(-2).map((r: Rule) => r.action)).toEqual(['Log', 'Deny']);
      expect(policy.spec.ingress[policy.spec.ingress.length - 1].action).toBe('Deny');
    }
  });

  describe.each([
    ['denied-egress', { egress: ['Log', 'Deny'], ingress: ['Deny'], guardrail: ['Log', 'Deny'] }],
    ['denied', { egress: ['Log', 'Deny'], ingress: ['Log', 'Deny'], guardrail: ['Log', 'Deny'] }],
    ['none', { egress: ['Deny'], ingress: ['Deny'], guardrail: ['Deny'] }],
  ] as const)('with calico.log %s', (log, expected) => {
    const manifests = synthesized({ ...shipped, calico: { log } }, readManifests);
    const own = perApp(manifests).find((p) => p.metadata.name === 'ai-egress.ai-service')!;
    const guardrail = calicoPolicies(manifests).find((p) => p.metadata.name === 'ai-egress.deny-cloud-metadata')!;
    const actions = (rules: Rule[]) => rules.filter((r) => r.action !== 'Allow').map((r) => r.action);

    it('logs what the setting says, and only right before the Deny it logs', () => {
      expect(actions(own.spec.egress)).toEqual(expected.egress);
      expect(actions(own.spec.ingress)).toEqual(expected.ingress);
      expect([...new Set(actions(guardrail.spec.egress))]).toEqual(expected.guardrail);
    });
  });

  it.each([
    ['the shipped scenario', dist],
    ['a dual-stack app', synthesized(dualStack('calico'), readManifests)],
  ])('in %s never mix IPv4 and IPv6 or two protocols in one rule', (_, manifests) => {
    const rules = calicoPolicies(manifests).flatMap(rulesOf);
    for (const rule of rules) {
      const versions = versionsOf(rule);
      expect(versions.size).toBeLessThanOrEqual(1);
      if (rule.ipVersion !== undefined && versions.size) expect([...versions]).toEqual([rule.ipVersion]);
      if (rule.destination?.ports) expect(['TCP', 'UDP', 'SCTP']).toContain(rule.protocol);
    }
  });

  it('set types explicitly on every Calico policy', () => {
    for (const manifests of [dist, synthesized(dualStack('calico'), readManifests)]) {
      for (const policy of calicoPolicies(manifests)) {
        const expected = [policy.spec.ingress && 'Ingress', policy.spec.egress && 'Egress'].filter(Boolean);
        expect(policy.spec.types).toEqual(expected);
      }
    }
  });

  it('allow DNS only to the pods of the resolver of cluster names, by label and ServiceAccount, UDP and TCP 53 in separate rules', () => {
    const own = perApp(dist).find((p) => p.metadata.name === 'ai-egress.ai-service')!;
    expect(own.spec.egress.slice(0, 2)).toEqual(
      ['UDP', 'TCP'].map((protocol) =>
        expect.objectContaining({
          action: 'Allow',
          protocol,
          destination: {
            selector: "app.kubernetes.io/name == 'dns-resolver' && projectcalico.org/orchestrator == 'k8s'",
            namespaceSelector: "kubernetes.io/metadata.name == 'ai-dns'",
            serviceAccounts: { names: ['dns-resolver'] },
            ports: [53],
          },
        }),
      ),
    );
  });

  it("say they want pods, as Calico's conversion of Kubernetes policies does, in every rule that names pods: a NetworkSet or HostEndpoint with the same labels is no peer", () => {
    for (const manifests of [dist, synthesized(dualStack('calico'), readManifests)]) {
      for (const policy of calicoPolicies(manifests)) {
        for (const rule of rulesOf(policy)) {
          for (const side of [rule.source, rule.destination]) {
            if (side?.namespaceSelector === undefined) continue;
            if (side.namespaceSelector === 'global()') expect(side.selector).toMatch(/ && !has\(projectcalico\.org\/created-by\)$/);
            else expect(side.selector).toMatch(/(^| && )projectcalico\.org\/orchestrator == 'k8s'$/);
          }
        }
      }
    }
  });

  it('carve link-local, the metadata addresses and the cluster ranges out of every allowed block that contains them', () => {
    const egress: Rule[] = perApp(synthesized(dualStack('calico'), readManifests)).find((p) => p.metadata.name === 'ai-egress.llm')!.spec.egress;
    const allows = egress.filter((r) => r.action === 'Allow');
    expect(allows.find((r) => r.destination.nets?.includes('0.0.0.0/0'))?.destination.notNets).toEqual([
      '10.0.0.0/16',
      '10.96.0.0/12',
      '10.244.0.0/16',
      '100.100.100.200/32',
      '168.63.129.16/32',
      '169.254.0.0/16',
    ]);
    // ::/0 carves the IPv6 ones, and the IPv4 ones in NAT64's prefix (RFC 6052), where a translator makes them IPv4 again.
    expect(allows.find((r) => r.destination.nets?.includes('::/0'))?.destination.notNets).toEqual([
      '64:ff9b::a00:0/112',
      '64:ff9b::a60:0/108',
      '64:ff9b::af4:0/112',
      '64:ff9b::6464:64c8/128',
      '64:ff9b::a83f:8110/128',
      '64:ff9b::a9fe:0/112',
      // RFC 8215's local-use translation prefix, whole.
      '64:ff9b:1::/48',
      'fd00:10:96::/108',
      'fd00:10:244::/56',
      'fd00:42::42/128',
      'fd00:c1::a9fe:a9fe/128',
      'fd00:ec2::23/128',
      'fd00:ec2::254/128',
      'fd00:a9fe:a9fe::1/128',
      'fd20:ce::254/128',
      'fe80::/10',
    ]);
    const mirrors = allows.filter((r) => r.destination.selector === "secure-ai-egress/allow-list == 'mirrors' && !has(projectcalico.org/created-by)");
    // 169.254.0.0/16 and fd00::/8 of the list hold some of the addresses; 2001:db8::/32 none.
    expect(mirrors.map((r) => [r.ipVersion, r.destination.notNets])).toEqual([
      [4, ['169.254.0.23/32', '169.254.42.42/32', '169.254.169.252/32', '169.254.169.254/32', '169.254.170.2/32', '169.254.170.23/32']],
      [
        6,
        [
          'fd00:10:96::/108',
          'fd00:10:244::/56',
          'fd00:42::42/128',
          'fd00:c1::a9fe:a9fe/128',
          'fd00:ec2::23/128',
          'fd00:ec2::254/128',
          'fd00:a9fe:a9fe::1/128',
          'fd20:ce::254/128',
        ],
      ],
    ]);
    const telemetry = allows.filter((r) => r.destination.selector === "secure-ai-egress/allow-list == 'telemetry' && !has(projectcalico.org/created-by)");
    expect(telemetry).toEqual([expect.objectContaining({ protocol: 'UDP', destination: expect.not.objectContaining({ notNets: expect.anything() }) })]);
    expect(telemetry[0].ipVersion).toBeUndefined();
  });

  it('allow exactly what the kubernetes flavor allows for the same app', () => {
    const dual = calicoAllows(synthesized(dualStack('calico'), readManifests));
    expect(dual.length).toBeGreaterThan(10);
    expect(dual).toEqual(kubernetesAllows(synthesized(dualStack('kubernetes'), readManifests)));
    const allKubernetes = synthesized(
      { ...shipped, apps: shipped.apps.map((a) => ({ ...a, flavor: 'kubernetes' as const, audit: undefined })) },
      readManifests,
    );
    const aiService = shipped.apps.find((a) => a.name === 'ai-service')!;
    expect(calicoAllows(dist, aiService.name)).toEqual(kubernetesAllows(allKubernetes, aiService.namespace));
  });
});

describe('shared allow-lists', () => {
  it('become one GlobalNetworkSet each, labelled with the list name and selected with global(), never by an automatic HostEndpoint, which carries the label calico-kube-controllers gives it', () => {
    const sets = ofKind(dist, 'GlobalNetworkSet');
    expect(sets.map((s) => [s.metadata.name, s.metadata.labels, s.spec.nets])).toEqual(
      (shipped.allowLists ?? []).map((l) => [l.name, { 'secure-ai-egress/allow-list': l.name }, l.cidrs]),
    );
    const own = calicoPolicies(dist).find((p) => p.kind === 'NetworkPolicy' && p.metadata.name === 'ai-egress.ai-service')!;
    for (const set of sets) {
      expect(own.spec.egress).toContainEqual(
        expect.objectContaining({
          destination: expect.objectContaining({
            selector: `secure-ai-egress/allow-list == '${set.metadata.name}' && !has(projectcalico.org/created-by)`,
            namespaceSelector: 'global()',
          }),
        }),
      );
    }
  });

  it('are still expanded into ipBlocks for the kubernetes flavor', () => {
    const embeddings = ofKind(dist, 'NetworkPolicy').find((p) => p.metadata.name === 'embeddings-egress')!;
    expect(embeddings.spec.egress).toContainEqual({ ports: [{ port: 443, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '203.0.113.10/32' } }] });
  });
});

describe('apply order', () => {
  it('puts the tier with the network sets, then the Pass policies and the global policies, in files of their own after the Namespaces, in waves before the other namespaced policies', () => {
    const fileOf = (kinds: string[]) => [...new Set(dist.filter((m) => kinds.includes(m.object.kind)).map((m) => m.file))];
    expect(fileOf(['Namespace'])).toEqual([`${ChartName.cluster}.k8s.yaml`]);
    expect(fileOf(['Tier', 'GlobalNetworkSet'])).toEqual([`${ChartName.calicoTier}.k8s.yaml`]);
    expect(fileOf(['GlobalNetworkPolicy'])).toEqual([`${ChartName.calicoGlobalPolicies}.k8s.yaml`]);
    const files = [...new Set(dist.map((m) => m.file))];
    expect(files.slice(0, 3)).toEqual([ChartName.cluster, ChartName.calicoTier, ChartName.calicoGlobalPolicies].map((c) => `${c}.k8s.yaml`));
    const cluster = dist.filter((m) => ['Tier', 'GlobalNetworkSet', 'GlobalNetworkPolicy'].includes(m.object.kind));
    const wave = (o: K8sObject) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']);
    for (const { object } of cluster) {
      expect(object.metadata.namespace).toBeUndefined();
      expect(wave(object)).toBeLessThan(SyncWave.policy);
    }
    const lastClusterWave = Math.max(...cluster.map((m) => wave(m.object)));
    // The tier's Pass policies come with its global ones, before them (test/upgrade-order.test.ts says why); the rest with their namespace's policies.
    const isPass = (p: K8sObject) => rulesOf(p).every((r) => r.action === 'Pass');
    const globalFile = dist.filter((m) => m.file === `${ChartName.calicoGlobalPolicies}.k8s.yaml`).map((m) => m.object);
    for (const policy of calicoPolicies(dist).filter((p) => p.metadata.namespace)) {
      if (isPass(policy)) {
        expect(wave(policy)).toBe(SyncWave.tierPass);
        expect(wave(policy)).toBeGreaterThan(wave(ofKind(dist, 'Tier')[0]));
        expect(globalFile.indexOf(policy)).toBeLessThan(globalFile.findIndex((o) => o.kind === 'GlobalNetworkPolicy'));
      } else {
        expect(wave(policy)).toBe(SyncWave.policy);
        expect(wave(policy)).toBeGreaterThan(lastClusterWave);
      }
    }
    expect(calicoPolicies(dist).filter(isPass).length).toBeGreaterThan(0);
    expect(wave(ofKind(dist, 'Tier')[0])).toBeLessThan(wave(ofKind(dist, 'GlobalNetworkPolicy')[0]));
  });

  it('deletes in reverse file order: every policy of the tier is in a later file than the Tier, so kubectl delete -f, file by file in reverse, deletes the Tier last', () => {
    const files = [...new Set(dist.map((m) => m.file))];
    const tierFile = files.indexOf(dist.find((m) => m.object.kind === 'Tier')!.file);
    const inTier = dist.filter((m) => m.object.spec?.tier === tierName);
    expect(inTier.length).toBeGreaterThan(0);
    for (const m of inTier) expect(files.indexOf(m.file)).toBeGreaterThan(tierFile);
  });

  it('keeps the Kubernetes default-deny-all in the namespaces of calico-flavor apps', () => {
    const calicoNamespaces = shipped.apps.filter((a) => a.flavor === 'calico').map((a) => a.namespace);
    expect(calicoNamespaces.length).toBeGreaterThan(0);
    for (const ns of calicoNamespaces) {
      const deny = ofKind(dist, 'NetworkPolicy').find((p) => p.apiVersion === 'networking.k8s.io/v1' && p.metadata.namespace === ns);
      expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    }
  });

  it('renders no Calico object when no app uses the calico flavor', () => {
    expect(synthesized(sampleIntent(), readManifests).filter((m) => m.object.apiVersion === CALICO)).toEqual([]);
  });
});

/** One allowed (protocol, port range, peer) of an app's egress, as text, sorted. */
type Allow = string;

function kubernetesAllows(manifests: readonly ManifestDocument[], namespace?: string): Allow[] {
  const egress = ofKind(manifests, 'NetworkPolicy')
    .filter((p) => p.spec.policyTypes.includes('Egress') && (!namespace || p.metadata.namespace === namespace))
    .flatMap((p) => p.spec.egress ?? []);
  return egress
    .flatMap((rule: any) =>
      rule.to.flatMap((peer: any) =>
        rule.ports.map((port: any) => {
          const target = peer.ipBlock
            ? `net ${peer.ipBlock.cidr} except ${[...(peer.ipBlock.except ?? [])].sort().join(',')}`
            : `pods ${peer.namespaceSelector.matchLabels['kubernetes.io/metadata.name']} ${JSON.stringify(peer.podSelector.matchLabels)}`;
          return `${port.protocol} ${port.port}-${port.endPort ?? port.port} ${target}`;
        }),
      ),
    )
    .sort();
}

function calicoAllows(manifests: readonly ManifestDocument[], app?: string): Allow[] {
  const sets = new Map(
    ofKind(manifests, 'GlobalNetworkSet').map((s) => [
      `secure-ai-egress/allow-list == '${s.metadata.name}' && !has(projectcalico.org/created-by)`,
      s.spec.nets as string[],
    ]),
  );
  const policies = calicoPolicies(manifests).filter(
    (p) => p.kind === 'NetworkPolicy' && (app ? p.metadata.name.endsWith(`.${app}`) : p.metadata.name !== 'ai-egress.dns-resolver'),
  );
  return policies
    .flatMap((p) => p.spec.egress as Rule[])
    .filter((r) => r.action === 'Allow')
    .flatMap((rule) => {
      const d = rule.destination;
      const ports = d.ports.map((p: number | string) => (typeof p === 'number' ? `${p}-${p}` : p.replace(':', '-')));
      const nets: string[] = d.nets ?? (d.namespaceSelector === 'global()' ? sets.get(d.selector)! : []);
      const inVersion = nets.filter((n) => rule.ipVersion === undefined || cidr(n).version === rule.ipVersion);
      const targets = inVersion.length
        ? inVersion.map((n) => `net ${n} except ${(d.notNets ?? []).filter((x: string) => cidrContains(cidr(n), cidr(x))).sort()}`)
        : [`pods ${/== '([^']*)'/.exec(d.namespaceSelector)![1]} ${JSON.stringify(askedLabels(d.selector))}`];
      return targets.flatMap((t) => ports.map((port: string) => `${rule.protocol} ${port} ${t}`));
    })
    .sort();
}
