import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildWebBundle } from '../../scripts/build-web.js';
import { ROOT } from '../../vite.web.config.js';

/**
 * The package as `npm run build` leaves it: tsc's ESM and declarations in dist/ and the exports
 * map pointing at them. Imports each export by its package name (Node resolves a package's own
 * name through its exports map) in a fresh Node process, as a consumer would.
 */

interface Conditions {
  readonly types: string;
  readonly default: string;
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; exports: Record<string, Conditions | string>; files: string[]; types: string };

describe('package build', () => {
  it('tsc -p tsconfig.build.json emits every file the exports map names, and each export imports by name', async () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
    await buildWebBundle('core');

    expect(pkg.files).toContain('dist');
    expect(existsSync(join(ROOT, pkg.types))).toBe(true);
    const entries = Object.entries(pkg.exports).filter((e): e is [string, Conditions] => typeof e[1] === 'object');
    expect(entries.map(([k]) => k)).toEqual(expect.arrayContaining(['./core', './runtime', './model']));
    for (const [, c] of entries) {
      expect(existsSync(join(ROOT, c.default)), c.default).toBe(true);
      expect(existsSync(join(ROOT, c.types)), c.types).toBe(true);
    }
    expect(readFileSync(join(ROOT, (pkg.exports['./core'] as Conditions).types), 'utf8')).toMatch(/export \{ step/);

    const probe = `
      const out = {};
      for (const name of ${JSON.stringify(entries.map(([k]) => k))}) {
        const spec = ${JSON.stringify(pkg.name)} + name.slice(1);
        out[name] = Object.keys(await import(spec)).sort();
      }
      const core = await import('${pkg.name}/core');
      const r = core.step(core.initialState(0, 3), { type: 'ElectionTimeout' });
      out.step = r.state.role + ' t' + r.state.currentTerm + ' ' + r.messages.length + ' messages';
      console.log(JSON.stringify(out));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: ROOT, encoding: 'utf8' })) as Record<string, string[] | string>;
    expect(out['./core']).toEqual(expect.arrayContaining(['step', 'restore', 'initialState', 'operations', 'runOperations']));
    expect(out['./core/browser']).toEqual(out['./core']);
    expect(out['./runtime']).toEqual(expect.arrayContaining(['RaftNode', 'SimNetwork', 'MemoryPersister', 'DiskPersister']));
    expect(out['./model']).toEqual(expect.arrayContaining(['explore', 'createModel', 'replayTrace', 'INVARIANTS', 'MUTANTS', 'traceToDot']));
    expect(out['step']).toBe('candidate t1 2 messages');
  });
});
