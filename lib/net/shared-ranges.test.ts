import { cidr } from './ip';
import { SharedRangeSource, sharedRangeOf } from './shared-ranges';

// A block declared by address inside a provider's published range is shared with the provider's
// other customers (shared-ranges.ts): the range that holds it is named, with its source.
const source = (provider: string, cidrs: string[]): SharedRangeSource => ({
  provider,
  what: `${provider} ranges`,
  url: `https://example.com/${provider}.json`,
  retrieved: '2026-01-01',
  cidrs,
});

describe('a published shared range', () => {
  const sources = [source('a', ['52.0.0.0/11', '2600:1f00::/24']), source('b', ['34.64.0.0/10', '52.0.0.0/8'])];

  it('holding the block is named with its source, the first source that holds it', () => {
    expect(sharedRangeOf(cidr('52.1.2.3/32'), sources)).toEqual({ source: sources[0], range: '52.0.0.0/11' });
    expect(sharedRangeOf(cidr('52.200.0.0/16'), sources)).toEqual({ source: sources[1], range: '52.0.0.0/8' });
    expect(sharedRangeOf(cidr('2600:1f00:1::/48'), sources)).toEqual({ source: sources[0], range: '2600:1f00::/24' });
    expect(sharedRangeOf(cidr('34.64.0.0/10'), sources)).toEqual({ source: sources[1], range: '34.64.0.0/10' });
  });

  it('that only lies inside the block, or beside it, does not hold it', () => {
    expect(sharedRangeOf(cidr('52.0.0.0/7'), sources)).toBeUndefined();
    expect(sharedRangeOf(cidr('203.0.113.0/24'), sources)).toBeUndefined();
    expect(sharedRangeOf(cidr('52.1.2.3/32'), [])).toBeUndefined();
  });
});
