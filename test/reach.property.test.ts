import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { AiAppIntent, AllowList, EgressDestination, PlatformIntent, PortSpec, Protocol, validateIntent } from '../lib/intent';
import { CLOUDS, Cidr, IpAddress, METADATA_ENDPOINTS, cidr, cidrContainsIp, formatCidr, formatIp, lastAddress, metadataBlocks } from '../lib/net';
import { egressReport, loadCluster, query } from '../lib/verify';
import { buildApp } from '../lib/app';
import { reachMismatch } from './support/oracle';

const protocols: Protocol[] = ['TCP', 'UDP', 'SCTP'];
const NAMESPACES = ['db', 'cache'];
const APPS = ['x', 'y'];

function block(version: 4 | 6, value: bigint, prefix: number): Cidr {
  const bits = version === 4 ? 32n : 128n;
  const mask = prefix === 0 ? 0n : ((1n << bits) - 1n) >> (bits - BigInt(prefix)) << (bits - BigInt(prefix));
  return { version, network: value & mask, prefix };
}

const cidrArb = fc.oneof(
  fc.tuple(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), fc.integer({ min: 8, max: 32 })).map(([v, p]) => block(4, v, p)),
  fc.tuple(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 16, max: 128 })).map(([v, p]) => block(6, v, p)),
  // Blocks around the metadata addresses, so carving them out is exercised.
  fc.constantFrom(block(4, 0xa9fea9fen, 16), block(4, 0xa9fea9fen, 24), block(6, 0xfd000ec2000000000000000000000254n, 64), block(4, 0x64646464n, 16), block(4, 0xa83f8110n, 24)),
);
const portArb: fc.Arbitrary<PortSpec> = fc.oneof(
  fc.integer({ min: 1, max: 65535 }),
  fc.tuple(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 0, max: 2000 })).map(([from, len]) => ({ from, to: Math.min(65535, from + len) })),
);
const portsArb = fc.array(portArb, { minLength: 1, maxLength: 2 });
const protocolArb = fc.constantFrom(...protocols);

function destinationArb(lists: readonly AllowList[]): fc.Arbitrary<EgressDestination> {
  const options: fc.Arbitrary<EgressDestination>[] = [
    fc.record({ cidr: cidrArb.map(formatCidr), ports: portsArb, protocol: protocolArb }),
    fc.record({ namespace: fc.constantFrom(...NAMESPACES), podLabels: fc.constantFrom(...APPS).map((app) => ({ app })), ports: portsArb, protocol: protocolArb }),
  ];
  if (lists.length) options.push(fc.record({ allowList: fc.constantFrom(...lists.map((l) => l.name)), ports: portsArb, protocol: protocolArb }));
  // Valid only where the cloud has the endpoint (aws, any); the filter below drops the rest.
  options.push(fc.record({ credentials: fc.constant('eks-pod-identity'), ports: portsArb, protocol: protocolArb, reason: fc.constant('reads weights from S3 with its own role') }));
  return fc.oneof(...options);
}

const intentArb: fc.Arbitrary<PlatformIntent> = fc
  .array(fc.array(cidrArb.map(formatCidr), { minLength: 1, maxLength: 2 }), { maxLength: 2 })
  .map((lists) => lists.map((cidrs, i): AllowList => ({ name: `list-${i}`, cidrs })))
  .chain((allowLists) => fc.array(
    fc.record({ flavor: fc.constantFrom('kubernetes' as const, 'calico' as const), namespace: fc.constantFrom('ai-a', 'ai-b'), egress: fc.array(destinationArb(allowLists), { minLength: 1, maxLength: 4 }) }),
    { minLength: 1, maxLength: 3 },
  ).chain((apps) => fc.constantFrom(...CLOUDS).map((cloud) => ({ apps, cloud }))).map(({ apps, cloud }): PlatformIntent => ({
    allowLists,
    cloud,
    apps: apps.map((a, i): AiAppIntent => ({
      ...a,
      name: `app-${i}`,
      image: 'vllm/vllm-openai:v0.10.2',
      port: 8000,
      resources: { cpu: { request: '1', limit: '1' }, memory: { request: '1Gi', limit: '1Gi' } },
    })),
  })))
  .filter((i) => validateIntent(i).length === 0);

/** Pods that stand for the in-cluster destinations, so packets to them can be asked about. */
const probes = NAMESPACES.flatMap((ns) => APPS.map((app) => `apiVersion: v1
kind: Pod
metadata: { name: probe-${app}, namespace: ${ns}, labels: { app: ${app} } }
spec: { containers: [{ name: c, image: busybox:1.36 }] }
`)).join('---\n');

/** The declaration's answer for an external packet. */
function declaredAllows(app: AiAppIntent, platform: PlatformIntent, ip: IpAddress, port: number, protocol: Protocol): boolean {
  const metadata = metadataBlocks(platform.cloud).some((m) => cidrContainsIp(m, ip));
  const inPorts = (ports: readonly PortSpec[]) => ports.some((p) => (typeof p === 'number' ? p === port : p.from <= port && port <= p.to));
  return app.egress.some((d) => {
    if ((d.protocol ?? 'TCP') !== protocol || !inPorts(d.ports)) return false;
    // A metadata address is reachable only as the pod credential endpoint the app declares.
    if ('credentials' in d) return METADATA_ENDPOINTS.find((e) => e.name === d.credentials)!.cidrs.some((c) => cidrContainsIp(cidr(c), ip));
    if (metadata) return false;
    return cidrsOf(d, platform).some((c) => cidrContainsIp(cidr(c), ip));
  });
}

/** The blocks an external destination names. */
function cidrsOf(d: EgressDestination, platform: PlatformIntent): readonly string[] {
  if ('cidr' in d) return [d.cidr];
  if ('allowList' in d) return platform.allowLists!.find((l) => l.name === d.allowList)!.cidrs;
  if ('credentials' in d) return METADATA_ENDPOINTS.find((e) => e.name === d.credentials)!.cidrs;
  return [];
}

describe('random intents: the verifier agrees with the declaration (property-based)', () => {
  it('for every app, in both flavors, on exact reach and on sampled packets inside and outside every destination', () => {
    fc.assert(fc.property(intentArb, fc.integer({ min: 0, max: 1_000_000 }), (declared, seed) => {
      const dir = mkdtempSync(join(tmpdir(), 'prop-'));
      try {
        buildApp(dir, declared).synth();
        writeFileSync(join(dir, 'probes.yaml'), probes);
        const cluster = loadCluster([dir]);
        const report = egressReport(cluster);
        for (const app of declared.apps) {
          const from = `${app.namespace}/${app.name}`;
          expect(reachMismatch(app, declared, report.workloads.find((w) => w.endpoint === from)!)).toEqual([]);
          let n = seed;
          const next = () => (n = (n * 1103515245 + 12345) % 2147483648);
          for (const d of app.egress) {
            const protocol = d.protocol ?? 'TCP';
            const spec = d.ports[next() % d.ports.length];
            const inside = typeof spec === 'number' ? spec : spec.from + (next() % (spec.to - spec.from + 1));
            if ('namespace' in d) {
              for (const app2 of APPS) {
                const expected = app.egress.some((e) => 'namespace' in e && e.namespace === d.namespace && e.podLabels.app === app2 && (e.protocol ?? 'TCP') === protocol
                  && e.ports.some((p) => (typeof p === 'number' ? p === inside : p.from <= inside && inside <= p.to)));
                expect({ to: `${d.namespace}/probe-${app2}`, inside, allowed: query(cluster, from, `${d.namespace}/probe-${app2}`, inside, protocol).allowed })
                  .toEqual({ to: `${d.namespace}/probe-${app2}`, inside, allowed: expected });
              }
              continue;
            }
            const cidrs = cidrsOf(d, declared);
            for (const text of cidrs) {
              const b = cidr(text);
              const size = lastAddress(b) - b.network + 1n;
              const bits = b.version === 4 ? 32n : 128n;
              const samples: bigint[] = [b.network + (BigInt(next()) * BigInt(next())) % size, b.network, lastAddress(b), b.network - 1n, lastAddress(b) + 1n];
              for (const value of samples.filter((v) => v >= 0n && v < 1n << bits)) {
                const ip = { version: b.version, value };
                for (const port of [inside, inside === 65535 ? 1 : inside + 1]) {
                  const to = formatIp(ip);
                  expect({ to, port, protocol, allowed: query(cluster, from, to, port, protocol).allowed })
                    .toEqual({ to, port, protocol, allowed: declaredAllows(app, declared, ip, port, protocol) });
                }
              }
            }
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }), { numRuns: 25 });
  });
});
