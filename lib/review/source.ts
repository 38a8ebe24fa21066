import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';

/** A set of manifests on disk, ready for the verifier; `cleanup` removes anything made for it. */
export interface ManifestSource {
  readonly paths: readonly string[];
  /** How to name it in output: the path, or `REV:PATH` for a git revision. */
  readonly label: string;
  cleanup(): void;
}

/** Raised when a `--base`/`--head` is neither a path nor a git revision. */
export class SourceError extends Error {}

function git(args: string[], cwd: string): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Resolves a path, or a git revision with an optional folder (`main`, `HEAD~1`, `origin/main:dist`;
 * the folder defaults to `dist`). A revision's files are read with `git show` into a temporary
 * folder, so the working tree is never touched. A revision without that folder yields no
 * manifests (for example the commit before dist/ existed).
 */
export function resolveSource(spec: string, cwd = process.cwd()): ManifestSource {
  if (existsSync(join(cwd, spec)) || existsSync(spec)) {
    const path = existsSync(spec) ? spec : join(cwd, spec);
    return { paths: [path], label: spec, cleanup: () => undefined };
  }
  const colon = spec.indexOf(':');
  const rev = colon < 0 ? spec : spec.slice(0, colon);
  const folder = (colon < 0 ? 'dist' : spec.slice(colon + 1)).replace(/\/+$/, '') || '.';
  let commit: string;
  try {
    commit = git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], cwd).trim();
  } catch {
    throw new SourceError(
      `"${spec}" is neither a file or folder nor a git revision; accepted: a path such as dist/, or a revision such as HEAD~1 or main:dist`,
    );
  }
  const top = git(['rev-parse', '--show-toplevel'], cwd).trim();
  const prefix = git(['rev-parse', '--show-prefix'], cwd).trim();
  const inRepo = join(prefix, folder)
    .replace(/\\/g, '/')
    .replace(/^\.\/?/, '');
  const files = git(['ls-tree', '-r', '--name-only', commit, '--', inRepo], top)
    .split('\n')
    .filter((f) => /\.(ya?ml|json)$/.test(f));
  const dir = mkdtempSync(join(tmpdir(), 'egress-rev-'));
  // One `git cat-file --batch` for all files: a process per file is slow on a large dist/.
  const batch = execFileSync('git', ['cat-file', '--batch'], { cwd: top, input: files.map((f) => `${commit}:${f}\n`).join(''), maxBuffer: 1024 * 1024 * 1024 });
  let at = 0;
  for (const file of files) {
    const headerEnd = batch.indexOf(10, at);
    const size = Number(batch.subarray(at, headerEnd).toString('utf8').split(' ')[2]);
    const target = join(dir, file);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, batch.subarray(headerEnd + 1, headerEnd + 1 + size));
    at = headerEnd + 1 + size + 1;
  }
  return { paths: [dir], label: `${rev}:${folder}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
