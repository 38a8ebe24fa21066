/**
 * Builds the npm package into build/ (`npm run build`; `npm pack` and `npm publish` run it first,
 * as `prepack`): tsc compiles the entries that package.json's `exports` names, and what they import,
 * to JavaScript with declarations and source maps (tsconfig.build.json); then the generated
 * JavaScript of imports/ that they load (the constructs of the CRDs and the schema validators, which
 * `npm run import` writes as `.js` with `.d.ts`, and tsc does not copy) goes beside them. The
 * repository itself never runs build/: its commands run the TypeScript of lib/ directly.
 */
import { spawnSync } from 'child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'fs';
import { join, resolve } from 'path';

const root = resolve(__dirname, '..');
const build = join(root, 'build');

rmSync(build, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const imports = join(root, 'imports');
const generated = readdirSync(imports)
  .filter((f) => f.endsWith('.js'))
  .sort();
mkdirSync(join(build, 'imports'), { recursive: true });
for (const file of generated) {
  const declarations = file.replace(/\.js$/, '.d.ts');
  if (!existsSync(join(imports, declarations))) throw new Error(`imports/${file} has no ${declarations} beside it: run npm run import`);
  for (const f of [file, declarations]) copyFileSync(join(imports, f), join(build, 'imports', f));
}
process.stdout.write(`build/: lib/ compiled, and ${generated.length} generated modules of imports/ copied\n`);
