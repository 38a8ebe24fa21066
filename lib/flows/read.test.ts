import { readFileSync } from 'fs';
import { join } from 'path';
import { readFlowLog } from './read';
import { FlowRecord } from './record';

const FIXTURES = join(__dirname, '../../test/fixtures/flows');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

/** A Goldmane Flow as protobuf JSON writes it (lowerCamelCase, int64 as strings, zero values left out). */
const goldmaneFlow = {
  Key: {
    sourceName: 'ai-service-6c9f7d5b8d-*',
    sourceNamespace: 'ai-application',
    sourceType: 'WorkloadEndpoint',
    destName: 'pub',
    destNamespace: '-',
    destType: 'Network',
    destPort: '443',
    proto: 'tcp',
    reporter: 'Src',
    action: 'Deny',
    policies: {
      enforcedPolicies: [
        { kind: 'GlobalNetworkPolicy', name: 'ai-egress.pass-to-kubernetes-policies', tier: 'ai-egress', action: 'Pass' },
        {
          kind: 'EndOfTier',
          tier: 'default',
          action: 'Deny',
          policyIndex: '1',
          ruleIndex: '-1',
          trigger: { kind: 'NetworkPolicy', namespace: 'ai-application', name: 'default-deny-all', tier: 'default' },
        },
      ],
    },
  },
  startTime: '1748854800',
  endTime: '1748854815',
  sourceLabels: ['app.kubernetes.io/name=ai-service', 'pod-template-hash=6c9f7d5b8d'],
  packetsIn: '3',
  packetsOut: '1',
  bytesIn: '180',
  bytesOut: '60',
  numConnectionsStarted: '2',
};

/** The same flow as Whisker's backend writes it (protoconvert.go protoToFlow, Go's JSON). */
const whiskerFlow = {
  start_time: '2025-06-02T09:00:00Z',
  end_time: '2025-06-02T09:00:15Z',
  action: 'Deny',
  source_name: 'ai-service-6c9f7d5b8d-*',
  source_namespace: 'ai-application',
  source_labels: 'app.kubernetes.io/name=ai-service | pod-template-hash=6c9f7d5b8d',
  dest_name: 'PUBLIC NETWORK',
  dest_namespace: '-',
  dest_labels: '',
  protocol: 'tcp',
  dest_port: 443,
  reporter: 'Src',
  policies: {
    enforced: [
      {
        kind: 'GlobalNetworkPolicy',
        name: 'ai-egress.pass-to-kubernetes-policies',
        namespace: '',
        tier: 'ai-egress',
        action: 'Pass',
        policy_index: 0,
        rule_index: 0,
        trigger: null,
      },
      {
        kind: 'EndOfTier',
        name: '',
        namespace: '',
        tier: 'default',
        action: 'Deny',
        policy_index: 1,
        rule_index: -1,
        trigger: {
          kind: 'NetworkPolicy',
          name: 'default-deny-all',
          namespace: 'ai-application',
          tier: 'default',
          action: 'ActionUnspecified',
          policy_index: 0,
          rule_index: 0,
          trigger: null,
        },
      },
    ],
    pending: null,
  },
  packets_in: 3,
  packets_out: 1,
  bytes_in: 180,
  bytes_out: 60,
};

/** What both read into, the count of connections aside (Whisker's JSON does not carry it). */
const expected: Omit<FlowRecord, 'line' | 'format' | 'connections'> = {
  source: {
    type: 'WorkloadEndpoint',
    name: 'ai-service-6c9f7d5b8d-*',
    namespace: 'ai-application',
    labels: { 'app.kubernetes.io/name': 'ai-service', 'pod-template-hash': '6c9f7d5b8d' },
  },
  destination: { type: 'Network', name: 'pub', labels: {} },
  port: 443,
  protocol: 'TCP',
  reporter: 'Src',
  action: 'Deny',
  enforced: [
    { kind: 'GlobalNetworkPolicy', name: 'ai-egress.pass-to-kubernetes-policies', tier: 'ai-egress', action: 'Pass', policyIndex: 0, ruleIndex: 0 },
    {
      kind: 'EndOfTier',
      name: '',
      tier: 'default',
      action: 'Deny',
      policyIndex: 1,
      ruleIndex: -1,
      trigger: { kind: 'NetworkPolicy', name: 'default-deny-all', namespace: 'ai-application', tier: 'default' },
    },
  ],
  pending: [],
  startTime: 1748854800,
  endTime: 1748854815,
  packets: 4,
  bytes: 240,
};

describe('reading flow logs', () => {
  it("reads a Goldmane Flow in protobuf JSON and Whisker's FlowResponse into the same record", () => {
    const goldmane = readFlowLog(JSON.stringify(goldmaneFlow));
    expect(goldmane).toEqual({ records: [{ ...expected, line: 1, format: 'goldmane', connections: 2 }], malformed: [] });
    const whisker = readFlowLog(JSON.stringify(whiskerFlow));
    // Whisker carries no endpoint types: the source's type stays unknown; the network is known by its name.
    expect(whisker).toEqual({ records: [{ ...expected, source: { ...expected.source, type: undefined }, line: 1, format: 'whisker' }], malformed: [] });
  });

  it('accepts the proto field names beside the lowerCamelCase ones, enums by number, and 64-bit integers as numbers, as protobuf JSON parsers do', () => {
    const key = goldmaneFlow.Key;
    const snake = {
      Key: {
        source_name: key.sourceName,
        source_namespace: key.sourceNamespace,
        source_type: 1,
        dest_name: key.destName,
        dest_namespace: key.destNamespace,
        dest_type: 4,
        dest_port: 443,
        proto: key.proto,
        reporter: 1,
        action: 2,
        policies: { enforced_policies: key.policies.enforcedPolicies.map((h) => ({ ...h, kind: h.kind === 'EndOfTier' ? 10 : 2 })) },
      },
      start_time: 1748854800,
      end_time: 1748854815,
      source_labels: goldmaneFlow.sourceLabels,
      packets_in: 3,
      packets_out: 1,
      bytes_in: 180,
      bytes_out: 60,
      num_connections_started: 2,
    };
    expect(readFlowLog(JSON.stringify(snake)).records).toEqual([{ ...expected, line: 1, format: 'goldmane', connections: 2 }]);
  });

  it('ignores fields it does not read, as a newer Calico may add some', () => {
    const newer = { ...goldmaneFlow, Key: { ...goldmaneFlow.Key, destServiceName: 'api', somethingNew: { nested: true } }, futureField: [1, 2] };
    expect(readFlowLog(JSON.stringify(newer))).toMatchObject({ records: [{ port: 443 }], malformed: [] });
  });

  it('reads every form the APIs give: one record per line, a FlowResult, a list answer, a JSON array, an event stream, indented messages one after another', () => {
    const result = { id: '7', flow: goldmaneFlow };
    const forms: Record<string, string> = {
      'Goldmane FlowResults, one per line': [result, result].map((r) => JSON.stringify(r)).join('\n'),
      'Goldmane Flows/List through grpcurl': JSON.stringify({ meta: { totalPages: '1', totalResults: '2' }, flows: [result, result] }, null, 2),
      'Goldmane Flows/Stream through grpcurl (indented messages)': `${JSON.stringify(result, null, 2)}\n${JSON.stringify(result, null, 2)}\n`,
      "Whisker's /flows answer": JSON.stringify({ total: { totalPages: 1 }, items: [whiskerFlow, whiskerFlow] }),
      "Whisker's /flows?watch=true stream": `data: ${JSON.stringify(whiskerFlow)}\n\ndata: ${JSON.stringify(whiskerFlow)}\n\n`,
      'a JSON array': JSON.stringify([whiskerFlow, result]),
    };
    for (const [form, text] of Object.entries(forms)) {
      const log = readFlowLog(text);
      expect({ form, malformed: log.malformed, records: log.records.length }).toEqual({ form, malformed: [], records: 2 });
      for (const r of log.records) expect(r).toMatchObject({ port: 443, action: 'Deny', destination: { name: 'pub' } });
    }
  });

  it('gives each record of an indented list the line its object starts on', () => {
    const log = readFlowLog(fixture('unattributed.goldmane.json'));
    expect(log.records.map((r) => r.line)).toEqual([7, 66, 125, 184]);
    expect(log.malformed).toEqual([
      { line: 243, reason: 'flows[4].flow.Key.destType: "Internet" is not an endpoint type (WorkloadEndpoint, HostEndpoint, NetworkSet, Network)' },
    ]);
  });

  it('counts each malformed record with its line and why, and reads the records after it', () => {
    const log = readFlowLog(fixture('audit.goldmane.jsonl'));
    expect(log.malformed).toEqual([
      { line: 10, reason: 'not JSON (Unterminated string in JSON at position 130)' },
      { line: 16, reason: 'flow.Key.action: "Maybe" is not a flow action (Allow, Deny)' },
      { line: 21, reason: 'flow.Key.destPort: "https" is not an integer' },
      { line: 25, reason: `not JSON (Unexpected token 'F', "Failed to "... is not valid JSON)` },
    ]);
    expect(log.records).toHaveLength(25);
    expect(log.records.map((r) => r.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 17, 18, 19, 20, 22, 23, 24, 26, 27, 28, 29]);
  });

  it('reads the event stream alike, and counts the error the stream reported', () => {
    const log = readFlowLog(fixture('audit.whisker.sse'));
    expect(log.records).toHaveLength(25);
    expect(log.malformed.map((m) => m.line)).toEqual([19, 31, 41, 49]);
    expect(log.malformed[3].reason).toBe('the stream reported an error: rpc error: code = Unavailable desc = error reading from server: EOF');
  });

  it('never throws on what it is given: each bad record is one malformed entry naming the field', () => {
    const cases: [string, string][] = [
      ['{"Key": {"sourceType": "WorkloadEndpoint"}}', 'Key.destType is missing (unspecified); accepted: WorkloadEndpoint, HostEndpoint, NetworkSet, Network'],
      [JSON.stringify({ ...goldmaneFlow, Key: { ...goldmaneFlow.Key, destPort: '70000' } }), 'Key.destPort: "70000" is not a port (0-65535)'],
      [JSON.stringify({ ...goldmaneFlow, Key: { ...goldmaneFlow.Key, destName: 'internet' } }), 'Key.destName: "internet" is not a network name (pub, pvt)'],
      [
        JSON.stringify({
          ...goldmaneFlow,
          Key: { ...goldmaneFlow.Key, policies: { enforcedPolicies: [{ kind: 'EndOfTier', tier: 'default', action: 'Deny' }] } },
        }),
        'Key.policies.enforcedPolicies[0].trigger is missing: an EndOfTier hit names the policy that selected the endpoint',
      ],
      [JSON.stringify({ ...whiskerFlow, start_time: 'yesterday' }), 'start_time: "yesterday" is not an RFC 3339 time'],
      [JSON.stringify({ ...whiskerFlow, source_labels: 42 }), 'source_labels: 42 is not a string'],
      [
        JSON.stringify({ hello: 'world' }),
        'the record is not a flow record; accepted: a Goldmane Flow (with Key), a FlowResult (with flow), a Whisker FlowResponse (with source_name and dest_name), or a list of them',
      ],
      ['{"error": "Internal Server Error"}', 'the server answered with an error: Internal Server Error'],
      ['42', 'the record is not an object'],
      ['data: {"start_time": ', 'not JSON (Unexpected end of JSON input)'],
    ];
    for (const [text, reason] of cases) expect(readFlowLog(text)).toEqual({ records: [], malformed: [{ line: 1, reason }] });
  });

  it('a line whose brackets never close is counted alone, and the records after it are read', () => {
    const text = ['{"id": "1", "flow": {"Key": {', JSON.stringify(goldmaneFlow), JSON.stringify(goldmaneFlow)].join('\n');
    const log = readFlowLog(text);
    expect(log.records.map((r) => r.line)).toEqual([2, 3]);
    expect(log.malformed).toEqual([{ line: 1, reason: expect.stringMatching(/^not JSON/) }]);
  });

  it('reads an empty log as no records and nothing malformed', () => {
    expect(readFlowLog('')).toEqual({ records: [], malformed: [] });
    expect(readFlowLog('{"total":{"totalPages":0},"items":null}\n')).toEqual({ records: [], malformed: [] });
    expect(readFlowLog('{"meta": {"totalPages": "0"}}')).toEqual({ records: [], malformed: [] });
  });
});
