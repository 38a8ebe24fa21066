/**
 * What the API server (or the cluster) would refuse of the objects an app or an allow-list
 * becomes, refused at the intent instead, with the field the user wrote (lib/intent/api-rules.ts
 * and the allow-list schema), as a table: the intent, the path, the value, and what the message
 * says. And the pod's rollout, startup budget and disk, which decide whether it starts at all.
 */
import { checkIntent, formatPath, formatScope, validateIntent } from './index';
import { ofKind, readManifests } from '../testing';
import { sampleIntent } from '../../test/support/sample-intent';
import { synthesized } from '../../test/support/synth';

const resources = (cpu: [string, string], memory: [string, string]) => ({
  resources: { cpu: { request: cpu[0], limit: cpu[1] }, memory: { request: memory[0], limit: memory[1] } },
});
const credentials = { credentials: 'eks-pod-identity', ports: [80], reason: 'S3 through EKS Pod Identity, for the model bucket' } as const;

describe('refused at the intent, naming the field, rather than by the API server naming an object', () => {
  it.each([
    [
      'a CPU request above its limit (ValidateResourceRequirements)',
      sampleIntent(resources(['8080', '4'], ['1Gi', '1Gi'])),
      'llm.resources.cpu.request',
      '"8080"',
      /is more than the cpu limit 4/,
    ],
    [
      'a memory request above its limit',
      sampleIntent(resources(['1', '1'], ['64Gi', '16Gi'])),
      'llm.resources.memory.request',
      '"64Gi"',
      /is more than the memory limit 16Gi/,
    ],
    [
      'a name starting with a digit, which names the Service (a DNS-1035 label)',
      sampleIntent({ name: '7b-chat' }),
      '7b-chat.name',
      '"7b-chat"',
      /Service, whose name .* start with a letter/,
    ],
    [
      'a 63-character name with a credentials endpoint (Calico leaves its ServiceAccount label off)',
      sampleIntent({ name: 'a'.repeat(63), egress: [credentials] }, { cloud: 'aws' }),
      `${'a'.repeat(63)}.name`,
      `"${'a'.repeat(63)}"`,
      /projectcalico\.org\/serviceaccount.*under 63 characters.*at most 62/,
    ],
    [
      'a GPU app at the default memory',
      sampleIntent({ gpus: 1, resources: undefined }),
      'llm.resources',
      undefined,
      /is missing on an app with 1 GPU: the default memory \(512Mi\)/,
    ],
    [
      'a port listed twice',
      sampleIntent({ egress: [{ cidr: '203.0.113.10/32', ports: [80, 80] }] }),
      'llm.egress[0].ports[1]',
      '80',
      /is already allowed by ports\[0\]/,
    ],
    [
      'a port inside a range of the same destination',
      sampleIntent({ egress: [{ cidr: '203.0.113.10/32', ports: [8443, { from: 8000, to: 9000 }] }] }),
      'llm.egress[0].ports[0]',
      '8443',
      /is already allowed by ports\[1\]/,
    ],
    [
      'a block listed twice in an allow-list, written otherwise (its GlobalNetworkSet holds a set)',
      sampleIntent(
        { egress: [{ allowList: 'registry', ports: [443] }] },
        { allowLists: [{ name: 'registry', cidrs: ['2001:db8::/32', '203.0.113.10/32', '2001:0db8:0::/32'] }] },
      ),
      'allowLists[0].cidrs[2]',
      '"2001:0db8:0::/32"',
      /is the block of cidrs\[0\] \("2001:db8::\/32"\) again/,
    ],
    [
      'a NodeLocal DNSCache address listed twice (the nets of one Calico rule, a list without duplicates)',
      sampleIntent({ dns: { publicNames: { reason: 'public names' }, nodeLocal: ['169.254.20.10', '169.254.20.10'], kubeDnsClusterIp: '10.96.0.10' } }),
      'llm.dns.nodeLocal[1]',
      '"169.254.20.10"',
      /is the address of nodeLocal\[0\] again/,
    ],
  ])('%s', (_, intent, path, value, message) => {
    const errors = validateIntent(intent);
    expect(errors.map((e) => formatPath(e.path))).toEqual([path]);
    expect(JSON.stringify(errors[0].value)).toBe(value);
    expect(errors[0].message).toMatch(message);
  });

  it('accepts requests equal to limits, a 62-character name with credentials, and a port once', () => {
    expect(validateIntent(sampleIntent(resources(['4', '4'], ['16Gi', '16Gi'])))).toEqual([]);
    expect(validateIntent(sampleIntent({ name: 'a'.repeat(62), egress: [credentials] }, { cloud: 'aws' }))).toEqual([]);
    expect(validateIntent(sampleIntent({ name: 'a'.repeat(63) }))).toEqual([]);
    expect(validateIntent(sampleIntent({ egress: [{ cidr: '203.0.113.10/32', ports: [80, 443, { from: 8000, to: 8100 }] }] }))).toEqual([]);
  });
});

describe('a pod that starts on the cluster', () => {
  const deployment = (app: Parameters<typeof sampleIntent>[0]) =>
    ofKind(synthesized(sampleIntent(app), readManifests), 'Deployment').find((d) => d.metadata.name === 'llm')!;

  it('rolls out an app with GPUs by replacing the pod, never asking for a second set of GPUs; other apps keep the default', () => {
    expect(deployment({ gpus: 1, resources: resources(['2', '4'], ['16Gi', '16Gi']).resources }).spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 0, maxUnavailable: 1 },
    });
    const cpu = deployment({}).spec.strategy;
    expect(cpu?.rollingUpdate?.maxSurge).not.toBe(0);
  });

  it('grows the default startup budget with the model cache it downloads into an emptyDir: 15 s a GiB', () => {
    const budget = (app: Parameters<typeof sampleIntent>[0]) => {
      const probe = deployment(app).spec.template.spec.containers[0].startupProbe;
      return probe.failureThreshold * probe.periodSeconds;
    };
    expect(budget({})).toBe(300);
    expect(budget({ modelCacheSize: '40Gi' })).toBe(900);
    expect(budget({ modelCache: { claimName: 'weights' } })).toBe(300);
  });

  it('warns when a declared startup budget is below what its model cache needs, and when its disk may fit no node', () => {
    const warnings = (app: Parameters<typeof sampleIntent>[0]) =>
      checkIntent(sampleIntent(app))
        .filter((i) => i.severity === 'warning' && ['llm.startupSeconds', 'llm.modelCacheSize'].includes(formatPath(i.path)))
        .map((i) => [formatPath(i.path), i.value]);
    expect(warnings({ modelCacheSize: '40Gi', startupSeconds: 600 })).toContainEqual(['llm.startupSeconds', 600]);
    expect(warnings({ modelCacheSize: '40Gi' })).toContainEqual(['llm.modelCacheSize', '43264Mi']);
    expect(warnings({ modelCacheSize: '5Gi', startupSeconds: 900 })).toEqual([]);
  });
});

describe('the calico flavor where Calico serves its API, and nowhere else (preflight)', () => {
  const calicoApp = { flavor: 'calico' as const };

  it('is refused on an intent whose cluster declares it does not serve projectcalico.org/v3 (AKS or GKE managed Calico)', () => {
    const errors = validateIntent(sampleIntent(calicoApp, { calicoInstalled: false }));
    expect(errors.map((e) => [formatPath(e.path), e.value])).toEqual([['calicoInstalled', false]]);
    expect(errors[0].message).toMatch(/^leaves out Calico's API \(projectcalico\.org\/v3, Calico 3\.29 or later: not the managed Calico of AKS or GKE/);
    expect(validateIntent(sampleIntent({}, { calicoInstalled: false }))).toEqual([]);
  });

  it("is refused on each cluster that takes the platform's calicoInstalled: false, and accepted on one that declares true", () => {
    const intent = sampleIntent(calicoApp, { calicoInstalled: false, clusters: [{ name: 'aks' }, { name: 'onprem', calicoInstalled: true }] });
    const errors = validateIntent(intent);
    expect(errors.map((e) => [formatScope(e.scope), formatPath(e.path)])).toEqual([['cluster aks', 'calicoInstalled']]);
    expect(errors[0].message).toMatch(/^\(taken by cluster aks\) leaves out Calico's API/);
  });
});
