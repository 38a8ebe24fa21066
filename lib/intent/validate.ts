import { adviceFor } from './advice';
import { consistencyIssues } from './consistency';
import { checkDestination, isCredentialsDestination } from './destinations';
import { CLOUDS, Cloud } from '../net';
import { isObject, metadataProblem } from './fields';
import { isAudited } from './flavor';
import { fromZodIssues, IntentError, IntentIssue } from './issues';
import { allowListSchema, appSchema, platformSchema } from './schema';
import { AiAppIntent, AllowList, PlatformIntent } from './types';

/**
 * Checks an intent as data, whatever `main.ts` handed over: shape and values (schema.ts), then
 * what only the whole intent can tell: allow-lists that are used but not declared, names used
 * twice, audit mixed with enforcement in one namespace, callers and callees that do not agree
 * (consistency.ts), and what the images must support (advice.ts).
 *
 * Returns every issue of the run, errors and warnings; errors first within each app. Each app is
 * checked on its own, so one app's problems never hide another's; the checks across apps take
 * the apps whose own fields are valid.
 */
export function checkIntent(input: unknown): IntentIssue[] {
  if (!isObject(input)) {
    const accepted = 'accepted: an object { apps: [...], allowLists?: [...], cloud?: ..., calico?: {...} }';
    return [{ severity: 'error', app: 'platform', path: 'intent', value: input, message: `${input === undefined ? 'is missing' : 'is not an intent'}; ${accepted}` }];
  }
  const issues: IntentIssue[] = [];
  const platform = platformSchema.safeParse(input, { reportInput: true });
  if (!platform.success) issues.push(...fromZodIssues('platform', '', platform.error.issues));

  // A cloud that is not valid was reported above; the checks below then deny every cloud's endpoints.
  const cloud: Cloud = (CLOUDS as readonly unknown[]).includes(input.cloud) ? input.cloud as Cloud : 'any';
  const rawLists = Array.isArray(input.allowLists) ? input.allowLists : [];
  const lists: { list: AllowList; index: number }[] = [];
  rawLists.forEach((raw, index) => {
    const checked = allowListSchema.safeParse(raw, { reportInput: true });
    if (checked.success) lists.push({ list: raw as AllowList, index });
    else issues.push(...fromZodIssues('platform', `allowLists[${index}]`, checked.error.issues));
  });
  for (const { list, index } of lists) issues.push(...allowListMetadata(list, index, cloud));
  issues.push(...allowListsDeclaredTwice(lists));

  const rawApps = Array.isArray(input.apps) ? input.apps : [];
  const apps: AiAppIntent[] = [];
  rawApps.forEach((raw, index) => {
    const label = isObject(raw) && typeof raw.name === 'string' && raw.name !== '' ? raw.name : `apps[${index}]`;
    const checked = appSchema.safeParse(raw, { reportInput: true });
    if (checked.success) apps.push(raw as AiAppIntent);
    else issues.push(...fromZodIssues(label, label, checked.error.issues));
  });
  // A list with a broken entry is still declared: its uses are not reported as well.
  const listNames = rawLists.flatMap((l) => (isObject(l) && typeof l.name === 'string' ? [l.name] : []));
  for (const app of apps) issues.push(...destinationProblems(app, listNames, cloud), ...dnsMetadata(app, cloud), ...credentialsDeclaredTwice(app));
  issues.push(...namesDeclaredTwice(rawApps));
  const platformAudit = isObject(input.calico) && input.calico.audit === true;
  issues.push(...auditMixedWithEnforcement(apps, platformAudit));
  issues.push(...consistencyIssues(apps));
  for (const app of apps) issues.push(...adviceFor(app));
  return issues;
}

/** The errors of an intent (empty when it can be rendered). */
export function validateIntent(intent: PlatformIntent): IntentIssue[] {
  return checkIntent(intent).filter((i) => i.severity === 'error');
}

/** Throws an IntentError with every error when there is any; returns the warnings otherwise. */
export function assertValidIntent(intent: PlatformIntent): IntentIssue[] {
  const issues = checkIntent(intent);
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) throw new IntentError(errors);
  return issues.filter((i) => i.severity === 'warning');
}

function allowListsDeclaredTwice(lists: readonly { list: AllowList; index: number }[]): IntentIssue[] {
  const contents = new Map<string, string>();
  const issues: IntentIssue[] = [];
  for (const { list, index } of lists) {
    const these = [...list.cidrs].sort().join(',');
    const earlier = contents.get(list.name);
    if (earlier !== undefined && earlier !== these) {
      issues.push({ severity: 'error', app: 'platform', path: `allowLists[${index}].name`, value: list.name, message: 'is declared twice with different contents; accepted: one declaration per allow-list name' });
    }
    contents.set(list.name, these);
  }
  return issues;
}

/**
 * A pod credential endpoint declared twice by one app: the Calico guardrail denies the app all but
 * one protocol and its ports there, so they are declared once.
 */
function credentialsDeclaredTwice(app: AiAppIntent): IntentIssue[] {
  const seen = new Set<string>();
  return app.egress.flatMap((d, i) => {
    if (!isCredentialsDestination(d)) return [];
    if (!seen.has(d.credentials)) {
      seen.add(d.credentials);
      return [];
    }
    return [{ severity: 'error' as const, app: app.name, path: `${app.name}.egress[${i}].credentials`, value: d.credentials, message: 'is declared a second time; accepted: one credentials destination per endpoint, with all its ports, of one protocol' }];
  });
}

/** Blocks of an allow-list that are, or lie inside, a metadata endpoint of the cloud. */
function allowListMetadata(list: AllowList, index: number, cloud: Cloud): IntentIssue[] {
  return list.cidrs.flatMap((c, i) => {
    const message = metadataProblem(c, cloud);
    return message ? [{ severity: 'error' as const, app: 'platform', path: `allowLists[${index}].cidrs[${i}]`, value: c, message }] : [];
  });
}

/** DNS addresses (NodeLocal, the kube-dns ClusterIP) that are metadata endpoints of the cloud: DNS on port 53 to them would be allowed. */
function dnsMetadata(app: AiAppIntent, cloud: Cloud): IntentIssue[] {
  const addresses: [string, string][] = [
    ...(app.dns?.nodeLocal ?? []).map((a, i): [string, string] => [`dns.nodeLocal[${i}]`, a]),
    ...(app.dns?.kubeDnsClusterIp ? [['dns.kubeDnsClusterIp', app.dns.kubeDnsClusterIp] as [string, string]] : []),
  ];
  return addresses.flatMap(([field, address]) => {
    const message = metadataProblem(address.includes(':') ? `${address}/128` : `${address}/32`, cloud);
    return message ? [{ severity: 'error' as const, app: app.name, path: `${app.name}.${field}`, value: address, message }] : [];
  });
}

/** What only the rest of the intent shows about each destination of an app (allow-lists that are not declared, metadata endpoints of the cloud). */
function destinationProblems(app: AiAppIntent, listNames: readonly string[], cloud: Cloud): IntentIssue[] {
  const declared = { allowLists: [...new Set(listNames)].sort(), cloud };
  return app.egress.flatMap((d, i) => checkDestination(d, declared).map((p) => ({
    severity: 'error' as const, app: app.name, path: `${app.name}.egress[${i}].${p.field}`, value: p.value, message: p.message,
  })));
}

function namesDeclaredTwice(rawApps: readonly unknown[]): IntentIssue[] {
  const seen = new Set<string>();
  const issues: IntentIssue[] = [];
  for (const raw of rawApps) {
    if (!isObject(raw) || typeof raw.name !== 'string') continue;
    if (seen.has(raw.name)) {
      issues.push({ severity: 'error', app: raw.name, path: `${raw.name}.name`, value: raw.name, message: 'is declared twice; accepted: one app per name (apps in different namespaces still need different names)' });
    }
    seen.add(raw.name);
  }
  return issues;
}

/**
 * The namespace's default deny is enforced unless every app in it is previewed, so one audited
 * app beside enforced ones would be cut off instead of previewed.
 */
function auditMixedWithEnforcement(apps: readonly AiAppIntent[], platformAudit: boolean): IntentIssue[] {
  const audited = (a: AiAppIntent) => isAudited(a, { audit: platformAudit });
  const modes = new Map<string, Set<boolean>>();
  for (const a of apps) modes.set(a.namespace, (modes.get(a.namespace) ?? new Set()).add(audited(a)));
  return apps.filter((a) => audited(a) && modes.get(a.namespace)!.size === 2).map((a) => ({
    severity: 'error' as const, app: a.name, path: `${a.name}.audit`, value: true,
    message: `previews this app while other apps of namespace "${a.namespace}" are enforced, so the namespace's default deny would block it; accepted: audit on every app of the namespace, or on none`,
  }));
}
