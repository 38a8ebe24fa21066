/**
 * Jest matchers for reach, on the verifier (lib/verify): may this workload send this packet, may
 * it receive it, and does it reach exactly these destinations. Every message names the rule, the
 * end of tier or the default that decided, in the verifier's words (lib/verify/words.ts).
 */
import {
  describeDecision,
  describeDestination,
  describePorts,
  describeProtocolPorts,
  explainDirection,
  formatHostPattern,
  hostQueryText,
  isHostName,
  ManifestError,
  query,
  queryHost,
  QueryError,
  WorkloadEgress,
  workloadEgress,
} from '../verify';
import { ExpectedReach, byAddress, clusterOf, expectedEntries, expectedHosts, hostDifferences, reachDifferences, whyDenied, whyNotReached } from './reach';
import { Protocol } from '../k8s';

type Result = jest.CustomMatcherResult;

/** The first line of a message, as jest's own matchers write it: `expect(manifests).not.toDenyEgress(from, to, port)`. */
function hint(context: jest.MatcherContext, name: string, expected: string): string {
  return `${context.utils.matcherHint(name, 'manifests', expected, { isNot: context.isNot })}\n\n`;
}

/** A question the manifests cannot answer (unknown workload, unreadable manifests): it fails with and without `.not`. */
function unanswerable(context: jest.MatcherContext, name: string, expected: string, err: unknown): Result {
  if (err instanceof QueryError || err instanceof ManifestError || err instanceof TypeError)
    return { pass: context.isNot === true, message: () => `${hint(context, name, expected)}${err.message}` };
  throw err;
}

function pointMatcher(direction: 'egress' | 'ingress', expectAllowed: boolean) {
  const name = `to${expectAllowed ? 'Allow' : 'Deny'}${direction === 'egress' ? 'Egress' : 'Ingress'}`;
  return function matcher(
    this: jest.MatcherContext,
    received: unknown,
    subject: string,
    other: string,
    port: number | string,
    protocol: Protocol = 'TCP',
  ): Result {
    const [from, to] = direction === 'egress' ? [subject, other] : [other, subject];
    const args = direction === 'egress' ? 'from, to, port' : 'to, from, port';
    if (direction === 'egress' && !other.includes('/') && isHostName(other))
      return byName.call(this, name, expectAllowed, received, subject, other, port, protocol);
    let answer;
    try {
      answer = query(clusterOf(received), from, to, port, protocol);
    } catch (err) {
      return unanswerable(this, name, args, err);
    }
    const side = answer[direction];
    const packet = `${protocol} ${port}`;
    const asked = (not = false) =>
      direction === 'egress'
        ? `${subject} ${not ? 'not ' : ''}to be ${expectAllowed ? 'allowed' : 'denied'} egress to ${other} on ${packet}`
        : `${subject} ${not ? 'not ' : ''}to ${expectAllowed ? 'admit' : 'refuse'} ${other} on ${packet}`;
    if (!side.applies) {
      return {
        pass: this.isNot === true,
        message: () => `${hint(this, name, args)}expected ${asked()}, but ${subject} is no workload of the manifests: ${explainDirection(side)}`,
      };
    }
    const outcome = direction === 'egress' ? (side.allowed ? 'allowed' : 'denied') : side.allowed ? 'admitted' : 'refused';
    return {
      pass: side.allowed === expectAllowed,
      message: () => `${hint(this, name, args)}expected ${asked(this.isNot === true)}, but it is ${outcome}: ${explainDirection(side)}`,
    };
  };
}

/** A point matcher asked about a host name: through the egress proxies the workload may connect to. */
function byName(
  this: jest.MatcherContext,
  name: string,
  expectAllowed: boolean,
  received: unknown,
  from: string,
  host: string,
  port: number | string,
  protocol: Protocol,
): Result {
  const args = 'from, host, port';
  let answer;
  try {
    if (protocol !== 'TCP') throw new QueryError(`a host name is reached through an egress proxy, over TCP only, not ${protocol}`);
    answer = queryHost(clusterOf(received), from, host, Number(port));
  } catch (err) {
    return unanswerable(this, name, args, err);
  }
  const asked = `${from} ${this.isNot ? 'not ' : ''}to be ${expectAllowed ? 'allowed' : 'denied'} egress to ${host} on TCP ${port}`;
  return {
    pass: answer.allowed === expectAllowed,
    message: () => `${hint(this, name, args)}expected ${asked}, but it is ${answer.allowed ? 'allowed' : 'denied'}:\n${hostQueryText(answer)}`,
  };
}

function toReachExactly(this: jest.MatcherContext, received: unknown, from: string, expected: readonly ExpectedReach[]): Result {
  let cluster;
  let egress: WorkloadEgress;
  try {
    cluster = clusterOf(received);
    const endpoint = cluster.endpoint(from);
    // An unknown workload: the verifier's own QueryError says so and lists the known ones.
    if (!endpoint) query(cluster, from, from, 1);
    egress = workloadEgress(cluster, endpoint!);
  } catch (err) {
    return unanswerable(this, 'toReachExactly', 'from, expected', err);
  }
  const differences = reachDifferences(expectedEntries(expected), byAddress(cluster, egress));
  const names = hostDifferences(expectedHosts(expected), egress);
  const count = `${expected.length} expected destination${expected.length === 1 ? '' : 's'}`;
  const line = (c: (typeof differences)[number]) => `${describeProtocolPorts([c])} to ${c.peers.map((d) => describeDestination(d)).join(', ')}`;
  const added = differences
    .filter((c) => c.change === 'added')
    .map((c) => `  + ${line(c)}, allowed${c.after && c.after.reason === 'rule' ? ' by ' : ': '}${c.after ? describeDecision(c.after) : ''}`);
  const removed = differences
    .filter((c) => c.change === 'removed')
    .map((c) => {
      const why = whyDenied(cluster, from, c);
      return `  - ${line(c)}${why ? `: ${why}` : ''}`;
    });
  const viaOf = (h: (typeof names.added)[number]) =>
    egress.hosts?.allowed.find((e) => formatHostPattern(e.host) === formatHostPattern(h.host) && e.ports.from <= h.ports.from && h.ports.from <= e.ports.to)
      ?.via;
  added.push(
    ...names.added.map((h) => {
      const via = viaOf(h);
      return `  + TCP ${describePorts(h.ports)} to host ${formatHostPattern(h.host)}, allowed${via ? ` via ${via.proxy} port ${via.port}, line ${via.rule.line}: ${via.rule.text}` : ''}`;
    }),
  );
  removed.push(...names.removed.map((h) => `  - TCP ${describePorts(h.ports)} to host ${formatHostPattern(h.host)}: ${whyNotReached(cluster, from, h)}`));
  const same = differences.length === 0 && names.added.length === 0 && names.removed.length === 0;
  return {
    pass: same,
    message: () =>
      hint(this, 'toReachExactly', 'from, expected') +
      (same
        ? `expected ${from} not to reach exactly the ${count}, but it does`
        : [
            `expected ${from} to reach exactly the ${count}, but`,
            ...(added.length ? [`it may also reach (not expected):`, ...added] : []),
            ...(removed.length ? [`it may not reach (expected):`, ...removed] : []),
          ].join('\n')),
  };
}

/**
 * The matchers, for `expect.extend(reachMatchers)` (test/support/reach-matchers.ts does it for
 * every test of this project, through jest.config.js).
 */
export const reachMatchers = {
  /**
   * `expect(manifests).toAllowEgress('ai/llm', '203.0.113.10', 443)`: the sender's egress allows it (its ingress aside);
   * `toAllowEgress('ai/llm', 'api.openai.com', 443)`: the name is reached through an egress proxy (both policies to the proxy, its configuration, its egress).
   */
  toAllowEgress: pointMatcher('egress', true),
  /** `expect(manifests).toDenyEgress('ai/llm', '169.254.169.254', 80)`: the sender's egress denies it. */
  toDenyEgress: pointMatcher('egress', false),
  /** `expect(manifests).toAllowIngress('ai/llm', 'gateway/router', 8000)`: the receiver's ingress admits the sender. */
  toAllowIngress: pointMatcher('ingress', true),
  /** `expect(manifests).toDenyIngress('ai/llm', 'web/site', 8000)`: the receiver's ingress refuses the sender. */
  toDenyIngress: pointMatcher('ingress', false),
  /** `expect(manifests).toReachExactly('ai/llm', [{ cidr: '203.0.113.10/32', ports: [443] }, { hosts: ['api.openai.com'], ports: [443] }, ...])`: all it may send to, by address and by name, and nothing else. */
  toReachExactly,
};

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- declaration merging: jest's own Matchers interface, declared in the global namespace jest (@types/jest), gains the reach matchers, typed.
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars, @typescript-eslint/no-empty-object-type -- to merge, the type parameters must be @types/jest's own, `Matchers<R, T = {}>`, used or not.
    interface Matchers<R, T = {}> {
      /** The sender's egress policies allow `from` to send to `to` (an endpoint `namespace/name`, an address, or a host name through an egress proxy) on the port. */
      toAllowEgress(from: string, to: string, port: number | string, protocol?: Protocol): R;
      /** The sender's egress policies deny it; the message names the rule or end of tier that did. */
      toDenyEgress(from: string, to: string, port: number | string, protocol?: Protocol): R;
      /** The receiver `to` admits `from` (an endpoint) on the port, by its ingress policies. */
      toAllowIngress(to: string, from: string, port: number | string, protocol?: Protocol): R;
      /** The receiver `to` refuses `from` on the port. */
      toDenyIngress(to: string, from: string, port: number | string, protocol?: Protocol): R;
      /** `from` may send to exactly these destinations (DNS included), on exactly these ports, and nowhere else. */
      toReachExactly(from: string, expected: readonly ExpectedReach[]): R;
    }
  }
}
