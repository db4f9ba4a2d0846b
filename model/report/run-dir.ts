import { join, resolve } from 'node:path';
import { ensureDirectory } from '../../src/fs/ensureDirectory.js';

/**
 * The folder a run writes into: --out, or reports/<timestamp>-<what ran>. Made (and checked
 * writable) at once, so a path that cannot take the report fails before the search, in one
 * line (a DirectoryError), not after it.
 */
export function runDirectory(out: string | undefined, label: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/:/g, '-').replace(/\..*$/, '');
  return out !== undefined ? ensureDirectory(out, '--out') : ensureDirectory(resolve('reports', `${stamp}-${label}`), 'report directory');
}

export const reportPath = (dir: string, file: string): string => join(dir, file);
