import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../vite.web.config.js';

/**
 * `npm install` on a clean clone leaves package-lock.json as committed: npm rewrites the lockfile
 * when its root entry disagrees with package.json (as it did when the lockfile lacked the "bin"
 * that package.json names). Checked by letting npm recompute the lockfile (--package-lock-only,
 * offline: every package is in the lockfile already) on copies of the two files.
 */

const scratch = mkdtempSync(join(tmpdir(), 'pure-raft-lockfile-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const relock = (manifest: string): string => {
  copyFileSync(join(ROOT, 'package-lock.json'), join(scratch, 'package-lock.json'));
  copyFileSync(manifest, join(scratch, 'package.json'));
  execFileSync('npm', ['install', '--package-lock-only', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: scratch, stdio: 'pipe' });
  return readFileSync(join(scratch, 'package-lock.json'), 'utf8');
};

describe('package-lock.json', () => {
  it('is what npm install would write for package.json: a clean clone stays clean', () => {
    expect(relock(join(ROOT, 'package.json'))).toBe(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  });

  it('(the check can fail) a package.json whose root fields the lockfile does not record makes npm rewrite it', () => {
    const changed = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    changed.bin = { ...changed.bin, 'pure-raft-other': 'bin/pure-raft.mjs' };
    const manifest = join(scratch, 'changed.json');
    writeFileSync(manifest, JSON.stringify(changed, null, 2));
    expect(relock(manifest)).not.toBe(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  });
});
