import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

const LIB = join(__dirname, '..');

/** The modules a folder's production files import (test files aside), as written in their import statements. */
function importsOf(folder: string): { file: string; from: string }[] {
  return readdirSync(join(LIB, folder))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .flatMap((file) => [...readFileSync(join(LIB, folder, file), 'utf8').matchAll(/^(?:import|export)[^;]*?from '([^']+)';/gms)].map((m) => ({ file: `${folder}/${file}`, from: m[1] })));
}

/** The project folders a folder's files reach outside itself, as `../name` (a deeper path is a violation of its own). */
function projectImports(folder: string): string[] {
  return [...new Set(importsOf(folder).map((i) => i.from).filter((from) => from.startsWith('..')))].sort();
}

describe('folder boundaries', () => {
  it('lib/net and lib/yaml are leaves: they import nothing of the project', () => {
    expect(projectImports('net')).toEqual([]);
    expect(projectImports('yaml')).toEqual([]);
  });

  it('the verifier imports nothing of the project but lib/net and lib/yaml: it reads YAML anyone wrote, never the intent or the renderers', () => {
    expect(projectImports('verify')).toEqual(['../net', '../yaml']);
  });

  it('the review imports nothing of the project but lib/verify and lib/net, each through its index', () => {
    expect(projectImports('review')).toEqual(['../net', '../verify']);
  });
});
