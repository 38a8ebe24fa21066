/**
 * The measured phases, each run alone in a child process (see `child.ts`) so that its peak
 * resident memory is its own.
 *
 * A phase has an untimed setup (loading modules, generating the intent, reading nothing it is
 * meant to measure) and a timed body. Setup time is reported apart, so the figures compare the
 * work itself; the cost of starting Node and loading cdk8s is what the CLI baselines measure.
 */
import type { GenerateOptions } from './generate';
import type { RawApp, RawLayout } from './raw-cdk8s-plus';

/**
 * The generator, loaded by the phases that generate the intent only: it loads lib/intent, which
 * the phases that read the output (validation, the verifier) and the parent process (run.ts,
 * which reads this file's types and names) do not need.
 */
function generateIntent(options: GenerateOptions): ReturnType<typeof import('./generate').generateIntent> {
  return (require('./generate') as typeof import('./generate')).generateIntent(options);
}

/** What a phase is given: the intent's size and the folder it writes to or reads from. */
export interface PhaseInput extends GenerateOptions {
  readonly dir: string;
  /** The matrix covers the first this many endpoints by `namespace/name`. @default 200 */
  readonly matrixEndpoints?: number;
}

/** Extra facts a phase reports, e.g. how many objects it read. */
export type PhaseFacts = Readonly<Record<string, number>>;

/** Setup returns the body to time; the body returns facts about what it did. */
export type Phase = (input: PhaseInput) => () => PhaseFacts;

export const PHASE_NAMES = ['synth', 'validate', 'egress', 'matrix', 'raw', 'rawOneChart'] as const;
export type PhaseName = (typeof PHASE_NAMES)[number];

/**
 * The project's synthesis of the generated intent, as `npm run synth` writes it into its staging
 * folder (`writeDist`: intent validation included, each namespace's charts made as they are
 * written); its schema validation is the next phase.
 */
const synth: Phase = (input) => {
  // Loaded here, not at the top: the child loads only what its phase needs.
  const { writeDist } = require('../lib/synth') as typeof import('../lib/synth');
  const intent = generateIntent(input);
  return () => {
    writeDist(input.dir, intent);
    return {};
  };
};

/**
 * Schema validation of every object the synthesis wrote (the step `npm run synth` adds). What it
 * refuses is counted (`invalidObjects`) and its first messages written to standard error, which
 * the run repeats as a warning: the time is still the time of validating the whole output.
 */
const validate: Phase = (input) => {
  const { validateManifestDir } = require('../lib/validate') as typeof import('../lib/validate');
  return () => {
    const issues = validateManifestDir(input.dir);
    if (issues.length > 0)
      process.stderr.write(
        `the synthesized manifests are invalid: ${issues
          .slice(0, 3)
          .map((i) => `${i.object}: ${i.message}`)
          .join('; ')}\n`,
      );
    return { invalidObjects: issues.length };
  };
};

/** The verifier's egress report for every workload, from reading the folder on. */
const egress: Phase = (input) => {
  const { egressReport, loadCluster } = require('../lib/verify') as typeof import('../lib/verify');
  return () => {
    const report = egressReport(loadCluster([input.dir]));
    return {
      workloads: report.workloads.length,
      allowedEntries: report.workloads.reduce((n, w) => n + w.allowed.length, 0),
    };
  };
};

/** Kinds the verifier treats as endpoints (pods, and the pod templates of workloads). */
const ENDPOINT_KINDS: ReadonlySet<string> = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

/**
 * The verifier's matrix (every ordered pair, on the service port) over the first
 * `matrixEndpoints` endpoints by `namespace/name`: every manifest is read, and every policy,
 * namespace and service account kept, but only those workloads.
 */
const matrix: Phase = (input) => {
  const verify = require('../lib/verify') as typeof import('../lib/verify');
  const limit = input.matrixEndpoints ?? 200;
  return () => {
    const manifests = verify.readManifestFiles([input.dir]);
    const id = (m: (typeof manifests)[number]) => `${m.object.metadata.namespace ?? 'default'}/${m.object.metadata.name}`;
    const kept = new Set(
      manifests
        .filter((m) => ENDPOINT_KINDS.has(m.object.kind))
        .map(id)
        .sort()
        .slice(0, limit),
    );
    const cluster = verify.buildCluster(manifests.filter((m) => !ENDPOINT_KINDS.has(m.object.kind) || kept.has(id(m))));
    const cells = verify.matrix(cluster, 8000, 'TCP');
    return { endpoints: cluster.endpoints.length, cells: cells.length, allowed: cells.filter((c) => c.allowed).length };
  };
};

/** The same objects through cdk8s-plus-27 alone, in a layout of charts. */
function raw(layout: RawLayout): Phase {
  return (input) => {
    const { buildRawApp } = require('./raw-cdk8s-plus') as typeof import('./raw-cdk8s-plus');
    const apps = rawApps(input);
    return () => {
      buildRawApp(input.dir, apps, layout).synth();
      return {
        deployments: apps.length,
        ipBlocks: apps.reduce((n, a) => n + a.ipBlocks.length, 0),
        podPeers: apps.reduce((n, a) => n + a.peers.length, 0),
      };
    };
  };
}

/** The generated intent as the baseline's plain shape: allow-lists expanded, metadata carved out, DNS left to the baseline. */
export function rawApps(input: GenerateOptions): RawApp[] {
  const { planApp, planContext } = require('../lib/policy') as typeof import('../lib/policy');
  const intent = generateIntent(input);
  const context = planContext(intent);
  return intent.apps.map((app) => {
    // DNS (the first rule: the resolver, or kube-dns for an app with public names) is the baseline's own.
    const rules = planApp(app, context).egress.slice(app.dns?.kubeDns === false ? 0 : 1);
    return {
      name: app.name,
      namespace: app.namespace,
      image: app.image,
      port: app.port,
      ipBlocks: rules.flatMap((r) =>
        r.peers.flatMap((p) => (p.kind === 'nets' ? p.blocks.map((b) => ({ cidr: b.cidr, except: b.except, ports: r.ports })) : [])),
      ),
      peers: rules.flatMap((r) => r.peers.flatMap((p) => (p.kind === 'pods' ? [{ namespace: p.namespace, labels: p.podLabels, ports: r.ports }] : []))),
      clients: (app.ingress ?? []).map((c) => ({ namespace: c.namespace, labels: c.podLabels })),
    };
  });
}

export const PHASES: Readonly<Record<PhaseName, Phase>> = { synth, validate, egress, matrix, raw: raw('same-files'), rawOneChart: raw('one-chart') };
