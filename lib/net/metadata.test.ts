import { formatCidr } from './ip';
import {
  CLOUDS,
  CLOUD_PROVIDERS,
  METADATA_CIDRS,
  METADATA_ENDPOINTS,
  metadataBlocks,
  metadataCidrs,
  metadataNat64Blocks,
  metadataNat64Cidrs,
  podCredentialEndpoints,
} from './metadata';

// The table of cloud metadata endpoints (metadata.ts) as its readers see it: the cloud a platform
// names, the default when it names none, and the endpoint names that the Calico guardrail writes
// into dist/ and an app's `credentials` field names. ip.test.ts states the addresses.
describe('the clouds a platform may name', () => {
  it('are any, first, then every provider of the table, each once', () => {
    expect(CLOUDS).toEqual(['any', ...CLOUD_PROVIDERS]);
    expect(new Set(CLOUDS).size).toBe(CLOUDS.length);
  });
});

describe('the metadata blocks of a platform that names no cloud', () => {
  it('are those of every cloud, as for any', () => {
    expect(metadataCidrs()).toEqual(METADATA_CIDRS);
    expect(metadataBlocks().map(formatCidr)).toEqual(METADATA_CIDRS);
    expect(metadataNat64Cidrs()).toEqual(metadataNat64Cidrs('any'));
    expect(metadataNat64Blocks().map(formatCidr)).toEqual(metadataNat64Cidrs('any'));
    expect(metadataNat64Cidrs()).toHaveLength(8);
  });

  it('include the pod credential endpoints of every cloud', () => {
    expect(podCredentialEndpoints().map((e) => e.name)).toEqual(['eks-pod-identity']);
  });
});

describe('the metadata endpoints', () => {
  it('have each a stable name of its own, as the guardrail writes it and an app names it', () => {
    expect(METADATA_ENDPOINTS.map((e) => e.name)).toEqual([
      'aws-imds',
      'eks-pod-identity',
      'ecs-task-credentials',
      'gcp-metadata',
      'gke-metadata-server',
      'azure-imds',
      'azure-wireserver',
      'alibaba-metadata',
      'oracle-imds',
      'ibm-metadata',
      'digitalocean-metadata',
      'hetzner-metadata',
      'openstack-metadata',
      'scaleway-metadata',
      'akamai-metadata',
      'tencent-metadata',
    ]);
  });

  it('are each one address, of one cloud of the table at least, and say what they are', () => {
    for (const e of METADATA_ENDPOINTS) {
      expect(`${e.name}: ${e.cidrs.filter((c) => !/\/(32|128)$/.test(c)).join(', ')}`).toBe(`${e.name}: `);
      expect(e.clouds.length).toBeGreaterThan(0);
      expect(e.clouds.every((c) => CLOUD_PROVIDERS.includes(c))).toBe(true);
      // Messages read "is the EC2 instance metadata service, which hands out the node's credentials".
      expect(e.what).toMatch(/^the \S/);
      if (e.podCredentials !== undefined) expect(e.podCredentials).toMatch(/\(https:\/\/\S+\)$/);
    }
  });
});
