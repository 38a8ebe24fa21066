/**
 * The egress proxy's squid.conf, written from the intent: a listening port per app, and on it the
 * app's declared names and ports, nothing else.
 *
 * Every directive means the same in Squid 5.7 (Debian 12, which the tests run) and in Squid 6.x
 * (Ubuntu 24.04, the image the Deployment runs); the sources are squid-cache/squid at SQUID_5_7
 * and SQUID_6_13, src/cf.data.pre, and the release notes of Squid 6 and 7
 * (doc/release-notes/release-6.sgml.in, release-7.sgml.in):
 * - `http_port PORT name=NAME` and `acl NAME myportname NAME`: the port a request came in on,
 *   by name; unchanged.
 * - `acl dstdomain -n`: names, compared case-insensitively, `-n` so that an IP literal is never
 *   looked up; unchanged in 6 (Squid 7 merges overlapping values, which these never are: exact
 *   names, each once).
 * - `acl dstdom_regex -n -i`: the one-label wildcard as `^[^.]+\.parent$`, and the IP literals as
 *   `^[0-9.]+$` (Squid writes every IPv4 form, `2130706433` included, dotted) and `:` (IPv6);
 *   unchanged.
 * - `acl port`, `acl method CONNECT`, `acl proto HTTP`: unchanged.
 * - `acl dst`: the name's addresses, looked up when first evaluated; it matches when any of them is
 *   in the list (src/acl/DestinationIp.cc). Squid 7 merges overlapping values; these never
 *   overlap (lib/net nonPublicBlocks).
 * - `http_access`: first matching line decides; unchanged. `note`: annotations logged with
 *   `%{key}note`, applied when the transaction is logged (src/client_side.cc, logRequest);
 *   unchanged (Squid 6 only refuses changing the key of a `note` ACL, not used).
 * - `logformat` codes `%ts %tu %>rd %>rP %rm %Ss %>Hs %>a %<a`: unchanged, except that from 6 on
 *   `%Ss` says TCP_TUNNEL for a tunnel that was attempted and failed, where 5.7 wrote another
 *   status: the verdict is therefore read from `%>Hs` (200 tunnel or answer, 403 refused, 5xx
 *   allowed but the connection failed).
 * - `access_log stdio:/dev/stdout`, `cache_log /dev/stderr`, `pid_filename none`,
 *   `netdb_filename none`, `coredump_dir none`, `pinger_enable off`, `cache deny all`,
 *   `cache_mem 0 MB`, `shutdown_lifetime`, `httpd_suppress_version_string on`,
 *   `forwarded_for delete`, `visible_hostname`: unchanged.
 * - `url_rewrite_extras`, `store_id_extras`: what a rewriter or store-ID helper is told, and no
 *   helper runs here; unchanged. Their defaults hold `%>A`, the client's name, and Squid 5 resolves
 *   every client's address when any format holds it (src/format/Token.cc sets log_fqdn,
 *   src/client_side.cc whenClientIpKnown), where Squid 6 does so only once a `%>A` is logged
 *   (src/AccessLogEntry.cc, getLogClientFqdn): without `%>A` there, neither looks a client up.
 */
import { EgressProxyRoute, HostName, PortSpec } from '../intent';
import { formatCidr, nonPublicBlocks } from '../net';

/** One app's share of the proxy: its route (its port) and its hostname destinations. */
export interface ProxiedApp {
  readonly route: EgressProxyRoute;
  readonly destinations: readonly {
    /** Its index in the app's egress, for the ACL names and the comments. */
    readonly index: number;
    readonly names: readonly HostName[];
    readonly ports: readonly PortSpec[];
  }[];
}

/** The access log's format: who (app), where (host, port), how (method) and the verdict (status to the client, Squid's status), and the addresses. */
const ACCESS_LOG_FORMAT = '%ts.%03tu app=%{app}note host=%>rd port=%>rP method=%rm verdict=%>Hs squid=%Ss client=%>a server=%<a';

/** The name Squid gives itself in its error pages. */
const VISIBLE_HOSTNAME = 'egress-proxy';

/** Seconds a stopping proxy lets open tunnels finish (Squid's default is 30; the pod's grace period covers it). */
export const SHUTDOWN_SECONDS = 15;

/** The listening port's name of an app: its port number, stable as long as the app keeps its port. */
const portName = (route: EgressProxyRoute) => `app-${route.port}`;

function ports(list: readonly PortSpec[]): string {
  return list.map((p) => (typeof p === 'number' ? String(p) : `${p.from}-${p.to}`)).join(' ');
}

/** `^[^.]+\.hf\.co$`: one label, then the parent. */
function labelRegex(parent: string): string {
  return `^[^.]+\\.${parent.replace(/\./g, '\\.')}$`;
}

/**
 * squid.conf for the apps, refusing after the lookup every address of `denied` (the non-public
 * blocks of lib/net, cloud metadata, the cluster's ranges) and, with `probePort`, every request on
 * the port the kubelet probes.
 */
export function squidConf(apps: readonly ProxiedApp[], denied: readonly string[], probePort: number): string {
  const lines: string[] = [
    '# The egress proxy of secure-ai-egress, written by npm run synth from the intent (main.ts): edit that, not this.',
    '# Each app sends to a port of its own; the network policies admit it on that port alone, and the lines',
    '# below let through, there, its declared names on its declared ports, and nothing else.',
    '',
    `http_port ${probePort} name=probe`,
    ...apps.map((a) => `http_port ${a.route.port} name=${portName(a.route)}`),
    '',
    '# Refused on every port, before any lookup: the port the kubelet probes, IP literals, and URLs other than http:// and CONNECT.',
    'acl probe myportname probe',
    'acl ip-literal dstdom_regex -n ^[0-9.]+$ :',
    'acl connect-method method CONNECT',
    'acl http-scheme proto HTTP',
    '# Refused after the lookup of a declared name: it resolves to an address that is not public.',
    ...nonPublicBlocks(denied).map((b) => `acl non-public dst ${formatCidr(b)}`),
  ];
  const access: string[] = ['http_access deny probe', 'http_access deny ip-literal', 'http_access deny !connect-method !http-scheme'];
  for (const app of apps) {
    const name = portName(app.route);
    lines.push(
      '',
      `# ${app.route.appNamespace}/${app.route.app}`,
      `acl ${name} myportname ${name}`,
      `note app ${app.route.appNamespace}/${app.route.app} ${name}`,
    );
    for (const d of app.destinations) {
      const base = `${name}-egress-${d.index}`;
      const exact = d.names.flatMap((n) => (n.kind === 'exact' ? [n.name] : []));
      const wildcards = d.names.flatMap((n) => (n.kind === 'wildcard' ? [n.parent] : []));
      lines.push(`acl ${base}-ports port ${ports(d.ports)}`);
      if (exact.length) {
        lines.push(`acl ${base}-names dstdomain -n ${exact.join(' ')}`);
        access.push(`http_access allow ${name} ${base}-names ${base}-ports !non-public`);
      }
      if (wildcards.length) {
        lines.push(`acl ${base}-wildcards dstdom_regex -n -i ${wildcards.map(labelRegex).join(' ')}`);
        access.push(`http_access allow ${name} ${base}-wildcards ${base}-ports !non-public`);
      }
    }
  }
  lines.push(
    '',
    '# Each line needs the port it came in on, a declared name and port, and then an address that is public;',
    '# names are looked up only on the way to that last test.',
    ...access,
    'http_access deny all',
    '',
    '# One line per request on stdout: app, host, port, method, verdict (200 tunnel or answer, 403 refused, 5xx allowed but failed).',
    `logformat egress ${ACCESS_LOG_FORMAT}`,
    'access_log stdio:/dev/stdout egress',
    'cache_log /dev/stderr',
    '# A forward proxy of tunnels: nothing cached, nothing written to the read-only root filesystem.',
    'pid_filename none',
    'netdb_filename none',
    'coredump_dir none',
    'pinger_enable off',
    'cache deny all',
    'cache_mem 0 MB',
    `shutdown_lifetime ${SHUTDOWN_SECONDS} seconds`,
    'httpd_suppress_version_string on',
    'forwarded_for delete',
    '# Named here, so that Squid does not look its own host name up when it starts.',
    `visible_hostname ${VISIBLE_HOSTNAME}`,
    "# No helper reads these; their defaults' %>A makes Squid 5 look every client's address up (a PTR query per connection).",
    'url_rewrite_extras %>a',
    'store_id_extras %>a',
    '',
  );
  return lines.join('\n');
}
