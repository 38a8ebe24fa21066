/**
 * The egress proxy of hostname destinations: a Squid Deployment in a namespace of its own, its
 * configuration written from the intent (a port per app, the app's names and ports on it), and its
 * policies (the apps, each on its own port, in; DNS and public addresses on the declared ports,
 * out). lib/platform adds it when some app declares names.
 */
export { EgressProxy } from './proxy';
