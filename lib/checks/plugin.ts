/**
 * The cdk8s validation plugin: `cdk8s synth` runs it on the manifests it has just written when
 * cdk8s.yaml lists it under `validations:`, and prints its report (cdk8s-cli's
 * ValidationReport: a summary table, then each violated rule with the objects that break it).
 * One violation per rule of lib/checks; the run fails (cdk8s exits 2) when any is violated.
 *
 * cdk8s-cli documents `report.pass()`/`fail()`, which do not exist: a plugin ends with
 * `report.submit('success' | 'failure', metadata)` (cdk8s-cli 2.207, lib/plugins/validation.js).
 */
import { dirname, relative, sep } from 'path';
import { CLOUDS, Cloud } from '../net';
import { Manifest, ManifestError, readManifestFiles } from '../verify';
import { CheckOptions, Finding, checkManifests } from './check';
import { RULES, RULE_NAMES } from './rules';

/**
 * The part of cdk8s-cli's plugin interface (`Validation`, `ValidationContext`, lib/plugins/validation.d.ts
 * of cdk8s-cli 2.207) that the plugin uses, written here so that the package's declarations need no
 * cdk8s-cli (often installed globally, `npm install -g cdk8s-cli`, where a project's types cannot
 * see it). test/package.test.ts checks that cdk8s-cli's own types and these fit each other.
 */
interface ValidationViolatingResource {
  readonly resourceName: string;
  readonly locations: readonly string[];
  readonly manifestPath: string;
}
/** cdk8s-cli's `ValidationReport`, as far as the plugin writes to it. */
interface ValidationReportLike {
  addViolation(violation: {
    readonly ruleName: string;
    readonly recommendation: string;
    readonly fix: string;
    readonly violatingResources: readonly ValidationViolatingResource[];
  }): void;
  submit(status: 'success' | 'failure', metadata?: Record<string, string>): void;
}
/** cdk8s-cli's `ValidationContext`, as far as the plugin reads it: the paths of the manifests, and the report. */
interface ValidationContextLike {
  readonly manifests: readonly string[];
  readonly report: ValidationReportLike;
}

/** What cdk8s.yaml may set under the plugin's `properties:`. */
export interface SecureAiEgressChecksProperties {
  /** Whose metadata endpoints must be out of reach: a provider, or `any` (every one's). @default 'any' */
  readonly cloud?: Cloud;
  /** Namespaces of other teams' charts, left out of every rule but the schemas. @default none */
  readonly exemptNamespaces?: readonly string[];
  /**
   * Each folder of the output folder holds the manifests of a cluster of its own (`dist/<cluster>/`,
   * when main.ts declares clusters): each is checked apart, as the cluster it is applied to.
   * @default true when the manifests lie in more than one folder (what the app writes for an
   * intent with clusters, so `cdk8s synth` needs no setting by hand), false when they lie in one
   */
  readonly clusterPerFolder?: boolean;
}

const PROPERTIES = ['cloud', 'exemptNamespaces', 'clusterPerFolder'];

interface Settings {
  readonly options: CheckOptions;
  /** Undefined: decided by where the files lie (see SecureAiEgressChecksProperties.clusterPerFolder). */
  readonly clusterPerFolder: boolean | undefined;
}

/** The properties as settings, or what is wrong with them (one line each). */
function readProperties(properties: unknown): Settings | string[] {
  if (properties === null || typeof properties !== 'object' || Array.isArray(properties))
    return [`properties: ${JSON.stringify(properties)} is not a map; accepted: ${PROPERTIES.join(', ')}`];
  const p = properties as Record<string, unknown>;
  const problems = Object.keys(p)
    .filter((k) => !PROPERTIES.includes(k))
    .map((k) => `properties.${k}: is not a property of this plugin; accepted: ${PROPERTIES.join(', ')}`);
  if (p.cloud !== undefined && !CLOUDS.includes(p.cloud as Cloud))
    problems.push(`properties.cloud: ${JSON.stringify(p.cloud)} is not a cloud; accepted: ${CLOUDS.join(', ')}`);
  const exempt = p.exemptNamespaces;
  if (exempt !== undefined && !(Array.isArray(exempt) && exempt.every((n) => typeof n === 'string'))) {
    problems.push(`properties.exemptNamespaces: ${JSON.stringify(exempt)} is not a list of namespace names`);
  }
  if (p.clusterPerFolder !== undefined && typeof p.clusterPerFolder !== 'boolean')
    problems.push(`properties.clusterPerFolder: ${JSON.stringify(p.clusterPerFolder)} is not true or false`);
  if (problems.length > 0) return problems;
  return {
    options: { ...(p.cloud === undefined ? {} : { cloud: p.cloud as Cloud }), ...(exempt === undefined ? {} : { exemptNamespaces: exempt as string[] }) },
    clusterPerFolder: p.clusterPerFolder as boolean | undefined,
  };
}

/**
 * The files by cluster: all of them as one, or, per folder, those under each first-level folder of
 * the folder that holds them all (files right in it form a cluster of their own, `.`).
 */
function clustersOf(files: readonly string[], setting: boolean | undefined): Map<string, string[]> {
  const perFolder = setting ?? new Set(files.map(dirname)).size > 1;
  if (!perFolder || files.length === 0) return new Map([['', [...files]]]);
  const parts = files.map((f) => dirname(f).split(sep));
  const common: string[] = [];
  for (let i = 0; parts.every((p) => i < p.length && p[i] === parts[0][i]); i++) common.push(parts[0][i]);
  const root = common.join(sep) || sep;
  const groups = new Map<string, string[]>();
  for (const file of files) {
    const [first, ...rest] = relative(root, file).split(sep);
    const cluster = rest.length === 0 ? '.' : first;
    groups.set(cluster, [...(groups.get(cluster) ?? []), file]);
  }
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Each file read on its own, so that one unreadable file is a finding and the others are still checked. */
function readAll(files: readonly string[]): { manifests: Manifest[]; unreadable: Finding[] } {
  const manifests: Manifest[] = [];
  const unreadable: Finding[] = [];
  for (const file of files) {
    try {
      manifests.push(...readManifestFiles([file]));
    } catch (err) {
      if (!(err instanceof ManifestError)) throw err;
      unreadable.push({
        rule: 'manifests-readable',
        object: { kind: 'file', name: file, ...('document' in err.source ? { source: err.source } : {}) },
        message: err.message,
      });
    }
  }
  return { manifests, unreadable };
}

/** The findings of one rule, per object, as cdk8s-cli lists violating resources. */
function violatingResources(findings: readonly Finding[]): ValidationViolatingResource[] {
  const byObject = new Map<string, { resourceName: string; manifestPath: string; locations: string[] }>();
  for (const f of findings) {
    const manifestPath = f.object.source?.file ?? '';
    const key = `${manifestPath}\u0000${f.object.kind}\u0000${f.object.namespace ?? ''}\u0000${f.object.name}`;
    const entry = byObject.get(key) ?? { resourceName: f.object.name, manifestPath, locations: [] };
    entry.locations.push(f.message);
    byObject.set(key, entry);
  }
  return [...byObject.values()];
}

/**
 * The plugin class cdk8s.yaml names (`class: SecureAiEgressChecks`). cdk8s-cli constructs it with
 * the `properties:` of cdk8s.yaml, then calls `validate` with the paths of every `.yaml` file of
 * the output folder.
 */
export class SecureAiEgressChecks {
  private readonly settings: Settings | string[];

  constructor(properties: SecureAiEgressChecksProperties = {}) {
    this.settings = readProperties(properties);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- cdk8s-cli's Validation interface returns a Promise, which cdk8s awaits; the checks are synchronous, and async keeps anything they throw a rejection of that promise rather than a throw from the call.
  async validate(context: ValidationContextLike): Promise<void> {
    const { report } = context;
    if (Array.isArray(this.settings)) {
      report.addViolation({
        ruleName: 'plugin-properties',
        recommendation: 'The plugin checks nothing until its properties in cdk8s.yaml are ones it knows.',
        fix: 'Correct the properties the message names under the plugin in cdk8s.yaml.',
        violatingResources: [{ resourceName: 'cdk8s.yaml', manifestPath: 'cdk8s.yaml', locations: this.settings }],
      });
      report.submit('failure', { properties: this.settings.join('; ') });
      return;
    }
    const all: Finding[] = [];
    const rows: Record<string, string> = {};
    const clusters = clustersOf(context.manifests, this.settings.clusterPerFolder);
    for (const [cluster, files] of clusters) {
      const { manifests, unreadable } = readAll(files);
      const { findings, summary } = checkManifests(manifests, this.settings.options);
      all.push(...unreadable, ...findings);
      const row = (key: string) => (cluster === '' ? key : `${cluster}: ${key}`);
      Object.assign(rows, {
        [row('objects')]: `${summary.objects} in ${files.length} files`,
        [row('schema-checked')]: `${summary.schemaChecked}${summary.withoutSchema.length ? `; no schema known for ${summary.withoutSchema.join(', ')}` : ''}`,
        [row('namespaces')]: summary.namespaces.join(', ') || 'none',
        [row('workloads')]: String(summary.workloads),
        ...(summary.stagedOnly.length ? { [row('previewed (staged default deny)')]: summary.stagedOnly.join(', ') } : {}),
      });
    }
    for (const rule of RULE_NAMES) {
      const mine = all.filter((f) => f.rule === rule);
      if (mine.length > 0)
        report.addViolation({ ruleName: rule, recommendation: RULES[rule].recommendation, fix: RULES[rule].fix, violatingResources: violatingResources(mine) });
    }
    const { cloud = 'any', exemptNamespaces = [] } = this.settings.options;
    const metadata: Record<string, string> = {
      ...(clusters.size > 1 || !clusters.has('') ? { clusters: [...clusters.keys()].join(', ') } : {}),
      ...rows,
      cloud,
      ...(exemptNamespaces.length ? { 'exempt namespaces': [...exemptNamespaces].sort().join(', ') } : {}),
      ...Object.fromEntries(
        RULE_NAMES.map((rule) => {
          const n = all.filter((f) => f.rule === rule).length;
          return [rule, n === 0 ? 'passed' : `${n} violation${n === 1 ? '' : 's'}`];
        }),
      ),
    };
    report.submit(all.length === 0 ? 'success' : 'failure', metadata);
  }
}
