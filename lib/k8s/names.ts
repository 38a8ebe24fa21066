/**
 * The names and labels the API server accepts, as k8s.io/apimachinery `pkg/util/validation`
 * (validation.go) checks them: IsDNS1123Label, IsDNS1123Subdomain, IsQualifiedName (label keys)
 * and IsValidLabelValue.
 * https://github.com/kubernetes/apimachinery/blob/master/pkg/util/validation/validation.go
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
 */

/** The lengths validation.go allows: DNS1123LabelMaxLength, DNS1123SubdomainMaxLength, qualifiedNameMaxLength, LabelValueMaxLength. */
export const NAME_LIMITS = { dns1123Label: 63, dns1123Subdomain: 253, qualifiedName: 63, labelValue: 63 } as const;

/** dns1123LabelFmt: lower-case alphanumerics and `-`, beginning and ending alphanumeric. */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** dns1123SubdomainFmt: DNS-1123 labels joined by `.`. */
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** qualifiedNameFmt: alphanumerics, `-`, `_` and `.`, beginning and ending alphanumeric. */
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** IsDNS1123Label: namespace names, and most names of objects that must be a DNS label (at most 63 characters). */
export function isDns1123Label(value: string): boolean {
  return value.length <= NAME_LIMITS.dns1123Label && DNS1123_LABEL.test(value);
}

/** IsDNS1123Subdomain: names of most objects (at most 253 characters). */
export function isDns1123Subdomain(value: string): boolean {
  return value.length <= NAME_LIMITS.dns1123Subdomain && DNS1123_SUBDOMAIN.test(value);
}

/** What is wrong with a label key (IsQualifiedName), or undefined when the API server accepts it. */
export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'has more than one "/"; accepted: an optional DNS subdomain prefix and "/", then a name';
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined) {
    if (prefix === '') return 'has an empty prefix before "/"';
    if (prefix.length > NAME_LIMITS.dns1123Subdomain) return `has a prefix of ${prefix.length} characters; accepted: at most ${NAME_LIMITS.dns1123Subdomain}`;
    if (!DNS1123_SUBDOMAIN.test(prefix)) return `has the prefix ${JSON.stringify(prefix)}, which is not a DNS subdomain (lowercase alphanumerics, "-" and ".")`;
  }
  if (name === '') return 'has an empty name';
  if (name.length > NAME_LIMITS.qualifiedName) return `has a name part of ${name.length} characters; accepted: at most ${NAME_LIMITS.qualifiedName}`;
  if (!QUALIFIED_NAME.test(name)) return 'has a name part that is not alphanumerics, "-", "_" and ".", beginning and ending alphanumeric';
  return undefined;
}

/** True for a label key the API server accepts (IsQualifiedName). */
export function isLabelKey(key: string): boolean {
  return labelKeyProblem(key) === undefined;
}

/** What is wrong with a label value (IsValidLabelValue), or undefined when the API server accepts it. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > NAME_LIMITS.labelValue) return `is ${value.length} characters long; accepted: at most ${NAME_LIMITS.labelValue}`;
  if (value !== '' && !QUALIFIED_NAME.test(value)) return 'is not empty or alphanumerics, "-", "_" and ".", beginning and ending alphanumeric';
  return undefined;
}

/** True for a label value the API server accepts (IsValidLabelValue): empty, or a qualified name's name part. */
export function isLabelValue(value: string): boolean {
  return labelValueProblem(value) === undefined;
}

/**
 * IsValidPortName (IANA_SVC_NAME): at most 15 lower-case alphanumerics and `-`, beginning and
 * ending alphanumeric, with a letter and no `--`. What a container port's name and a policy's named
 * port must be.
 */
export function isPortName(value: string): boolean {
  return value.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(value) && /[a-z]/.test(value) && !value.includes('--');
}
