/**
 * The cdk8s validation plugin: `cdk8s synth` runs it on the manifests it has just written when
 * cdk8s.yaml lists it under `validations:`, and prints its report (cdk8s-cli's
 * ValidationReport: a summary table, then each violated rule with the objects that break it).
 * One violation per rule of lib/checks; the run fails (cdk8s exits 2) when any is violated.
 *
 * cdk8s-cli documents `report.pass()`/`fail()`, which do not exist: a plugin ends with
 * `report.submit('success' | 'failure', metadata)` (cdk8s-cli 2.207, lib/plugins/validation.js).
 */
import type { Validation, ValidationContext, ValidationViolatingResource } from 'cdk8s-cli/lib/plugins';
import { CLOUDS, Cloud } from '../net';
import { Manifest, ManifestError, readManifestFiles } from '../verify';
import { CheckOptions, Finding, checkManifests } from './check';
import { RULES, RULE_NAMES } from './rules';

/** What cdk8s.yaml may set under the plugin's `properties:`. */
export interface SecureAiEgressChecksProperties {
  /** Whose metadata endpoints must be out of reach: a provider, or `any` (every one's, the default). */
  readonly cloud?: Cloud;
  /** Namespaces of other teams' charts, left out of every rule but the schemas. */
  readonly exemptNamespaces?: readonly string[];
}

const PROPERTIES = ['cloud', 'exemptNamespaces'];

/** The properties as check options, or what is wrong with them (one line each). */
function readProperties(properties: unknown): CheckOptions | string[] {
  if (properties === null || typeof properties !== 'object' || Array.isArray(properties)) return [`properties: ${JSON.stringify(properties)} is not a map; accepted: ${PROPERTIES.join(', ')}`];
  const p = properties as Record<string, unknown>;
  const problems = Object.keys(p).filter((k) => !PROPERTIES.includes(k)).map((k) => `properties.${k}: is not a property of this plugin; accepted: ${PROPERTIES.join(', ')}`);
  if (p.cloud !== undefined && !CLOUDS.includes(p.cloud as Cloud)) problems.push(`properties.cloud: ${JSON.stringify(p.cloud)} is not a cloud; accepted: ${CLOUDS.join(', ')}`);
  const exempt = p.exemptNamespaces;
  if (exempt !== undefined && !(Array.isArray(exempt) && exempt.every((n) => typeof n === 'string'))) {
    problems.push(`properties.exemptNamespaces: ${JSON.stringify(exempt)} is not a list of namespace names`);
  }
  if (problems.length > 0) return problems;
  return { ...(p.cloud === undefined ? {} : { cloud: p.cloud as Cloud }), ...(exempt === undefined ? {} : { exemptNamespaces: exempt as string[] }) };
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
      unreadable.push({ rule: 'manifests-readable', object: { kind: 'file', name: file, ...('document' in err.source ? { source: err.source } : {}) }, message: err.message });
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
export class SecureAiEgressChecks implements Validation {
  private readonly options: CheckOptions | string[];

  constructor(properties: SecureAiEgressChecksProperties = {}) {
    this.options = readProperties(properties);
  }

  async validate(context: ValidationContext): Promise<void> {
    const { report } = context;
    if (Array.isArray(this.options)) {
      report.addViolation({
        ruleName: 'plugin-properties',
        recommendation: 'The plugin checks nothing until its properties in cdk8s.yaml are ones it knows.',
        fix: 'Correct the properties the message names under the plugin in cdk8s.yaml.',
        violatingResources: [{ resourceName: 'cdk8s.yaml', manifestPath: 'cdk8s.yaml', locations: this.options }],
      });
      report.submit('failure', { properties: this.options.join('; ') });
      return;
    }
    const { manifests, unreadable } = readAll(context.manifests);
    const { findings, summary } = checkManifests(manifests, this.options);
    const all = [...unreadable, ...findings];
    for (const rule of RULE_NAMES) {
      const mine = all.filter((f) => f.rule === rule);
      if (mine.length > 0) report.addViolation({ ruleName: rule, recommendation: RULES[rule].recommendation, fix: RULES[rule].fix, violatingResources: violatingResources(mine) });
    }
    const metadata: Record<string, string> = {
      objects: `${summary.objects} in ${context.manifests.length} files`,
      'schema-checked': `${summary.schemaChecked}${summary.withoutSchema.length ? `; no schema known for ${summary.withoutSchema.join(', ')}` : ''}`,
      namespaces: summary.namespaces.join(', ') || 'none',
      workloads: String(summary.workloads),
      cloud: summary.cloud,
      ...(summary.exemptNamespaces.length ? { 'exempt namespaces': summary.exemptNamespaces.join(', ') } : {}),
      ...(summary.previewed.length ? { 'previewed (staged default deny)': summary.previewed.join(', ') } : {}),
      ...Object.fromEntries(RULE_NAMES.map((rule) => {
        const n = all.filter((f) => f.rule === rule).length;
        return [rule, n === 0 ? 'passed' : `${n} violation${n === 1 ? '' : 's'}`];
      })),
    };
    report.submit(all.length === 0 ? 'success' : 'failure', metadata);
  }
}
