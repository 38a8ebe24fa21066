import { IntentIssue, appScope, clusterScope, formatIssue, formatPath, formatScope, formatWarnings, PLATFORM } from './issues';

const issue = (over: Partial<IntentIssue>): IntentIssue => ({
  severity: 'warning',
  scope: appScope('llm'),
  path: ['llm', 'port'],
  value: 80,
  code: 'port',
  message: 'is below 1024',
  ...over,
});

describe('an issue is data until the one formatter prints it', () => {
  it.each([
    [['llm', 'egress', 2, 'cidr'], 'llm.egress[2].cidr'],
    [['clusters', 'prod-eu', 'allowLists', 0, 'name'], 'clusters.prod-eu.allowLists[0].name'],
    [['llm', 'nodeSelector', 'nvidia.com/gpu.product'], 'llm.nodeSelector["nvidia.com/gpu.product"]'],
    [['llm', 'env', 'MY VAR'], 'llm.env["MY VAR"]'],
    [['Vector DB', 'name'], 'Vector DB.name'],
    [['apps', 3, 'port'], 'apps[3].port'],
  ])('prints the path %j as %s', (path, printed) => {
    expect(formatPath(path)).toBe(printed);
  });

  it('prints whose field an issue is about', () => {
    expect([appScope('llm'), appScope(2), clusterScope('aks'), clusterScope(1), PLATFORM].map(formatScope)).toEqual([
      'llm',
      'apps[2]',
      'cluster aks',
      'clusters[1]',
      'platform',
    ]);
  });

  it('prints the path, the value and the message, and a missing value as nothing', () => {
    expect(formatIssue(issue({}))).toBe('llm.port: 80 is below 1024');
    expect(formatIssue(issue({ path: ['llm', 'resources'], value: undefined, message: 'is missing' }))).toBe('llm.resources is missing');
  });

  it('names the clusters where an issue arises after its path, and every field it is about', () => {
    expect(formatIssue(issue({ clusters: ['us'] }))).toBe('llm.port in cluster us: 80 is below 1024');
    expect(formatIssue(issue({ clusters: ['eu', 'us'] }))).toBe('llm.port in clusters eu, us: 80 is below 1024');
    expect(formatIssue(issue({ scope: PLATFORM, alsoAt: [['rag', 'port']] }))).toBe('llm.port, rag.port: 80 is below 1024');
  });

  it('prints one line for the same warning on several fields, naming at most five of them', () => {
    const apps = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    expect(formatWarnings(apps.map((a) => issue({ scope: appScope(a), path: [a, 'port'] })))).toBe(
      '7 warnings (not errors: synthesis goes on):\n  a.port, b.port, c.port, d.port, e.port and 2 more: 80 is below 1024\n',
    );
  });
});
