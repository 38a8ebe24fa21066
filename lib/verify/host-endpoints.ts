/**
 * Calico HostEndpoints, as rule selectors see them: those the manifests hold
 * (`projectcalico.org/v3` HostEndpoint), and those calico-kube-controllers creates for the
 * Kubernetes Nodes the manifests hold when their KubeControllersConfiguration turns automatic
 * host endpoints on. A HostEndpoint is matched by its labels and stands for its expected IPs
 * (felix/labelindex/named_port_index.go, extractCIDRsFromHostEndpoint); `namespaceSelector:
 * global()` matches it like a GlobalNetworkSet, since it has no `projectcalico.org/namespace`
 * (libcalico-go `updateprocessors/rules.go`). The policies that apply to host endpoints (a host's
 * own traffic) are not evaluated: the verifier answers for pods.
 */

import { cidrRange, IpAddress, parseCidrLenient, parseIp, rangeContainsIp } from '../net';
import { INHERITED_PREFIX, makeHostEndpoint, Namespace, namespaceProfileLabels, NetworkSet } from './endpoints';
import { LabelMap } from './labels';
import { Fields, Manifest } from './manifests';
import { Selector, SelectorSyntaxError } from './selector';
import { CALICO_KUBE_CONTROLLERS, CALICO_LABEL, objectRefOf, CALICO_PROFILE } from '../k8s';

/** What the host endpoints' profiles are made from: the Profiles of the manifests, and the namespaces and service accounts Calico makes profiles of. */
export interface ProfileSources {
  /** `spec.labelsToApply` of each Profile object, by name. */
  readonly declared: ReadonlyMap<string, LabelMap>;
  readonly namespace: (name: string) => Namespace;
  readonly serviceAccountLabels: (namespace: string, name: string) => LabelMap;
}

/**
 * The labels a profile gives what names it: a Profile of the manifests, or the profiles libcalico-go
 * makes of Kubernetes objects, `kns.<namespace>` (the namespace's labels as `pcns.<key>`) and
 * `ksa.<namespace>.<name>` (the service account's as `pcsa.<key>`) (k8s/conversion/conversion.go,
 * NamespaceToProfile, ServiceAccountToProfile); none for another name (such as
 * `projectcalico-default-allow`, which applies no labels, or a profile that does not exist).
 */
function profileLabels(name: string, sources: ProfileSources): LabelMap {
  const declared = sources.declared.get(name);
  if (declared) return declared;
  const { namespacePrefix, serviceAccountPrefix } = CALICO_PROFILE;
  if (name.startsWith(namespacePrefix)) return namespaceProfileLabels(sources.namespace(name.slice(namespacePrefix.length)));
  if (name.startsWith(serviceAccountPrefix)) {
    const rest = name.slice(serviceAccountPrefix.length);
    const dot = rest.indexOf('.');
    if (dot > 0) {
      const out = new Map<string, string>();
      for (const [k, v] of sources.serviceAccountLabels(rest.slice(0, dot), rest.slice(dot + 1))) out.set(INHERITED_PREFIX.serviceAccount + k, v);
      return out;
    }
  }
  return new Map();
}

function readIp(text: unknown, field: string, f: Fields): IpAddress {
  const s = f.string(text, field) ?? f.fail(field, 'must be an IP address');
  return parseIp(s) ?? f.fail(field, `${JSON.stringify(s)} is not an IP address`);
}

/** Reads a HostEndpoint: its labels, its profiles' labels and its expected IPs (Calico's validator refuses anything else there). */
export function compileHostEndpoint(m: Manifest, sources: ProfileSources): NetworkSet {
  const name = m.object.metadata.name;
  const f = new Fields(m.source, { kind: 'HostEndpoint', name });
  const spec = f.record(m.object.spec, 'spec') ?? {};
  const addresses = (f.list(spec.expectedIPs, 'spec.expectedIPs') ?? []).map((ip, i) => readIp(ip, `spec.expectedIPs[${i}]`, f));
  const profiles = (f.list(spec.profiles, 'spec.profiles') ?? []).map(
    (p, i) => f.string(p, `spec.profiles[${i}]`) ?? f.fail(`spec.profiles[${i}]`, 'must be a string'),
  );
  const node = f.string(spec.node, 'spec.node');
  return makeHostEndpoint(
    name,
    f.labels(m.object.metadata.labels, 'metadata.labels'),
    profiles.map((p) => profileLabels(p, sources)),
    addresses,
    m.source,
    node,
  );
}

/** Reads a Profile's `spec.labelsToApply`. */
export function readProfileLabels(m: Manifest): LabelMap {
  const f = new Fields(m.source, objectRefOf(m.object));
  return f.labels(f.record(m.object.spec, 'spec')?.labelsToApply, 'spec.labelsToApply');
}

/** A template of automatic host endpoints (KubeControllersConfiguration `spec.controllers.node.hostEndpoint.templates[]`). */
interface Template {
  readonly name: string;
  readonly nodeSelector: Selector;
  readonly interfaceCidrs: readonly ReturnType<typeof cidrRange>[];
  readonly labels: LabelMap;
}

/** What calico-kube-controllers is configured to create for each node. */
export interface AutoHostEndpoints {
  /** The default host endpoint `<node>-auto-hep`, with all the node's addresses. */
  readonly createDefault: boolean;
  readonly templates: readonly Template[];
}

/**
 * Reads the KubeControllersConfiguration named `default` (the one calico-kube-controllers reads)
 * for automatic host endpoints (kube-controllers `pkg/config/runconfig.go`): undefined unless
 * `spec.controllers.node.hostEndpoint.autoCreate` is `Enabled`; then the default host endpoint
 * unless `createDefaultHostEndpoint` is `Disabled`, and every template.
 */
export function readAutoHostEndpoints(m: Manifest): AutoHostEndpoints | undefined {
  const f = new Fields(m.source, objectRefOf(m.object));
  const at = 'spec.controllers.node.hostEndpoint';
  const hep = f.record(f.record(f.record(f.record(m.object.spec, 'spec')?.controllers, 'spec.controllers')?.node, 'spec.controllers.node')?.hostEndpoint, at);
  if (f.string(hep?.autoCreate, `${at}.autoCreate`) !== 'Enabled') return undefined;
  const createDefault = f.string(hep?.createDefaultHostEndpoint, `${at}.createDefaultHostEndpoint`) !== 'Disabled';
  const templates = (f.list(hep?.templates, `${at}.templates`) ?? []).map((raw, i): Template => {
    const field = `${at}.templates[${i}]`;
    const t = f.record(raw, field) ?? f.fail(field, 'must be an object');
    const selectorText = f.string(t.nodeSelector, `${field}.nodeSelector`) ?? '';
    let nodeSelector: Selector;
    try {
      nodeSelector = new Selector(selectorText);
    } catch (e) {
      if (e instanceof SelectorSyntaxError) f.fail(`${field}.nodeSelector`, `invalid selector: ${e.message}`);
      throw e;
    }
    const interfaceCidrs = (f.list(t.interfaceCIDRs, `${field}.interfaceCIDRs`) ?? []).map((c, j) => {
      const text = f.string(c, `${field}.interfaceCIDRs[${j}]`) ?? '';
      const parsed = parseCidrLenient(text) ?? f.fail(`${field}.interfaceCIDRs[${j}]`, `${JSON.stringify(text)} is not a CIDR`);
      return cidrRange(parsed);
    });
    return { name: f.string(t.generateName, `${field}.generateName`) ?? '', nodeSelector, interfaceCidrs, labels: f.labels(t.labels, `${field}.labels`) };
  });
  return { createDefault, templates };
}

/** The annotations whose addresses a Calico Node takes from its Kubernetes Node (libcalico-go k8s/resources/node.go, K8sNodeToCalico). */
const ADDRESS_ANNOTATIONS = [
  'projectcalico.org/IPv4Address',
  'projectcalico.org/IPv6Address',
  'projectcalico.org/IPv4IPIPTunnelAddr',
  'projectcalico.org/IPv4VXLANTunnelAddr',
  'projectcalico.org/IPv6VXLANTunnelAddr',
  'projectcalico.org/IPv4WireguardInterfaceAddr',
  'projectcalico.org/IPv6WireguardInterfaceAddr',
];

/**
 * The addresses calico-kube-controllers gives a node's automatic host endpoints
 * (`pkg/controllers/node/hostendpoints.go`, getExpectedIPs): its BGP, tunnel and WireGuard
 * addresses (annotations, a CIDR read as its address) and its InternalIP addresses. An address
 * that does not parse is left out, as there.
 */
function nodeAddresses(m: Manifest, f: Fields): IpAddress[] {
  const annotations = f.record(m.object.metadata.annotations, 'metadata.annotations') ?? {};
  const texts: string[] = [];
  for (const key of ADDRESS_ANNOTATIONS) {
    const v = annotations[key];
    if (typeof v === 'string' && v !== '') texts.push(v.split('/')[0]);
  }
  const status = f.record(m.object.status, 'status');
  (f.list(status?.addresses, 'status.addresses') ?? []).forEach((a, i) => {
    const address = f.record(a, `status.addresses[${i}]`) ?? {};
    if (address.type === 'InternalIP' && typeof address.address === 'string') texts.push(address.address);
  });
  const seen = new Set<string>();
  const out: IpAddress[] = [];
  for (const text of texts) {
    const ip = parseIp(text);
    const key = ip && `${ip.version}:${ip.value}`;
    if (ip && !seen.has(key!)) {
      seen.add(key!);
      out.push(ip);
    }
  }
  return out;
}

/** The label calico-kube-controllers puts on every host endpoint it creates (pkg/controllers/node/controller.go, hepCreatedLabelKey). */
const AUTO_HOST_ENDPOINT_LABEL = { key: CALICO_LABEL.createdBy, value: CALICO_KUBE_CONTROLLERS } as const;

/**
 * The host endpoints calico-kube-controllers creates for one Kubernetes Node
 * (`pkg/controllers/node/hostendpoints.go`, syncHostEndpointsForNode and
 * generateAutoHostEndpoint): each has the node's labels (a template's laid over them) and
 * `projectcalico.org/created-by: calico-kube-controllers`, the profile
 * `projectcalico-default-allow` (no labels), and as expected IPs all the node's addresses (the
 * default one, `<node>-auto-hep`) or those inside a template's `interfaceCIDRs` (a template
 * whose node selector matches the node; none when no address is inside). A template's
 * `interfacePattern` adds the matching interfaces' own addresses, which a Kubernetes Node does not
 * list: only the addresses above are modelled.
 */
export function autoHostEndpoints(node: Manifest, config: AutoHostEndpoints): NetworkSet[] {
  const name = node.object.metadata.name;
  const f = new Fields(node.source, { kind: 'Node', name });
  const labels = f.labels(node.object.metadata.labels, 'metadata.labels');
  const addresses = nodeAddresses(node, f);
  const make = (hepName: string, extra: LabelMap, ips: readonly IpAddress[]): NetworkSet => {
    const all = new Map([...labels, ...extra]);
    all.set(AUTO_HOST_ENDPOINT_LABEL.key, AUTO_HOST_ENDPOINT_LABEL.value);
    return makeHostEndpoint(hepName, all, [], ips, node.source, name);
  };
  const out: NetworkSet[] = [];
  if (config.createDefault) out.push(make(`${name}-auto-hep`, new Map(), addresses));
  for (const t of config.templates) {
    if (!t.nodeSelector.test(labels)) continue;
    const inside = addresses.filter((ip) => t.interfaceCidrs.some((r) => rangeContainsIp(r, ip)));
    if (inside.length > 0) out.push(make(`${name}-${t.name}-auto-hep`, t.labels, inside));
  }
  return out;
}
