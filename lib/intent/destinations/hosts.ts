import { getDomain } from 'tldts';
import { domainToASCII } from 'url';
import { z } from 'zod';
import { parseIp } from '../../net';
import { fields, ports, problem, protocol, says, text } from '../fields';
import type { PortSpec } from '../values';
import { DestinationBase, DestinationKind } from './kind';
import { isDns1123Label, DEFAULT_CLUSTER_DOMAIN } from '../../k8s';

/**
 * Outbound HTTP and HTTPS by name, through the platform's egress proxy: the app's policy lets it
 * reach the proxy alone, on a port of its own, and the proxy lets through only these names on
 * these ports (lib/proxy).
 */
export interface HostsDestination extends DestinationBase {
  /**
   * The names, e.g. `api.openai.com`; case and a trailing dot do not matter. `*.hf.co` stands for
   * every name exactly one label below `hf.co` (`cdn-lfs.hf.co`), neither `hf.co` itself nor names
   * deeper down (`a.b.hf.co`), as a TLS certificate's wildcard does.
   */
  readonly hosts: readonly string[];
}

export function isHostsDestination(d: DestinationBase): d is HostsDestination {
  return 'hosts' in d;
}

/** A name as the proxy matches it: one exact name, or every name one label below `parent`. */
export type HostName = { readonly kind: 'exact'; readonly name: string } | { readonly kind: 'wildcard'; readonly parent: string };

/** The one wildcard form: `*.` and the parent name. */
const WILDCARD_PREFIX = '*.';

/** A host as written, lower-cased and without its trailing dot: `API.OpenAI.com.` is `api.openai.com`. */
function normalizeHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** A valid host (see hostProblem) as the proxy matches it. */
function hostName(host: string): HostName {
  const name = normalizeHost(host);
  return name.startsWith(WILDCARD_PREFIX) ? { kind: 'wildcard', parent: name.slice(WILDCARD_PREFIX.length) } : { kind: 'exact', name };
}

/** A host name as written in the intent and in messages: `api.openai.com`, `*.hf.co`. */
function formatHostName(h: HostName): string {
  return h.kind === 'exact' ? h.name : `${WILDCARD_PREFIX}${h.parent}`;
}

/** The names of a valid destination, normalized, each once, in declaration order. */
export function hostNames(d: HostsDestination): HostName[] {
  const seen = new Set<string>();
  return d.hosts.map(normalizeHost).flatMap((h) => (seen.has(h) ? [] : (seen.add(h), [hostName(h)])));
}

/**
 * Names that reach what no app may: the cluster's own services (reached as in-cluster
 * destinations, never through the proxy) and the clouds' metadata services by name.
 * `metadata.google.internal` answers at 169.254.169.254
 * (https://cloud.google.com/compute/docs/metadata/querying-metadata), as does `instance-data` on
 * EC2 (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html).
 */
const CLUSTER_SUFFIXES = ['svc', DEFAULT_CLUSTER_DOMAIN, 'local', 'localhost'];
const METADATA_NAMES = ['metadata.google.internal', 'metadata.goog', 'instance-data.ec2.internal'];

const ACCEPTED = 'a host name such as "api.openai.com", or "*.hf.co" for every name one label below hf.co';

/** Whether a name lies at or below a suffix. */
const under = (name: string, suffix: string) => name === suffix || name.endsWith(`.${suffix}`);

/** What is wrong with one host as written, or undefined when it is a valid name or wildcard. */
function hostProblem(host: string): string | undefined {
  if (host.trim() === '') return `is empty; accepted: ${ACCEPTED}`;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const ip = parseIp(bare);
  if (ip) {
    const block = `${bare}/${ip.version === 4 ? 32 : 128}`;
    return `is an IP address, which the proxy refuses: addresses belong in a cidr destination; accepted: ${ACCEPTED}. Did you mean { cidr: "${block}", ports: [...] }?`;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host) || /[/:?#@]/.test(host)) {
    let suggestion = '';
    try {
      const url = new URL(/:\/\//.test(host) ? host : `https://${host}`);
      suggestion = `. Did you mean "${url.hostname}"${url.port ? ` with ports: [${url.port}]` : ''}?`;
    } catch {
      // no suggestion for what is not a URL either
    }
    return `is not a bare host name (it has a scheme, port, path or user); accepted: ${ACCEPTED}, the ports in ports${suggestion}`;
  }
  const name = normalizeHost(host);
  if (name === '*') return `allows every name, which is no egress control; accepted: ${ACCEPTED}`;
  const wildcard = name.startsWith(WILDCARD_PREFIX);
  const rest = wildcard ? name.slice(WILDCARD_PREFIX.length) : name;
  if (rest.includes('*'))
    return `has a wildcard other than one leading "*."; accepted: ${ACCEPTED} (the wildcard stands for exactly one label, and only in front)`;
  // eslint-disable-next-line no-control-regex -- non-ASCII is what is looked for
  if (/[^\x00-\x7f]/.test(rest)) {
    const ascii = domainToASCII(rest);
    return `is not written in ASCII; accepted: the name's ASCII (punycode) form${ascii ? `. Did you mean "${wildcard ? WILDCARD_PREFIX : ''}${ascii}"?` : ''}`;
  }
  const labels = rest.split('.');
  const bad = labels.find((l) => !isDns1123Label(l));
  if (bad !== undefined || rest.length > 253)
    return `is not a valid host name (${bad === '' ? 'an empty label' : bad !== undefined ? `label "${bad}"` : 'longer than 253 characters'}); accepted: ${ACCEPTED}, each label of letters, digits and "-", not starting or ending with "-", at most 63 characters`;
  if (/^[0-9]+$/.test(labels[labels.length - 1]))
    return `ends in a numeric label, which no top-level domain is; accepted: ${ACCEPTED} (addresses belong in a cidr destination)`;
  const cluster = CLUSTER_SUFFIXES.find((s) => under(rest, s));
  if (cluster)
    return `is a name of the cluster (under ".${cluster}"), which the proxy never resolves; accepted: an in-cluster destination { namespace, podLabels, ports } for a service of the cluster`;
  const metadata = METADATA_NAMES.find((m) => under(rest, m) || (wildcard && m.slice(m.indexOf('.') + 1) === rest));
  if (metadata) return `names a cloud metadata service (${metadata}), which is never reachable; accepted: ${ACCEPTED}`;
  if (wildcard && getDomain(rest, { allowPrivateDomains: true }) === null) {
    return `covers every name registered under "${rest}", a public suffix (the Public Suffix List: anyone may register a name there, so it is no destination of yours); accepted: exact names, or a wildcard below a domain that is registered, e.g. "*.example.co.uk"`;
  }
  if (!wildcard && labels.length < 2)
    return `is a single label, which names no host on the internet (cluster services are in-cluster destinations: { namespace, podLabels, ports }); accepted: ${ACCEPTED}`;
  return undefined;
}

/** The list of hosts: at least one, each valid, none twice once normalized. */
const hostList = z
  .array(text(ACCEPTED), says('is not a list of hosts', `a list of host names, e.g. ["api.openai.com"]`))
  .readonly()
  .superRefine((value, ctx) => {
    if (value.length === 0) problem(ctx, value, `is empty; accepted: at least one host: ${ACCEPTED}`);
    const seen = new Map<string, number>();
    value.forEach((host, i) => {
      const wrong = hostProblem(host);
      if (wrong) {
        problem(ctx, host, wrong, [i]);
        return;
      }
      const name = normalizeHost(host);
      const first = seen.get(name);
      if (first !== undefined) problem(ctx, host, `is hosts[${first}] again (as "${name}"); accepted: each name once`, [i]);
      else seen.set(name, i);
    });
  });

/**
 * `{ hosts, ports }`: names through the egress proxy. Refused: IP addresses (cidr destinations),
 * URLs, a bare `*`, wildcards other than one leading `*.`, wildcards on a public suffix
 * (`*.com`, `*.co.uk`, `*.s3.amazonaws.com`), names of the cluster (under its declared
 * `dnsResolver.clusterDomain` too) or of cloud metadata services,
 * an empty list, a name twice, a protocol other than TCP (the proxy carries HTTP and HTTPS) and
 * port 53 (DNS goes to the cluster's resolver).
 */
export const hostsKind: DestinationKind<HostsDestination> = {
  key: 'hosts',
  form: '{ hosts, ports }',
  schema: fields('a hosts destination', {
    hosts: hostList,
    ports,
    protocol: protocol.optional(),
    description: text('a few words saying what the destination is').optional(),
  }).superRefine((d, ctx) => {
    if (d.protocol !== undefined && d.protocol !== 'TCP')
      problem(ctx, d.protocol, 'is not carried by the egress proxy, which forwards HTTP and HTTPS over TCP; accepted: protocol "TCP", or none', ['protocol']);
    d.ports.forEach((p: PortSpec, i: number) => {
      const dns = typeof p === 'number' ? p === 53 : p.from <= 53 && 53 <= p.to;
      if (dns)
        problem(
          ctx,
          p,
          'includes port 53, DNS, which goes to the cluster resolver and never through the proxy; accepted: the ports of HTTP or HTTPS services, e.g. 443',
          ['ports', i],
        );
    });
  }),
  // The cluster's own domain, as the intent declares it: `cluster.local` is refused with the fixed
  // suffixes above (hostProblem), and another `dnsResolver.clusterDomain` only the whole intent knows.
  check: (d, { clusterDomain }) => {
    const domain = normalizeHost(clusterDomain);
    return d.hosts.flatMap((host, index) => {
      const h = hostName(host);
      const name = h.kind === 'exact' ? h.name : h.parent;
      if (!under(name, domain)) return [];
      return [
        {
          field: 'hosts',
          index,
          value: host,
          message: `is a name of the cluster (under ".${domain}", the cluster domain dnsResolver.clusterDomain declares), which the egress proxy would resolve through kube-dns to the cluster's own Services, a way into the cluster; accepted: an in-cluster destination { namespace, podLabels, ports } for a service of the cluster, or a host name outside ".${domain}"`,
        },
      ];
    });
  },
  describe: (d) => `hosts ${d.hosts.join(', ')}`,
  peer: (d) => ({ kind: 'proxy', hosts: hostNames(d).map(formatHostName) }),
  // A name the proxy lets through for this destination: one of its names, or one label below a wildcard's parent, on one of its ports.
  coversHost: (d, host, port) => {
    const name = normalizeHost(host);
    const named = hostNames(d).some((h) => (h.kind === 'exact' ? h.name === name : name.slice(name.indexOf('.') + 1) === h.parent && name.indexOf('.') > 0));
    return named && (port === undefined || d.ports.some((p) => (typeof p === 'number' ? p === port : p.from <= port && port <= p.to)));
  },
};
