/**
 * squid.conf, read for the subset whose meaning Squid 5.7 and 6.x share, and decided as Squid
 * decides `http_access`: what each listening port lets through, by name and port. A leaf: it
 * imports nothing of the project, so the verifier reads with it the proxy configuration of any
 * manifests.
 */
export { SquidConfigError, parseSquidConfig } from './config';
export type { ListeningPort, SquidConfig } from './config';
export { decide, portReach } from './decide';
export type { ListeningPortReach, SquidDecision } from './decide';
export { formatHostPattern, hostCovers, hostMatches, parseHostPattern } from './hosts';
export type { HostPattern } from './hosts';
