import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { PlatformIntent } from '../../lib/intent';
import { Cluster, loadCluster } from '../../lib/verify';
import { buildApp } from '../../lib/app';
import { synthesize } from '../../lib/synth';

/** Synthesizes an intent into a temporary folder, adds extra YAML files, and loads it as the verifier would. */
export function clusterOf(declared: PlatformIntent, extra: Record<string, string> = {}): Cluster {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-'));
  try {
    synthesize(buildApp(dir, declared));
    for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
    return loadCluster([dir]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A Kubernetes NetworkPolicy an app team might add later: every pod of the namespace may send
 * anywhere (on `port`, or on every port when none is given).
 */
export function looserPolicy(namespace: string, name: string, port?: number): string {
  const rule = port === undefined ? '{}' : `{ to: [{ ipBlock: { cidr: 0.0.0.0/0 } }], ports: [{ port: ${port} }] }`;
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [${rule}]
`;
}
