import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

/**
 * Real file-system faults for CLI tests: a tiny tmpfs (ENOSPC) and a read-only view of a
 * folder (EROFS). Both need mount(2), i.e. root (CI and the dev containers run as root).
 * Without root a read-only folder falls back to chmod 0555 (EACCES instead of EROFS); a
 * full disk cannot be made, and the test fails saying so rather than being skipped.
 */
export const canMount = process.getuid?.() === 0;

/** Mount a tmpfs of `kilobytes` at `dir`; returns the unmount. */
export function tinyFileSystem(dir: string, kilobytes: number): () => void {
  if (!canMount) throw new Error('a full-disk test needs root to mount a small tmpfs (mount -t tmpfs -o size=...); run the suite as root');
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kilobytes}k`, 'tmpfs', dir]);
  return () => execFileSync('umount', ['-l', dir]);
}

/** Make `view` a read-only view of `source` (a read-only bind mount); returns the undo. */
export function readOnlyView(source: string, view: string): { undo: () => void; errno: 'EROFS' | 'EACCES' } {
  mkdirSync(view, { recursive: true });
  if (canMount) {
    execFileSync('mount', ['--bind', source, view]);
    execFileSync('mount', ['-o', 'remount,bind,ro', view]);
    return { undo: () => execFileSync('umount', ['-l', view]), errno: 'EROFS' };
  }
  execFileSync('cp', ['-a', `${source}/.`, view]);
  execFileSync('chmod', ['-R', 'a-w', view]);
  return { undo: () => execFileSync('chmod', ['-R', 'u+w', view]), errno: 'EACCES' };
}
