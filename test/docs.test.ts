/**
 * Every example of the documentation runs (README.md and docs/*.md; the kinds of blocks and the
 * harness around fragments are in docs/README.md, "Every example is run"): TypeScript is
 * type-checked in one program and its intent synthesized as `npm run synth` synthesizes it, a
 * shell command names scripts package.json has with options the command takes, YAML parses, and
 * a block of no known kind fails. Fragments are laid over the shipped scenario, the fixture copy
 * of main.ts as shipped, so a user's own main.ts never makes this test fail.
 */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildApp } from '../lib/app';
import { synthesize } from '../lib/synth';
import {
  Block,
  blockName,
  blocksOf,
  documentation,
  fieldTableProblems,
  documentationBlocks,
  jsonProblems,
  kindProblems,
  missingAnchors,
  missingFiles,
  missingOutputLines,
  pluginProblems,
  runBlock,
  runProgram,
  shellProblems,
  synthesizeBlock,
  tsKind,
  typeErrors,
  yamlProblems,
} from './support/doc-examples';
import { shipped } from './fixtures/intents';

const ROOT = join(__dirname, '..');
const blocks = documentationBlocks();

/** Broken examples, to show that each check can fail. */
const broken = blocksOf(
  'broken.md',
  [
    '```ts platform',
    "cloud: 'mars',",
    '```',
    '```ts destinations',
    "{ cidr: '10.0.0.1/24', ports: [443] },",
    '```',
    '```ts destinations fails',
    "{ cidr: '10.0.0.0/24', ports: [443] },",
    '```',
    '```js',
    'const x = 1;',
    '```',
    '```',
    'no info string',
    '```',
    '```sh',
    'npm run nosuch',
    'npm run --silent verify -- qurey --manifests dist',
    'npm run --silent verify -- query --manifest dist --from a/b --to 10.0.0.1 --port 443',
    'npm run synth dist',
    'frobnicate --now',
    '```',
    '```yaml',
    'validations: [1, 2',
    '```',
    '```yaml',
    'validations:',
    '  - package: ./scripts/cdk8s-validation.js',
    '    version: 0.0.9',
    '    class: SecureAiEgressChecks',
    '    properties: { cloud: mars, exemptNamespace: [web] }',
    '  - package: ./scripts/cdk8s-validation.js',
    '    version: 0.1.0',
    '    class: SecureEgressChecks',
    '```',
  ].join('\n'),
);

let types: Map<Block, string[]>;
beforeAll(() => {
  types = typeErrors([...blocks, ...broken]);
});

/** The block after this one on its page, if any. */
function nextOf(block: Block): Block | undefined {
  const i = blocks.indexOf(block);
  return blocks[i + 1]?.file === block.file ? blocks[i + 1] : undefined;
}
function previousOf(block: Block): Block | undefined {
  const i = blocks.indexOf(block);
  return blocks[i - 1]?.file === block.file ? blocks[i - 1] : undefined;
}
const synthesized = (block: Block | undefined) => block !== undefined && ![undefined, 'test', 'program'].includes(tsKind(block));

test('README.md is a page of at most 200 lines, the rest of the documentation in docs/', () => {
  expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(200);
  expect(blocks.some((b) => b.file.startsWith('docs/'))).toBe(true);
});

test('every relative link of README.md and docs/ leads to a file, and one with an anchor to a heading of the page it names', () => {
  expect(missingFiles(documentation())).toEqual([]);
  expect(missingAnchors(documentation())).toEqual([]);
});

test('the tables of fields and defaults name every field of the intent, and only fields it has', () => {
  expect(fieldTableProblems(documentation())).toEqual([]);
});

// Test blocks declare jest tests of their own. Each runs as a file of a scratch folder whose dist/
// holds the shipped scenario's manifests, in place of the repository's dist/ (a user's main.ts may
// differ from the scenario the docs describe).
const testBlocks = blocks.filter((b) => tsKind(b) === 'test');
if (testBlocks.length > 0)
  describe('the jest tests of the docs, against the shipped scenario', () => {
    const folder = mkdtempSync(join(tmpdir(), 'doc-tests-'));
    beforeAll(() => synthesize(buildApp(join(folder, 'dist'), shipped)));
    afterAll(() => rmSync(folder, { recursive: true, force: true }));
    for (const block of testBlocks)
      describe(blockName(block), () => {
        runBlock(block, folder);
      });
  });

describe.each(blocks.map((b) => [blockName(b), b] as const))('%s', (_, block) => {
  it('is of a known kind, and runs as its kind says', async () => {
    expect(kindProblems(block)).toEqual([]);
    const kind = tsKind(block);
    if (kind) {
      expect(types.get(block)).toEqual([]);
      if (kind === 'program') runProgram(block);
      if (kind === 'test' || kind === 'program') return;
      const synth = synthesizeBlock(block);
      const fails = block.info.includes('fails');
      // On a wrong exit code, the whole output says why.
      expect(synth.code === (fails ? 1 : 0) ? 'as expected' : `npm run synth exited ${synth.code}:\n${synth.output}`).toBe('as expected');
      const next = nextOf(block);
      if (next?.info.join(' ') === 'text output') expect(missingOutputLines(next.text, synth.output)).toEqual([]);
    } else if (block.info[0] === 'sh') {
      expect(shellProblems(block)).toEqual([]);
    } else if (block.info[0] === 'json' && block.info[1] === 'package') {
      expect(jsonProblems(block)).toEqual([]);
    } else if (block.info[0] === 'yaml') {
      expect(yamlProblems(block)).toEqual([]);
      expect(await pluginProblems(block)).toEqual([]);
    } else if (block.info.join(' ') === 'text output') {
      expect({ follows: previousOf(block) && blockName(previousOf(block)!), synthesized: synthesized(previousOf(block)) }).toEqual({
        follows: expect.any(String),
        synthesized: true,
      });
    }
  });
});

describe('each check fails on a broken example', () => {
  const [badType, badValue, notFailing, js, bare, sh, yaml, plugin] = broken;

  test('a type error', () => {
    expect(types.get(badType)).toEqual([expect.stringContaining(`broken.md:2: Type '"mars"' is not assignable`)]);
  });

  test('an intent npm run synth refuses, and a "fails" example it accepts', () => {
    expect(synthesizeBlock(badValue)).toEqual({ code: 1, output: expect.stringContaining('has host bits set') });
    expect(synthesizeBlock(notFailing).code).toBe(0);
  });

  test('a block of no known kind', () => {
    expect(kindProblems(js)).toEqual([expect.stringContaining('"js" is no kind of example')]);
    expect(kindProblems(bare)).toEqual([expect.stringContaining('a block with no info string is no kind of example')]);
  });

  test('a script package.json lacks, a command or option the script does not take, a program the docs do not use', () => {
    expect(shellProblems(sh)).toEqual([
      expect.stringContaining('package.json has no script "nosuch"'),
      expect.stringContaining('unknown command "qurey"; did you mean query?'),
      expect.stringContaining('unknown option "--manifest"; did you mean --manifests?'),
      expect.stringContaining('the arguments of an npm script go after "--"'),
      expect.stringContaining('frobnicate: not a program the docs use'),
    ]);
  });

  test('YAML that does not parse', () => {
    expect(yamlProblems(yaml)).toEqual([expect.stringContaining('broken.md:')]);
  });

  test('a validation plugin entry with another version, properties the plugin refuses, a class the entry does not export', async () => {
    expect(await pluginProblems(plugin)).toEqual([
      expect.stringContaining("validations[0]: version 0.0.9 is not package.json's"),
      expect.stringMatching(/validations\[0\]: .*properties.exemptNamespace: is not a property of this plugin/),
      expect.stringContaining('validations[1]: class SecureEgressChecks is not one scripts/cdk8s-validation.js exports'),
    ]);
  });

  test('a field the types do not have, and one the table leaves out', () => {
    const pages = documentation().map((p) =>
      p.file === 'docs/clusters-and-argocd.md' ? { ...p, markdown: p.markdown.replace('| `repoURL` |', '| `repoUrl` |') } : p,
    );
    expect(fieldTableProblems(pages)).toEqual([
      'docs/clusters-and-argocd.md, the table of "setting": repoUrl is no field of ArgoCdSettings',
      'docs/clusters-and-argocd.md, the table of "setting": repoURL, a field of ArgoCdSettings, is not in the table',
    ]);
  });

  test('a link to no file, and to no heading', () => {
    const page = {
      file: 'docs/broken.md',
      markdown: '# Broken\n\n[a](calico.md#audit-mode) [b](nosuch.md) [c](calico.md#no-such-heading) [d](#broken) [e](https://example.com/x)\n',
    };
    expect(missingFiles([page])).toEqual(['docs/broken.md:3: nosuch.md: no file docs/nosuch.md']);
    expect(missingAnchors([page])).toEqual(['docs/broken.md:3: calico.md#no-such-heading: no heading of docs/calico.md has the anchor #no-such-heading']);
  });

  test('a line of output the synthesis did not print', () => {
    expect(
      missingOutputLines(
        'synth: wrote 3 files to dist/, all valid:\n...\n  dist/00-cluster.k8s.yaml',
        'synth: wrote 3 files to dist/, all valid:\n  dist/00-cluster.k8s.yaml',
      ),
    ).toEqual([]);
    expect(missingOutputLines('synth: wrote 4 files to dist/, all valid:', 'synth: wrote 3 files to dist/, all valid:')).toEqual([
      'synth: wrote 4 files to dist/, all valid:',
    ]);
  });
});
