import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { pipeline } from 'stream/promises';
import { createBrotliDecompress } from 'zlib';
import { Browser, chromium } from 'playwright-core';
import { x as untar } from 'tar';

/**
 * The tests' browser: headless Chromium driven by playwright-core, with nothing installed beyond
 * `npm ci`.
 *
 * `CHROMIUM_PATH`, when set, names a Chromium (or Chrome) to use instead, such as a system one.
 * Otherwise the headless Chromium that the `@sparticuz/chromium` package ships inside its npm
 * tarball is used: the package has no install script, so its brotli-compressed files are unpacked
 * here, once per package version, into `node_modules/.cache/`. Next to the binary go its
 * SwiftShader GL libraries, which the compositor loads from the binary's folder; its NSS
 * libraries (`al2023.tar.br`) go on `LD_LIBRARY_PATH`, so no system package is needed; its fonts
 * get a fontconfig file of their own, since a page without fonts renders no text at all.
 */
export async function launchChromium(): Promise<Browser> {
  const configured = process.env.CHROMIUM_PATH;
  // The sandbox needs user namespaces or a setuid helper, neither of which CI (root) has; the
  // browser only ever opens a file the test itself wrote.
  if (configured) return chromium.launch({ executablePath: configured, args: ['--no-sandbox'] });
  const dir = await unpackedChromium();
  return chromium.launch({
    executablePath: join(dir, 'chromium'),
    args: ['--no-sandbox', '--no-zygote', '--use-gl=angle', '--use-angle=swiftshader'],
    env: { ...process.env, LD_LIBRARY_PATH: join(dir, 'lib'), FONTCONFIG_PATH: join(dir, 'fonts') },
  });
}

/** The folder holding the unpacked browser, unpacking it on first use. */
async function unpackedChromium(): Promise<string> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`@sparticuz/chromium ships Chromium for linux-x64 only, not ${process.platform}-${process.arch}: set CHROMIUM_PATH to a Chromium to use`);
  }
  const entry = require.resolve('@sparticuz/chromium');
  const root = join(dirname(entry), '..', '..');
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const bin = join(root, 'bin');
  const dir = join(root, '..', '..', '.cache', `sparticuz-chromium-${version}`);
  if (existsSync(join(dir, 'chromium'))) return dir;
  // Unpacked beside the final folder and renamed into place, so that a run interrupted halfway
  // leaves nothing a later run would take for a complete browser.
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(join(partial, 'lib'), { recursive: true });
  mkdirSync(join(partial, 'fonts'), { recursive: true });
  await pipeline(createReadStream(join(bin, 'chromium.br')), createBrotliDecompress(), createWriteStream(join(partial, 'chromium'), { mode: 0o755 }));
  await untar({ file: join(bin, 'swiftshader.tar.br'), cwd: partial, brotli: true });
  // al2023.tar.br holds lib/*.so.
  await untar({ file: join(bin, 'al2023.tar.br'), cwd: partial, brotli: true });
  // fonts.tar.br holds fonts/**.ttf and a fonts.conf for AWS Lambda's paths; ours points here.
  await untar({ file: join(bin, 'fonts.tar.br'), cwd: join(partial, 'fonts'), brotli: true, filter: (path) => path !== 'fonts.conf' });
  writeFileSync(
    join(partial, 'fonts', 'fonts.conf'),
    `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>${join(dir, 'fonts', 'fonts')}</dir>
  <cachedir>${join(dir, 'fonts', 'cache')}</cachedir>
</fontconfig>
`,
  );
  try {
    renameSync(partial, dir);
  } catch (err) {
    // Another run unpacked the same version first: use its copy.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(join(dir, 'chromium'))) throw err;
  }
  return dir;
}
