/**
 * The Corefile of the resolver of cluster names: what CoreDNS answers and what it refuses.
 *
 * Grammar and semantics, from CoreDNS's own pages (coredns/coredns, corefile.5.md and each
 * plugin's README.md, v1.12): a Corefile is a list of server blocks, each opened by one or more
 * keys `ZONE[:PORT]` and holding plugin directives, one a line, `#` starting a comment. A query
 * goes to the server block whose zone is the longest suffix of the name asked, on the port it came
 * in on; `.` matches every name. Within a block, plugins run in the order CoreDNS was compiled with
 * (plugin.cfg), not the order written.
 *
 * - `CLUSTER_DOMAIN:53` holds `forward . /etc/resolv.conf`: names of the cluster's domain go to the
 *   nameserver of the resolver's own pod, which runs with `dnsPolicy: ClusterFirst`, so that is
 *   kube-dns (or NodeLocal DNSCache in front of it). kube-dns answers the cluster domain itself
 *   (the kubernetes plugin is authoritative for it) and never forwards it.
 * - `.:53` holds `acl { block }`: "block returns status code of REFUSED" (plugin/acl/README.md), for
 *   every source and type. So every other name, reverse lookups (`in-addr.arpa`, `ip6.arpa`)
 *   included, is refused here and never leaves the cluster. `log . { class error }` writes each
 *   refused query to the pod's log ("error: SERVFAIL, NOTIMP, REFUSED", plugin/log/README.md): the
 *   trace of an attempt to send data out in names. `health` (:8080) and `ready` (:8181) serve the
 *   probes; `reload` applies a changed ConfigMap without a restart.
 */

/** Where the probes of the resolver's container ask: the `health` and `ready` plugins' default ports. */
export const RESOLVER_PROBE_PORTS = { health: 8080, ready: 8181 } as const;

/** The Corefile that forwards the cluster domain to kube-dns and refuses every other name. */
export function resolverCorefile(clusterDomain: string): string {
  return [
    '# The resolver of cluster names of secure-ai-egress: the names of the cluster domain go to',
    "# kube-dns (this pod's nameserver, dnsPolicy ClusterFirst); every other name is refused, never forwarded.",
    `${clusterDomain}:53 {`,
    '    errors',
    '    cache 30',
    '    forward . /etc/resolv.conf',
    '}',
    '.:53 {',
    '    errors',
    '    log . {',
    '        class error',
    '    }',
    '    health {',
    '        lameduck 5s',
    '    }',
    '    ready',
    '    reload',
    '    acl {',
    '        block',
    '    }',
    '}',
    '',
  ].join('\n');
}
