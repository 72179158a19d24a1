import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { findWorkspaceRoot } from '../plugins/discovery.ts';

/** Current git commit of the workspace, when it is a git checkout. */
export function gitCommit(cwd = findWorkspaceRoot() ?? process.cwd()): string | undefined {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return undefined;
  }
}

/** Versions of anomalab's packages and the numeric libraries, recorded with every run. */
export function packageVersions(): Record<string, string> {
  const versions: Record<string, string> = {};
  const require = createRequire(import.meta.url);
  const root = findWorkspaceRoot();
  const read = (path: string) => {
    try {
      const pkg = JSON.parse(readFileSync(path, 'utf8'));
      versions[pkg.name] = pkg.version;
    } catch {
      // not installed
    }
  };
  read(join(import.meta.dirname, '..', '..', 'package.json'));
  for (const name of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node']) {
    try {
      read(require.resolve(`${name}/package.json`));
    } catch {
      // optional
    }
  }
  if (root) read(join(root, 'package.json'));
  return versions;
}
