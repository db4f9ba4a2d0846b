import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/**
 * A fresh temporary directory per call, named `pure-raft-<prefix>-…`, removed after each test.
 * Call at a test file's top level (it registers the afterEach).
 */
export function scratchDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), `pure-raft-${prefix}-`));
    dirs.push(dir);
    return dir;
  };
}
