import fc from 'fast-check';
import { RULE_DESCRIPTIONS_ANNOTATION, RuleDescription, formatRuleDescriptions, ruleDescriptionsOf } from '.';
import { runs } from '../../test/support/runs';

const annotations = (text: string) => ({ [RULE_DESCRIPTIONS_ANNOTATION]: text });

describe('the rule-descriptions annotation: written by formatRuleDescriptions, read by ruleDescriptionsOf', () => {
  it('writes a line per rule: its list and index, ": ", and what it is for', () => {
    const text = formatRuleDescriptions([
      { direction: 'egress', index: 0, description: 'DNS (kube-dns)' },
      { direction: 'egress', index: 2, description: "model registry mirror: the team's own" },
      { direction: 'ingress', index: 1, description: 'clients in ai-gateway' },
    ]);
    expect(text).toBe(['egress[0]: DNS (kube-dns)', "egress[2]: model registry mirror: the team's own", 'ingress[1]: clients in ai-gateway'].join('\n'));
  });

  it('reads back what it wrote, for any rules and descriptions of one line', () => {
    const word = fc.string({ minLength: 1, maxLength: 12 }).filter((w) => !/\s/.test(w));
    const description = fc.array(word, { minLength: 1, maxLength: 6 }).map((words) => words.join(' '));
    const rule = fc.record({ direction: fc.constantFrom('egress' as const, 'ingress' as const), index: fc.nat(200), description });
    const rules = fc.uniqueArray(rule, { selector: (r) => `${r.direction} ${r.index}`, maxLength: 12 });
    fc.assert(
      fc.property(rules, (list: RuleDescription[]) => {
        expect(ruleDescriptionsOf(annotations(formatRuleDescriptions(list)))).toEqual(list);
      }),
      { numRuns: runs(200) },
    );
  });

  it('writes a description of several lines on one, so that it reads back whole, and leaves out one with no text', () => {
    const text = formatRuleDescriptions([
      { direction: 'egress', index: 0, description: '  the object store\nof the\tteam ' },
      { direction: 'egress', index: 1, description: ' \n ' },
    ]);
    expect(text).toBe('egress[0]: the object store of the team');
    expect(ruleDescriptionsOf(annotations(text))).toEqual([{ direction: 'egress', index: 0, description: 'the object store of the team' }]);
  });

  it('reads nothing from a line of another form, another annotation, or a value that is not text', () => {
    expect(ruleDescriptionsOf(annotations('egress: no index\nrules[0]: another list\negress[x]: not a number\negress[1]: kept'))).toEqual([
      { direction: 'egress', index: 1, description: 'kept' },
    ]);
    expect(ruleDescriptionsOf({ 'secure-ai-egress/description': 'egress[0]: on another annotation' })).toEqual([]);
    expect(ruleDescriptionsOf({ [RULE_DESCRIPTIONS_ANNOTATION]: 42 })).toEqual([]);
    expect(ruleDescriptionsOf(undefined)).toEqual([]);
  });
});
