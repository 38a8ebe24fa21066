import { DESCRIPTION_ANNOTATION, RULE_DESCRIPTIONS_ANNOTATION } from '../conventions';
import { egressReport } from './egress';
import { egressJson } from './json';
import { describeDecision } from './words';
import { calico, readCluster, deployment, namespace, networkPolicy } from '../../test/support/verify-builders';

const registry = { to: [{ ipBlock: { cidr: '203.0.113.10/32' } }], ports: [{ port: 443 }] };

describe('what a rule is for, shown beside the rule that decided', () => {
  it("reads a Kubernetes NetworkPolicy's rule descriptions from its annotation, a line per rule, in text and JSON", () => {
    const policy = networkPolicy('ai', 'rag-egress', { podSelector: { matchLabels: { app: 'rag' } }, policyTypes: ['Egress'], egress: [registry] });
    const described = {
      ...policy,
      metadata: { ...(policy.metadata as object), annotations: { [RULE_DESCRIPTIONS_ANNOTATION]: 'egress[0]: model registry mirror' } },
    };
    const cluster = readCluster([namespace('ai'), deployment('ai', 'rag', { app: 'rag' }), described]);
    const [entry] = egressReport(cluster).workloads[0].allowed;
    expect(describeDecision(entry.decidedBy)).toBe('rule 0 of Kubernetes NetworkPolicy ai/rag-egress (tier default): model registry mirror');
    expect(egressJson(egressReport(cluster)).workloads[0].allowed[0].decidedBy).toMatchObject({ rule: 0, description: 'model registry mirror' });
  });

  it("reads a Calico rule's description from its own metadata, and says nothing of a rule without one", () => {
    const cluster = readCluster([
      namespace('ai'),
      deployment('ai', 'rag', { app: 'rag' }),
      calico(
        'NetworkPolicy',
        'rag',
        {
          selector: "app == 'rag'",
          types: ['Egress'],
          egress: [
            {
              action: 'Allow',
              protocol: 'TCP',
              destination: { nets: ['203.0.113.10/32'], ports: [443] },
              metadata: { annotations: { [DESCRIPTION_ANNOTATION]: 'object storage' } },
            },
            { action: 'Allow', protocol: 'TCP', destination: { nets: ['198.51.100.0/24'], ports: [443] } },
          ],
        },
        'ai',
      ),
    ]);
    const words = egressReport(cluster).workloads[0].allowed.map((e) => describeDecision(e.decidedBy));
    expect(words).toEqual(['rule 1 of NetworkPolicy ai/rag (tier default)', 'rule 0 of NetworkPolicy ai/rag (tier default): object storage']);
  });
});
