import { AiAppIntent, formatPath } from './index';
import { networkSetProblems } from './across';

/** A calico-flavor app whose destinations each name a network set. */
const app = (name: string, sets: readonly { networkSet: string; cidr: string }[]): AiAppIntent => ({
  name,
  namespace: 'ai',
  image: 'vllm/vllm-openai:v0.10.2',
  port: 8000,
  flavor: 'calico',
  egress: sets.map((s) => ({ ...s, ports: [443] })),
});

/** A list that counts the reads of its elements (as `includes`, `find` and `for...of` make them). */
function counting(items: readonly string[]): { items: readonly string[]; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(items, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads += 1;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { items: proxy, reads: () => reads };
}

describe('the network sets of cidr destinations', () => {
  it('refuses the name of an allow-list, and one name for two blocks, each with its field path', () => {
    const apps = [
      app('a', [
        { networkSet: 'mirror', cidr: '203.0.113.0/24' },
        { networkSet: 'store', cidr: '198.51.100.0/24' },
      ]),
      app('b', [
        { networkSet: 'store', cidr: '198.51.100.0/24' },
        { networkSet: 'store', cidr: '192.0.2.0/24' },
      ]),
    ];
    expect(networkSetProblems(apps, ['mirror', 'registry']).map((i) => [formatPath(i.path), i.message.slice(0, 40)])).toEqual([
      ['a.egress[0].networkSet', 'is the name of a declared allow-list; bo'],
      ['b.egress[1].networkSet', 'names the network set of 198.51.100.0/24'],
    ]);
  });

  // One look-up per destination in an index of the allow-lists' names, not a walk of the list.
  it('reads the names of the allow-lists once, however many destinations name a network set', () => {
    const lists = counting(Array.from({ length: 50 }, (_, i) => `list-${i}`));
    const apps = Array.from({ length: 40 }, (_, i) => app(`app-${i}`, [{ networkSet: `set-${i}`, cidr: `203.0.113.${i}/32` }]));
    expect(networkSetProblems(apps, lists.items)).toEqual([]);
    expect(lists.reads()).toBeLessThanOrEqual(50);
  });
});
