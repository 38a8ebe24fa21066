/**
 * The fields an intent is made of, as zod schemas that check both shape and value, and word
 * every message as `<value> <what is wrong>; accepted: <what would be>`.
 */
import { z } from 'zod';
import {
  CLOUDS,
  Cidr,
  Cloud,
  SharedRangeSource,
  cidrContains,
  endpointsAt,
  formatCidr,
  formatIp,
  fromNat64,
  ipv4MappedBlock,
  LOCAL_USE_NAT64_BLOCK,
  LOCAL_USE_NAT64_CIDR,
  metadataBlocks,
  parseCidr,
  parseIp,
  podCredentialEndpoints,
  sharedRangeOf,
} from '../net';
import { didYouMean } from './issues';
import { parseQuantity } from '../quantity';
import { PROTOCOLS, isDns1123Label, isDns1123Subdomain, isLabelKey, isLabelValue, reservedNamespace } from '../k8s';

/** Zod's `error` option: "is missing" when the field is absent, else `wrong`; both say what is accepted. */
export function says(wrong: string, accepted: string) {
  return { error: (issue: { input?: unknown }) => (issue.input === undefined ? `is missing; accepted: ${accepted}` : `${wrong}; accepted: ${accepted}`) };
}

type Ctx = z.core.$RefinementCtx<unknown>;

/** Adds an issue on the value being refined (or on `path` under it). */
export function problem(ctx: Ctx, input: unknown, message: string, path: PropertyKey[] = []): void {
  ctx.addIssue({ code: 'custom', input, message, path });
}

/**
 * A strict object: besides its fields' own checks, every key it does not know is an error of its
 * own, at its own path, with the closest known field proposed (`protocoll`: did you mean
 * "protocol"?).
 */
export function fields<S extends z.ZodRawShape>(what: string, shape: S) {
  const known = Object.keys(shape);
  // Loose at run time, so that the refinement sees the keys it does not know (zod hands a
  // refinement its output, from which a strict object has dropped them); typed as the strict
  // object it acts as.
  const object = z.looseObject(shape, says(`is not ${what}`, `{ ${known.join(', ')} }`)) as unknown as z.ZodObject<S, z.core.$strict>;
  return object
    .superRefine(
      (value, ctx) => {
        for (const key of Object.keys(value)) {
          if (known.includes(key)) continue;
          const near = didYouMean(key, known);
          problem(
            ctx,
            (value as Record<string, unknown>)[key],
            `is not a field of ${what}; accepted: ${known.join(', ')}${near ? `. Did you mean "${near}"?` : ''}`,
            [key],
          );
        }
      },
      { when: (payload) => isObject(payload.value) },
    )
    .readonly();
}

const QUANTITY = /^([+-]?[0-9.]+)([eE][-+]?[0-9]+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const IMAGE = /^[^\s:@]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

const DNS_LABEL_ACCEPTED = "a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)";

/** A DNS-1123 label: names of apps, namespaces, allow-lists and tiers. */
export function dnsLabel(what: string) {
  const wrong = `is not a valid ${what}`;
  return z.string(says(wrong, DNS_LABEL_ACCEPTED)).superRefine((value, ctx) => {
    if (!isDns1123Label(value)) problem(ctx, value, `${wrong}; accepted: ${DNS_LABEL_ACCEPTED}`);
  });
}

/**
 * A namespace this project creates and governs (an app's, the resolver's, the proxy's): dist/
 * labels it for Pod Security `restricted`, writes its default deny and denies every pod in it
 * that is not declared, and Argo CD deletes it once it leaves dist/. So never one that
 * Kubernetes or Calico owns (lib/k8s reservedNamespace): in kube-system that would deny kube-dns
 * and the node agents, in Calico's the policy engine itself.
 */
export function ownedNamespace() {
  return dnsLabel('namespace name').superRefine((value, ctx) => {
    const owner = isDns1123Label(value) ? reservedNamespace(value) : undefined;
    if (owner)
      problem(
        ctx,
        value,
        `is ${owner}; dist/ would take it over: Pod Security restricted, a default deny and a deny of every pod it does not declare; accepted: a namespace of this project's own, which dist/ creates and governs, e.g. "ai-apps"`,
      );
  });
}

const LABEL_VALUE_ACCEPTED = 'a string of at most 63 alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric';

/** A label value; also the value a toleration matches. */
export const labelValue = z.string(says('is not a valid label value', LABEL_VALUE_ACCEPTED)).superRefine((value, ctx) => {
  if (!isLabelValue(value)) problem(ctx, value, `is not a valid label value; accepted: ${LABEL_VALUE_ACCEPTED}`);
});

/** Label key/value pairs. A destination's must name at least one label: it is a service, not a whole namespace. */
export function labels(required: boolean) {
  return z
    .record(z.string(), labelValue, says('is not a set of labels', 'an object of label key/value pairs'))
    .superRefine(
      (value, ctx) => {
        if (required && Object.keys(value).length === 0) {
          problem(ctx, value, 'selects every pod of the namespace; accepted: at least one label, so the destination is a service and not a whole namespace');
        }
        for (const key of Object.keys(value)) {
          if (!isLabelKey(key)) problem(ctx, key, `is not a valid label key; accepted: ${LABEL_KEY_ACCEPTED}`, [key]);
        }
      },
      { when: (payload) => isObject(payload.value) },
    )
    .readonly();
}

const LABEL_KEY_ACCEPTED = 'an optional DNS subdomain prefix and "/", then a name of at most 63 alphanumerics, "-", "_" or "."';

/** A label key (a qualified name); also the key of a taint. */
export const labelKey = z.string(says('is not a valid label key', LABEL_KEY_ACCEPTED)).superRefine((value, ctx) => {
  if (!isLabelKey(value)) problem(ctx, value, `is not a valid label key; accepted: ${LABEL_KEY_ACCEPTED}`);
});

/** A plain object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const PORT_ACCEPTED = 'a whole number from 1 to 65535';

/** A port number. */
export const port = z.number(says('is not a port', PORT_ACCEPTED)).superRefine((value, ctx) => {
  if (!Number.isInteger(value) || value < 1 || value > 65535) problem(ctx, value, `is not a port; accepted: ${PORT_ACCEPTED}`);
});

/** An inclusive range of ports. */
const portRange = fields('a port range', { from: port, to: port }).superRefine((value, ctx) => {
  if (value.to < value.from) problem(ctx, value, `ends below its start; accepted: a range with to >= from, e.g. { from: ${value.to}, to: ${value.from} }`);
});

const PORTS_ACCEPTED = 'at least one port (a number, or { from, to } for a range)';

/** The ports of a destination: never empty. */
export const ports = z
  .array(z.union([port, portRange], says('is not a port', `${PORT_ACCEPTED}, or { from, to } for a range`)), says('is not a list of ports', PORTS_ACCEPTED))
  .readonly()
  .superRefine((value, ctx) => {
    if (value.length === 0) problem(ctx, value, `is empty; accepted: ${PORTS_ACCEPTED}`);
  });

/** A transport protocol. */
export const protocol = z.enum(PROTOCOLS, says('is not a protocol', PROTOCOLS.join(', ')));

/** A Kubernetes quantity, as written: `500m`, `2`, `8Gi`. */
export const quantity = z.string(says('is not a Kubernetes quantity', 'e.g. "500m", "2", "8Gi"')).superRefine((value, ctx) => {
  if (!QUANTITY.test(value)) problem(ctx, value, 'is not a Kubernetes quantity; accepted: e.g. "500m", "2", "8Gi"');
});

const SIZE_ACCEPTED = 'a size such as "512Mi", "2Gi" or "40Gi"';

/** A size in bytes, as a Kubernetes quantity greater than zero. */
export const size = z.string(says('is not a size', SIZE_ACCEPTED)).superRefine((value, ctx) => {
  const bytes = parseQuantity(value);
  if (bytes === undefined || bytes < 1) problem(ctx, value, `is not a size; accepted: ${SIZE_ACCEPTED}`);
});

const DNS_SUBDOMAIN_ACCEPTED = "a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters), e.g. \"nvidia\"";

/** A DNS-1123 subdomain: names of RuntimeClasses. */
export function dnsSubdomain(what: string) {
  const wrong = `is not a valid ${what}`;
  return z.string(says(wrong, DNS_SUBDOMAIN_ACCEPTED)).superRefine((value, ctx) => {
    if (!isDns1123Subdomain(value)) problem(ctx, value, `${wrong}; accepted: ${DNS_SUBDOMAIN_ACCEPTED}`);
  });
}

const SERVICE_ACCOUNT_ACCEPTED = '"namespace/name", e.g. "argocd/argocd-application-controller"';
const SERVICE_ACCOUNT_USER = /^system:serviceaccount:([^:]+):([^:]+)$/;

/** A ServiceAccount as `namespace/name`; its user name (`system:serviceaccount:ns:name`) gets the right form proposed. */
export const serviceAccountRef = z.string(says('is not a ServiceAccount', SERVICE_ACCOUNT_ACCEPTED)).superRefine((value, ctx) => {
  const [namespace, name, ...rest] = value.split('/');
  const valid = rest.length === 0 && name !== undefined && isDns1123Label(namespace) && isDns1123Subdomain(name);
  if (valid) return;
  const user = SERVICE_ACCOUNT_USER.exec(value);
  problem(ctx, value, `is not a ServiceAccount; accepted: ${SERVICE_ACCOUNT_ACCEPTED}${user ? `. Did you mean "${user[1]}/${user[2]}"?` : ''}`);
});

const IMAGE_ACCEPTED = 'an image with a fixed tag or digest, e.g. "vllm/vllm-openai:v0.11.0" (never "latest")';

/** A container image pinned by tag or digest, never `latest`. */
export const image = z.string(says('is not an image reference', IMAGE_ACCEPTED)).superRefine((value, ctx) => {
  // A registry host may carry a port (`registry:5000/app`); that colon is no tag.
  const pinned = IMAGE.test(value) && /[:@]/.test(value.replace(/^[^/]*:[0-9]+\//, '')) && !/:latest$/.test(value);
  if (!pinned) problem(ctx, value, `is not pinned; accepted: ${IMAGE_ACCEPTED}`);
});

/** Environment variables: names as Kubernetes accepts them, values as strings. */
export const env = z
  .record(
    z.string(),
    z.string(says('is not a string', 'a string (quote numbers and booleans: "8080", "true")')),
    says('is not a set of environment variables', 'an object of NAME: "value" pairs'),
  )
  .superRefine(
    (value, ctx) => {
      for (const key of Object.keys(value)) {
        if (!ENV_NAME.test(key))
          problem(ctx, key, 'is not an environment variable name; accepted: letters, digits, "_", "-" and ".", not starting with a digit', [key]);
      }
    },
    { when: (payload) => isObject(payload.value) },
  )
  .readonly();

/** A whole number, 0 or more. */
export function count(what: string) {
  const accepted = 'a whole number, 0 or more';
  return z.number(says(`is not a ${what}`, accepted)).superRefine((value, ctx) => {
    if (!Number.isInteger(value) || value < 0) problem(ctx, value, `is not a ${what}; accepted: ${accepted}`);
  });
}

/** A string; `accepted` says what it is for. */
export function text(accepted: string) {
  return z.string(says('is not a string', accepted));
}

/** true or false. */
export const flag = z.boolean(says('is not true or false', 'true or false'));

/** Blocks shorter than this are the internet in all but name. */
const SHORTEST_PREFIX_WITHOUT_REASON = 8;

/**
 * An external block, as text: its syntax. That it is no cloud metadata address depends on the
 * platform's cloud (`metadataProblem`), and whether it is large enough to need a written reason
 * is for its owner to check (`internetSized`).
 */
export const cidr = z.string(says('is not a CIDR', 'a string such as "203.0.113.10/32" or "2001:db8::/64"')).superRefine((value, ctx) => {
  const parsed = parseCidr(value);
  if ('problem' in parsed) {
    const p = parsed.problem;
    if (p.kind === 'missing-mask') problem(ctx, value, `has no mask; accepted: a CIDR with its prefix length. Did you mean "${p.suggestion}"?`);
    else if (p.kind === 'host-bits') problem(ctx, value, `has host bits set; accepted: the network address of the block. Did you mean "${p.suggestion}"?`);
    else problem(ctx, value, 'is not a CIDR; accepted: an IPv4 or IPv6 block such as "203.0.113.10/32" or "2001:db8::/64"');
    return;
  }
  const mapped = ipv4MappedBlock(parsed.cidr);
  if (mapped)
    problem(
      ctx,
      value,
      `${IPV4_MAPPED} block, ${mappedReading('block', formatCidr(mapped))}; accepted: the IPv4 block, written as such: "${formatCidr(mapped)}"`,
    );
});

const IPV4_MAPPED = 'is an IPv4-mapped IPv6';

/**
 * Why an IPv4-mapped IPv6 block or address (inside ::ffff:0:0/96) is refused: Go's net package,
 * which the API server, Calico and most network plugins parse with, reads it as the IPv4 block it
 * maps (`::ffff:0:0/96` is 0.0.0.0/0; lib/net ipv4MappedBlock), other software as IPv6, and
 * Kubernetes itself calls the form ambiguous and warns that it will refuse it (k8s.io/apimachinery
 * pkg/util/validation/ip.go, GetWarningsForCIDR). The checks here would read it as IPv6 and so
 * see no metadata address and no internet-sized block in it.
 */
function mappedReading(what: 'block' | 'address', ipv4: string): string {
  return `which Kubernetes and Calico may read as the IPv4 ${what} ${ipv4} and other network plugins as IPv6, so the checks of metadata addresses and internet-sized blocks cannot tell what it allows`;
}

const CLOUDS_ACCEPTED = CLOUDS.map((c) => `"${c}"`).join(', ');

/** The platform's cloud, whose metadata and credential endpoints are denied; a misspelled one gets the closest proposed. */
export const cloud = z.enum(CLOUDS as readonly [Cloud, ...Cloud[]], {
  error: (issue: { input?: unknown }) => {
    if (issue.input === undefined) return `is missing; accepted: ${CLOUDS_ACCEPTED}`;
    const near = typeof issue.input === 'string' ? didYouMean(issue.input, CLOUDS) : undefined;
    return `is not a cloud this project knows the metadata endpoints of; accepted: ${CLOUDS_ACCEPTED} ("any": all of them)${near ? `. Did you mean "${near}"?` : ''}`;
  },
});

/**
 * Why a valid block (or one address, as a block) may not be allowed: it is, or lies inside, a
 * metadata or credential endpoint of the cloud. Undefined when it may.
 */
export function metadataProblem(text: string, platformCloud: Cloud): string | undefined {
  const parsed = parseCidr(text);
  if (!('cidr' in parsed)) return undefined;
  // RFC 8215's local-use prefix: where an IPv4 address sits in it is its operator's choice (RFC 6052, 2.2).
  if (cidrContains(LOCAL_USE_NAT64_BLOCK, parsed.cidr))
    return `lies in ${LOCAL_USE_NAT64_CIDR}, the local-use prefix of IPv4/IPv6 translation (RFC 8215), where a translator's operator chooses how IPv4 addresses are embedded (RFC 6052, 2.2), so no check here can tell whether it reaches cloud metadata; accepted: the IPv4 block, or its NAT64 form in 64:ff9b::/96`;
  // A block in NAT64's prefix is the IPv4 block a translator makes of it (lib/net fromNat64).
  const translated = fromNat64(parsed.cidr);
  const metadata = metadataBlocks(platformCloud).find((m) => cidrContains(m, translated ?? parsed.cidr));
  if (!metadata) return undefined;
  const block = formatCidr(metadata);
  if (translated)
    return `is the NAT64 form of the cloud metadata address ${block} (${endpointsAt(block)
      .filter((e) => platformCloud === 'any' || e.clouds.includes(platformCloud))
      .map((e) => e.what)
      .join(
        ', ',
      )}), which a NAT64 translator on the path reaches and which is never reachable with cloud "${platformCloud}"; accepted: a block that holds no metadata or credential endpoint of the cloud, in any form`;
  const endpoints = endpointsAt(block).filter((e) => platformCloud === 'any' || e.clouds.includes(platformCloud));
  const credentials = podCredentialEndpoints(platformCloud).filter((e) => e.cidrs.includes(block));
  const optIn = credentials
    .map((e) => `; to give the app its own credentials from ${e.what}, declare { credentials: '${e.name}', ports: [...], reason: '...' } instead`)
    .join('');
  return `is the cloud metadata address ${block} (${endpoints.map((e) => e.what).join(', ')}), which is never reachable with cloud "${platformCloud}"; accepted: a block that holds no metadata or credential endpoint of the cloud${optIn}`;
}

/** A block shorter than /8 needs `internet: { reason }`; adds the issue at `path` when it has none. */
export function internetSized(ctx: Ctx, text: string, path: PropertyKey[]): void {
  const parsed = parseCidr(text);
  const block: Cidr | undefined = 'cidr' in parsed ? parsed.cidr : undefined;
  // A block in NAT64's prefix is as wide as the IPv4 block a translator makes of it (lib/net fromNat64).
  const translated = block && fromNat64(block);
  const wide = translated ?? block;
  if (wide && wide.prefix < SHORTEST_PREFIX_WITHOUT_REASON) {
    const form = translated ? `the NAT64 form of ${formatCidr(translated)}, ` : '';
    problem(
      ctx,
      text,
      `opens egress to the internet (${form}a prefix shorter than /${SHORTEST_PREFIX_WITHOUT_REASON}); accepted: a narrower block, or this destination marked internet: { reason: '...' } with the written reason`,
      path,
    );
  }
}

/** An IP address without a mask. */
export function ipAddress(accepted: string) {
  return z.string(says('is not an IP address', accepted)).superRefine((value, ctx) => {
    const ip = parseIp(value);
    if (!ip) {
      problem(ctx, value, `is not an IP address; accepted: ${accepted}`);
      return;
    }
    const mapped = ipv4MappedBlock({ version: ip.version, network: ip.value, prefix: ip.version === 4 ? 32 : 128 });
    if (mapped) {
      const ipv4 = formatIp({ version: 4, value: mapped.network });
      problem(ctx, value, `${IPV4_MAPPED} address, ${mappedReading('address', ipv4)}; accepted: the IPv4 address, written as such: "${ipv4}"`);
    }
  });
}

/**
 * Why a valid block needs a written reason: it lies inside a published range of a cloud or CDN,
 * shared by its customers (an object store's endpoints, a CDN's edges, addresses any tenant may
 * hold), so the policy lets the app reach whoever the provider routes there, an attacker's bucket
 * included. Undefined when it lies in none. `reasonField` says where the reason goes.
 */
export function sharedRangeProblem(text: string, sources: readonly SharedRangeSource[], reasonField: string): string | undefined {
  const parsed = parseCidr(text);
  if (!('cidr' in parsed)) return undefined;
  const hit = sharedRangeOf(parsed.cidr, sources);
  if (!hit) return undefined;
  return `lies inside ${hit.range}, published by ${hit.source.provider} (${hit.source.what}, retrieved ${hit.source.retrieved}), addresses its customers share: the app would reach whatever the provider routes there, another tenant's bucket or endpoint included; accepted: the service by its hostname through the egress proxy, a private endpoint (PrivateLink, Private Service Connect, Private Endpoint) by its private address, or ${reasonField} saying why this address`;
}
