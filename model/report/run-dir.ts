import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The folder a run writes into: --out, or reports/<timestamp>-<what ran>. */
export function runDirectory(out: string | undefined, label: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/:/g, '-').replace(/\..*$/, '');
  const dir = out !== undefined ? resolve(out) : resolve('reports', `${stamp}-${label}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export const reportPath = (dir: string, file: string): string => join(dir, file);
